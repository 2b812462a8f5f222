#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "graph/project_file.h"

namespace loom {

/// A PyTorch module with LayerLoom's (Keras's) numerics for a valid project: Keras gate order,
/// Keras weight layouts and the single-bias LSTM, the configured activations (a Keras-style
/// cell where they are not tanh/sigmoid), a loader for the weights LayerLoom exports, a
/// training loop for the project's loss and optimizer, and a command line:
/// `python3 model.py INPUT.json|INPUT.npz OUTPUT.json` predicts. Throws std::invalid_argument when the
/// graph has errors.
std::string pytorchCode(const Project& project);

/// The module path of a LayerLoom weight in the module pytorchCode writes: `lstm_1/kernel`
/// is `lstm_1.kernel`, a wrapper's `bi/forward_layer/kernel` is `bi.forward_layer.kernel`.
std::string pytorchModuleName(const std::string& weight);

/// Writes `dir/model.py` (pytorchCode), `dir/weights.bin` (float32 tensors in order) and
/// `dir/weights.json` (their names and shapes), so that the module loads LayerLoom's weights and
/// predicts what LayerLoom predicts.
void exportPytorchModel(const Project& project, const std::vector<NamedTensor>& weights,
                        const std::filesystem::path& dir);

}  // namespace loom
