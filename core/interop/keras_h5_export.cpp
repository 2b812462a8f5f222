// Keras's .h5 model file, as tf.keras 2 writes it (keras/saving/legacy/hdf5_format.py).
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "engine/loss.h"
#include "shape/validator.h"
#include "interop/hdf5_file.h"
#include "interop/keras_export.h"
#include "layers/layer_registry.h"
#include "train/config_json.h"

namespace loom {

using nlohmann::json;

namespace {

/// tf.keras 2's name of a weight (`lstm_1/lstm_cell/kernel:0`) from LayerLoom's
/// (`lstm_1/kernel`): where the layer's kind says Keras keeps it.
std::string tfKerasWeightName(const Node& node, const NamedTensor& weight) {
    const std::string own = weight.name.substr(node.name.size() + 1);
    return node.name + "/" + findLayer(node.kind)->kerasWeightPlace(node, {own, weight.shape}).h5Name;
}

/// The project's loss and optimizer as tf.keras 2's training_config.
json trainingConfig(const nlohmann::json& training, const std::vector<std::string>& outputs, bool keyed) {
    const TrainConfig c = trainConfigFromJson(training);
    const json optimizer = kerasOptimizer(c.optimizer);
    const KerasCompileLosses losses = kerasCompileLosses(c, outputs, false, keyed);
    return {{"loss", losses.loss},
            {"metrics", losses.metrics},
            {"weighted_metrics", nullptr},
            {"loss_weights", losses.lossWeights},
            {"optimizer_config", {{"class_name", optimizer["class_name"]}, {"config", optimizer["config"]}}}};
}

}  // namespace

void exportKerasH5(const Project& project, const std::vector<NamedTensor>& weights, const std::filesystem::path& file) {
    const ModelGraph& graph = project.graph;
    for (const Node& n : graph.nodes()) {
        const LayerSpec* spec = findLayer(n.kind);
        if (spec && !spec->kerasOrigin().package.empty()) {
            throw std::invalid_argument(n.name + " is a " + n.kind + " of " + std::string(spec->kerasOrigin().package) +
                                        ", which tf.keras 2 (the .h5 format) does not have: save the model as .keras");
        }
    }
    const json config = kerasModelConfig(graph, project.name.empty() ? "model" : project.name, KerasLayerOrder::Keras);
    const auto ofLayer = kerasWeightsByLayer(graph, weights);

    Hdf5Writer h5 = Hdf5Writer::create(file);
    h5.text("", "keras_version", "2.15.0");
    h5.text("", "backend", "tensorflow");
    h5.text("", "model_config", config.dump());
    std::vector<std::string> outputs;
    const Validation v = validate(graph);
    for (NodeId id : v.outputs) outputs.push_back(graph.node(id)->name);
    // The attention scores leave the model untrained: the losses go by the outputs' names.
    h5.text("", "training_config", trainingConfig(project.training, outputs, !v.viewOutputs.empty()).dump());
    std::vector<std::string> layers;
    for (const json& l : config["config"]["layers"]) layers.push_back(l["name"].get<std::string>());
    h5.names("model_weights", "layer_names", layers);
    h5.text("model_weights", "backend", "tensorflow");
    h5.text("model_weights", "keras_version", "2.15.0");
    for (const std::string& layer : layers) {
        const Node& node = *graph.nodeByName(layer);
        const std::string group = "model_weights/" + layer;
        const auto it = ofLayer.find(layer);
        const std::vector<const NamedTensor*> none;
        const std::vector<const NamedTensor*>& own = it != ofLayer.end() ? it->second : none;
        std::vector<std::string> names;
        for (const NamedTensor* t : own) names.push_back(tfKerasWeightName(node, *t));
        h5.names(group, "weight_names", names);
        for (std::size_t i = 0; i < names.size(); ++i) h5.floats(group + "/" + names[i], own[i]->shape, own[i]->values);
    }
    h5.close();
}

}  // namespace loom
