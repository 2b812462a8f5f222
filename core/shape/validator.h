#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "graph/model_graph.h"
#include "shape/diagnostic.h"
#include "shape/tensor_shape.h"

namespace loom {

struct NodeReport {
    std::optional<TensorShape> output;  ///< none when inputs are missing or wrong
    std::int64_t params = 0;            ///< Keras's trainable parameter count
    bool hasError = false;
    bool hasWarning = false;
};

/// Everything the editor, the summary and the CLI show about a graph: inferred shapes, parameter
/// counts and every problem, computed in one pass.
struct Validation {
    std::vector<NodeReport> nodes;  ///< by index in ModelGraph::nodes()
    std::vector<Diagnostic> diagnostics;
    std::vector<NodeId> order;    ///< producers before consumers
    std::vector<NodeId> outputs;  ///< layers whose output leaves the model
    std::int64_t totalParams = 0;

    bool hasErrors() const;
    std::size_t count(Severity severity) const;
    const NodeReport& of(const ModelGraph& graph, NodeId id) const {
        return nodes[graph.indexOf(id)];
    }
};

/// Infers every shape and reports every problem. Never throws on user mistakes.
Validation validate(const ModelGraph& graph);

}  // namespace loom
