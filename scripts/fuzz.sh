#!/usr/bin/env bash
# Sets up the fuzz build (setup.sh --fuzz) and runs every libFuzzer target of tests/fuzz on its
# seed corpus, two at a time, each for a fixed time; fails on the first finding.
#   scripts/fuzz.sh                      every target, 60 s each (what CI runs)
#   scripts/fuzz.sh --time 1800          every target, 30 minutes each
#   scripts/fuzz.sh --time 600 csv npy   some targets
#   scripts/fuzz.sh --jobs 1 ...         one target at a time (default: one per core)
# What a target learns goes to build-fuzz/corpus/TARGET (kept between runs, never committed);
# a finding is written to build-fuzz/findings/ and its log is printed. tests/fuzz/README.md
# says how to replay and minimise one.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=60
jobs="$(nproc)"
targets=()
while (($#)); do
    case "$1" in
        --time) seconds="$2"; shift ;;
        --jobs) jobs="$2"; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        -*) echo "fuzz.sh: unknown option '$1'" >&2; exit 64 ;;
        *) targets+=("$1") ;;
    esac
    shift
done
all=(project keras_model keras_file csv npy weights run_folder labels onnx)
((${#targets[@]})) || targets=("${all[@]}")
"$root/scripts/setup.sh" --tests --fuzz
build="$root/build-fuzz"
mkdir -p "$build/findings" "$build/logs"

dictionary() {
    case "$1" in
        csv) echo "$root/tests/fuzz/csv.dict" ;;
        npy) echo "$root/tests/fuzz/npy.dict" ;;
        *) echo "$root/tests/fuzz/json.dict" ;;
    esac
}

run_target() {
    local target="$1"
    local binary="$build/tests/fuzz/fuzz_$target"
    [ -x "$binary" ] || { echo "fuzz.sh: no target '$target' (${all[*]})" >&2; return 64; }
    mkdir -p "$build/corpus/$target"
    local log="$build/logs/$target.log"
    # Inputs up to 64 KiB (the seeds are smaller; Keras's own files up to 128 KiB); 2 GB of
    # memory and 20 s per input at most, so that a reader that trusts a size or loops is a
    # finding too.
    local longest=65536
    [ "$target" = keras_file ] && longest=131072
    if ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0" UBSAN_OPTIONS="print_stacktrace=1" \
       "$binary" "$build/corpus/$target" "$root/tests/fuzz/corpus/$target" \
           -dict="$(dictionary "$target")" -max_total_time="$seconds" -max_len="$longest" \
           -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=20 -print_final_stats=1 \
           -artifact_prefix="$build/findings/$target-" > "$log" 2>&1; then
        echo "    $target: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') inputs, nothing found"
    else
        echo "    $target: FOUND SOMETHING; its log ($log) ends:"
        tail -40 "$log" | sed 's/^/      /'
        return 1
    fi
}
export -f run_target dictionary
export root build seconds
export all_names="${all[*]}"

echo "==> Fuzzing ${targets[*]} for ${seconds} s each, $jobs at a time"
status=0
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'all=($all_names); run_target "$@"' _ {} || status=1
if [ "$status" != 0 ]; then
    echo "fuzz.sh: a fuzz target found an input that a reader does not refuse cleanly (above)" >&2
fi
exit "$status"
