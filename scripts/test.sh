#!/usr/bin/env bash
# Sets everything up (see setup.sh) and runs every test: core (GoogleTest), CLI end to end and
# the GUI (Qt Test, offscreen).
#   scripts/test.sh              Release build, all tests
#   scripts/test.sh --sanitize   ASan+UBSan build, core and CLI tests
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" --tests "$@"
build="$root/build"
[ "${1:-}" = "--sanitize" ] && build="$root/build-sanitize"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
echo "==> Running the tests in ${build#$root/}/"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
