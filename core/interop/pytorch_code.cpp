#include "interop/pytorch_code.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "interop/python_tensors.h"
#include "io/atomic_file.h"
#include "io/python_text.h"
#include "layers/layer_registry.h"
#include "shape/masks.h"
#include "shape/validator.h"
#include "train/config_json.h"

namespace loom {

namespace {

constexpr const char* kPrelude = R"PY(import json
import math
import os
import sys

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F


def activation(name):
    """The activations LayerLoom computes, by their Keras names."""
    table = {
        "linear": lambda x: x,
        "relu": torch.relu,
        "selu": F.selu,
        "elu": F.elu,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        # tf.keras 2's and TF.js's hard sigmoid, which LayerLoom computes.
        "hard_sigmoid": lambda x: torch.clamp(0.2 * x + 0.5, 0.0, 1.0),
        "softmax": lambda x: torch.softmax(x, dim=-1),
        "softplus": F.softplus,
        "gelu": F.gelu,
        "swish": F.silu,
        "relu6": F.relu6,
        "leaky_relu": lambda x: F.leaky_relu(x, 0.2),
        # Keras 3's hard SiLU, x * relu6(x + 3) / 6, is PyTorch's hardswish.
        "hard_silu": F.hardswish,
        "mish": F.mish,
        "log_softmax": lambda x: torch.log_softmax(x, dim=-1),
    }
    return table[name]


def dropout_mask(like, rows, cols, rate, training):
    """Keras's dropout mask for a recurrent layer: one per sample, the same at every step,
    scaled by 1 / (1 - rate); None outside training or at rate 0."""
    if not training or rate <= 0.0:
        return None
    return torch.bernoulli(like.new_full((rows, cols), 1.0 - rate)) / (1.0 - rate)
)PY";

constexpr const char* kEpilogue = R"PY(

def load_weights(model, folder=os.path.dirname(os.path.abspath(__file__))):
    """Loads weights.bin/weights.json as LayerLoom wrote them (`lstm_1/kernel`, Keras layouts)."""
    with open(os.path.join(folder, "weights.json")) as f:
        manifest = json.load(f)
    blob = np.fromfile(os.path.join(folder, "weights.bin"), dtype="<f4")
    offset = 0
    params = {**dict(model.named_parameters()), **dict(model.named_buffers())}
    for entry in manifest:
        count = int(np.prod(entry["shape"])) if entry["shape"] else 1
        values = blob[offset:offset + count].reshape(entry["shape"])
        offset += count
        layer, name = entry["name"].split("/", 1)
        with torch.no_grad():
            params[layer + "." + name.replace("/", ".")].copy_(torch.from_numpy(values.copy()))
    return model


def train(model, x, y, epochs=EPOCHS, batch_size=BATCH_SIZE):
    """The training loop for the project's losses and optimizer. x is a float tensor, or a list
    of them in the order of INPUTS; y likewise in the order of OUTPUTS. Every sample weighs the
    same here; the training job LayerLoom exports applies class and sample weights."""
    xs = list(x) if isinstance(x, (list, tuple)) else [x]
    ys = list(y) if isinstance(y, (list, tuple)) else [y]
    optimizer = OPTIMIZER
    samples = xs[0].shape[0]
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(samples)
        total = 0.0
        for start in range(0, samples, batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad()
            pred = model(*[t[idx] for t in xs])
            pred = pred if isinstance(pred, tuple) else (pred,)
            loss = LOSS
            loss.backward()
DECAY            optimizer.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}/{epochs}: loss {total / samples:.6f}")


def read_inputs(path):
    """The model's inputs from a JSON array (one Input) or an .npz archive with an array per
    Input, named after it (or x, x_1, ...), as layerloom-cli predict reads them."""
    if not path.endswith(".npz"):
        if len(INPUTS) > 1:
            sys.exit(f"{path}: the model has {len(INPUTS)} Inputs; give an .npz archive with an array per Input")
        with open(path) as f:
            return [torch.tensor(json.load(f), dtype=torch.float32)]
    arrays = np.load(path)
    xs = []
    for k, name in enumerate(INPUTS):
        other = "x" if k == 0 else f"x_{k}"
        if name not in arrays and other not in arrays:
            sys.exit(f"{path}: no array named {name} (or {other})")
        xs.append(torch.tensor(arrays[name if name in arrays else other], dtype=torch.float32))
    return xs


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python3 model.py INPUT.json|INPUT.npz OUTPUT.json  (arrays shaped (batch, time, features))")
    model = load_weights(Model()).eval()
    with torch.no_grad():
        y = model(*read_inputs(sys.argv[1]))
    ys = [y] if len(OUTPUTS) == 1 else list(y)
    out = {name: t.tolist() for name, t in zip(OUTPUTS, ys)}
    # The attention scores the model keeps go beside the outputs, as layerloom-cli predict gives them.
    out.update({name: t.tolist() for name, t in getattr(model, "attention_scores", {}).items()})
    with open(sys.argv[2], "w") as f:
        # One output as an array; several as an object by the outputs' names.
        json.dump(ys[0].tolist() if len(out) == 1 else out, f)
)PY";

std::string attribute(const std::string& name) { return python::identifier(name); }

std::string flag(bool b) { return b ? "True" : "False"; }

/// The loss of output k, pred[k] against ys[k][idx], in PyTorch.
std::string lossCode(Loss loss, bool fromLogits, std::size_t k) {
    const std::string pred = "pred[" + std::to_string(k) + "]", target = "ys[" + std::to_string(k) + "][idx]";
    if (fromLogits && isClassification(loss)) {
        if (loss == Loss::BinaryCrossentropy) return "F.binary_cross_entropy_with_logits(" + pred + ", " + target + ")";
        if (loss == Loss::CategoricalCrossentropy) return "-(" + target + " * F.log_softmax(" + pred + ", -1)).sum(-1).mean()";
        return "F.cross_entropy(" + pred + ".flatten(0, -2), " + target + ".long().flatten())";
    }
    switch (loss) {
        case Loss::MeanSquaredError: return "F.mse_loss(" + pred + ", " + target + ")";
        case Loss::MeanAbsoluteError: return "F.l1_loss(" + pred + ", " + target + ")";
        case Loss::Huber: return "F.huber_loss(" + pred + ", " + target + ", delta=1.0)";
        case Loss::BinaryCrossentropy:
            return "F.binary_cross_entropy(" + pred + ".clamp(1e-7, 1 - 1e-7), " + target + ")";
        case Loss::CategoricalCrossentropy:
            return "-(" + target + " * " + pred + ".clamp(1e-7, 1.0).log()).sum(-1).mean()";
        case Loss::SparseCategoricalCrossentropy:
            return "F.nll_loss(" + pred + ".clamp(1e-7, 1.0).log().flatten(0, -2), " + target + ".long().flatten())";
    }
    return "F.mse_loss(" + pred + ", " + target + ")";
}

std::string optimizerCode(const OptimizerConfig& o) {
    std::ostringstream s;
    s.precision(10);
    const bool adamDecay = o.kind == OptimizerConfig::Kind::AdamW || (o.kind == OptimizerConfig::Kind::Adam && o.weightDecay > 0);
    switch (o.kind) {
        case OptimizerConfig::Kind::Sgd:
            s << "torch.optim.SGD(model.parameters(), lr=" << o.learningRate << ", momentum=" << o.momentum
              << ", nesterov=" << flag(o.nesterov) << ")";
            break;
        case OptimizerConfig::Kind::Adam:
        case OptimizerConfig::Kind::AdamW:
            // PyTorch's AdamW decays the weights as Keras 3's optimizers do.
            s << (adamDecay ? "torch.optim.AdamW" : "torch.optim.Adam") << "(model.parameters(), lr=" << o.learningRate
              << ", betas=(" << o.beta1 << ", " << o.beta2 << "), eps=" << o.epsilon;
            if (adamDecay) s << ", weight_decay=" << o.weightDecay;
            if (o.amsgrad) s << ", amsgrad=True";
            s << ")";
            break;
        case OptimizerConfig::Kind::RmsProp:
            s << "torch.optim.RMSprop(model.parameters(), lr=" << o.learningRate << ", alpha=" << o.rho
              << ", eps=" << o.epsilon << ", momentum=" << o.momentum << ")";
            break;
    }
    return s.str();
}

/// Keras 3's weight decay for the optimizers whose PyTorch form has only the L2 kind: the
/// weights shrink directly, before each update.
std::string decayCode(const OptimizerConfig& o) {
    if (o.weightDecay <= 0 || o.kind == OptimizerConfig::Kind::Adam || o.kind == OptimizerConfig::Kind::AdamW) return {};
    std::ostringstream s;
    s.precision(10);
    s << "            with torch.no_grad():  # weight decay as Keras applies it\n"
      << "                for p in model.parameters():\n"
      << "                    p.mul_(1.0 - " << o.learningRate * o.weightDecay << ")\n";
    return s.str();
}

void replace(std::string& text, const std::string& what, const std::string& with) {
    const auto at = text.find(what);
    if (at != std::string::npos) text.replace(at, what.size(), with);
}

}  // namespace

std::string pytorchCode(const Project& project) {
    const ModelGraph& g = project.graph;
    const Validation v = validate(g);
    if (v.hasErrors()) {
        throw std::invalid_argument("the model has " + std::to_string(v.count(Severity::Error)) +
                                    " error(s); fix them before exporting");
    }
    // A step mask that changes what a layer or the loss computes has no PyTorch counterpart here.
    if (const auto problems = stepMaskProblems(g, v, "PyTorch", true); !problems.empty()) {
        throw std::invalid_argument(problems.front());
    }
    std::ostringstream init, forward;
    const PythonTensors tensors(g);
    std::vector<std::string> inputs;
    std::vector<std::string_view> classes;  // each written once, in order of first use
    for (NodeId id : v.order) {
        const Node& n = *g.node(id);
        const std::string a = attribute(n.name);
        const auto& out = v.of(g, id).output;
        const std::string shape = out ? "  # " + out->str() : "";
        const auto in = g.inputEdges(id);
        if (n.isInput()) continue;
        const LayerSpec& spec = *findLayer(n.kind);
        std::vector<Dims> dims;
        std::vector<std::string> args;
        for (std::size_t k = 0; k < in.size(); ++k) {
            dims.push_back(v.shapeAt(g, in[k]->from)->sizes());
            args.push_back(tensors.of(in[k]->from));
        }
        for (std::string_view c : spec.pytorchClasses()) {
            if (std::find(classes.begin(), classes.end(), c) == classes.end()) classes.push_back(c);
        }
        // A layer called at several places is one module, called at each.
        const NodeId owner = g.weightsOwner(id);
        const PyTorchLayer layer = spec.pytorch(n, dims, "self." + attribute(g.node(owner)->name), args);
        if (!layer.module.empty() && owner == id) init << "        self." << a << " = " << layer.module << "\n";
        // A layer that returns its states gives them after its output.
        forward << "        " << tensors.targets(n) << " = " << layer.expression << shape << "\n";
    }
    if (!v.viewOutputs.empty()) {
        // The attention scores are for looking at: kept on the module, not returned for the loss.
        std::string kept;
        for (const PortRef& view : v.viewOutputs) {
            kept += (kept.empty() ? "" : ", ") + python::quoted(viewOutputName(g, view)) + ": " + tensors.of(view) + ".detach()";
        }
        forward << "        self.attention_scores = {" << kept << "}\n";
    }
    for (NodeId id : v.inputs) inputs.push_back(attribute(g.node(id)->name));
    std::string outputs;
    for (std::size_t k = 0; k < v.outputs.size(); ++k) {
        outputs += (k ? ", " : "") + attribute(g.node(v.outputs[k])->name);
    }
    std::string args;
    for (std::size_t k = 0; k < inputs.size(); ++k) args += (k ? ", " : "") + inputs[k];

    const std::string title = project.name.empty() ? "model" : project.name;
    std::ostringstream py;
    py << "# " << title << ", as designed in LayerLoom: a PyTorch module with the same numerics.\n"
       << "# python3 model.py INPUT.json|INPUT.npz OUTPUT.json predicts with the weights beside this file.\n"
       << kPrelude;
    for (std::string_view c : classes) py << "\n\n" << c;
    py << "\n\nclass Model(nn.Module):\n"
       << "    \"\"\"" << title << " (inputs and outputs shaped (batch, time, features) or (batch, features)).\"\"\"\n\n"
       << "    def __init__(self):\n        super().__init__()\n"
       << (init.str().empty() ? std::string("        pass\n") : init.str())
       << "\n    def forward(self, " << args << "):\n" << forward.str()
       << "        return " << outputs << "\n";
    // The layer names predict and train match arrays by, in forward's order.
    const auto names = [&](const std::vector<NodeId>& ids) {
        std::string list;
        for (NodeId id : ids) list += (list.empty() ? "" : ", ") + python::quoted(g.node(id)->name);
        return "[" + list + "]";
    };
    py << "\n\nINPUTS = " << names(v.inputs) << "\nOUTPUTS = " << names(v.outputs) << "\n";
    std::string epilogue = kEpilogue;
    const TrainConfig config = project.training.is_object() ? trainConfigFromJson(project.training)
                                                             : TrainConfig{};
    replace(epilogue, "EPOCHS", std::to_string(config.epochs));
    replace(epilogue, "BATCH_SIZE", std::to_string(config.batchSize));
    replace(epilogue, "OPTIMIZER", optimizerCode(config.optimizer));
    replace(epilogue, "DECAY", decayCode(config.optimizer));
    // Several outputs: each one's loss times its weight, summed, as Keras's compile does.
    std::string loss;
    for (std::size_t k = 0; k < v.outputs.size(); ++k) {
        const OutputLoss o = config.lossOf(g.node(v.outputs[k])->name, v.outputs.size());
        std::string term = lossCode(o.loss, o.fromLogits, k);
        if (v.outputs.size() > 1) term = python::number(o.weight) + " * " + term;
        loss += (k ? " + " : "") + term;
    }
    replace(epilogue, "LOSS", loss);
    py << epilogue;
    return py.str();
}

std::string pytorchModuleName(const std::string& weight) {
    const auto slash = weight.find('/');
    std::string rest = slash == std::string::npos ? std::string() : weight.substr(slash);
    std::replace(rest.begin(), rest.end(), '/', '.');
    return attribute(weight.substr(0, slash)) + rest;
}

void exportPytorchModel(const Project& project, const std::vector<NamedTensor>& weights,
                        const std::filesystem::path& dir) {
    const std::string code = pytorchCode(project);
    nlohmann::json manifest = nlohmann::json::array();
    std::string blob;
    for (const NamedTensor& t : weights) {
        // The layer's attribute, then the weight's own path (`forward_lstm/kernel` in a wrapper).
        const auto slash = t.name.find('/');
        nlohmann::json entry = {{"name", attribute(t.name.substr(0, slash)) + t.name.substr(slash)},
                                {"shape", t.shape}};
        manifest.push_back(entry);
        const std::size_t at = blob.size();
        blob.resize(at + t.values.size() * sizeof(float));
        std::memcpy(blob.data() + at, t.values.data(), t.values.size() * sizeof(float));
    }
    std::filesystem::create_directories(dir);
    writeFileAtomically(dir / "weights.bin", blob);
    writeFileAtomically(dir / "weights.json", manifest.dump(1) + "\n");
    writeFileAtomically(dir / "model.py", code);
}

}  // namespace loom
