#pragma once

#include <string>
#include <string_view>

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

/// Whether the layer joins branches (Add, Concatenate and the other merges).
bool isMerge(const Node& node);

}  // namespace loom
