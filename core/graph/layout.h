#pragma once

#include <map>

#include "graph/model_graph.h"

namespace loom {

/// Spacing of an automatic layout, in canvas units.
struct LayoutSpacing {
    double column = 280.0;  ///< between neighbours in one layer
    double row = 120.0;     ///< between layers
};

/// A layered top-to-bottom layout (Sugiyama style): each layer sits one row below the deepest
/// layer that feeds it; within a row, layers are ordered by the barycentre of their neighbours
/// over a few down and up sweeps to keep crossings few, then centred on x = 0. Wires that close
/// a cycle are ignored for the layering. Deterministic for a given graph.
std::map<NodeId, Point> layeredLayout(const ModelGraph& graph, LayoutSpacing spacing = {});

/// Lays `graph` out in place with layeredLayout, each collapsed group taking one place as the
/// single card it is drawn as; its hidden layers move along with it.
void layOut(ModelGraph& graph, LayoutSpacing spacing = {});

/// `at`, or the first place a column to the right of it where no layer's card is (at most
/// eight columns on): where a new layer's card covers none.
Point freePlace(const ModelGraph& graph, Point at, LayoutSpacing spacing = {});

}  // namespace loom
