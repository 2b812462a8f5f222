#pragma once

#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

#include "graph/project_file.h"

namespace loom {

/// Opens a model the way both front ends do, by the file's kind: a LayerLoom project, or a
/// Keras model (a .keras archive, an .h5 file, or a layers-format model.json with the weights
/// lying beside it), imported as a new project that holds its weights. Throws ProjectError or
/// KerasImportError saying what is wrong and where.
/// What an import left out or chose that the user should know goes into `notes`. A request on
/// `stop` ends the reading of a Keras .h5 or .keras file at once with Cancelled.
Project openModelFile(const std::filesystem::path& path, std::vector<std::string>* notes = nullptr, std::stop_token stop = {});

/// Whether `path` names a Keras model file rather than a LayerLoom project.
bool isKerasModelFile(const std::filesystem::path& path);

}  // namespace loom
