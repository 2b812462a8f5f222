#!/usr/bin/env bash
# ONNX Runtime itself (npm's onnxruntime-node, installed once with --ignore-scripts into a cache
# shared by builds, ~/.cache/layerloom/onnxruntime-node-1.31.1 unless LAYERLOOM_ORT_DIR says
# otherwise) runs the files `layerloom-cli export --to onnx` writes, at opsets 17 and 13, and
# predicts what LayerLoom predicts; ONNX's own checker (Debian's python3-onnx) passes each file.
# The models: every shipped example and the interop models of tests/data, which between them
# hold every layer kind. Then models built and exported by PyTorch open in LayerLoom.
#   check.sh LAYERLOOM_CLI WORK RESOURCES [PYTHON]
set -euo pipefail
cli="$1"
work="$2"
resources="$3"
py="${4:-/usr/bin/python3}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ort="${LAYERLOOM_ORT_DIR:-$HOME/.cache/layerloom/onnxruntime-node-1.31.1}"
mkdir -p "$work" "$ort"
cp "$here/package.json" "$here/predict.js" "$ort/"
if [ ! -d "$ort/node_modules/onnxruntime-node" ]; then
    # Its install script fetches GPU libraries; the CPU library ships in the package.
    (cd "$ort" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

checked=0
for model in "$resources"/examples/*.loom "$here"/../data/interop_*.loom; do
    name="$(basename "$model" .loom)"
    case "$name" in broken_*) continue ;; esac
    out="$work/$name"
    rm -rf "$out" && mkdir -p "$out"
    # Recurrent layers with activations ONNX's recurrent operators lack are refused, by name,
    # before anything is written.
    case "$name" in interop_mix|interop_tfjs)
        if "$cli" export "$model" "$out/model.onnx" --to onnx 2> "$out/refused.txt"; then
            echo "$name: exported, but ONNX has no selu in its recurrent operators" >&2; exit 1
        fi
        grep -q "ONNX's LSTM operator has no selu" "$out/refused.txt" || { cat "$out/refused.txt" >&2; exit 1; }
        [ ! -e "$out/model.onnx" ] || { echo "$name: a refused export left a file" >&2; exit 1; }
        continue ;;
    esac
    # The same seeded weights in a Keras file, which LayerLoom's predict reads (tf.keras 2's
    # .h5 where a .keras file would compute other numbers).
    keras="$out/model.keras"
    "$cli" export "$model" "$keras" --to keras-file --seed 7 > /dev/null 2>&1 ||
        { keras="$out/model.h5"; "$cli" export "$model" "$keras" --to keras-file --seed 7 > /dev/null; }
    for opset in 17 13; do
        "$cli" export "$model" "$out/model-$opset.onnx" --to onnx --opset "$opset" --seed 7 > /dev/null
        "$py" "$here/inputs.py" "$out/model-$opset.onnx" "$out/x"
        node "$ort/predict.js" "$out/model-$opset.onnx" "$out/x.json" "$out/ort-$opset.json"
    done
    x="$out/x.npy"; [ -f "$x" ] || x="$out/x.npz"
    outputs="$("$py" -c 'import onnx, sys; print(len(onnx.load(sys.argv[1]).graph.output))' "$out/model-17.onnx")"
    y="$out/loom.npy"; [ "$outputs" = 1 ] || y="$out/loom.npz"
    "$cli" predict "$keras" --input "$x" --out "$y"
    for opset in 17 13; do
        "$py" "$here/compare.py" "$out/ort-$opset.json" "$y" 1e-5
    done
    checked=$((checked + 1))
done
[ "$checked" -ge 30 ] || { echo "only $checked models were checked" >&2; exit 1; }
echo "ONNX Runtime agrees with LayerLoom on $checked models at opsets 17 and 13"

# The other way: models PyTorch users share, exported by Debian's python3-torch at opsets 13
# and 17, open in LayerLoom, count their trainable parameters as PyTorch does (less the second
# bias vector of its recurrent layers, which the summary says it folds), predict what PyTorch
# predicts, and train.
torch="$work/torch"
rm -rf "$torch"
"$py" "$here/torch_models.py" "$torch"
imported=0
for x in "$torch"/*.x.npy; do
    name="$(basename "$x" .x.npy)"
    for opset in 13 17; do
        model="$torch/$name-$opset.onnx"
        "$cli" summary "$model" --json > "$torch/$name-$opset.summary.json"
        "$cli" predict "$model" --input "$x" --out "$torch/$name-$opset.loom.npy"
        "$py" - "$torch/$name-$opset.summary.json" "$torch/$name.params" "$torch/$name-$opset.loom.npy" "$torch/$name.y.npy" <<'PY'
import json, re, sys
import numpy as np
summary = json.load(open(sys.argv[1]))
torch_params = int(open(sys.argv[2]).read())
folded = sum(int(m) for note in summary.get("import_notes", [])
             for m in re.findall(r"with (\d+) parameters fewer than PyTorch counts", note))
# PyTorch's parameters() are what trains; a BatchNorm's moving statistics are buffers there and
# non-trainable weights in Keras's count.
if summary["trainable_params"] + folded != torch_params:
    sys.exit(f"{sys.argv[1]}: {summary['trainable_params']} trainable parameters (+{folded} folded), PyTorch counts {torch_params}")
loom, torch = np.load(sys.argv[3]), np.load(sys.argv[4])
if loom.shape != torch.shape or np.abs(loom - torch).max() > 1e-5:
    sys.exit(f"{sys.argv[3]}: LayerLoom's predictions differ from PyTorch's by {np.abs(loom - torch).max()}")
print(f"{sys.argv[3]}: {loom.size} numbers as PyTorch predicts, worst {np.abs(loom - torch).max():.1e}")
PY
    done
    # Imported, the model trains in LayerLoom.
    "$cli" train "$torch/$name-17.onnx" --data "$torch/$name.train.npz" --epochs 2 --out "$torch/$name-run" --quiet
    "$cli" predict "$torch/$name-17.onnx" --run "$torch/$name-run" --input "$x" --out "$torch/$name-trained.npy"
    imported=$((imported + 1))
done
[ "$imported" -ge 8 ] || { echo "only $imported PyTorch models were imported" >&2; exit 1; }
echo "LayerLoom opens, predicts as PyTorch and trains $imported PyTorch models at opsets 13 and 17"
