#!/usr/bin/env bash
# Writes the seed corpora in corpus/ from the project's own files and from runs of tiny.loom
# (a 235-parameter autoencoder), made with the CLI of a Release build:
#   tests/fuzz/make_corpus.sh [BUILD_DIR]     (default: build)
# The seeds are committed; run this again when a file format changes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cli="$root/${1:-build}/app/layerloom-cli"
[ -x "$cli" ] || { echo "make_corpus.sh: no $cli; build first (scripts/setup.sh)" >&2; exit 1; }
sep=$'\n=====LAYERLOOM-FUZZ-FILE=====\n'
corpus="$here/corpus"
rm -rf "$corpus"
mkdir -p "$corpus"/{project,keras_model,keras_file,csv,npy,weights,run_folder,labels,onnx}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp "$root"/resources/examples/*.loom "$root"/tests/data/*.loom "$here/tiny.loom" "$corpus/project/"

for fixture in "$root"/tests/data/keras_fixtures/*/; do
    name="$(basename "$fixture")"
    { cat "$fixture/model.json"; printf '%s' "$sep"; cat "$fixture/weights.bin"; printf '%s' "$sep";
      cat "$fixture/input.json"; } > "$corpus/keras_model/$name"
    cp "$fixture/model.json" "$corpus/keras_model/$name-topology-only"
done

# Keras's own files: a first byte of 0 reads the rest as .h5, of 1 as .keras.
for file in "$root"/tests/data/keras_files/*.h5 "$root"/tests/data/keras_files/broken/*.h5; do
    { printf '\x00'; cat "$file"; } > "$corpus/keras_file/$(basename "$file")"
done
for file in "$root"/tests/data/keras_files/*.keras "$root"/tests/data/keras_files/broken/*.keras; do
    { printf '\x01'; cat "$file"; } > "$corpus/keras_file/$(basename "$file")"
done

{ printf '\x00'; cat "$root/resources/data/nile.csv"; } > "$corpus/csv/nile"
{ printf '\x89'; head -40 "$root/resources/data/sunspots.csv"; } > "$corpus/csv/sunspots-validation-split"
{ printf '\x01'; printf 'time,a,b\n1,0.5,2\n2,,3\n3,0.7,n/a\n4,1e3,4\n5,-2,5\n'; } > "$corpus/csv/gaps-dropped"
{ printf '\x02'; printf 'a;b\n1;2\n;3\n4;\n5;6\n7;8\n'; } > "$corpus/csv/gaps-interpolated"
{ printf '\x40'; printf 'value,label\n0.1,0\n0.2,1\n0.3,2\n0.4,0\n0.5,1\n0.6,2\n'; } > "$corpus/csv/labels"

# Known anomaly windows: the first byte picks the series' time column (dates, years, rows).
printf '\x00start,end\n2026-01-01 02:00,2026-01-01 05:30\n"2026-01-02 01:00",2026-01-02 03:00\n' > "$corpus/labels/csv_dates"
printf '\x01start,end\n1904,1910\n1950,1960\n' > "$corpus/labels/csv_years"
printf '\x02[[3, 5], [10, 12]]\n' > "$corpus/labels/json_rows"
printf '\x00{"realKnownCause/series.csv": [["2026-01-01 01:00:00.000000", "2026-01-01 04:00:00.000000"]], "other.csv": []}\n' \
    > "$corpus/labels/json_benchmark"

cp "$root/tests/data/x_f4.npy" "$root/tests/data/arrays.npz" "$root/tests/data/arrays_compressed.npz" \
   "$corpus/npy/"

"$cli" train "$here/tiny.loom" --data synthetic:sines --steps 40 --window 4 --epochs 2 \
    --batch-size 8 --quiet --out "$work/run" > /dev/null
"$cli" train "$here/tiny.loom" --data synthetic:sines --steps 40 --window 4 --epochs 3 \
    --batch-size 8 --patience 1 --optimizer sgd --quiet --out "$work/early" > /dev/null
cp "$work/run/weights.llw" "$corpus/weights/tiny.llw"
for run in run early; do
    { cat "$work/$run/run.json"; printf '%s' "$sep"; cat "$work/$run/weights.llw"
      if [ -f "$work/$run/state.llw" ]; then printf '%s' "$sep"; cat "$work/$run/state.llw"; fi
    } > "$corpus/run_folder/tiny-$run"
done
echo "seed corpora written to ${corpus#$root/}/"

# ONNX: LayerLoom's own exports of two small test models (their projects in the metadata), and small models as
# Debian's python3-torch exports them (read by their operators).
"$cli" export "$root/tests/data/interop_free_time.loom" "$corpus/onnx/free_time.onnx" --to onnx > /dev/null
"$cli" export "$root/tests/data/interop_states.loom" "$corpus/onnx/states-13.onnx" --to onnx --opset 13 > /dev/null
/usr/bin/python3 "$root/tests/onnx/torch_models.py" "$work/torch"
cp "$work"/torch/{rnn_last-13,conv_encoder-17,bigru_states-13,lstm_stack-17}.onnx "$corpus/onnx/"
