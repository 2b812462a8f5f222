#pragma once

#include <chrono>
#include <filesystem>
#include <stop_token>
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
    /// What the import left out or chose that the user should know (the optimizer's state,
    /// a loss LayerLoom does not have).
    std::vector<std::string> notes;
};

/// The kinds of Keras model files LayerLoom opens, told by the file name.
enum class KerasFileKind {
    None,        ///< not a Keras model file (a LayerLoom project, say)
    LayersJson,  ///< a Keras/TF.js layers-format model.json with its weight files beside it
    H5,          ///< model.save("model.h5"): tf.keras 2, or Keras 3's legacy format
    Archive,     ///< model.save("model.keras"): Keras 3's zip archive
};
KerasFileKind kerasFileKind(const std::filesystem::path& file);

/// Reads any Keras model file by its kind (see KerasFileKind): the graph, its weights and the
/// training settings saved with it (loss, optimizer, learning rate) where LayerLoom has them.
/// Throws KerasImportError saying what is wrong and where (the file, the part of it).
/// A file that keeps the HDF5 library busy longer than `limit` is refused as damaged; a request
/// on `stop` ends the reading at once with Cancelled (io/isolated.h).
KerasImport importKerasFile(const std::filesystem::path& file, std::chrono::seconds limit = std::chrono::seconds(60),
                            std::stop_token stop = {});

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
