#!/usr/bin/env bash
# Training while other programs keep cores busy: `layerloom-cli train` on a model and the
# built-in sunspots series, on an idle machine and with BUSY busy loops at normal priority
# (another program's build, say), ROUNDS rounds alternated. Prints the training samples/s of
# each run (from its history.csv: training windows x epochs / seconds).
#   bench/busy_cores.sh CLI MODEL [EPOCHS] [BUSY] [ROUNDS] [-- CLI OPTIONS...]
#   bench/busy_cores.sh build/app/layerloom-cli resources/examples/lstm_autoencoder_skips_add.loom 5 1 3
set -euo pipefail
cli="$1"
model="$2"
epochs="${3:-5}"
busy="${4:-1}"
rounds="${5:-3}"
shift $(($# < 5 ? $# : 5))
[ "${1:-}" = "--" ] && shift
work="$(mktemp -d)"
loops=()
stop_loops() {
    for pid in "${loops[@]}"; do kill "$pid" 2>/dev/null || true; done
    loops=()
}
trap 'stop_loops; rm -rf "$work"' EXIT

train() {
    local out="$work/run"
    rm -rf "$out"
    local windows
    windows="$("$cli" train "$model" --data sample:sunspots.csv --epochs "$epochs" --out "$out" "$@" 2>&1 >/dev/null |
        sed -n 's/^\([0-9]*\) training and.*/\1/p')"
    local seconds
    seconds="$(tail -1 "$out/history.csv" | awk -F, '{print $NF}')"
    awk -v w="$windows" -v e="$epochs" -v s="$seconds" 'BEGIN { printf "%.1f", w * e / s }'
}

for round in $(seq "$rounds"); do
    idle="$(train "$@")"
    for _ in $(seq "$busy"); do
        (while :; do :; done) &
        loops+=("$!")
    done
    sleep 0.5
    loaded="$(train "$@")"
    stop_loops
    echo "round $round: idle $idle samples/s, $busy core(s) busy $loaded samples/s"
done
