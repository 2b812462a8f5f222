"""Checks a .keras file the way Keras 3's load_model would take it, for the layer kinds
LayerLoom writes, without Keras itself:

- every object's config holds only keywords its class's __init__ takes in Keras 3.3 (Keras 3
  rebuilds objects with cls(**config) and refuses any keyword it does not know);
- the layers are listed in the order Keras's functional graph orders them (model.layers),
  which is also the order the weights are looked up in;
- each layer's variables sit where saving_lib looks for them (layers/<class in snake_case>[_n],
  below "cell" for a recurrent layer, "layer" for TimeDistributed, "forward_layer/cell" and
  "backward_layer/cell" for Bidirectional), as many as the layer
  makes, float32, of the shapes its build makes from build_config.

Prints "ok" or the first thing Keras would refuse, and exits 1 on it.
Usage: check_keras3_archive.py FILE.keras
"""
import io
import json
import re
import sys
import zipfile

import h5py

# Keyword arguments of Keras 3.3's constructors (keras/src/...), each with the layer base's.
LAYER = {"name", "trainable", "dtype", "autocast", "activity_regularizer", "input_shape", "input_dim"}
RNN = {"return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask"}
RECURRENT = {"units", "activation", "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
             "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
             "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed", "use_cudnn"}
KWARGS = {
    "InputLayer": {"shape", "batch_size", "dtype", "sparse", "batch_shape", "input_tensor", "name"},
    "Dense": LAYER | {"units", "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
                      "bias_regularizer", "kernel_constraint", "bias_constraint", "lora_rank"},
    "LSTM": LAYER | RNN | RECURRENT | {"unit_forget_bias"},
    "GRU": LAYER | RNN | RECURRENT | {"reset_after"},
    "TimeDistributed": LAYER | {"layer"},
    "RepeatVector": LAYER | {"n"},
    "Dropout": LAYER | {"rate", "noise_shape", "seed"},
    "Add": LAYER,
    "Concatenate": LAYER | {"axis"},
    "Conv1D": LAYER | {"filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups",
                       "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
                       "bias_regularizer", "kernel_constraint", "bias_constraint"},
    "Conv1DTranspose": LAYER | {"filters", "kernel_size", "strides", "padding", "output_padding", "data_format",
                                "dilation_rate", "activation", "use_bias", "kernel_initializer", "bias_initializer",
                                "kernel_regularizer", "bias_regularizer", "kernel_constraint", "bias_constraint"},
    "MaxPooling1D": LAYER | {"pool_size", "strides", "padding", "data_format"},
    "AveragePooling1D": LAYER | {"pool_size", "strides", "padding", "data_format"},
    "GlobalMaxPooling1D": LAYER | {"data_format", "keepdims"},
    "GlobalAveragePooling1D": LAYER | {"data_format", "keepdims"},
    "UpSampling1D": LAYER | {"size"},
    "ZeroPadding1D": LAYER | {"padding"},
    "Cropping1D": LAYER | {"cropping"},
    "SimpleRNN": LAYER | RNN | (RECURRENT - {"recurrent_activation", "use_cudnn"}),
    "Bidirectional": LAYER | {"layer", "merge_mode", "weights", "backward_layer"},
    "LayerNormalization": LAYER | {"axis", "epsilon", "center", "scale", "rms_scaling", "beta_initializer",
                                   "gamma_initializer", "beta_regularizer", "gamma_regularizer", "beta_constraint",
                                   "gamma_constraint"},
    "BatchNormalization": LAYER | {"axis", "momentum", "epsilon", "center", "scale", "beta_initializer",
                                   "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
                                   "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint",
                                   "synchronized"},
    "Subtract": LAYER,
    "Multiply": LAYER,
    "Average": LAYER,
    "Maximum": LAYER,
    "Flatten": LAYER | {"data_format"},
    "Reshape": LAYER | {"target_shape"},
    "Permute": LAYER | {"dims"},
    "SpatialDropout1D": LAYER | {"rate", "seed"},
    "GaussianNoise": LAYER | {"stddev", "seed"},
    "GaussianDropout": LAYER | {"rate", "seed"},
    "AlphaDropout": LAYER | {"rate", "noise_shape", "seed"},
    "Activation": LAYER | {"activation"},
    "ReLU": LAYER | {"max_value", "negative_slope", "threshold"},
    "LeakyReLU": LAYER | {"negative_slope"},
    "PReLU": LAYER | {"alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes"},
    "ELU": LAYER | {"alpha"},
    "Softmax": LAYER | {"axis"},
    "Masking": LAYER | {"mask_value"},
    "MultiHeadAttention": LAYER | {"num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape",
                                   "attention_axes", "kernel_initializer", "bias_initializer", "kernel_regularizer",
                                   "bias_regularizer", "kernel_constraint", "bias_constraint", "seed"},
    "Embedding": LAYER | {"input_dim", "output_dim", "embeddings_initializer", "embeddings_regularizer",
                          "embeddings_constraint", "mask_zero", "weights", "lora_rank"},
    # keras_hub's (keras_hub/src/layers/modeling).
    "PositionEmbedding": LAYER | {"sequence_length", "initializer", "hierarchical_alpha"},
    "TokenAndPositionEmbedding": LAYER | {"vocabulary_size", "sequence_length", "embedding_dim", "tie_weights",
                                          "embeddings_initializer", "mask_zero"},
}
# Layers of packages that register them: their module and registered name.
PACKAGE_LAYERS = {
    "PositionEmbedding": ("keras_hub.src.layers.modeling.position_embedding", "keras_hub>PositionEmbedding"),
    "TokenAndPositionEmbedding": ("keras_hub.src.layers.modeling.token_and_position_embedding",
                                  "keras_hub>TokenAndPositionEmbedding"),
}
RECURRENT_LAYERS = ("LSTM", "GRU", "SimpleRNN")
# Keras 3's initialisers and the arguments each takes (keras/src/initializers).
INITIALIZERS = {"GlorotUniform": {"seed"}, "GlorotNormal": {"seed"}, "HeUniform": {"seed"}, "HeNormal": {"seed"},
                "LecunUniform": {"seed"}, "LecunNormal": {"seed"}, "Orthogonal": {"gain", "seed"}, "Zeros": set(),
                "Ones": set(), "Constant": {"value"}, "Identity": {"gain"},
                "RandomUniform": {"minval", "maxval", "seed"}, "RandomNormal": {"mean", "stddev", "seed"},
                "TruncatedNormal": {"mean", "stddev", "seed"}}
REGULARIZERS = {"L1": {"l1"}, "L2": {"l2"}, "L1L2": {"l1", "l2"}}
OPTIMIZER = {"name", "learning_rate", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "use_ema",
             "ema_momentum", "ema_overwrite_frequency"}
OPTIMIZERS = {"Adam": OPTIMIZER | {"beta_1", "beta_2", "epsilon", "amsgrad"},
              "AdamW": OPTIMIZER | {"beta_1", "beta_2", "epsilon", "amsgrad"},
              "SGD": OPTIMIZER | {"momentum", "nesterov"},
              "RMSprop": OPTIMIZER | {"rho", "momentum", "epsilon", "centered"}}
COMPILE = {"optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly", "steps_per_execution",
           "jit_compile", "auto_scale_loss"}
ACTIVATIONS = {"linear", "relu", "selu", "elu", "tanh", "sigmoid", "softmax", "softplus", "gelu", "swish", "relu6",
               "leaky_relu", "hard_silu", "mish", "log_softmax"}


class Refused(Exception):
    pass


def expect(condition, what):
    if not condition:
        raise Refused(what)


def check_object(obj, module, known, where):
    """A public Keras object as serialize_keras_object writes it."""
    expect(isinstance(obj, dict) and set(obj) >= {"module", "class_name", "config", "registered_name"}, f"{where}: not a Keras object: {obj}")
    expect(obj["module"] == module, f"{where}: module {obj['module']}, Keras has {obj['class_name']} in {module}")
    expect(obj["registered_name"] is None, f"{where}: registered_name {obj['registered_name']} names a custom object")
    expect(obj["class_name"] in known, f"{where}: Keras 3 has no {obj['class_name']} here")
    extra = set(obj["config"]) - known[obj["class_name"]]
    expect(not extra, f"{where}: {obj['class_name']}() does not take {sorted(extra)}")


def check_layer_config(cls, config, where):
    extra = set(config) - KWARGS[cls]
    expect(not extra, f"{where}: {cls}() does not take {sorted(extra)}")
    if cls == "InputLayer":
        expect(isinstance(config["dtype"], str), f"{where}: InputLayer's dtype is a name")
        return
    dtype = config.get("dtype")
    expect(dtype == {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None},
           f"{where}: dtype {dtype}")
    for key, value in config.items():
        if key.endswith("_initializer"):
            check_object(value, "keras.initializers", INITIALIZERS, f"{where}: {key}")
        elif key.endswith("_regularizer") and value is not None:
            check_object(value, "keras.regularizers", REGULARIZERS, f"{where}: {key}")
        elif key.endswith("_constraint"):
            expect(value is None, f"{where}: {key} {value}")
        elif key in ("activation", "recurrent_activation"):
            expect(value in ACTIVATIONS, f"{where}: Keras 3 has no activation {value!r} that computes what LayerLoom does")
    if cls == "TimeDistributed":
        inner = config["layer"]
        check_object(inner, "keras.layers", {"Dense": KWARGS["Dense"]}, f"{where}: layer")
        check_layer_config("Dense", inner["config"], f"{where}: layer")
    if cls == "Bidirectional":
        inner = config["layer"]
        check_object(inner, "keras.layers", {k: KWARGS[k] for k in RECURRENT_LAYERS}, f"{where}: layer")
        check_layer_config(inner["class_name"], inner["config"], f"{where}: layer")
        expect(config["merge_mode"] in ("concat", "sum", "mul", "ave"), f"{where}: merge_mode {config['merge_mode']}")


def sources(call, calls):
    """The calls (layer name, node index) whose tensors a Keras 3 call's arguments name, in order;
    `calls` is how many times each layer is called."""
    found = []

    def walk(x):
        if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
            history = x["config"]["keras_history"]
            # A layer's output, or the states a recurrent layer returns after it, of one of its calls.
            expect(history[0] in calls and 0 <= history[1] < calls[history[0]] and history[2] in (0, 1, 2),
                   f"a call takes {history}")
            found.append((history[0], history[1]))
        elif isinstance(x, list):
            for item in x:
                walk(item)
        elif isinstance(x, dict):
            for item in x.values():
                walk(item)

    walk(call["args"])
    walk(call["kwargs"])
    return found


def keras_order(layers, outputs):
    """Keras's _map_graph_network over the calls (nodes) of the layers: a node's depth is the
    longest path to an output, raised to its layer's depth so far; a layer stands at the deepest
    of its nodes; layers in decreasing depth, ties by the first meeting of any of their nodes in
    a depth-first walk from the outputs."""
    calls = {l["name"]: max(1, len(l["inbound_nodes"])) for l in layers}
    parents = {}
    for l in layers:
        parents[(l["name"], 0)] = []
        for k, node in enumerate(l["inbound_nodes"]):
            parents[(l["name"], k)] = sources(node, calls)
    index, finished, done = {}, [], set()

    def visit(node):
        index.setdefault(node[0], len(index))
        for parent in parents[node]:
            if parent not in done:
                visit(parent)
        done.add(node)
        finished.append(node)

    for out in outputs:
        if out not in done:
            visit(out)
    depth, layer_depth = {}, {}
    for node in reversed(finished):
        d = max(depth.get(node, 0), layer_depth.get(node[0], 0))
        layer_depth[node[0]] = d
        depth[node] = d
        for parent in parents[node]:
            depth[parent] = max(depth.get(parent, 0), d + 1)
    return sorted(layer_depth, key=lambda name: (-layer_depth[name], index[name]))


def to_snake_case(name):  # keras.src.utils.naming.to_snake_case
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def variable_groups(layer):
    """The objects below a layer that hold its variables ("" for the layer itself), each with the
    shapes its build makes, in order, from the layer's build_config."""
    cls = layer["class_name"]
    if cls == "Bidirectional":
        inner = dict(layer["config"]["layer"], build_config=layer["build_config"])
        return {"/forward_layer/cell": variable_shapes(inner), "/backward_layer/cell": variable_shapes(inner)}
    if cls == "MultiHeadAttention":  # four EinsumDense projections, built from shapes_dict
        config, shapes = layer["config"], layer["build_config"]["shapes_dict"]
        heads, key_dim = config["num_heads"], config["key_dim"]
        value_dim = config["value_dim"] or key_dim
        query, value = shapes["query_shape"][-1], shapes["value_shape"][-1]
        key = shapes.get("key_shape", shapes["value_shape"])[-1]
        out = config["output_shape"] or query
        bias = config["use_bias"]
        projection = lambda kernel, b: [kernel] + ([b] if bias else [])
        return {"/query_dense": projection((query, heads, key_dim), (heads, key_dim)),
                "/key_dense": projection((key, heads, key_dim), (heads, key_dim)),
                "/value_dense": projection((value, heads, value_dim), (heads, value_dim)),
                "/output_dense": projection((heads, value_dim, out), (out,))}
    if cls == "TokenAndPositionEmbedding":  # a ReversibleEmbedding and a PositionEmbedding
        config = layer["config"]
        vocab, width = config["vocabulary_size"], config["embedding_dim"]
        tokens = [(vocab, width)] + ([] if config["tie_weights"] else [(width, vocab)])
        return {"/token_embedding": tokens, "/position_embedding": [(config["sequence_length"], width)]}
    owner = {"LSTM": "/cell", "GRU": "/cell", "SimpleRNN": "/cell", "TimeDistributed": "/layer"}.get(cls, "")
    return {owner: variable_shapes(layer)}


def variable_shapes(layer):
    """The variables a layer's build makes, in order, from its build_config."""
    cls, config = layer["class_name"], layer["config"]
    if cls == "TimeDistributed":
        inner = config["layer"]
        return variable_shapes(inner)
    if cls == "PReLU":  # alpha: a sample's shape, 1 along the shared axes
        shape = list(layer["build_config"]["input_shape"][1:])
        for axis in config["shared_axes"] or []:
            shape[axis - 1] = 1
        return [tuple(shape)]
    if cls == "Embedding":
        return [(config["input_dim"], config["output_dim"])]
    if cls == "PositionEmbedding":
        return [(config["sequence_length"], layer["build_config"]["input_shape"][-1])]
    if cls not in ("Dense", "LSTM", "GRU", "SimpleRNN", "Conv1D", "Conv1DTranspose", "LayerNormalization",
                   "BatchNormalization"):
        return []
    features = layer["build_config"]["input_shape"][-1]
    if cls in ("LayerNormalization", "BatchNormalization"):
        shapes = [(features,)] * (int(config["scale"]) + int(config["center"]))
        return shapes + ([(features,), (features,)] if cls == "BatchNormalization" else [])
    if cls == "Conv1D":
        filters = config["filters"]
        return [(config["kernel_size"][0], features, filters)] + ([(filters,)] if config["use_bias"] else [])
    if cls == "Conv1DTranspose":  # kernel (kernel_size, filters, in)
        filters = config["filters"]
        return [(config["kernel_size"][0], filters, features)] + ([(filters,)] if config["use_bias"] else [])
    units = config["units"]
    if cls == "Dense":
        return [(features, units)] + ([(units,)] if config["use_bias"] else [])
    gates = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}[cls]
    shapes = [(features, gates * units), (units, gates * units)]
    if config["use_bias"]:
        shapes.append((2, 3 * units) if cls == "GRU" and config["reset_after"] else (gates * units,))
    return shapes


def check(path):
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        expect(names == ["metadata.json", "config.json", "model.weights.h5"], f"entries {names}")
        metadata = json.loads(archive.read("metadata.json"))
        expect(metadata["keras_version"].startswith("3."), f"keras_version {metadata['keras_version']}")
        expect(re.fullmatch(r"\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d", metadata["date_saved"]), f"date_saved {metadata['date_saved']}")
        model = json.loads(archive.read("config.json"))
        weights = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")

    expect(model["module"] == "keras.src.models.functional" and model["class_name"] == "Functional"
           and model["registered_name"] == "Functional", "the model is not Keras's Functional")
    config = model["config"]
    expect(set(config) == {"name", "trainable", "layers", "input_layers", "output_layers"}, f"model config keys {sorted(config)}")
    layers = config["layers"]
    for layer in layers:
        where = f"layer {layer['name']}"
        origin = PACKAGE_LAYERS.get(layer["class_name"], ("keras.layers", None))
        expect((layer["module"], layer["registered_name"]) == origin, f"{where}: not where Keras finds {layer['class_name']}")
        expect(layer["class_name"] in KWARGS, f"{where}: {layer['class_name']}")
        expect(layer["config"]["name"] == layer["name"], f"{where}: its config names it {layer['config']['name']}")
        check_layer_config(layer["class_name"], layer["config"], where)
        # A call each, a shared layer's calls after its first.
        expect(len(layer["inbound_nodes"]) == 0 if layer["class_name"] == "InputLayer" else len(layer["inbound_nodes"]) >= 1,
               f"{where}: inbound_nodes")
    outputs = [tuple(o[:2]) for o in config["output_layers"]]
    expect(all(o[1:] == [0, 0] for o in config["input_layers"]) and all(o[2] == 0 for o in config["output_layers"]),
           "input or output layers")
    listed = [l["name"] for l in layers]
    expect(listed == keras_order(layers, outputs), f"layers listed {listed}, Keras orders them {keras_order(layers, outputs)}")

    compiled = model["compile_config"]
    expect(set(compiled) <= COMPILE, f"compile() does not take {sorted(set(compiled) - COMPILE)}")
    check_object(compiled["optimizer"], "keras.optimizers", OPTIMIZERS, "optimizer")
    # One loss, or one per output by the output layer's name (compile(loss={...})).
    loss = compiled["loss"]
    expect(isinstance(loss, str) or (isinstance(loss, dict) and set(loss) == {o[0] for o in outputs}
                                     and all(isinstance(v, str) for v in loss.values())), f"loss {loss}")

    expect("vars" in weights and len(weights["vars"]) == 0, "the model's own vars group")
    used = {}
    for layer in layers:
        key = to_snake_case(layer["class_name"])
        if key in used:
            used[key] += 1
            key = f"{key}_{used[key]}"
        else:
            used[key] = 0
        expect(f"layers/{key}/vars" in weights, f"layer {layer['name']}: no layers/{key}/vars group")
        for owner, expected in variable_groups(layer).items():
            if owner:
                expect(len(weights[f"layers/{key}/vars"]) == 0, f"layer {layer['name']}: variables of its own beside its {owner[1:]}'s")
            group = f"layers/{key}{owner}/vars"
            present = weights[group] if group in weights else {}
            expect(len(present) == len(expected),
                   f"layer {layer['name']}: {group} holds {len(present)} variables, its build makes {len(expected)}")
            for i, shape in enumerate(expected):
                data = present[str(i)]
                expect(data.dtype == "float32" and data.shape == shape,
                       f"layer {layer['name']}: {group}/{i} is {data.dtype}{data.shape}, the layer makes float32{shape}")
    print("ok")


if __name__ == "__main__":
    try:
        check(sys.argv[1])
    except (Refused, KeyError) as e:
        print(f"{sys.argv[1]}: Keras 3 would refuse it: {e}")
        sys.exit(1)
