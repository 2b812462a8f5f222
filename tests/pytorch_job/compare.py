"""Checks for tests/pytorch_job/check.sh: compares run folders and predictions.

    compare.py epochs RUN_A RUN_B TOLERANCE      every epoch's loss and val_loss, relative
    compare.py steps RUN_A RUN_B N TOLERANCE     the first N batch losses, relative
    compare.py predict JOB RUN X.npy Y.npy TOL   the job's model with RUN's weights on X equals Y
    compare.py classes FILE.npz [--weighted]     writes a small classification set (64 steps, 8 features),
                                                 with --weighted a sample_weight array too
    compare.py settings MODEL.loom OUT.loom K    MODEL with settings variant K (see VARIANTS)
    compare.py runs RUN_A RUN_B TOLERANCE        whole runs: epochs, learning rates, endings, weights
"""
import json
import os
import struct
import sys

import numpy as np


def record(run):
    with open(os.path.join(run, "run.json")) as f:
        return json.load(f)


def relative(a, b):
    return abs(a - b) / max(abs(a), 1e-12)


def fail(text):
    sys.exit("FAIL: " + text)


def epochs(a, b, tolerance):
    ha, hb = record(a)["run"]["history"], record(b)["run"]["history"]
    if len(ha) != len(hb) or not ha:
        fail(f"{a} has {len(ha)} epochs, {b} {len(hb)}")
    for x, y in zip(ha, hb):
        for key in ("loss", "val_loss"):
            if relative(x[key], y[key]) > tolerance:
                fail(f"epoch {x['epoch']}: {key} {x[key]!r} in {a}, {y[key]!r} in {b}")
    print(f"{len(ha)} epochs agree within {tolerance} ({a} and {b})")


def steps(a, b, count, tolerance):
    la, lb = record(a)["run"]["batch_losses"], record(b)["run"]["batch_losses"]
    if len(la) < count or len(lb) < count:
        fail(f"{a} has {len(la)} batch losses, {b} {len(lb)}; {count} needed")
    worst = max(relative(x, y) for x, y in zip(la[:count], lb[:count]))
    if worst > tolerance:
        for k, (x, y) in enumerate(zip(la[:count], lb[:count])):
            print(k + 1, x, y, relative(x, y))
        fail(f"the first {count} batch losses differ by up to {worst:.3g} (relative)")
    print(f"the first {count} batch losses agree within {worst:.3g} ({a} and {b})")


# Optimizers, schedules, clipping, regularisation and early stopping, in order.
VARIANTS = [
    {"optimizer": {"name": "adam", "learning_rate": 0.01, "clipnorm": 0.05},
     "schedule": {"kind": "plateau", "factor": 0.5, "patience": 1},
     "early_stopping": {"enabled": True, "patience": 2, "min_delta": 0.02, "restore_best_weights": True},
     "metrics": ["mae", "root_mean_squared_error", "mape", "mse"], "monitor": {"quantity": "mae", "mode": "auto"},
     "epochs": 8},
    {"optimizer": {"name": "sgd", "learning_rate": 0.05, "momentum": 0.9, "nesterov": True, "clipvalue": 0.02},
     "schedule": {"kind": "step", "factor": 0.5, "every_epochs": 2}, "epochs": 4},
    {"optimizer": {"name": "rmsprop", "learning_rate": 0.002, "momentum": 0.5},
     "schedule": {"kind": "cosine", "min_learning_rate": 0.0002}, "epochs": 4, "l2": 0.001},
    {"optimizer": {"name": "adamw", "learning_rate": 0.003, "weight_decay": 0.01}, "epochs": 3, "l1": 0.0005,
     "loss": "huber"},
    {"optimizer": {"name": "adam", "learning_rate": 0.003, "amsgrad": True, "weight_decay": 0.05}, "epochs": 3},
    {"optimizer": {"name": "sgd", "learning_rate": 0.05, "momentum": 0.9, "amsgrad": False, "weight_decay": 0.1},
     "epochs": 3},
    # For the classifier: logits with class weights, then sample weights (from the data).
    {"loss": "sparse_categorical_crossentropy", "from_logits": True, "class_weight": {"0": 1.0, "1": 3.0},
     "optimizer": {"name": "adam", "learning_rate": 0.003}, "epochs": 3,
     "metrics": ["sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy", "accuracy"],
     "monitor": {"quantity": "sparse_categorical_accuracy", "mode": "auto"},
     "early_stopping": {"enabled": True, "patience": 1, "restore_best_weights": True}},
    # ... with one sigmoid output ("binary"), for the metrics of binary labels.
    # Two epochs: a third drifts apart in float32's last bits, enough to flip a sample at 0.5.
    {"loss": "binary_crossentropy", "binary": True, "optimizer": {"name": "adam", "learning_rate": 0.003}, "epochs": 2,
     "metrics": ["auc", "pr_auc", "precision", "recall", "binary_accuracy", "accuracy", "mae"]},
]


def settings(model, out, k):
    with open(model) as f:
        p = json.load(f)
    v = dict(VARIANTS[k])
    regularizer = {"type": "l1_l2", "l1": v.pop("l1", 0.0), "l2": v.pop("l2", 0.0)}
    if regularizer["l1"] or regularizer["l2"]:
        for n in p["graph"]["nodes"]:
            if n["kind"] in ("LSTM", "TimeDistributed"):
                n["params"]["kernel_regularizer"] = regularizer
    if v.pop("binary", False):  # one probability instead of a softmax over two classes
        for n in p["graph"]["nodes"]:
            if n["params"].get("activation") == "softmax":
                n["params"]["activation"], n["params"]["units"] = "sigmoid", 1
    if v.get("from_logits"):  # the output layer gives logits: no softmax
        for n in p["graph"]["nodes"]:
            if n["params"].get("activation") == "softmax":
                n["params"]["activation"] = "linear"
    p["training"] = dict(v, shuffle=False)
    with open(out, "w") as f:
        json.dump(p, f)


def runs(a, b, tolerance):
    ra, rb = record(a)["run"], record(b)["run"]
    if ra["ending"] != rb["ending"]:
        fail(f"{a} ended {ra['ending']}, {b} {rb['ending']}: {ra['outcome']} / {rb['outcome']}")
    if len(ra["history"]) != len(rb["history"]):
        fail(f"{a} has {len(ra['history'])} epochs, {b} {len(rb['history'])}")
    for x, y in zip(ra["history"], rb["history"]):
        for key in ("loss", "val_loss", "learning_rate"):
            if relative(x[key], y[key]) > tolerance:
                fail(f"epoch {x['epoch']}: {key} {x[key]!r} in {a}, {y[key]!r} in {b}")
        # The metrics: the same names, and values a prediction's last bits cannot move far.
        ma, mb = x.get("metrics", {}), y.get("metrics", {})
        if sorted(ma) != sorted(mb):
            fail(f"epoch {x['epoch']}: metrics {sorted(ma)} in {a}, {sorted(mb)} in {b}")
        for key in ma:
            if abs(ma[key] - mb[key]) > 10 * tolerance:
                fail(f"epoch {x['epoch']}: {key} {ma[key]!r} in {a}, {mb[key]!r} in {b}")
    metrics = sorted(ra["history"][0].get("metrics", {})) if ra["history"] else []
    wa, wb = read_llw(os.path.join(a, "weights.llw")), read_llw(os.path.join(b, "weights.llw"))
    if sorted(wa) != sorted(wb):
        fail(f"{a} and {b} hold different weights")
    worst = max(float(np.max(np.abs(wa[n] - wb[n]))) for n in wa)
    if worst > 100 * tolerance:
        fail(f"the weights differ by up to {worst:.3g}")
    print(f"{len(ra['history'])} epochs, ending {ra['ending']}: agree within {tolerance} (weights {worst:.2g})" +
          (f"; metrics {', '.join(metrics)}" if metrics else ""))


def read_llw(path):
    with open(path, "rb") as f:
        blob = f.read()
    if blob[:8] != b"LLWEIGHT":
        fail(f"{path} is not a LayerLoom weights file")
    (length,) = struct.unpack("<I", blob[8:12])
    header = json.loads(blob[12:12 + length])
    start = 12 + length
    out = {}
    for t in header["tensors"]:
        count = int(np.prod(t["shape"])) if t["shape"] else 1
        at = start + t["offset"]
        out[t["name"]] = np.frombuffer(blob[at:at + 4 * count], dtype="<f4").reshape(t["shape"])
    return out


def predict(job, run, x_file, y_file, tolerance):
    sys.path.insert(0, job)
    import torch
    from model import Model
    with open(os.path.join(job, "job.json")) as f:
        names = {w["name"]: w["module"] for w in json.load(f)["weights"]}
    model = Model()
    tensors = {**dict(model.named_parameters()), **dict(model.named_buffers())}
    with torch.no_grad():
        for name, values in read_llw(os.path.join(run, "weights.llw")).items():
            tensors[names[name]].copy_(torch.from_numpy(values.copy()))
    norm = record(run)["run"]["training"]["normalizer"]
    x = np.load(x_file).astype(np.float64)
    shift, scale = np.array(norm.get("shift") or [0.0]), np.array(norm.get("scale") or [1.0])
    if norm["kind"] == "none":
        shift, scale = np.zeros(1), np.ones(1)
    with torch.no_grad():
        y = model.eval()(torch.from_numpy(((x - shift) / scale).astype(np.float32))).numpy().astype(np.float64)
    y = y * scale + shift
    expected = np.load(y_file)
    worst = float(np.max(np.abs(y - expected) / np.maximum(np.abs(expected), 1.0)))
    if worst > tolerance:
        fail(f"the job's model predicts up to {worst:.3g} away from layerloom-cli predict --run")
    print(f"layerloom-cli predict --run equals the job's model within {worst:.3g}")


def classes(path, weighted=False):
    rng = np.random.default_rng(7)
    n = 224
    t = np.arange(64)[None, :, None]
    label = rng.integers(0, 2, n)
    freq = np.where(label == 1, 0.35, 0.2)[:, None, None]
    x = np.sin(freq * t + rng.uniform(0, 6.3, (n, 1, 8))) + 0.3 * rng.standard_normal((n, 64, 8))
    arrays = {"x": x.astype(np.float32), "y": label.astype(np.float32)}
    if weighted:
        arrays["sample_weight"] = rng.uniform(0.0, 2.0, n).astype(np.float32)
    np.savez(path, **arrays)


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "epochs":
        epochs(args[0], args[1], float(args[2]))
    elif mode == "steps":
        steps(args[0], args[1], int(args[2]), float(args[3]))
    elif mode == "predict":
        predict(args[0], args[1], args[2], args[3], float(args[4]))
    elif mode == "classes":
        classes(args[0], "--weighted" in args[1:])
    elif mode == "settings":
        settings(args[0], args[1], int(args[2]))
    elif mode == "runs":
        runs(args[0], args[1], float(args[2]))
    else:
        fail("unknown mode " + mode)
