#pragma once

#include <vector>

#include "graph/model_graph.h"

namespace loom {

/// A piece of a graph, for copy, paste and duplicate: the chosen layers with their parameters
/// and positions, the wires between them and the groups all of whose layers are chosen. Wires
/// from outside the selection are left out.
ModelGraph extractFragment(const ModelGraph& graph, const std::vector<NodeId>& ids);

/// Adds a copy of `fragment` to `graph` with fresh ids, shifted by `offset`. A name already in
/// use gets the next free number of its stem (`lstm_1` -> `lstm_3`, `encoder` -> `encoder_1`).
/// Returns the new ids in the fragment's order.
std::vector<NodeId> pasteFragment(ModelGraph& graph, const ModelGraph& fragment, Point offset);

}  // namespace loom
