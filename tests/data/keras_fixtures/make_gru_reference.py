#!/usr/bin/env python3
"""Writes the gru_dense_dropout reference: a functional model with the layer kinds the two
TF.js-made references lack (GRU with reset_after True and False, Dropout, Dense on vectors),
its weights, an input and the output Keras semantics give for it.

The output comes from a float64 forward pass written here from Keras's definitions
(keras/src/layers/rnn/gru.py GRUCell.call), independent of LayerLoom's engine:
  gates z, r, h in that order in kernel (in, 3u), recurrent_kernel (u, 3u);
  reset_after=True: bias (2, 3u) = input bias, recurrent bias;
      z = sigmoid(x Wz + bz + h Uz + rz), r = sigmoid(x Wr + br + h Ur + rr),
      hh = tanh(x Wh + bh + r * (h Uh + rh));
  reset_after=False: bias (3u,);
      z = sigmoid(x Wz + h Uz + bz), r = sigmoid(x Wr + h Ur + br), hh = tanh(x Wh + (r * h) Uh + bh);
  h' = z * h + (1 - z) * hh.
Dropout is the identity when predicting. Needs python3-numpy (Debian):
  python3 tests/data/keras_fixtures/make_gru_reference.py
"""
import json
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "gru_dense_dropout"
T, F = 8, 2


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def gru(x, kernel, recurrent, bias, reset_after, sequences):
    u = recurrent.shape[0]
    h = np.zeros((x.shape[0], u))
    steps = []
    for t in range(x.shape[1]):
        if reset_after:
            xi = x[:, t] @ kernel + bias[0]
            hi = h @ recurrent + bias[1]
            z = sigmoid(xi[:, :u] + hi[:, :u])
            r = sigmoid(xi[:, u:2 * u] + hi[:, u:2 * u])
            hh = np.tanh(xi[:, 2 * u:] + r * hi[:, 2 * u:])
        else:
            xi = x[:, t] @ kernel + bias
            z = sigmoid(xi[:, :u] + h @ recurrent[:, :u])
            r = sigmoid(xi[:, u:2 * u] + h @ recurrent[:, u:2 * u])
            hh = np.tanh(xi[:, 2 * u:] + (r * h) @ recurrent[:, 2 * u:])
        h = z * h + (1 - z) * hh
        steps.append(h)
    return np.stack(steps, axis=1) if sequences else h


def initializer(cls, **config):
    return {"class_name": cls, "config": config}


def gru_config(name, units, sequences, reset_after):
    return {"name": name, "trainable": True, "units": units, "activation": "tanh", "recurrent_activation": "sigmoid",
            "use_bias": True,
            "kernel_initializer": initializer("VarianceScaling", scale=1, mode="fan_avg", distribution="uniform", seed=None),
            "recurrent_initializer": initializer("Orthogonal", gain=1, seed=None), "bias_initializer": initializer("Zeros"),
            "kernel_regularizer": None, "recurrent_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
            "kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None, "dropout": 0, "recurrent_dropout": 0,
            "implementation": None, "return_sequences": sequences, "return_state": False, "go_backwards": False,
            "stateful": False, "unroll": False, "reset_after": reset_after}


def dense_config(name, units, activation):
    return {"name": name, "trainable": True, "units": units, "activation": activation, "use_bias": True,
            "kernel_initializer": initializer("VarianceScaling", scale=1, mode="fan_avg", distribution="uniform", seed=None),
            "bias_initializer": initializer("Zeros"), "kernel_regularizer": None, "bias_regularizer": None,
            "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}


def main():
    rng = np.random.default_rng(2026)
    w = {
        "gru_a/kernel": rng.uniform(-0.6, 0.6, (F, 18)), "gru_a/recurrent_kernel": rng.uniform(-0.6, 0.6, (6, 18)),
        "gru_a/bias": rng.uniform(-0.3, 0.3, (2, 18)),
        "gru_b/kernel": rng.uniform(-0.6, 0.6, (6, 15)), "gru_b/recurrent_kernel": rng.uniform(-0.6, 0.6, (5, 15)),
        "gru_b/bias": rng.uniform(-0.3, 0.3, (15,)),
        "hidden/kernel": rng.uniform(-0.8, 0.8, (5, 4)), "hidden/bias": rng.uniform(-0.2, 0.2, (4,)),
        "head/kernel": rng.uniform(-0.8, 0.8, (4, 3)), "head/bias": rng.uniform(-0.2, 0.2, (3,)),
    }
    w = {k: v.astype(np.float32) for k, v in w.items()}  # the file holds float32; compute from those values
    x = rng.uniform(-1, 1, (3, T, F)).round(6)

    f64 = {k: v.astype(np.float64) for k, v in w.items()}
    a = gru(x, f64["gru_a/kernel"], f64["gru_a/recurrent_kernel"], f64["gru_a/bias"], True, True)
    b = gru(a, f64["gru_b/kernel"], f64["gru_b/recurrent_kernel"], f64["gru_b/bias"], False, False)
    hidden = np.tanh(b @ f64["hidden/kernel"] + f64["hidden/bias"])
    y = hidden @ f64["head/kernel"] + f64["head/bias"]

    layers = [
        {"name": "input_1", "class_name": "InputLayer",
         "config": {"batch_input_shape": [None, T, F], "dtype": "float32", "sparse": False, "name": "input_1"}, "inbound_nodes": []},
        {"name": "gru_a", "class_name": "GRU", "config": gru_config("gru_a", 6, True, True), "inbound_nodes": [[["input_1", 0, 0, {}]]]},
        {"name": "drop", "class_name": "Dropout",
         "config": {"name": "drop", "trainable": True, "rate": 0.3, "noise_shape": None, "seed": None},
         "inbound_nodes": [[["gru_a", 0, 0, {}]]]},
        {"name": "gru_b", "class_name": "GRU", "config": gru_config("gru_b", 5, False, False), "inbound_nodes": [[["drop", 0, 0, {}]]]},
        {"name": "hidden", "class_name": "Dense", "config": dense_config("hidden", 4, "tanh"), "inbound_nodes": [[["gru_b", 0, 0, {}]]]},
        {"name": "head", "class_name": "Dense", "config": dense_config("head", 3, "linear"), "inbound_nodes": [[["hidden", 0, 0, {}]]]},
    ]
    topology = {"class_name": "Model", "config": {"name": "gru_dense_dropout", "layers": layers,
                                                  "input_layers": [["input_1", 0, 0]], "output_layers": [["head", 0, 0]]},
                "keras_version": "tfjs-layers 4.22.0", "backend": "tensor_flow.js"}
    manifest = [{"name": k, "shape": list(v.shape), "dtype": "float32"} for k, v in w.items()]
    OUT.mkdir(exist_ok=True)
    (OUT / "model.json").write_text(json.dumps({
        "format": "layers-model", "generatedBy": "make_gru_reference.py", "convertedBy": None,
        "modelTopology": topology, "weightsManifest": [{"paths": ["weights.bin"], "weights": manifest}]}))
    (OUT / "weights.bin").write_bytes(b"".join(v.astype("<f4").tobytes() for v in w.values()))
    (OUT / "input.json").write_text(json.dumps(x.tolist()))
    (OUT / "expected.json").write_text(json.dumps(y.tolist()))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
