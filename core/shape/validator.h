#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <optional>
#include <vector>

#include "graph/model_graph.h"
#include "shape/diagnostic.h"
#include "shape/tensor_shape.h"

namespace loom {

struct NodeReport {
    std::optional<TensorShape> output;  ///< none when inputs are missing or wrong
    /// The shapes of output ports 1, 2, ... where the layer returns several tensors (a
    /// recurrent layer's states with return_state); empty for one output.
    std::vector<TensorShape> moreOutputs;
    std::int64_t params = 0;            ///< Keras's "Param #", non-trainable weights included
    std::int64_t frozenParams = 0;      ///< of which not trained (moving statistics)
    bool hasError = false;
    bool hasWarning = false;
    /// The output carries a step mask (Masking, Embedding with mask_zero, and what passes it
    /// on): the layers after it that take one skip the padded steps.
    bool masked = false;
};

/// Everything the editor, the summary and the CLI show about a graph: inferred shapes, parameter
/// counts and every problem, computed in one pass.
struct Validation {
    std::vector<NodeReport> nodes;  ///< by index in ModelGraph::nodes()
    std::vector<Diagnostic> diagnostics;
    std::vector<NodeId> order;    ///< producers before consumers
    std::vector<NodeId> outputs;  ///< layers whose output leaves the model, as the graph lists them
    /// Output ports that leave the model for looking at, beside its outputs: MultiHeadAttention's
    /// attention scores with return_attention_scores. Predict, the exports and the window's
    /// views give them; training gives them no target and no loss.
    std::vector<PortRef> viewOutputs;
    /// The model's Input layers, as the graph lists them: the order the model takes its data in
    /// (x, x_1, ...), everywhere it is compiled or exported.
    std::vector<NodeId> inputs;
    std::int64_t totalParams = 0;

    bool hasErrors() const;
    std::size_t count(Severity severity) const;
    const NodeReport& of(const ModelGraph& graph, NodeId id) const {
        return nodes[graph.indexOf(id)];
    }
    /// The shape a wire from `from` carries: the layer's output (port 0) or another of its
    /// output ports (a recurrent layer's states); null when it is not known.
    const TensorShape* shapeAt(const ModelGraph& graph, PortRef from) const;
};

/// Infers every shape and reports every problem. Never throws on user mistakes.
Validation validate(const ModelGraph& graph);

/// The name a view output goes by in predict's arrays and the exports: the layer's name and the
/// port's, "multi_head_attention_1_scores" ("multi_head_attention_1:1" where a layer has that name).
std::string viewOutputName(const ModelGraph& graph, PortRef port);

/// What a wire would do, and the reason in words: the rule it breaks, a warning, or what it
/// replaces.
struct ConnectionVerdict {
    enum Kind {
        Fits,             ///< shapes agree
        FitsWithWarning,  ///< legal, but Keras would do something silently (broadcasting)
        BreaksShapeRule,  ///< can be wired, and validation will then report `reason`
        Impossible,       ///< cannot be wired at all: a loop, into an Input, a missing port
    };
    Kind kind = Impossible;
    std::string reason;

    bool fits() const { return kind == Fits || kind == FitsWithWarning; }
    bool allowed() const { return kind != Impossible; }
};

/// Tries out wires before they are made, for an editor that lights up the ports a dragged wire
/// may go to. Built once per drag from the graph and its validation (both must outlive it);
/// each check re-infers only the target layer, so checking every port of a large graph is
/// cheap.
class ConnectionProbe {
public:
    ConnectionProbe(const ModelGraph& graph, const Validation& validation);
    ~ConnectionProbe();
    ConnectionProbe(const ConnectionProbe&) = delete;
    ConnectionProbe& operator=(const ConnectionProbe&) = delete;

    /// Wiring `from`'s output (port `fromPort`: 0, or a recurrent layer's state) into input
    /// `port` of `to`, replacing the wire that holds the port now: impossible for loops, Inputs
    /// and missing ports; otherwise whether the target's shape rule holds, with the rule's
    /// message when it does not.
    ConnectionVerdict check(NodeId from, NodeId to, int port, int fromPort = 0) const;

private:
    struct State;
    const ModelGraph& m_graph;
    std::unique_ptr<State> m_state;
};

}  // namespace loom
