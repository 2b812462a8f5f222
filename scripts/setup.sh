#!/usr/bin/env bash
# Installs the Debian packages that are missing, then configures and builds LayerLoom.
#   scripts/setup.sh              Release build in build/
#   scripts/setup.sh --sanitize   ASan+UBSan build of the core, CLI and their tests in build-sanitize/
#   scripts/setup.sh --tsan       ThreadSanitizer build of the threaded tests in build-tsan/
#   scripts/setup.sh --fuzz       Clang build of the libFuzzer targets in build-fuzz/ (tests/fuzz)
#   scripts/setup.sh --tests      also install the packages only the tests need
#   scripts/setup.sh --core       configure everything, but build only the core library and CLI
#   scripts/setup.sh ... -- ARGS  pass ARGS to CMake's configure step, e.g.
#                                 -- -DLAYERLOOM_MARCH=native (a build for this processor only)
# Warnings are errors when CI=true is set (as CI services set it), never otherwise.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mode=release
tests=0
core=0
cmake_args=()
while (($#)); do
    case "$1" in
        --sanitize) mode=sanitize ;;
        --tsan) mode=tsan ;;
        --fuzz) mode=fuzz ;;
        --tests) tests=1 ;;
        --core) core=1 ;;
        --) shift; cmake_args=("$@"); break ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "setup.sh: unknown option '$1'" >&2; exit 64 ;;
    esac
    shift
done

mapfile -t wanted < <(grep -vE '^\s*(#|$)' scripts/debian-packages.txt)
if [ "$tests" = 1 ]; then
    mapfile -t -O "${#wanted[@]}" wanted < <(grep -vE '^\s*(#|$)' scripts/debian-test-packages.txt)
fi
missing=()
for pkg in "${wanted[@]}"; do
    # A package counts as there when Debian installed it, or when a command of its name is
    # already on the PATH (e.g. Node.js and npm from another source).
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" &&
       ! command -v "$pkg" >/dev/null 2>&1; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]})); then
    echo "==> Installing ${#missing[@]} missing Debian packages (minutes on a new machine): ${missing[*]}"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    # apt's progress goes to a log, shown when something fails.
    log="$(mktemp)"
    if ! { $sudo apt-get update -qq &&
           DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
               "${missing[@]}"; } > "$log" 2>&1; then
        cat "$log" >&2
        echo "setup.sh: installing the Debian packages failed (apt's output above)" >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
fi

jobs="$(nproc)"
targets=()
# Let ccache share results between clones in different folders (CI builds a fresh clone).
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
if [ "$mode" = sanitize ]; then
    build="build-sanitize"
    echo "==> Configuring the sanitizer build in $build/"
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DLAYERLOOM_SANITIZE=ON \
        -DLAYERLOOM_BUILD_UI=OFF -DLAYERLOOM_BUILD_BENCH=OFF -DLAYERLOOM_OPENMP=OFF -DLAYERLOOM_OPENBLAS=OFF \
        "${cmake_args[@]}" > "$build.configure.log" 2>&1 \
        || { cat "$build.configure.log"; exit 1; }
elif [ "$mode" = tsan ]; then
    build="build-tsan"
    echo "==> Configuring the ThreadSanitizer build in $build/"
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DLAYERLOOM_TSAN=ON \
        -DLAYERLOOM_BUILD_BENCH=OFF -DLAYERLOOM_OPENMP=OFF -DLAYERLOOM_OPENBLAS=OFF \
        "${cmake_args[@]}" > "$build.configure.log" 2>&1 \
        || { cat "$build.configure.log"; exit 1; }
    targets=(--target layerloom_core_tests layerloom_ui_training_test layerloom_ui_training_controller_test
             layerloom_ui_main_window_test layerloom_ui_background_task_test)
elif [ "$mode" = fuzz ]; then
    build="build-fuzz"
    echo "==> Configuring the fuzz build in $build/ (Clang, libFuzzer, ASan+UBSan)"
    CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DLAYERLOOM_FUZZ=ON \
        -DLAYERLOOM_BUILD_UI=OFF -DLAYERLOOM_BUILD_TESTS=OFF -DLAYERLOOM_BUILD_BENCH=OFF \
        -DLAYERLOOM_OPENMP=OFF -DLAYERLOOM_OPENBLAS=OFF \
        "${cmake_args[@]}" > "$build.configure.log" 2>&1 \
        || { cat "$build.configure.log"; exit 1; }
else
    build="build"
    echo "==> Configuring the Release build in $build/"
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "${cmake_args[@]}" \
        > "$build.configure.log" 2>&1 \
        || { cat "$build.configure.log"; exit 1; }
fi
rm -f "$build.configure.log"
if [ "$core" = 1 ]; then targets=(--target layerloom_core layerloom-cli); fi
echo "==> Building with $jobs jobs"
cmake --build "$build" -j "$jobs" "${targets[@]}"
