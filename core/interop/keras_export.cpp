#include "interop/keras_export.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "engine/plan.h"
#include "graph/graph_algorithms.h"
#include "interop/keras_model.h"
#include "interop/keras_topology.h"
#include "io/atomic_file.h"
#include "io/json_input.h"
#include "io/message_text.h"
#include "layers/activations.h"
#include "layers/input.h"
#include "layers/keras_config.h"
#include "layers/layer_registry.h"
#include "version.h"

namespace loom {

using nlohmann::json;

namespace {

json layerConfig(const Node& node, std::span<const Dims> inputs) {
    if (node.isInput()) {
        json shape = json::array({nullptr});
        for (std::int64_t d : node.param<Dims>("shape")) shape.push_back(d == kNone ? json(nullptr) : json(d));
        return {{"batch_input_shape", shape}, {"dtype", holdsTokenIds(node) ? "int32" : "float32"}, {"sparse", false},
                {"name", node.name}};
    }
    json c = kerasBaseConfig(node.name, KerasFormat::TfKeras2);
    c.update(findLayer(node.kind)->kerasConfig(node, KerasFormat::TfKeras2, inputs));
    return c;
}

}  // namespace

KerasCalls::KerasCalls(const ModelGraph& graph) : m_graph(graph) {
    for (NodeId id : stableOrder(graph)) {
        std::vector<NodeId>& calls = m_calls[graph.weightsOwner(id)];
        m_index[id] = static_cast<int>(calls.size());
        calls.push_back(id);
    }
}

KerasCall KerasCalls::of(NodeId id) const {
    const auto at = m_index.find(id);
    return {m_graph.node(m_graph.weightsOwner(id)), at == m_index.end() ? 0 : at->second};
}

const std::vector<NodeId>& KerasCalls::calls(NodeId owner) const {
    static const std::vector<NodeId> none;
    const auto at = m_calls.find(owner);
    return at == m_calls.end() ? none : at->second;
}

json kerasModelConfig(const ModelGraph& graph, const std::string& modelName, KerasLayerOrder order) {
    const Validation v = validate(graph);
    if (v.hasErrors()) {
        throw std::invalid_argument("the model has " + std::to_string(v.count(Severity::Error)) +
                                    " error(s); fix them before exporting");
    }
    json layers = json::array();
    json inputs = json::array(), outputs = json::array();
    const std::vector<NodeId> listed = order == KerasLayerOrder::Keras ? kerasLayerOrder(graph, v.outputs) : v.order;
    const KerasCalls keras(graph);
    for (NodeId id : listed) {
        const Node& n = *graph.node(id);
        if (graph.weightsOwner(id) != id) continue;  // a call of a shared layer is one of its inbound nodes
        json inbound = json::array();
        std::vector<Dims> inputDims;
        const LayerSpec* spec = n.isInput() ? nullptr : findLayer(n.kind);
        const std::vector<std::string_view> named = spec ? spec->callTensorNames() : std::vector<std::string_view>{};
        const std::vector<NodeId>& calls = keras.calls(id);
        for (NodeId at : calls) {
            // A recurrent layer's starting states follow its sequence in the call, as tf.keras 2's
            // RNN saves a call with initial_state; a state is its layer's tensor 1, 2, ...
            json call = json::array();
            std::vector<int> ports;
            for (const Edge* e : graph.inputEdges(at)) {
                if (at == calls.front()) inputDims.push_back(v.shapeAt(graph, e->from)->sizes());
                const KerasCall from = keras.of(e->from.node);
                call.push_back(json::array({from.layer->name, from.index, e->from.port, json::object()}));
                ports.push_back(e->to.port);
            }
            if (!named.empty() && !call.empty()) {
                // The first tensor alone, the others and the options as the call's keyword
                // arguments named after their ports, as Keras's Node.serialize writes them.
                json kwargs = spec->kerasCallOptions(*graph.node(at));
                for (std::size_t i = 1; i < call.size(); ++i) {
                    const auto port = static_cast<std::size_t>(ports[i]);
                    if (port < named.size()) kwargs[std::string(named[port])] = json::array({call[i][0], call[i][1], call[i][2]});
                }
                call = json::array({json::array({call[0][0], call[0][1], call[0][2], kwargs})});
            }
            if (!call.empty()) inbound.push_back(call);
        }
        layers.push_back({{"name", n.name},
                          {"class_name", n.kind},
                          {"config", layerConfig(n, inputDims)},
                          {"inbound_nodes", inbound}});
    }
    for (NodeId id : v.inputs) inputs.push_back(json::array({graph.node(id)->name, 0, 0}));
    for (NodeId id : v.outputs) {
        const KerasCall out = keras.of(id);
        outputs.push_back(json::array({out.layer->name, out.index, 0}));
    }
    for (const PortRef& view : v.viewOutputs) {  // the attention scores, beside the outputs
        const KerasCall out = keras.of(view.node);
        outputs.push_back(json::array({out.layer->name, out.index, view.port}));
    }
    return {{"class_name", order == KerasLayerOrder::Keras ? "Functional" : "Model"},
            {"config", {{"name", modelName}, {"layers", layers}, {"input_layers", inputs}, {"output_layers", outputs}}}};
}

std::map<std::string, std::vector<const NamedTensor*>> kerasWeightsByLayer(const ModelGraph& graph,
                                                                           const std::vector<NamedTensor>& weights) {
    std::map<std::string, const NamedTensor*> byName;
    for (const NamedTensor& t : weights) byName[t.name] = &t;
    std::map<std::string, std::vector<const NamedTensor*>> ofLayer;
    for (const NamedShape& needed : parameterShapes(graph)) {
        const auto it = byName.find(needed.name);
        if (it == byName.end()) throw std::invalid_argument("no weights for " + needed.name);
        if (it->second->shape != needed.shape) throw std::invalid_argument("the weights of " + needed.name + " do not fit its layer");
        ofLayer[needed.layer].push_back(it->second);
    }
    return ofLayer;
}

json kerasOptimizer(const OptimizerConfig& o) {
    static const std::map<std::string, std::string> classes{{"adam", "Adam"}, {"adamw", "AdamW"}, {"sgd", "SGD"}, {"rmsprop", "RMSprop"}};
    const std::string name = o.name();
    const auto cls = classes.find(name);
    json c = {{"name", name},
              {"learning_rate", o.learningRate},
              {"weight_decay", o.weightDecay > 0 ? json(o.weightDecay) : json(nullptr)},
              {"clipnorm", o.clipNorm ? json(*o.clipNorm) : json(nullptr)},
              {"global_clipnorm", nullptr},
              {"clipvalue", o.clipValue ? json(*o.clipValue) : json(nullptr)},
              {"use_ema", false},
              {"ema_momentum", 0.99},
              {"ema_overwrite_frequency", nullptr}};
    if (name == "adam" || name == "adamw") {
        c["beta_1"] = o.beta1;
        c["beta_2"] = o.beta2;
        c["epsilon"] = o.epsilon;
        c["amsgrad"] = o.amsgrad;
    }
    if (name == "adamw") c["weight_decay"] = o.weightDecay;
    if (name == "sgd") {
        c["momentum"] = o.momentum;
        c["nesterov"] = o.nesterov;
    }
    if (name == "rmsprop") {
        c["rho"] = o.rho;
        c["momentum"] = o.momentum;
        c["epsilon"] = o.epsilon;
        c["centered"] = false;
    }
    return {{"class_name", cls != classes.end() ? cls->second : name}, {"config", std::move(c)}};
}

json kerasLoss(Loss loss, bool fromLogits, bool keras3) {
    const std::string name = lossName(loss);
    if (!fromLogits || !isClassification(loss)) return name;
    json config = {{"name", name}, {"reduction", keras3 ? "sum_over_batch_size" : "auto"}, {"from_logits", true}};
    std::string cls = "SparseCategoricalCrossentropy";
    if (loss == Loss::SparseCategoricalCrossentropy) {
        config["ignore_class"] = nullptr;
    } else {
        cls = loss == Loss::BinaryCrossentropy ? "BinaryCrossentropy" : "CategoricalCrossentropy";
        config["label_smoothing"] = 0.0;
        config["axis"] = -1;
    }
    if (keras3) return kerasObject("keras.losses", cls, std::move(config));
    return {{"class_name", cls}, {"config", std::move(config)}};
}

KerasCompileLosses kerasCompileLosses(const TrainConfig& c, const std::vector<std::string>& outputs, bool keras3, bool keyed) {
    if (outputs.size() < 2 && !keyed) return {kerasLoss(c.loss, c.fromLogits, keras3), nullptr, kerasMetrics(c.metrics, c.fromLogits, keras3)};
    KerasCompileLosses out{json::object(), json::object(), json::object()};
    for (const std::string& name : outputs) {
        const OutputLoss o = c.lossOf(name, outputs.size());
        out.loss[name] = kerasLoss(o.loss, o.fromLogits, keras3);
        out.lossWeights[name] = o.weight;
        const json metrics = kerasMetrics(o.metrics, o.fromLogits, keras3);
        out.metrics[name] = metrics.is_null() ? json::array() : metrics;
    }
    return out;
}

namespace {

/// Keras's metric classes for the metrics that need an object; the others are written by name.
const char* metricClass(Metric m) {
    switch (m) {
        case Metric::RootMeanSquaredError: return "RootMeanSquaredError";
        case Metric::Precision: return "Precision";
        case Metric::Recall: return "Recall";
        case Metric::Auc:
        case Metric::PrAuc: return "AUC";
        default: return nullptr;
    }
}

}  // namespace

json kerasMetrics(const std::vector<Metric>& metrics, bool fromLogits, bool keras3) {
    if (metrics.empty()) return nullptr;
    json list = json::array();
    for (Metric m : metrics) {
        const char* cls = metricClass(m);
        if (!cls) {
            list.push_back(metricName(m));
            continue;
        }
        json config = {{"name", metricName(m)}, {"dtype", "float32"}};
        if (m == Metric::Precision || m == Metric::Recall) {
            config.update({{"thresholds", nullptr}, {"top_k", nullptr}, {"class_id", nullptr}});
        } else if (m == Metric::Auc || m == Metric::PrAuc) {
            config.update({{"num_thresholds", 200},
                           {"curve", m == Metric::PrAuc ? "PR" : "ROC"},
                           {"summation_method", "interpolation"},
                           {"multi_label", false},
                           {"num_labels", nullptr},
                           {"label_weights", nullptr},
                           {"from_logits", fromLogits}});
        }
        list.push_back(keras3 ? kerasObject("keras.metrics", cls, std::move(config))
                              : json{{"class_name", cls}, {"config", std::move(config)}});
    }
    return list;
}

std::optional<Metric> metricFromKeras(const json& entry, std::string& why) {
    if (entry.is_string()) {
        const std::string name = entry.get<std::string>();
        if (const auto m = parseMetric(name)) return m;
        // Keras resolves class names given as text too: "AUC", "Precision".
        return metricFromKeras(json{{"class_name", name}, {"config", json::object()}}, why);
    }
    if (!entry.is_object() || !entry.contains("class_name") || !entry["class_name"].is_string()) {
        why = "the metric " + jsonExcerpt(entry, 50) + " is not a metric's name";
        return std::nullopt;
    }
    static const std::map<std::string, Metric> classes{
        {"MeanAbsoluteError", Metric::MeanAbsoluteError},
        {"MeanSquaredError", Metric::MeanSquaredError},
        {"RootMeanSquaredError", Metric::RootMeanSquaredError},
        {"MeanAbsolutePercentageError", Metric::MeanAbsolutePercentageError},
        {"BinaryAccuracy", Metric::BinaryAccuracy},
        {"CategoricalAccuracy", Metric::CategoricalAccuracy},
        {"SparseCategoricalAccuracy", Metric::SparseCategoricalAccuracy},
        {"TopKCategoricalAccuracy", Metric::TopKCategoricalAccuracy},
        {"SparseTopKCategoricalAccuracy", Metric::SparseTopKCategoricalAccuracy},
        {"Precision", Metric::Precision},
        {"Recall", Metric::Recall},
        {"AUC", Metric::Auc}};
    const std::string cls = entry["class_name"].get<std::string>();
    const auto found = classes.find(cls);
    if (found == classes.end()) {
        why = "the metric " + printableExcerpt(cls, 40) + " is not one LayerLoom computes";
        return std::nullopt;
    }
    const json config = entry.contains("config") && entry["config"].is_object() ? entry["config"] : json::object();
    // A setting away from the one LayerLoom computes with refuses the metric, by name.
    const auto differs = [&](const char* key, const json& value) {
        return config.contains(key) && !config[key].is_null() && config[key] != value;
    };
    const char* setting = nullptr;
    const Metric metric = found->second;
    if (differs("threshold", 0.5)) setting = "threshold";
    // Precision and recall at 0.5, given as a number or a list of one; an AUC's thresholds
    // are its own evenly spaced ones only when it names none.
    const bool atHalf = !config.contains("thresholds") || config["thresholds"].is_null() || config["thresholds"] == 0.5 ||
                        config["thresholds"] == json::array({0.5});
    if ((metric == Metric::Precision || metric == Metric::Recall) && !atHalf) setting = "thresholds";
    if (metric == Metric::Auc && config.contains("thresholds") && !config["thresholds"].is_null()) setting = "thresholds";
    if (differs("top_k", nullptr)) setting = "top_k";
    if (differs("class_id", nullptr)) setting = "class_id";
    if (differs("k", 5)) setting = "k";
    if (differs("num_thresholds", 200)) setting = "num_thresholds";
    if (differs("multi_label", false)) setting = "multi_label";
    if (differs("summation_method", "interpolation")) setting = "summation_method";
    if (differs("label_weights", nullptr)) setting = "label_weights";
    if (setting) {
        why = "the metric " + cls + "'s " + setting + " " + jsonExcerpt(config[setting], 20) +
              " is not imported; LayerLoom computes it with Keras's default";
        return std::nullopt;
    }
    if (metric == Metric::Auc && config.contains("curve") && config["curve"] == "PR") return Metric::PrAuc;
    if (differs("curve", "ROC")) {
        why = "the metric AUC's curve " + jsonExcerpt(config["curve"], 20) + " is not one LayerLoom computes";
        return std::nullopt;
    }
    return metric;
}

void exportKerasFile(const Project& project, const std::vector<NamedTensor>& weights, const std::filesystem::path& file) {
    switch (kerasFileKind(file)) {
        case KerasFileKind::Archive: exportKerasArchive(project, weights, file); return;
        case KerasFileKind::H5: exportKerasH5(project, weights, file); return;
        case KerasFileKind::LayersJson:
        case KerasFileKind::None: break;
    }
    throw std::invalid_argument(file.filename().string() + ": a Keras model file ends in .keras (Keras 3) or .h5 (tf.keras 2)");
}

std::string kerasTopologyJson(const ModelGraph& graph, const std::string& modelName) {
    json topology = kerasModelConfig(graph, modelName, KerasLayerOrder::Topological);
    topology["keras_version"] = "tfjs-layers 4.22.0";
    topology["backend"] = "tensor_flow.js";
    return topology.dump();
}

std::vector<std::string> tfjsLimitations(const ModelGraph& graph) {
    std::vector<std::string> out;
    for (const Node& n : graph.nodes()) {
        const LayerSpec* spec = findLayer(n.kind);
        if (std::string limit = spec ? spec->tfjsLimitation(n) : ""; !limit.empty()) out.push_back(std::move(limit));
        for (const auto& [key, value] : n.params) {
            const auto* name = std::get_if<std::string>(&value);
            if (key.ends_with("activation") && name && !tfjsHasActivation(*name)) {
                out.push_back(n.name + ": TF.js has no " + *name + " activation (Keras 3 and PyTorch have). For TF.js, "
                              "choose another " + key + " and train again.");
            }
        }
    }
    return out;
}

namespace {

/// TF.js's name of a weight: tf.keras 2's without the cells' scopes and ":0", which TF.js
/// leaves out ("lstm_1/kernel", "bidirectional_1/forward_lstm/kernel").
std::string tfjsWeightName(const ModelGraph& graph, const NamedTensor& weight) {
    const auto slash = weight.name.find('/');
    const Node* node = slash == std::string::npos ? nullptr : graph.nodeByName(weight.name.substr(0, slash));
    const LayerSpec* spec = node ? findLayer(node->kind) : nullptr;
    if (!spec) return weight.name;
    return node->name + "/" +
           withoutCellScopes(spec->kerasWeightPlace(*node, {weight.name.substr(slash + 1), weight.shape}).h5Name);
}

}  // namespace

void exportLayersModel(const Project& project, const std::vector<NamedTensor>& weights,
                       const std::filesystem::path& dir) {
    const std::string name = project.name.empty() ? "model" : project.name;
    json manifest = json::array();
    std::string blob;
    for (const NamedTensor& t : weights) {
        manifest.push_back({{"name", tfjsWeightName(project.graph, t)}, {"shape", t.shape}, {"dtype", "float32"}});
        const std::size_t at = blob.size();
        blob.resize(at + t.values.size() * sizeof(float));
        std::memcpy(blob.data() + at, t.values.data(), t.values.size() * sizeof(float));
    }
    const json doc = {{"format", "layers-model"},
                      {"generatedBy", kGeneratedBy},
                      {"convertedBy", nullptr},
                      {"modelTopology", json::parse(kerasTopologyJson(project.graph, name))},
                      {"weightsManifest", json::array({{{"paths", {"weights.bin"}}, {"weights", manifest}}})}};
    std::filesystem::create_directories(dir);
    writeFileAtomically(dir / "weights.bin", blob);
    writeFileAtomically(dir / "model.json", doc.dump(1) + "\n");
}

}  // namespace loom
