#pragma once

#include <string>

#include "graph/project_file.h"

namespace loom {

struct KerasCodeOptions {
    /// A keras.Sequential model where the graph is a single chain; functional otherwise.
    bool preferSequential = false;
};

/// Runnable Keras Python for a valid project: the functional API (runs on Keras 3 and tf.keras
/// 2.x), one variable per layer named as in the editor, each layer's options written out, its
/// output shape in a comment, and compile/fit calls with the project's loss, optimizer and
/// hyperparameters. Where Keras versions compute differently from LayerLoom (Keras 3's
/// hard_sigmoid), the code defines the function LayerLoom computes. Throws
/// std::invalid_argument when the graph has errors.
std::string kerasCode(const Project& project, KerasCodeOptions options = {});

}  // namespace loom
