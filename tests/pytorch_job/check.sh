#!/usr/bin/env bash
# The PyTorch training job (`layerloom-cli export MODEL DIR --to pytorch-job`) run by Debian's
# python3-torch on the CPU: DistributedDataParallel on two processes against one, the job
# against LayerLoom's own trainer, the run folder it writes read back by layerloom-cli, and a
# killed job resumed.
#   check.sh LAYERLOOM_CLI WORK [PYTHON]
set -euo pipefail
cli="$1"
work="$2"
py="${3:-/usr/bin/python3}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="$here/../data"
examples="$here/../../resources/examples"
compare() { "$py" "$here/compare.py" "$@"; }
# Two processes under torchrun (torchrun.py: see the job's README). --standalone meets at
# localhost:29400; a root without /etc/hosts (a bare container) cannot resolve localhost, so
# there the processes meet at 127.0.0.1 on a free port instead.
torchrun2() {
    local launch=(--standalone)
    if ! getent hosts localhost > /dev/null; then
        local port
        port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        launch=(--nnodes=1 --master_addr=127.0.0.1 --master_port="$port")
    fi
    "$py" torchrun.py "${launch[@]}" --nproc_per_node=2 "$@"
}
rm -rf "$work"
mkdir -p "$work"
export OMP_NUM_THREADS=1

# 1. Two processes (gloo) against one, the same job and global batch, shuffled: every epoch's
#    loss within 1e-5.
"$cli" export "$data/job_autoencoder.loom" "$work/ae" --to pytorch-job --data sample:sunspots.csv \
    --epochs 4 --seed 4 --batch-size 20
( cd "$work/ae" && "$py" train.py --out one --checkpoint one.pt > one.log )
( cd "$work/ae" && torchrun2 train.py --out two --checkpoint two.pt > two.log 2>&1 )
compare epochs "$work/ae/one" "$work/ae/two" 1e-5

# 2. The run folder back in LayerLoom: evaluate reads it, predict --run equals the job's model.
"$cli" evaluate "$data/job_autoencoder.loom" --run "$work/ae/two" > /dev/null
"$py" -c 'import numpy as np, sys; t = np.arange(32.0)
np.save(sys.argv[1], np.stack([[[60 + 50 * np.sin(0.3 * s + b)] for s in t] for b in range(3)]).astype(np.float32))' "$work/x.npy"
"$cli" predict "$data/job_autoencoder.loom" --run "$work/ae/two" --input "$work/x.npy" --out "$work/y.npy"
compare predict "$work/ae" "$work/ae/two" "$work/x.npy" "$work/y.npy" 1e-5

# 3. Killed after epoch 2 and resumed: the history goes on exactly as the uninterrupted one.
( cd "$work/ae" && exec setsid bash -c "$(declare -f torchrun2); py=$py; torchrun2 train.py --out three --checkpoint three.pt" \
      > three.log 2>&1 ) &
job=$!
for _ in $(seq 600); do
    if [ -f "$work/ae/three/run.json" ] && "$py" -c 'import json, sys
sys.exit(len(json.load(open(sys.argv[1]))["run"]["history"]) < 2)' "$work/ae/three/run.json" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
kill -KILL -- "-$job" 2>/dev/null || kill -KILL "$job"
wait "$job" 2>/dev/null || true
( cd "$work/ae" && torchrun2 train.py --out three --checkpoint three.pt --resume > resumed.log 2>&1 )
grep -q "resuming after epoch" "$work/ae/resumed.log"
compare epochs "$work/ae/two" "$work/ae/three" 1e-7

# 4. Recurrent dropout in LSTM, GRU and SimpleRNN layers: the job trains with it, and the
#    model it writes back predicts what LayerLoom predicts.
"$py" - "$data/job_autoencoder.loom" "$work/dropout.loom" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
for n in p["graph"]["nodes"]:
    q = n.get("params", {})
    if n["name"] == "lstm_2":
        n["kind"] = "GRU"
        del q["unit_forget_bias"]
    if n["name"] == "lstm_5":
        n["kind"] = "SimpleRNN"
        del q["unit_forget_bias"], q["recurrent_activation"]
    if n["kind"] in ("LSTM", "GRU", "SimpleRNN"):
        q["dropout"], q["recurrent_dropout"] = 0.25, 0.2
json.dump(p, open(sys.argv[2], "w"))
PY
"$cli" export "$work/dropout.loom" "$work/dropout" --to pytorch-job --data sample:sunspots.csv --epochs 2 > /dev/null
grep -q "recurrent_dropout=0.2" "$work/dropout/model.py"
( cd "$work/dropout" && "$py" train.py > train.log )
"$cli" predict "$work/dropout.loom" --run "$work/dropout/run" --input "$work/x.npy" --out "$work/y_dropout.npy"
compare predict "$work/dropout" "$work/dropout/run" "$work/x.npy" "$work/y_dropout.npy" 1e-5

# 5. The settings LayerLoom's trainer takes, in the order it goes: Adam with clipnorm, a
#    plateau schedule and early stopping that restores the best weights; SGD with Nesterov
#    momentum, clipvalue and step decay; RMSprop with momentum, a cosine schedule and L2; AdamW
#    with L1 and the Huber loss; Adam with AMSGrad and weight decay; SGD with weight decay. The
#    same epochs, learning rates, ending and weights.
for k in 0 1 2 3 4 5; do
    compare settings "$data/job_autoencoder.loom" "$work/settings$k.loom" "$k"
    "$cli" train "$work/settings$k.loom" --data sample:sunspots.csv --seed 8 --out "$work/settings$k-loom" --quiet > /dev/null
    "$cli" export "$work/settings$k.loom" "$work/settings$k" --to pytorch-job --data sample:sunspots.csv --seed 8 > /dev/null
    ( cd "$work/settings$k" && "$py" train.py > train.log )
    compare runs "$work/settings$k-loom" "$work/settings$k/run" 1e-4
done
"$cli" export "$work/settings0.loom" "$work/settings0.keras" --to keras-file --run "$work/settings0/run" > /dev/null

# 5b. The classifier with logits, class weights and its accuracies watched by early stopping;
#     then with one sigmoid output, the data's sample weights and the metrics of binary labels
#     (AUC, PR AUC, precision, recall): the same metrics every epoch.
compare classes "$work/classes.npz"
compare classes "$work/weighted.npz" --weighted
for k in 6 7; do
    source="$work/classes.npz"
    if [ "$k" = 7 ]; then source="$work/weighted.npz"; fi
    compare settings "$examples/residual_lstm_classifier.loom" "$work/settings$k.loom" "$k"
    "$cli" train "$work/settings$k.loom" --data "$source" --normalize none --seed 8 --out "$work/settings$k-loom" --quiet > /dev/null
    "$cli" export "$work/settings$k.loom" "$work/settings$k" --to pytorch-job --data "$source" --normalize none --seed 8 > /dev/null
    ( cd "$work/settings$k" && "$py" train.py > train.log )
    compare runs "$work/settings$k-loom" "$work/settings$k/run" 1e-4
done

# 6. The first 20 steps against LayerLoom's trainer, from the same starting weights and in the
#    same order (shuffle off): within 1e-4.
# Sunspots give 7 batches an epoch, the classification set 6.
while read -r name epochs model source extra; do
    # shellcheck disable=SC2086
    "$cli" train "$model" --data "$source" --shuffle off --seed 6 --epochs "$epochs" --out "$work/$name-loom" --quiet $extra > /dev/null
    # shellcheck disable=SC2086
    "$cli" export "$model" "$work/$name" --to pytorch-job --data "$source" --shuffle off --seed 6 --epochs "$epochs" $extra > /dev/null
    ( cd "$work/$name" && "$py" train.py --steps 20 > train.log )
    compare steps "$work/$name-loom" "$work/$name/run" 20 1e-4
done <<LIST
autoencoder 3 $data/job_autoencoder.loom sample:sunspots.csv
skips 3 $examples/lstm_autoencoder_skips.loom sample:sunspots.csv
classifier 4 $examples/residual_lstm_classifier.loom $work/classes.npz --loss sparse_categorical_crossentropy --normalize none
LIST
echo "the PyTorch training job trains as LayerLoom does"
