#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "graph/project_file.h"

namespace loom {

/// A Keras/TF.js `model.json` (layers format) that LayerLoom cannot take: what and where.
class KerasImportError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A Keras model read into LayerLoom: the graph (laid out top to bottom) and its weights, named
/// `layer/kernel` as LayerLoom's plans name them.
struct KerasImport {
    Project project;
    std::vector<NamedTensor> weights;
};

/// Reads `model.json` and the weight files its manifest names (beside it). Sequential and
/// functional topologies; InputLayer, LSTM, GRU, Dense, TimeDistributed(Dense), RepeatVector,
/// Add, Concatenate and Dropout. Anything else is refused with the layer's name and class.
/// Where an option is missing, the producer's default applies: TF.js's LSTM/GRU
/// recurrent_activation is hard_sigmoid, Keras's sigmoid.
KerasImport importKerasModel(const std::filesystem::path& modelJson);

/// Reads a nested JSON array (batch, time, features) or (batch, features) into a flat
/// row-major vector and its shape.
std::vector<float> readJsonArray(const std::filesystem::path& file, std::vector<std::int64_t>& shape);

}  // namespace loom
