#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/named_tensor.h"
#include "graph/project_file.h"
#include "interop/onnx/onnx_graph.h"
#include "train/session.h"
#include "train/warm_start.h"

namespace loom {

/// The model files LayerLoom writes.
enum class ModelFormat {
    KerasCode,  ///< a Python file: the Keras model built in code (no weights)
    KerasFile,  ///< OUT.keras (Keras 3) or OUT.h5 (tf.keras 2), by the file's suffix
    Layers,     ///< a folder: model.json and weights.bin (Keras/TF.js layers format)
    Pytorch,    ///< a folder: model.py, weights.bin and weights.json
    Onnx,       ///< OUT.onnx: an ONNX model of standard operators with its weights
};

/// What to export and with which weights, the same from the window's File > Export and from
/// `layerloom-cli export`.
struct ModelExportRequest {
    Project project;  ///< its name names the model in the files (the file's name when empty)
    std::vector<NamedTensor> weights;  ///< trained weights; none: Keras's initialisers
    WeightsOrigin origin = WeightsOrigin::Model;
    /// Seeds the initialisers of the layers the weights do not fit: the project's training
    /// seed unless the caller chose one.
    std::optional<std::uint64_t> seed;
    ModelFormat format = ModelFormat::KerasFile;
    bool sequential = false;  ///< KerasCode: keras.Sequential where the model is a chain
    int onnxOpset = kOnnxNewestOpset;  ///< Onnx: the operator set written
    std::filesystem::path target;
};

struct ModelExportResult {
    std::vector<std::filesystem::path> files;  ///< written
    bool withWeights = false;   ///< false for Keras code, which holds none
    bool trained = false;       ///< trained weights were given
    std::uint64_t seed = 0;     ///< what seeded the layers that start afresh
    /// Which layers keep the trained weights; why the others start afresh (`reasons`).
    WeightMatch match;
    std::size_t tensors = 0;    ///< weight tensors written
};

/// What `format` cannot hold of a valid model, one sentence per layer: what TF.js cannot load
/// (Layers), what the PyTorch module or ONNX cannot compute. Empty when it holds all of it.
std::vector<std::string> exportLimits(const ModelGraph& graph, ModelFormat format);
/// Why `format` cannot hold the model (exportLimits) and which formats can, in words; empty
/// when it holds the model.
std::string exportRefusal(const ModelGraph& graph, ModelFormat format);

/// Writes the model. Throws PlanError, before writing anything, when the model has errors,
/// when the format cannot hold it (exportLimits, with the formats that can), or when weights
/// chosen for the export (WeightsOrigin::Given) fit none of its layers; std::runtime_error
/// when a file cannot be written, naming it.
ModelExportResult exportModel(const ModelExportRequest& request);

/// The files a format that writes a folder (PyTorch, Keras layers) puts in it; empty for the
/// formats that write one file.
std::vector<std::string> folderFiles(ModelFormat format);

/// The seed a project trains and exports with when none is chosen.
std::uint64_t projectSeed(const Project& project);

}  // namespace loom
