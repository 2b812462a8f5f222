#!/usr/bin/env bash
# Where a training step's time goes: records layerloom-bench's training steps with perf
# (Debian's linux-perf) and splits the samples into the phases of bench/phases.py.
#   bench/profile.sh [BUILD] [MODEL LETTERS] [THREADS]     e.g. bench/profile.sh build a 1
# With one thread every sample belongs to the step that called it; with more, the helper
# threads' samples are shown by what they ran.
set -euo pipefail
build="${1:-build}"
only="${2:-a}"
threads="${3:-1}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
OMP_NUM_THREADS="$threads" perf record -q -F 500 --call-graph dwarf,16384 -o "$data/perf.data" \
    "$build/bench/layerloom-bench" --only "$only" --steps 5 | grep -E "samples/s|kernels"
perf script -F comm,pid,tid,ip,sym,dso -i "$data/perf.data" 2>/dev/null | /usr/bin/python3 "$here/phases.py"
