#!/usr/bin/env bash
# Memory and time of training on a large CSV: a 190 MB file of 10.9 million rows (step, value),
# written once to a scratch folder, trained on by layerloom-cli for a fixed time with an
# autoencoder of windows of 8 and one of windows of 32. Reports the peak resident memory and
# how long the data took to be ready (read, checked, normalised, windowed).
#   bench/big_csv.sh [BUILD_DIR] [SECONDS]      (defaults: build, 45)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="$root/${1:-build}/app/layerloom-cli"
seconds="${2:-45}"
scratch="${TMPDIR:-/var/tmp}/layerloom-big-csv"
mkdir -p "$scratch"
csv="$scratch/big.csv"
if [ ! -s "$csv" ]; then
    echo "writing $csv ..."
    awk 'BEGIN { print "step,value"; for (i = 0; i < 10900000; i++) printf "%d,%.5f\n", i, sin(i * 0.01) * 100 + i % 7 }' > "$csv"
fi
echo "$(du -m "$csv" | cut -f1) MB, $(($(wc -l < "$csv") - 1)) rows"

# The tiny autoencoder of the fuzz seeds, at windows of 8 and of 32.
for steps in 8 32; do
    model="$scratch/autoencoder_$steps.loom"
    python3 -c "import json,sys; d=json.load(sys.stdin)
for n in d['graph']['nodes']:
    if n['kind']=='InputLayer': n['params']['shape']=[$steps,1]
    if n['kind']=='RepeatVector': n['params']['n']=$steps
json.dump(d, sys.stdout)" < "$root/tests/fuzz/tiny.loom" > "$model"
    start=$EPOCHREALTIME
    ready=""
    while IFS= read -r line; do
        case "$line" in
            *"validation windows"*) ready=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }') ;;
            *"Maximum resident set size"*) rss_kb="${line##*: }" ;;
        esac
    done < <(/usr/bin/time -v timeout -s INT "$seconds" "$cli" train "$model" --data "$csv" \
                 --column value --epochs 1 --batch-size 256 --out "$scratch/run$steps" 2>&1)
    printf 'windows of %2d: data ready after %.1f s, peak memory %d MB\n' "$steps" "$ready" $((rss_kb / 1024))
done
