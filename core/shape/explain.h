#pragma once

#include <string>

#include "graph/model_graph.h"
#include "layers/layer_spec.h"

namespace loom {

/// `add_1 (Add)`.
std::string nodeLabel(const Node& node);
/// `(None, 32, 20) from lstm_4`.
std::string describeInput(const LayerInput& input);
/// Why an axis has its size, from the node that decided it: `lstm_4 has units=20`.
std::string explainDim(const ModelGraph& graph, const Dim& dim);

}  // namespace loom
