// Keras 3's .keras model file, as its saving code writes it (keras/src/saving/saving_lib.py):
// a zip of metadata.json, config.json and model.weights.h5.
//
// Keras 3 rebuilds every layer with `cls(**config)` and refuses a keyword it does not know, so
// each layer's config holds exactly the keys its get_config writes in Keras 3.3, no more:
// later versions read every one of them and default what they added since.
#include <chrono>
#include <ctime>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "engine/loss.h"
#include "interop/hdf5_file.h"
#include "interop/keras_export.h"
#include "interop/keras_topology.h"
#include "interop/zip_archive.h"
#include "layers/input.h"
#include "layers/keras_config.h"
#include "layers/layer_registry.h"
#include "shape/validator.h"
#include "train/config_json.h"

namespace loom {

using nlohmann::json;

namespace {

/// The Keras version the file is written for; its reader picks Keras 3's semantics by it.
constexpr const char* kKeras3Version = "3.3.3";

/// A shape with its batch axis, as Keras writes one: [null, 32, 1].
json batchShape(const Dims& dims) {
    json shape = json::array({nullptr});
    for (std::int64_t d : dims) shape.push_back(d == kNone ? json(nullptr) : json(d));
    return shape;
}

/// What Keras 3 would compute differently from LayerLoom, refused by name.
void checkKeras3Semantics(const ModelGraph& graph) {
    for (const Node& n : graph.nodes()) {
        for (const char* key : {"activation", "recurrent_activation"}) {
            const auto it = n.params.find(key);
            if (it == n.params.end()) continue;
            const auto* s = std::get_if<std::string>(&it->second);
            if (s && *s == "hard_sigmoid") {
                throw std::invalid_argument(n.name + ": " + key + " hard_sigmoid is tf.keras 2's clip(0.2x + 0.5, 0, 1) in LayerLoom; "
                                            "Keras 3's is relu6(x + 3) / 6, so a .keras file would compute other numbers. "
                                            "Choose sigmoid, or export a tf.keras 2 .h5 file");
            }
        }
    }
}

class ArchiveConfig {
public:
    ArchiveConfig(const ModelGraph& graph, const Validation& v) : m_graph(graph), m_v(v) {}

    /// The functional model's serialization, layers in Keras's order.
    json model(const std::string& name, const std::vector<NodeId>& order) const {
        json layers = json::array();
        for (NodeId id : order) layers.push_back(layer(*m_graph.node(id)));
        json inputs = json::array(), outputs = json::array();
        for (NodeId id : m_v.inputs) inputs.push_back(json::array({m_graph.node(id)->name, 0, 0}));
        for (NodeId id : m_v.outputs) {
            const KerasCall out = m_calls.of(id);
            outputs.push_back(json::array({out.layer->name, out.index, 0}));
        }
        for (const PortRef& view : m_v.viewOutputs) {  // the attention scores, beside the outputs
            const KerasCall out = m_calls.of(view.node);
            outputs.push_back(json::array({out.layer->name, out.index, view.port}));
        }
        return {{"module", "keras.src.models.functional"},
                {"class_name", "Functional"},
                {"config", {{"name", name}, {"trainable", true}, {"layers", layers}, {"input_layers", inputs}, {"output_layers", outputs}}},
                {"registered_name", "Functional"}};
    }

private:
    const ModelGraph& m_graph;
    const Validation& m_v;
    const KerasCalls m_calls{m_graph};


    /// One layer as Functional.get_config lists it: its serialization, build_config, name
    /// and the call that made it.
    json layer(const Node& node) const {
        if (node.isInput()) {
            json entry = kerasObject("keras.layers", "InputLayer",
                                     {{"batch_shape", batchShape(node.param<Dims>("shape"))}, {"dtype", holdsTokenIds(node) ? "int32" : "float32"}, {"sparse", false}, {"name", node.name}});
            entry["name"] = node.name;
            entry["inbound_nodes"] = json::array();
            return entry;
        }
        const LayerSpec& spec = *findLayer(node.kind);
        // Merges take their inputs as one list.
        const bool merge = spec.takesList();
        const std::vector<NodeId>& calls = m_calls.calls(node.id);
        const Call first = call(calls.empty() ? node.id : calls.front(), spec);
        json config = kerasBaseConfig(node.name, KerasFormat::Keras3);
        config.update(spec.kerasConfig(node, KerasFormat::Keras3, first.inputDims));
        const KerasOrigin origin = spec.kerasOrigin();
        json entry = kerasObject(origin.module, node.kind, std::move(config));
        if (!origin.registeredName.empty()) entry["registered_name"] = origin.registeredName;
        if (spec.callTensorNames().empty()) {
            entry["build_config"] = {{"input_shape", merge ? first.shapes : first.shapes[0]}};
        } else {
            entry["build_config"] = {{"shapes_dict", first.byName}};
        }
        entry["name"] = node.name;
        // A shared layer's calls follow its own, each an inbound node.
        entry["inbound_nodes"] = json::array({first.node});
        for (std::size_t k = 1; k < calls.size(); ++k) entry["inbound_nodes"].push_back(call(calls[k], spec).node);
        return entry;
    }

    /// One call of a layer: its inbound node ({"args": [...], "kwargs": {...}}), and the shapes
    /// that build the layer.
    struct Call {
        json node, shapes = json::array(), byName = json::object();
        std::vector<Dims> inputDims;
    };

    Call call(NodeId at, const LayerSpec& spec) const {
        const Node& node = *m_graph.node(at);
        // A recurrent layer's starting states go to its call's initial_state; a state is its
        // layer's tensor 1, 2, ... after the output.
        const bool startsFromStates = !spec.inputPortNames(node).empty();
        const std::vector<std::string_view> named = spec.callTensorNames();
        Call c;
        json tensors = json::array(), initial = json::array(), namedTensors = json::object();
        for (const Edge* e : m_graph.inputEdges(at)) {
            const NodeId from = e->from.node;
            const TensorShape& shape = *m_v.shapeAt(m_graph, e->from);
            c.inputDims.push_back(shape.sizes());
            const KerasCall source = m_calls.of(from);
            json tensor = {{"class_name", "__keras_tensor__"},
                           {"config", {{"shape", batchShape(shape.sizes())}, {"dtype", e->from.port == 0 && holdsTokenIds(*m_graph.node(from)) ? "int32" : "float32"}, {"keras_history", json::array({source.layer->name, source.index, e->from.port})}}}};
            if (startsFromStates && e->to.port > 0) {
                initial.push_back(std::move(tensor));
                continue;
            }
            const auto port = static_cast<std::size_t>(e->to.port);
            if (port < named.size()) {
                // Keras 3 builds such a layer from a shape per tensor argument but its masks
                // (query_shape, value_shape, ...); one that does not follow the others in
                // order of ports (the attention mask) is passed by name.
                const std::string name(named[port]);
                if (!name.ends_with("_mask")) c.byName[name + "_shape"] = batchShape(shape.sizes());
                if (port != static_cast<std::size_t>(tensors.size()) || name.ends_with("_mask")) {
                    namedTensors[name] = std::move(tensor);
                    continue;
                }
            }
            c.shapes.push_back(batchShape(shape.sizes()));
            tensors.push_back(std::move(tensor));
        }
        json kwargs = spec.kerasCallOptions(node);
        kwargs.update(namedTensors);
        if (!initial.empty()) kwargs["initial_state"] = std::move(initial);
        c.node = {{"args", spec.takesList() ? json::array({tensors}) : tensors}, {"kwargs", kwargs}};
        return c;
    }
};

/// The project's loss and optimizer as Keras 3's compile_config.
json compileConfig(const nlohmann::json& training, const std::vector<std::string>& outputs, bool keyed) {
    const TrainConfig t = trainConfigFromJson(training);
    const json optimizer = kerasOptimizer(t.optimizer);
    const KerasCompileLosses losses = kerasCompileLosses(t, outputs, true, keyed);
    return {{"optimizer", kerasObject("keras.optimizers", optimizer["class_name"].get<std::string>(), optimizer["config"])},
            {"loss", losses.loss},
            {"loss_weights", losses.lossWeights},
            {"metrics", losses.metrics},
            {"weighted_metrics", nullptr},
            {"run_eagerly", false},
            {"steps_per_execution", 1},
            {"jit_compile", false}};
}

std::string dateSaved() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm local{};
    localtime_r(&now, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d@%H:%M:%S", &local);
    return text;
}

}  // namespace

void exportKerasArchive(const Project& project, const std::vector<NamedTensor>& weights, const std::filesystem::path& file) {
    const ModelGraph& graph = project.graph;
    const Validation v = validate(graph);
    if (v.hasErrors()) {
        throw std::invalid_argument("the model has " + std::to_string(v.count(Severity::Error)) + " error(s); fix them before exporting");
    }
    checkKeras3Semantics(graph);
    const auto ofLayer = kerasWeightsByLayer(graph, weights);
    const std::vector<NodeId> order = kerasLayerOrder(graph, v.outputs);

    json config = ArchiveConfig(graph, v).model(project.name.empty() ? "model" : project.name, order);
    std::vector<std::string> outputs;
    for (NodeId id : v.outputs) outputs.push_back(graph.node(id)->name);
    // The attention scores leave the model untrained: the losses go by the outputs' names.
    config["compile_config"] = compileConfig(project.training, outputs, !v.viewOutputs.empty());

    // saving_lib walks the model: its own variables at "vars", then each layer in model.layers
    // under layers/<class in snake_case>[_n], numbered per class, with a "vars" group each.
    Hdf5Writer h5 = Hdf5Writer::inMemory("model.weights.h5");
    h5.group("vars");
    std::map<std::string, int> used;
    for (NodeId id : order) {
        const Node& node = *graph.node(id);
        std::string key = "layers/" + kerasSnakeCase(node.kind);
        if (const auto [it, fresh] = used.try_emplace(key, 0); !fresh) {
            key += '_';
            key += std::to_string(++it->second);
        }
        h5.group(key + "/vars");
        const auto own = ofLayer.find(node.name);
        if (own == ofLayer.end()) continue;
        // Each weight in the vars of the object that holds it (a recurrent layer's cell, a
        // wrapper's inner layer), numbered in creation order there.
        std::map<std::string, int> count;
        const LayerSpec& spec = *findLayer(node.kind);
        for (const NamedTensor* t : own->second) {
            const std::string owner = spec.kerasWeightPlace(node, {t->name.substr(node.name.size() + 1), t->shape}).keras3Owner;
            const std::string vars = key + (owner.empty() ? "" : "/" + owner) + "/vars";
            if (count.find(vars) == count.end()) h5.group(vars);
            h5.floats(vars + "/" + std::to_string(count[vars]++), t->shape, t->values);
        }
    }
    std::string weightsImage = h5.image();
    h5.close();

    ZipWriter zip = ZipWriter::create(file);
    zip.add("metadata.json", json{{"keras_version", kKeras3Version}, {"date_saved", dateSaved()}}.dump());
    zip.add("config.json", config.dump());
    zip.add("model.weights.h5", std::move(weightsImage));
    zip.finish();
}

}  // namespace loom
