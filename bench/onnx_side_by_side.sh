#!/usr/bin/env bash
# LayerLoom's predict against ONNX Runtime in one sitting, on the same models exported to ONNX
# (seeded weights), with the same batch and thread count: batch 1 latency and batch 256
# throughput, the two alternated over ROUNDS rounds; each cell is the median of the rounds'
# medians. Prints Markdown to paste into bench/README.md.
#   bench/onnx_side_by_side.sh [BUILD_DIR] [ROUNDS] [THREADS...]
# Needs the Release build's layerloom_bench_predict and layerloom-cli, Node.js and npm's
# onnxruntime-node (installed with --ignore-scripts into ~/.cache/layerloom as tests/onnx does).
# Run it on an idle machine: nothing else building, testing or fuzzing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/${1:-build}"
rounds="${2:-3}"
shift $(( $# > 2 ? 2 : $# ))
threads=("$@")
((${#threads[@]})) || threads=(1 "$(nproc)")
ort="${LAYERLOOM_ORT_DIR:-$HOME/.cache/layerloom/onnxruntime-node-1.31.1}"
mkdir -p "$ort"
cp "$root/tests/onnx/package.json" "$root/bench/ort_predict.js" "$ort/"
[ -d "$ort/node_modules/onnxruntime-node" ] || (cd "$ort" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
models=(lstm_autoencoder lstm_autoencoder_skips residual_lstm_classifier conv1d_unet)
for m in "${models[@]}"; do
    "$build/app/layerloom-cli" export "$root/resources/examples/$m.loom" "$work/$m.onnx" --to onnx --seed 1 > /dev/null
done
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| model | threads | batch | LayerLoom ms | ONNX Runtime ms | ONNX Runtime / LayerLoom |"
echo "| --- | --- | --- | --- | --- | --- |"
for m in "${models[@]}"; do
    for t in "${threads[@]}"; do
        for b in 1 256; do
            loom=() ort_ms=()
            for ((r = 0; r < rounds; ++r)); do
                loom+=("$("$build/bench/layerloom_bench_predict" "$work/$m.onnx" "$b" "$t" 2 | sed -E 's/.*: ([0-9.]+) ms.*/\1/')")
                ort_ms+=("$(node "$ort/ort_predict.js" "$work/$m.onnx" "$b" "$t" 2 | sed -E 's/.*: ([0-9.]+) ms.*/\1/')")
            done
            l="$(printf '%s\n' "${loom[@]}" | median)"
            o="$(printf '%s\n' "${ort_ms[@]}" | median)"
            echo "| $m | $t | $b | $l | $o | $(awk -v o="$o" -v l="$l" 'BEGIN {printf "%.2f", o / l}') |"
        done
    done
done
