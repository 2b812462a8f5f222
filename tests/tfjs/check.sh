#!/usr/bin/env bash
# TF.js itself (the npm package @tensorflow/tfjs, installed once into a cache shared by builds,
# ~/.cache/layerloom/tfjs-4.22.0 unless LAYERLOOM_TFJS_DIR says otherwise) loads the folders
# `layerloom-cli export --to tfjs` writes and predicts what Keras and LayerLoom predict.
#   check.sh LAYERLOOM_CLI WORK [PYTHON]     (WORK: where the exports and predictions go)
set -euo pipefail
cli="$1"
work="$2"
py="${3:-/usr/bin/python3}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="$here/../data"
js="${LAYERLOOM_TFJS_DIR:-$HOME/.cache/layerloom/tfjs-4.22.0}"
mkdir -p "$work" "$js"
cp "$here/package.json" "$here/predict.js" "$here/compare.js" "$here/made_by_tfjs.js" "$js/"
if [ ! -d "$js/node_modules/@tensorflow/tfjs" ]; then
    (cd "$js" && npm install --no-audit --no-fund --loglevel=error)
fi
node_quiet() { node "$@" 2>&1 | grep -vE '^(=+|Hi there.*|.*tfjs-node.*|.*npm i .*|.*speed things up.*|)$' || true; }

# 1. The Keras reference model, through LayerLoom's export: Keras's outputs.
fixture="$data/keras_fixtures/skip_autoencoder"
"$cli" export "$fixture/model.json" "$work/fixture" --to tfjs
node_quiet "$js/predict.js" "$work/fixture/model.json" "$fixture/input.json" "$work/fixture/y.json"
node "$js/compare.js" "$work/fixture/y.json" "$fixture/expected.json" 1e-4

# 2. A model with the options TF.js and Keras default differently (GRU reset_after=False with
#    hard_sigmoid and selu, a selu LSTM, Concatenate, Dropout, softmax), with initialisers other
#    than the defaults, which TF.js must read: LayerLoom's outputs.
"$cli" export "$data/interop_tfjs.loom" "$work/mix" --to tfjs --seed 5
node -e 'const x=[0,1,2].map(b=>[0,1,2,3,4,5].map(t=>[0,1,2].map(f=>2*Math.sin(0.7*b+0.3*t+1.1*f))));
         require("fs").writeFileSync(process.argv[1], JSON.stringify(x));' "$work/x.json"
node_quiet "$js/predict.js" "$work/mix/model.json" "$work/x.json" "$work/mix/tfjs.json"
"$cli" predict "$work/mix/model.json" --input "$work/x.json" --out "$work/mix/loom.json"
node "$js/compare.js" "$work/mix/tfjs.json" "$work/mix/loom.json" 1e-4

# 3. Conv1D with valid and same padding (TF.js has no causal one), strides and dilation, both poolings with padding and strides,
#    both global poolings: LayerLoom's outputs. (TF.js has no UpSampling1D, ZeroPadding1D or
#    Cropping1D; the PyTorch export's test checks those against PyTorch's own operations.)
"$cli" export "$data/interop_conv_tfjs.loom" "$work/conv" --to tfjs --seed 9
node -e 'const x=[0,1,2].map(b=>[...Array(25).keys()].map(t=>[0,1].map(f=>2*Math.sin(0.9*b+0.37*t+1.3*f)+0.1*t*f)));
         require("fs").writeFileSync(process.argv[1], JSON.stringify(x));' "$work/xconv.json"
node_quiet "$js/predict.js" "$work/conv/model.json" "$work/xconv.json" "$work/conv/tfjs.json"
"$cli" predict "$work/conv/model.json" --input "$work/xconv.json" --out "$work/conv/loom.json"
node "$js/compare.js" "$work/conv/tfjs.json" "$work/conv/loom.json" 1e-4
# 4. Bidirectional around each recurrent kind with each merge_mode TF.js has, SimpleRNN, both
#    normalizations, Multiply, Average, Maximum, Permute, Flatten and Reshape, with weights
#    trained for an epoch, so that BatchNormalization's moving statistics are not their
#    initial ones: LayerLoom's outputs. (TF.js has no Subtract; the PyTorch export's test checks it.)
"$cli" train "$data/interop_layers_tfjs.loom" --data synthetic:sines --steps 400 --epochs 1 --seed 4 --out "$work/layers-run" --quiet
"$cli" export "$data/interop_layers_tfjs.loom" "$work/layers" --to tfjs --run "$work/layers-run"
node -e 'const x=[0,1,2].map(b=>[...Array(12).keys()].map(t=>[Math.sin(0.8*b+0.45*t)+0.05*t]));
         require("fs").writeFileSync(process.argv[1], JSON.stringify(x));' "$work/xlayers.json"
node_quiet "$js/predict.js" "$work/layers/model.json" "$work/xlayers.json" "$work/layers/tfjs.json"
"$cli" predict "$work/layers/model.json" --input "$work/xlayers.json" --out "$work/layers/loom.json"
node "$js/compare.js" "$work/layers/tfjs.json" "$work/layers/loom.json" 1e-4
# 5. The other way: models TF.js builds and saves itself, with its own configs (nulls included),
#    import into LayerLoom, which predicts what TF.js predicts.
rm -rf "$work/made"
node_quiet "$js/made_by_tfjs.js" "$work/made"
[ -f "$work/made/bidirectional_lstm/model.json" ] || { echo "made_by_tfjs.js wrote no models" >&2; exit 1; }
#    LayerLoom's TF.js export of them loads in TF.js and predicts the same, and so does their
#    PyTorch export (python3-torch), which refuses the models that skip padded steps.
for model in "$work"/made/*/; do
    "$cli" predict "$model/model.json" --input "$model/x.json" --out "$model/loom.json"
    node "$js/compare.js" "$model/y.json" "$model/loom.json" 1e-5
    rm -f "$model/again.json"
    "$cli" export "$model/model.json" "$model/again" --to tfjs > /dev/null
    node_quiet "$js/predict.js" "$model/again/model.json" "$model/x.json" "$model/again.json"
    node "$js/compare.js" "$model/y.json" "$model/again.json" 1e-5
    case "$model" in
        *mask*/)
            if "$cli" export "$model/model.json" "$model/torch" --to pytorch > "$model/torch.log" 2>&1 ||
                ! grep -q "which the PyTorch export does not do" "$model/torch.log"; then
                echo "the PyTorch export of $model should be refused, naming the step mask" >&2
                cat "$model/torch.log" >&2
                exit 1
            fi ;;
        *)
            "$cli" export "$model/model.json" "$model/torch" --to pytorch > /dev/null
            "$py" "$model/torch/model.py" "$model/x.json" "$model/torch.json"
            node "$js/compare.js" "$model/y.json" "$model/torch.json" 1e-5 ;;
    esac
done
echo "TF.js loads LayerLoom's exports and predicts the same; LayerLoom imports TF.js's models and predicts the same"
