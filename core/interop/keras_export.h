#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/loss.h"
#include "engine/metrics.h"
#include "engine/optimizer.h"
#include "engine/tensor.h"
#include "graph/project_file.h"
#include "shape/validator.h"
#include "train/trainer.h"

namespace loom {

/// The order a model configuration lists its layers in: the graph's topological order (the
/// layers format, where weights bind by name), or Keras's own (`model.layers`), which .h5 and
/// .keras files bind weights by.
enum class KerasLayerOrder { Topological, Keras };

/// Where a node's call stands in a Keras model: the layer that holds it (a shared layer, for
/// one of its calls) and the call's node index.
struct KerasCall {
    const Node* layer = nullptr;
    int index = 0;
};

/// A model's calls as Keras numbers them: a shared layer's calls (its own node among them) in
/// an order the model can compute them in (stableOrder), from 0, since Keras rebuilds a
/// layer's nodes in list order, each from tensors already made.
class KerasCalls {
public:
    explicit KerasCalls(const ModelGraph& graph);
    KerasCall of(NodeId id) const;
    /// The calls of the layer `owner` (itself and the nodes that share its weights), by index.
    const std::vector<NodeId>& calls(NodeId owner) const;

private:
    const ModelGraph& m_graph;
    std::map<NodeId, std::vector<NodeId>> m_calls;  // by the layer
    std::map<NodeId, int> m_index;
};

/// A valid graph's model configuration as tf.keras 2 writes it ({"class_name": "Functional",
/// "config": {...}}), every option LayerLoom computes with written out, a shared layer once with
/// an inbound node per call; throws std::invalid_argument when the graph has errors.

nlohmann::json kerasModelConfig(const ModelGraph& graph, const std::string& modelName, KerasLayerOrder order);

/// The Keras functional topology of a valid graph as the layers format writes it: one entry per
/// layer with every option LayerLoom computes with written out (TF.js and Keras disagree on some
/// defaults, e.g. an LSTM's recurrent_activation), inbound nodes in operand order, input and
/// output layers. Throws std::invalid_argument when the graph has errors.
std::string kerasTopologyJson(const ModelGraph& graph, const std::string& modelName);

/// What TF.js (4.x) cannot load of this graph although Keras can, in words, one per layer:
/// a GRU with reset_after=True (Keras's default; TF.js implements only reset_after=False).
std::vector<std::string> tfjsLimitations(const ModelGraph& graph);

/// Writes a Keras/TF.js layers-format model into `dir`: `model.json` (the topology and a
/// weights manifest) and `weights.bin` (float32, little-endian, in manifest order). TF.js's
/// `tf.loadLayersModel` reads it as it is; `weights` are LayerLoom's (`lstm_1/kernel`) and must
/// cover every parameter of the graph. Files are written atomically.
void exportLayersModel(const Project& project, const std::vector<NamedTensor>& weights,
                       const std::filesystem::path& dir);

/// Writes `project`'s model as tf.keras 2 writes model.save("model.h5"), for tf.keras 2.x's
/// load_model: the root's `model_config` (Keras's layer order), `keras_version` 2.15.0 and
/// `training_config` (the project's loss and optimizer), and `model_weights`, which lists the
/// layers in that order and each layer's weights under tf.keras's names ("lstm_1/lstm_cell/
/// kernel:0"). `weights` must cover every parameter. Written beside `file`, then renamed.
void exportKerasH5(const Project& project, const std::vector<NamedTensor>& weights, const std::filesystem::path& file);

/// Writes `project`'s model as Keras 3 writes model.save("model.keras"), for the load_model of
/// Keras 3.3 and later: a zip of `metadata.json`, `config.json` (Keras 3's serialization of a
/// functional model, with the project's loss and optimizer as its compile_config) and
/// `model.weights.h5` (each layer's variables where Keras's saving code looks for them).
/// Throws std::invalid_argument for what Keras 3 would compute differently (hard_sigmoid).
/// `weights` must cover every parameter. Written beside `file`, then renamed.
void exportKerasArchive(const Project& project, const std::vector<NamedTensor>& weights, const std::filesystem::path& file);

/// Writes a Keras model file by the name's extension: .keras with exportKerasArchive, .h5 or
/// .hdf5 with exportKerasH5; throws std::invalid_argument for any other name.
void exportKerasFile(const Project& project, const std::vector<NamedTensor>& weights, const std::filesystem::path& file);

/// An optimizer as Keras serializes it, {"class_name": "Adam", "config": {...}}: the keys every
/// Keras 3 optimizer and tf.keras 2.11+'s take (later versions added more, with defaults).
nlohmann::json kerasOptimizer(const OptimizerConfig& optimizer);

/// The loss as Keras saves it: its name, or with from_logits the loss object
/// {"class_name": "BinaryCrossentropy", "config": {..., "from_logits": true}} (Keras 3's
/// reduction name when `keras3`, tf.keras 2's otherwise).
nlohmann::json kerasLoss(Loss loss, bool fromLogits, bool keras3);

/// The compile metrics as Keras saves them: null for none, else a list holding the names both
/// tf.keras 2 and Keras 3 resolve ("mae", "accuracy") and metric objects for the others
/// ({"class_name": "AUC", "config": {..., "curve": "PR"}}; Keras 3's module form when `keras3`).
/// AUC reads logits as the loss does with `fromLogits`.
nlohmann::json kerasMetrics(const std::vector<Metric>& metrics, bool fromLogits, bool keras3);

/// A project's loss, loss_weights and metrics as compile saves them, for a model whose outputs
/// are `outputs`: one loss, no weights and a list of metrics with one output; with several, a
/// dict of each by output name (TrainConfig::lossOf).
struct KerasCompileLosses {
    nlohmann::json loss, lossWeights, metrics;
};
/// `keyed`: by the outputs' names even for one, as a model that also gives attention scores
/// needs (an output missing from the dict gets no loss).
KerasCompileLosses kerasCompileLosses(const TrainConfig& config, const std::vector<std::string>& outputs, bool keras3,
                                      bool keyed = false);

/// The metric a Keras metric entry names (a name, or a metric object with Keras's defaults), or
/// nullopt with `why` saying what LayerLoom does not compute.
std::optional<Metric> metricFromKeras(const nlohmann::json& entry, std::string& why);

/// The weights of each layer that has any, in the layer's parameter order, by layer name;
/// throws std::invalid_argument when one is missing or does not fit its layer.
std::map<std::string, std::vector<const NamedTensor*>> kerasWeightsByLayer(const ModelGraph& graph,
                                                                           const std::vector<NamedTensor>& weights);

}  // namespace loom
