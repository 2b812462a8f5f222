#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "graph/model_graph.h"

namespace loom {

/// Adds a layer of a registered kind with its schema's default parameters and a fresh
/// Keras-like name (`lstm_1`, `lstm_2`, ...) unless `name` is given. Returns 0 for an
/// unknown kind and leaves the graph as it was.
NodeId addLayer(ModelGraph& graph, std::string_view kind, Point position = {},
                std::string name = {});

/// Turns a layer into another registered kind (Add -> Concatenate), with the new kind's default
/// parameters, keeping its name and wires. False for an unknown kind or node.
bool changeLayerKind(ModelGraph& graph, NodeId id, std::string_view kind);

/// Wires `from`'s output into every input port of `nodes` that its layer needs and no wire
/// feeds: the entry of a block added after `from` (a Transformer block's attention query and
/// value and its residual Add). Optional ports (an attention's key) stay free. Returns the
/// number of wires made.
int feedFreeInputs(ModelGraph& graph, NodeId from, const std::vector<NodeId>& nodes);

/// Whether the layer joins branches (Add, Concatenate and the other merges).
bool isMerge(const Node& node);

}  // namespace loom
