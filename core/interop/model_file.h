#pragma once

#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

#include "graph/project_file.h"

namespace loom {

/// Opens a model the way both front ends do, by the file's kind: a LayerLoom project, a Keras
/// model (a .keras archive, an .h5 file, or a layers-format model.json with the weights lying
/// beside it) or an ONNX model (.onnx), imported as a new project that holds its weights.
/// Throws ProjectError, KerasImportError or OnnxReadError saying what is wrong and where.
/// What an import left out or chose that the user should know goes into `notes`. A request on
/// `stop` ends the reading of a Keras .h5 or .keras file at once with Cancelled.
Project openModelFile(const std::filesystem::path& path, std::vector<std::string>* notes = nullptr, std::stop_token stop = {});

/// Whether `path` names a Keras model file rather than a LayerLoom project.
bool isKerasModelFile(const std::filesystem::path& path);
/// Whether `path` names an ONNX model (.onnx).
bool isOnnxModelFile(const std::filesystem::path& path);
/// Whether `path` names a model of another tool (Keras, ONNX), which opens as a new project.
bool isImportedModelFile(const std::filesystem::path& path);

}  // namespace loom
