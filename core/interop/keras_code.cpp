#include "interop/keras_code.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <stdexcept>

#include "interop/keras_export.h"
#include "interop/python_tensors.h"
#include "io/python_text.h"
#include "layers/input.h"
#include "layers/keras_config.h"
#include "layers/layer_registry.h"
#include "shape/validator.h"
#include "train/config_json.h"

namespace loom {

namespace {

using python::identifier;

std::string pyNumber(double v) { return python::number(v); }
std::string pyString(const std::string& s) { return python::quoted(s); }

bool usesHardSigmoid(const ModelGraph& g) {
    for (const Node& n : g.nodes()) {
        for (const auto& [key, v] : n.params) {
            if (const auto* s = std::get_if<std::string>(&v); s && *s == "hard_sigmoid") return true;
        }
    }
    return false;
}

/// `, dtype="int32"` for an Input of token ids; nothing for numbers, Keras's default.
std::string inputDtype(const Node& input) { return holdsTokenIds(input) ? ", dtype=\"int32\"" : ""; }

std::string shapeTuple(const Dims& dims) {
    std::string s = "(";
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (i) s += ", ";
        s += dims[i] == kNone ? "None" : std::to_string(dims[i]);
    }
    return s + (dims.size() == 1 ? ",)" : ")");
}

/// The layer object, without its call: `layers.LSTM(units=512, ..., name="lstm_1")`.
std::string layerExpression(const Node& n) {
    const LayerSpec& spec = *findLayer(n.kind);
    return spec.kerasPython(n, kerasPythonArguments(spec, n), "name=" + pyString(n.name));
}

std::string optimizerCode(const OptimizerConfig& o) {
    // Keras's arguments after the rule's own: weight decay (every optimizer in Keras 3), then
    // clipping.
    std::string extra;
    if (o.kind != OptimizerConfig::Kind::AdamW && o.weightDecay > 0) extra += ", weight_decay=" + pyNumber(o.weightDecay);
    if (o.clipNorm) extra += ", clipnorm=" + pyNumber(*o.clipNorm);
    if (o.clipValue) extra += ", clipvalue=" + pyNumber(*o.clipValue);
    const std::string lr = "learning_rate=" + pyNumber(o.learningRate);
    const std::string adam = ", beta_1=" + pyNumber(o.beta1) + ", beta_2=" + pyNumber(o.beta2) +
                             ", epsilon=" + pyNumber(o.epsilon) + (o.amsgrad ? ", amsgrad=True" : "");
    switch (o.kind) {
        case OptimizerConfig::Kind::Sgd:
            return "keras.optimizers.SGD(" + lr + ", momentum=" + pyNumber(o.momentum) +
                   ", nesterov=" + (o.nesterov ? "True" : "False") + extra + ")";
        case OptimizerConfig::Kind::Adam:
            return "keras.optimizers.Adam(" + lr + adam + extra + ")";
        case OptimizerConfig::Kind::AdamW:
            return "keras.optimizers.AdamW(" + lr + ", weight_decay=" + pyNumber(o.weightDecay) + adam + extra + ")";
        case OptimizerConfig::Kind::RmsProp:
            return "keras.optimizers.RMSprop(" + lr + ", rho=" + pyNumber(o.rho) + ", momentum=" +
                   pyNumber(o.momentum) + ", epsilon=" + pyNumber(o.epsilon) + extra + ")";
    }
    return "\"adam\"";
}

/// fit()'s class_weight argument, or nothing without class weights.
std::string classWeightCode(const std::map<std::int64_t, double>& weights) {
    if (weights.empty()) return {};
    std::string dict;
    for (const auto& [cls, weight] : weights) dict += (dict.empty() ? "" : ", ") + std::to_string(cls) + ": " + pyNumber(weight);
    return ", class_weight={" + dict + "}";
}

/// `, metrics=[...]` for compile, or nothing: names where both Kerases resolve them, metric
/// objects where tf.keras 2 knows no such name (its names are functions' and aliases') or a
/// name cannot say the curve or that the model outputs logits. The objects' default names are
/// the history's keys LayerLoom writes.
std::string metricsCode(const TrainConfig& config) {
    if (config.metrics.empty()) return {};
    const std::string logits = config.fromLogits ? "from_logits=True" : "";
    std::string list;
    for (Metric m : config.metrics) {
        std::string item = pyString(metricName(m));
        switch (m) {
            case Metric::RootMeanSquaredError: item = "keras.metrics.RootMeanSquaredError()"; break;
            case Metric::Precision: item = "keras.metrics.Precision()"; break;
            case Metric::Recall: item = "keras.metrics.Recall()"; break;
            case Metric::Auc: item = "keras.metrics.AUC(" + logits + ")"; break;
            case Metric::PrAuc: item = "keras.metrics.AUC(curve=\"PR\", name=\"pr_auc\"" + (logits.empty() ? "" : ", " + logits) + ")"; break;
            default: break;
        }
        list += (list.empty() ? "" : ", ") + item;
    }
    return ", metrics=[" + list + "]";
}

/// `, callbacks=[...]` for fit: early stopping and the plateau schedule, watching what the
/// project watches (its validation value when the fit validates), or nothing.
std::string callbacksCode(const TrainConfig& config, bool validates) {
    const std::string monitor = "monitor=" + pyString((validates ? "val_" : "") + config.monitor.quantity) +
                                ", mode=" + pyString(config.monitor.higherIsBetter() ? "max" : "min");
    std::string list;
    if (config.earlyStopping.enabled) {
        list += "keras.callbacks.EarlyStopping(" + monitor + ", patience=" + std::to_string(config.earlyStopping.patience) +
                ", min_delta=" + pyNumber(config.earlyStopping.minDelta) +
                ", restore_best_weights=" + (config.earlyStopping.restoreBestWeights ? "True" : "False") + ")";
    }
    if (config.schedule.kind == LearningRateSchedule::Kind::ReduceOnPlateau) {
        list += std::string(list.empty() ? "" : ", ") + "keras.callbacks.ReduceLROnPlateau(" + monitor +
                ", factor=" + pyNumber(config.schedule.factor) + ", patience=" + std::to_string(config.schedule.patience) +
                ", min_delta=0, min_lr=" + pyNumber(config.schedule.minLearningRate) + ")";
    }
    return list.empty() ? std::string() : ", callbacks=[" + list + "]";
}

/// A JSON scalar as a Python literal: True, None, 3, "text".
std::string pythonValue(const nlohmann::json& value) {
    if (value.is_boolean()) return value.get<bool>() ? "True" : "False";
    if (value.is_null()) return "None";
    if (value.is_string()) return pyString(value.get<std::string>());
    if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
    return pyNumber(value.get<double>());
}

bool isChain(const ModelGraph& g, const Validation& v) {
    if (v.outputs.size() != 1) return false;
    int inputs = 0;
    for (const Node& n : g.nodes()) {
        inputs += n.isInput() ? 1 : 0;
        if (g.inputEdges(n.id).size() > 1 || g.outputEdges(n.id).size() > 1) return false;
        // A layer that returns its states gives several tensors, which Sequential cannot pass on.
        if (const LayerSpec* spec = n.isInput() ? nullptr : findLayer(n.kind); spec && !spec->moreOutputNames(n).empty()) return false;
        if (n.shares) return false;  // a layer called twice is one object, called in two places
    }
    return inputs == 1;
}

}  // namespace

std::string kerasCode(const Project& project, KerasCodeOptions options) {
    const ModelGraph& g = project.graph;
    const Validation v = validate(g);
    if (v.hasErrors()) {
        throw std::invalid_argument("the model has " + std::to_string(v.count(Severity::Error)) +
                                    " error(s); fix them before exporting");
    }
    const std::string title = project.name.empty() ? "model" : project.name;
    // Keras model names are identifiers; the title stays in the first comment.
    std::string modelName;
    for (char c : title) modelName += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    // Layers of other packages (keras_hub's), each package imported once.
    std::set<std::string_view> packages;
    for (const Node& n : g.nodes()) {
        if (const LayerSpec* spec = findLayer(n.kind); spec && !spec->kerasOrigin().package.empty()) {
            packages.insert(spec->kerasOrigin().package);
        }
    }
    std::ostringstream py;
    py << "# " << title << ", as designed in LayerLoom.\n"
       << (packages.empty() ? "# Keras functional API; runs on Keras 3 and on tf.keras 2.x. Every layer option is\n"
                            : "# Keras functional API; runs on Keras 3 (with keras_hub). Every layer option is\n")
       << "# written out, so that defaults that differ between versions do not apply.\n"
       << "try:\n"
       << "    import keras\n"
       << "    from keras import layers, regularizers\n"
       << "except ImportError:  # TensorFlow 2.x without the keras package\n"
       << "    from tensorflow import keras\n"
       << "    from tensorflow.keras import layers, regularizers\n";
    for (std::string_view package : packages) py << "import " << package << "  # needs Keras 3\n";
    py << "\n";
    if (usesHardSigmoid(g)) {
        py << "\ndef hard_sigmoid(x):\n"
           << "    \"\"\"clip(0.2 x + 0.5, 0, 1): tf.keras 2's and TF.js's hard sigmoid, which LayerLoom\n"
           << "    computes (Keras 3's built-in one has slope 1/6).\"\"\"\n"
           << "    return keras.activations.relu(0.2 * x + 0.5, max_value=1.0)\n\n\n";
    }
    const auto shapeComment = [&](NodeId id) {
        const auto& out = v.of(g, id).output;
        return out ? "  # " + out->str() : std::string();
    };

    if (options.preferSequential && isChain(g, v)) {
        py << "model = keras.Sequential([\n";
        for (NodeId id : v.order) {
            const Node& n = *g.node(id);
            if (n.isInput()) {
                py << "    keras.Input(shape=" << shapeTuple(n.param<Dims>("shape")) << inputDtype(n) << ", name="
                   << pyString(n.name) << ")," << shapeComment(id) << "\n";
            } else {
                py << "    " << layerExpression(n) << "," << shapeComment(id) << "\n";
            }
        }
        py << "], name=" << pyString(modelName) << ")\n";
    } else {
        std::vector<std::string> inputs, outputs;
        const PythonTensors tensors(g);
        // A layer called at several places is made once and called at each.
        const auto sharedObject = [&](NodeId owner) { return tensors.layerObject(*g.node(owner)); };
        for (NodeId id : v.order) {
            const std::size_t calls = g.callsOf(id).size();
            if (calls == 0 || g.node(id)->shares) continue;
            py << sharedObject(id) << " = " << layerExpression(*g.node(id)) << "  # shared by " << calls + 1 << " calls\n";
        }
        for (NodeId id : v.order) {
            const Node& n = *g.node(id);
            const std::string var = identifier(n.name);
            if (n.isInput()) {
                py << var << " = keras.Input(shape=" << shapeTuple(n.param<Dims>("shape")) << inputDtype(n)
                   << ", name=" << pyString(n.name) << ")" << shapeComment(id) << "\n";
                continue;
            }
            const auto tensor = [&](const Edge* e) { return tensors.of(e->from); };
            const LayerSpec& spec = *findLayer(n.kind);
            // Starting states go to the call's initial_state, after the sequence.
            const bool startsFromStates = !spec.inputPortNames(n).empty();
            std::string args, initial;
            const auto in = g.inputEdges(id);
            const std::vector<std::string_view> named = spec.callTensorNames();
            for (std::size_t i = 0; i < in.size(); ++i) {
                if (startsFromStates && in[i]->to.port > 0) {
                    initial += (initial.empty() ? "" : ", ") + tensor(in[i]);
                    continue;
                }
                if (i) args += ", ";
                // A named tensor out of its place in the call (the attention mask) by its name.
                const auto port = static_cast<std::size_t>(in[i]->to.port);
                if (port < named.size() && (port != i || named[port].ends_with("_mask"))) args += std::string(named[port]) + "=";
                args += tensor(in[i]);
            }
            if (!initial.empty()) args += ", initial_state=[" + initial + "]";
            const nlohmann::json callOptions = spec.kerasCallOptions(n);
            for (const auto& [key, value] : callOptions.items()) {
                args += ", " + key + "=" + pythonValue(value);
            }
            // A layer that returns its states gives them after its output.
            const std::string targets = tensors.targets(n);
            const NodeId owner = g.weightsOwner(id);
            const std::string layer = owner != id || !g.callsOf(id).empty() ? sharedObject(owner) : layerExpression(n);
            py << targets << " = " << layer << "(" << (spec.takesList() ? "[" + args + "]" : args) << ")"
               << shapeComment(id) << "\n";
        }
        for (NodeId id : v.inputs) inputs.push_back(identifier(g.node(id)->name));
        for (NodeId id : v.outputs) outputs.push_back(identifier(g.node(id)->name));
        const auto list = [](const std::vector<std::string>& names) {
            if (names.size() == 1) return names.front();
            std::string s = "[";
            for (std::size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
            return s + "]";
        };
        py << "\nmodel = keras.Model(inputs=" << list(inputs) << ", outputs=" << list(outputs)
           << ", name=" << pyString(modelName) << ")\n";
        if (!v.viewOutputs.empty()) {
            // The attention scores are for looking at: trained without them, read beside the outputs.
            std::vector<std::string> looked = outputs;
            for (const PortRef& view : v.viewOutputs) looked.push_back(tensors.of(view));
            py << "# The same layers, giving the attention scores beside the outputs (for looking at):\n"
               << "attention_model = keras.Model(inputs=" << list(inputs) << ", outputs=" << list(looked)
               << ", name=" << pyString(modelName + "_attention") << ")\n";
        }
    }

    const TrainConfig config = project.training.is_object() ? trainConfigFromJson(project.training)
                                                             : TrainConfig{};
    // LayerLoom validates on the last part of the data in time, as Keras's validation_split does.
    const double validationSplit =
        dataSpecFromJson(project.training.is_object() ? project.training.value("data", nlohmann::json::object())
                                                      : nlohmann::json::object())
            .validationSplit;
    const auto lossCode = [](Loss kind, bool fromLogits) {
        const nlohmann::json loss = kerasLoss(kind, fromLogits, true);
        return loss.is_string() ? pyString(loss.get<std::string>())
                                : "keras.losses." + loss["class_name"].get<std::string>() + "(from_logits=True)";
    };
    const std::string fitOptions = ", epochs=" + std::to_string(config.epochs) + ", batch_size=" +
                                   std::to_string(config.batchSize) + ", validation_split=" + pyNumber(validationSplit) +
                                   ", shuffle=" + (config.shuffle ? "True" : "False");
    if (v.outputs.size() == 1 && v.inputs.size() == 1) {
        py << "model.compile(optimizer=" << optimizerCode(config.optimizer) << ", loss=" << lossCode(config.loss, config.fromLogits)
           << metricsCode(config) << ")\n"
           << "model.summary()\n\n"
           << "# Train on arrays shaped (samples, time, features), e.g. windows of your series:\n"
           << "# model.fit(x, y" << fitOptions << classWeightCode(config.classWeight) << callbacksCode(config, validationSplit > 0)
           << ")\n";
        return py.str();
    }
    // Several Inputs or outputs: a loss, a weight and metrics per output, by the output layer's
    // name, as compile takes them, and an array per Input and output in fit.
    std::string losses, weights, metrics, xs, ys;
    for (NodeId id : v.outputs) {
        const std::string& name = g.node(id)->name;
        const OutputLoss o = config.lossOf(name, v.outputs.size());
        TrainConfig one = config;
        one.metrics = o.metrics;
        one.fromLogits = o.fromLogits;
        const std::string list = metricsCode(one);
        const std::string sep = losses.empty() ? "" : ", ";
        losses += sep + pyString(name) + ": " + lossCode(o.loss, o.fromLogits);
        weights += sep + pyString(name) + ": " + pyNumber(o.weight);
        metrics += sep + pyString(name) + ": " + (list.empty() ? "[]" : list.substr(list.find('[')));
        ys += sep + pyString(name) + ": data[" + pyString(name) + "]";
    }
    for (NodeId id : v.inputs) {
        const std::string& name = g.node(id)->name;
        xs += (xs.empty() ? "" : ", ") + pyString(name) + ": data[" + pyString(name) + "]";
    }
    py << "model.compile(optimizer=" << optimizerCode(config.optimizer) << ",\n"
       << "              loss={" << losses << "},\n"
       << "              loss_weights={" << weights << "},\n"
       << "              metrics={" << metrics << "})\n"
       << "model.summary()\n\n"
       << "# Train on an array per Input and per output, named after its layer, e.g. from an .npz archive:\n"
       << "# data = np.load(\"data.npz\")\n"
       << "# model.fit({" << xs << "},\n"
       << "#           {" << ys << "}" << fitOptions << callbacksCode(config, validationSplit > 0) << ")\n";
    return py.str();
}

}  // namespace loom
