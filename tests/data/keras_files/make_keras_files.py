#!/usr/bin/env python3
"""Writes Keras's own model files for the reference models in ../keras_fixtures, with their
weights, so that each must predict exactly what the reference's expected.json holds:

  <model>_keras2.h5   model.save("x.h5") in tf.keras 2.15 (keras/saving/legacy/hdf5_format.py)
  <model>_keras3.h5   model.save("x.h5") in Keras 3 (keras/src/legacy/saving/legacy_h5_format.py)
  <model>.keras       model.save("x.keras") in Keras 3 (keras/src/saving/saving_lib.py)

The layouts follow Keras's saving code: the .h5 files keep the model's JSON in the root's
`model_config` attribute and each layer's weights under model_weights/<layer>/<weight name>,
listed by `layer_names` and `weight_names`; the .keras archive holds config.json,
metadata.json and model.weights.h5, whose groups are named after each layer's class, numbered
per class in the model's layer order (layers/lstm, layers/lstm_1, ...), a recurrent layer's
weights under its cell and a TimeDistributed's under its inner layer.

Needs python3-h5py and python3-numpy (Debian). Run from anywhere:
  python3 tests/data/keras_files/make_keras_files.py
"""
import io
import json
import pathlib
import re
import zipfile

import h5py
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE.parent / "keras_fixtures"
MODELS = ["seq_autoencoder_small", "skip_autoencoder", "gru_dense_dropout"]
COMPILE = {"loss": "mse", "optimizer": "Adam", "learning_rate": 0.002}


def load(name):
    doc = json.loads((FIXTURES / name / "model.json").read_text())
    blob = b"".join((FIXTURES / name / p).read_bytes() for g in doc["weightsManifest"] for p in g["paths"])
    weights, offset = {}, 0
    for group in doc["weightsManifest"]:
        for w in group["weights"]:
            count = int(np.prod(w["shape"]))
            weights[w["name"]] = np.frombuffer(blob, "<f4", count, offset).reshape(w["shape"]).copy()
            offset += 4 * count
    return doc["modelTopology"], weights


def layers_of(topology):
    """The layers as (class, name, config, [source names]); a Sequential's implied input first."""
    config = topology["config"]
    out = []
    if topology["class_name"] == "Sequential":
        entries = config["layers"] if isinstance(config, dict) else config
        first = entries[0]["config"]
        out.append(("InputLayer", first["name"] + "_input", {"batch_input_shape": first["batch_input_shape"]}, []))
        for entry in entries:
            c = {k: v for k, v in entry["config"].items() if k != "batch_input_shape"}
            out.append((entry["class_name"], c["name"], c, [out[-1][1]]))
        return out, True
    for entry in config["layers"]:
        sources = [src[0] for src in entry["inbound_nodes"][0]] if entry["inbound_nodes"] else []
        out.append((entry["class_name"], entry["name"], entry["config"], sources))
    return out, False


def weight_params(cls):
    return {"LSTM": ["kernel", "recurrent_kernel", "bias"], "GRU": ["kernel", "recurrent_kernel", "bias"],
            "Dense": ["kernel", "bias"], "TimeDistributed": ["kernel", "bias"]}.get(cls, [])


# ---- tf.keras 2 --------------------------------------------------------------------------

def keras2_config(topology, layers, sequential):
    entries = []
    for cls, name, cfg, sources in layers:
        if cls == "InputLayer":
            cfg = dict(cfg, dtype="float32", sparse=False, ragged=False, name=name)
        entry = {"class_name": cls, "config": cfg}
        if not sequential:
            entry["name"] = name
            entry["inbound_nodes"] = [[[s, 0, 0, {}] for s in sources]] if sources else []
        entries.append(entry)
    config = {"name": topology["config"].get("name", "sequential") if isinstance(topology["config"], dict) else "sequential",
              "layers": entries}
    if not sequential:
        config["input_layers"] = [[layers[0][1], 0, 0]]
        config["output_layers"] = [[layers[-1][1], 0, 0]]
    return {"class_name": "Sequential" if sequential else "Functional", "config": config}


def weight_name(cls, layer, param, keras3):
    """tf.keras 2: "lstm_1/lstm_cell/kernel:0"; Keras 3 (a variable's path): "lstm_1/lstm_cell/kernel"."""
    cell = {"LSTM": "lstm_cell", "GRU": "gru_cell"}.get(cls)
    name = f"{layer}/{cell}/{param}" if cell else f"{layer}/{param}"
    return name if keras3 else name + ":0"


# ---- Keras 3 -----------------------------------------------------------------------------

DTYPE = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def keras_tensor(source):
    return {"class_name": "__keras_tensor__", "config": {"shape": [None, 8, 1], "dtype": "float32", "keras_history": [source, 0, 0]}}


def keras3_layer(cls, name, cfg, sources, sequential):
    if cls == "InputLayer":
        config = {"batch_shape": cfg["batch_input_shape"], "dtype": "float32", "sparse": False, "name": name}
    elif cls == "TimeDistributed":
        inner = dict(cfg["layer"]["config"], dtype=DTYPE)
        config = {"name": name, "trainable": True, "dtype": DTYPE,
                  "layer": {"module": "keras.layers", "class_name": "Dense", "config": inner, "registered_name": None,
                            "build_config": {"input_shape": [None, 16]}}}
    else:
        config = {k: v for k, v in cfg.items() if k not in ("implementation",)}
        config["dtype"] = DTYPE
        if cls in ("LSTM", "GRU"):
            config["seed"] = None
    entry = {"module": "keras.layers", "class_name": cls, "config": config, "registered_name": None}
    if cls != "InputLayer":
        entry["build_config"] = {"input_shape": [None, 8, 1]}
    if not sequential:
        entry["name"] = name
        if not sources:
            entry["inbound_nodes"] = []
        elif len(sources) == 1:
            entry["inbound_nodes"] = [{"args": [keras_tensor(sources[0])], "kwargs": {"training": False} if cls in ("LSTM", "GRU", "Dropout") else {}}]
        else:
            entry["inbound_nodes"] = [{"args": [[keras_tensor(s) for s in sources]], "kwargs": {}}]
    return entry


def keras3_config(topology, layers, sequential):
    name = topology["config"].get("name", "sequential") if isinstance(topology["config"], dict) else "sequential"
    config = {"name": name, "trainable": True, "layers": [keras3_layer(*l, sequential) for l in layers]}
    if sequential:
        config["dtype"] = DTYPE
        config["build_input_shape"] = layers[0][2]["batch_input_shape"]
    else:
        config["input_layers"] = [[layers[0][1], 0, 0]]
        config["output_layers"] = [[layers[-1][1], 0, 0]]
    return {"module": "keras", "class_name": "Sequential" if sequential else "Functional", "config": config,
            "registered_name": None, "build_config": {"input_shape": [None, 8, 1]}}


def entry(name):
    """A zip entry with a fixed time, so that the files come out the same on every run."""
    return zipfile.ZipInfo(name, date_time=(2026, 11, 29, 5, 0, 0))


def to_snake_case(name):  # keras.src.utils.naming.to_snake_case
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


# ---- writers -----------------------------------------------------------------------------

def write_h5(path, model_config, version, layers, weights, sequential, keras3):
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = version.encode("utf8")
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        training = {"loss": COMPILE["loss"], "metrics": None, "weighted_metrics": None, "loss_weights": None,
                    "optimizer_config": {"class_name": COMPILE["optimizer"],
                                         "config": {"name": COMPILE["optimizer"], "learning_rate": COMPILE["learning_rate"],
                                                    "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}}
        f.attrs["training_config"] = json.dumps(training).encode("utf8")
        g = f.create_group("model_weights")
        model_layers = layers[1:] if sequential else layers  # a Sequential's layers leave out its Input
        g.attrs["layer_names"] = np.array([name.encode("utf8") for _, name, _, _ in model_layers])
        g.attrs["backend"] = b"tensorflow"
        g.attrs["keras_version"] = version.encode("utf8")
        for cls, name, _, _ in sorted(model_layers, key=lambda l: l[1]):
            lg = g.create_group(name)
            params = weight_params(cls)
            names = [weight_name(cls, name, p, keras3) for p in params]
            lg.attrs["weight_names"] = np.array([n.encode("utf8") for n in names]) if names else np.array([])
            for n, p in zip(names, params):
                lg.create_dataset(n, data=weights[f"{name}/{p}"])
        # Keras 2 also keeps the optimizer's state; LayerLoom leaves it out.
        opt = f.create_group("optimizer_weights")
        opt.attrs["weight_names"] = np.array([b"Adam/iter:0"])
        opt.create_dataset("Adam/iter:0", data=np.array(10, dtype=np.int64))


def write_keras(path, config, layers, weights, sequential):
    config = dict(config, compile_config={
        "optimizer": {"module": "keras.optimizers", "class_name": COMPILE["optimizer"],
                      "config": {"name": "adam", "learning_rate": COMPILE["learning_rate"], "beta_1": 0.9, "beta_2": 0.999},
                      "registered_name": None},
        "loss": COMPILE["loss"], "loss_weights": None, "metrics": None, "weighted_metrics": None,
        "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False})
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.create_group("vars")
        used = {}
        model_layers = layers[1:] if sequential else layers
        for cls, name, _, _ in model_layers:
            key = to_snake_case(cls)
            if key in used:
                used[key] += 1
                key = f"{key}_{used[key]}"
            else:
                used[key] = 0
            f.create_group(f"layers/{key}/vars")
            params = weight_params(cls)
            if not params:
                continue
            owner = {"LSTM": "/cell", "GRU": "/cell", "TimeDistributed": "/layer"}.get(cls, "")
            if owner:
                f.create_group(f"layers/{key}{owner}/vars")
            for i, p in enumerate(params):
                f[f"layers/{key}{owner}/vars/{i}"] = weights[f"{name}/{p}"]
        f["optimizer/vars/0"] = np.array(10, dtype=np.int64)  # the optimizer's state, left out on import
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(entry("metadata.json"), json.dumps({"keras_version": "3.3.3", "date_saved": "2026-11-29@05:00:00"}))
        zf.writestr(entry("config.json"), json.dumps(config))
        zf.writestr(entry("model.weights.h5"), buffer.getvalue())


def write_broken():
    """Damaged and unsupported files, each of which LayerLoom must refuse with what and where."""
    topology, weights = load("skip_autoencoder")
    layers, sequential = layers_of(topology)
    k3 = keras3_config(topology, layers, sequential)
    good = zipfile.ZipFile(HERE / "skip_autoencoder.keras")
    entries = {n: good.read(n) for n in good.namelist()}

    def archive(name, replace):
        with zipfile.ZipFile(HERE / "broken" / name, "w") as zf:
            for name, data in {**entries, **replace}.items():
                if data is not None:
                    zf.writestr(entry(name), data)

    def weights_file(edit):
        buffer = io.BytesIO(entries["model.weights.h5"])
        out = io.BytesIO()
        with h5py.File(buffer, "r") as src, h5py.File(out, "w") as dst:
            for key in src:
                src.copy(key, dst)
            edit(dst)
        return out.getvalue()

    (HERE / "broken").mkdir(exist_ok=True)
    archive("no_weights.keras", {"model.weights.h5": None})
    archive("npz_weights.keras", {"model.weights.h5": None, "model.weights.npz": b"PK\x05\x06" + bytes(18)})
    archive("missing_var.keras", {"model.weights.h5": weights_file(lambda f: f.__delitem__("layers/lstm_1/cell/vars/2"))})

    def wrong_shape(f):
        del f["layers/lstm/cell/vars/0"]
        f["layers/lstm/cell/vars/0"] = np.zeros((1, 60), dtype=np.float32)
    archive("wrong_shape.keras", {"model.weights.h5": weights_file(wrong_shape)})
    archive("integer_weights.keras", {"model.weights.h5": weights_file(
        lambda f: (f.__delitem__("layers/lstm/cell/vars/2"), f.__setitem__("layers/lstm/cell/vars/2", np.zeros(64, np.int32))))})
    unknown = json.loads(json.dumps(k3))
    unknown["config"]["layers"][6]["class_name"] = "Conv9D"
    archive("unknown_layer.keras", {"config.json": json.dumps(unknown)})
    custom = json.loads(json.dumps(k3))
    custom["config"]["layers"][2]["module"] = "my_package.layers"
    custom["config"]["layers"][2]["registered_name"] = "my_package>FancyLSTM"
    archive("custom_layer.keras", {"config.json": json.dumps(custom)})
    archive("bad_config.keras", {"config.json": b'{"module": "keras", "class_name": "Functional", "config": {"layers": [}'})
    with open(HERE / "skip_autoencoder.keras", "rb") as f:
        (HERE / "broken" / "truncated.keras").write_bytes(f.read()[:3000])
    rng = np.random.default_rng(7)
    (HERE / "broken" / "garbage.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + rng.integers(0, 256, 4000, dtype=np.uint8).tobytes())
    with h5py.File(HERE / "broken" / "weights_only.h5", "w") as f:  # model.save_weights("x.h5") in tf.keras 2
        f.attrs["layer_names"] = np.array([b"enc_1"])
        f.attrs["keras_version"] = b"2.15.0"
        f.create_group("enc_1").attrs["weight_names"] = np.array([b"enc_1/lstm_cell/kernel:0"])
        f["enc_1/enc_1/lstm_cell/kernel:0"] = weights["enc_1/kernel"]


def main():
    for model in MODELS:
        topology, weights = load(model)
        layers, sequential = layers_of(topology)
        write_h5(HERE / f"{model}_keras2.h5", keras2_config(topology, layers, sequential), "2.15.0", layers, weights, sequential, False)
        k3 = keras3_config(topology, layers, sequential)
        write_h5(HERE / f"{model}_keras3.h5", {"class_name": k3["class_name"], "config": k3["config"]}, "3.3.3",
                 layers, weights, sequential, True)
        write_keras(HERE / f"{model}.keras", k3, layers, weights, sequential)
        print("wrote", model)
    write_broken()
    print("wrote broken/")


if __name__ == "__main__":
    main()
