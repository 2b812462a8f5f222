#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "graph/project_file.h"

namespace loom::cli {

/// A model as the CLI takes it: a LayerLoom project, or a Keras/TF.js model.json whose
/// weights lie beside it.
struct LoadedModel {
    Project project;
    std::optional<std::vector<NamedTensor>> weights;  ///< a model.json's own weights
};

/// Throws std::runtime_error with the file and what is wrong.
LoadedModel loadModel(const std::string& path);

}  // namespace loom::cli
