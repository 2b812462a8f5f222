#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "graph/project_file.h"
#include "layers/layer_spec.h"

namespace loom {

/// The most bytes of weights a Keras model may claim, in any of its file kinds: far beyond any
/// model LayerLoom trains, and checked before anything is allocated.
inline constexpr std::uint64_t kMaxKerasWeightBytes = std::uint64_t{16} << 30;

/// Parses JSON text of a Keras file; a syntax error becomes a KerasImportError that starts
/// with `where` and says the line and column.
nlohmann::json parseKerasJson(const std::string& text, const std::string& where);

/// The producer a `keras_version` text names ("2.15.0", "3.3.3"); Keras 2 when it is empty.
KerasProducer producerOfVersion(const std::string& kerasVersion);

/// One Keras layer of a topology, in the order the configuration lists them.
struct KerasLayer {
    std::string name;
    std::string className;  ///< as Keras names it: "LSTM", "TimeDistributed", "InputLayer"
};

/// A model's topology read into a project, laid out top to bottom.
struct KerasTopology {
    Project project;
    std::vector<KerasLayer> layers;  ///< as the configuration lists them (an implied Input not among them)
    /// What the import left out and the user should know (an initialiser LayerLoom does not have).
    std::vector<std::string> notes;
};

/// Keras's naming.to_snake_case, which names a layer's place in a .keras weights file after
/// its class: "TimeDistributed" -> "time_distributed", "LSTM" -> "lstm".
std::string kerasSnakeCase(const std::string& className);

/// LayerLoom's name of a weight below its layer from Keras's: without ":0", and without the
/// scopes of recurrent cells ("lstm_cell_1/kernel:0" -> "kernel"), a Bidirectional's layers
/// named as Keras 3 names them ("forward_lstm_2/lstm_cell/bias" -> "forward_layer/bias").
std::string layerLoomWeightName(std::string kerasName);
/// A Keras weight name without ":0" and without the scopes of recurrent cells, as TF.js names
/// weights: "forward_lstm/lstm_cell/kernel:0" -> "forward_lstm/kernel".
std::string withoutCellScopes(std::string kerasName);

/// The order in which Keras lists a functional model's layers (`model.layers`), which its
/// .h5 files load weights by and its .keras files number their weight groups by: decreasing
/// depth (the longest path to an output), ties broken by the order a depth-first walk from the
/// outputs (inputs in operand order) first meets the layers, as Keras's `_map_graph_network`
/// and TF.js's container do. `outputs` in the model's output order.
std::vector<NodeId> kerasLayerOrder(const ModelGraph& graph, const std::vector<NodeId>& outputs);

/// Reads a Keras model configuration ({"class_name": "Sequential" | "Functional" | "Model",
/// "config": {...}}) in the forms tf.keras 2, TF.js and Keras 3 write: Keras 2's
/// `inbound_nodes` lists and Keras 3's call arguments, `batch_input_shape` and `batch_shape`.
/// Unsupported layers, nested models and custom objects are refused by name; `where` starts
/// every message (the file, and the part of it). Throws KerasImportError.
KerasTopology readKerasTopology(const nlohmann::json& topology, KerasProducer producer, const std::string& where);

}  // namespace loom
