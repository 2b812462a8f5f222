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

/// Every node `start` feeds, directly or not (not `start` itself), nearest first.
std::vector<NodeId> downstreamOf(const ModelGraph& graph, NodeId start);
/// The nodes in an order where each comes after every node it reads, the earliest added first
/// among those ready (Kahn's algorithm): stable across edits elsewhere, and the order a shared
/// layer's calls are numbered in (its own node first where nothing else decides). Nodes on a
/// cycle are left out.
std::vector<NodeId> stableOrder(const ModelGraph& graph);
/// Whether `a` feeds `b`, directly or not.
bool feeds(const ModelGraph& graph, NodeId a, NodeId b);

}  // namespace loom
