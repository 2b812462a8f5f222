#pragma once

#include <vector>

#include "graph/model_graph.h"

namespace loom {

/// Structure of a graph, computed with Boost.Graph. Vectors indexed "by index" follow
/// ModelGraph::nodes().
struct GraphAnalysis {
    /// Every node, producers before consumers; the nodes of one cycle stand together.
    std::vector<NodeId> order;
    /// Each cycle as the nodes along its wires, starting at its first node in file order.
    std::vector<std::vector<NodeId>> cycles;
    std::vector<bool> inCycle;    ///< by index
    std::vector<bool> reachable;  ///< by index: fed, directly or not, by an Input layer
};

GraphAnalysis analyzeGraph(const ModelGraph& graph);

}  // namespace loom
