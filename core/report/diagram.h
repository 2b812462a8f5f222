#pragma once

#include <string>
#include <vector>

#include "graph/model_graph.h"
#include "shape/validator.h"

namespace loom {

/// One box of a Keras `plot_model(show_shapes=True)`-style diagram.
struct DiagramBox {
    NodeId id = 0;
    std::string name;
    std::string kind;
    std::string input;   ///< `(None, 32, 1)`; several inputs as `[(..), (..)]`; `?` unknown
    std::string output;
    bool error = false;  ///< the layer has a problem (drawn in red)
    Point at;            ///< the box's top centre in a layered layout (see layeredLayout)
};

/// The diagram's content: a box per layer, producers before consumers, placed by the layered
/// layout; the wires are the graph's edges.
std::vector<DiagramBox> diagramBoxes(const ModelGraph& graph, const Validation& validation);

/// The diagram in Graphviz's DOT language, as Keras writes it: one HTML-like table per layer
/// with its name, kind and input/output shapes, edges top to bottom. `title` labels the graph.
std::string diagramDot(const ModelGraph& graph, const Validation& validation,
                       const std::string& title);

}  // namespace loom
