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
/// Every change of an axis's length, oldest first: `max_pooling1d_1 floors 25 / 2 to 12,
/// up_sampling1d_1 doubles 12 to 24`; explainDim() for an axis no layer changed.
std::string dimStory(const ModelGraph& graph, const Dim& dim);

}  // namespace loom
