#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "graph/project_file.h"
#include "shape/validator.h"

namespace loom {

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

}  // namespace loom
