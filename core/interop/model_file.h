#pragma once

#include <filesystem>

#include "graph/project_file.h"

namespace loom {

/// Opens a model the way both front ends do, by the file's kind: a LayerLoom project, or a
/// Keras/TF.js layers-format model.json, imported as a new project that holds the weights
/// lying beside it and is named after its folder. Throws ProjectError or KerasImportError
/// saying what is wrong and where.
Project openModelFile(const std::filesystem::path& path);

/// Whether `path` names a Keras/TF.js model.json rather than a LayerLoom project.
bool isKerasModelFile(const std::filesystem::path& path);

}  // namespace loom
