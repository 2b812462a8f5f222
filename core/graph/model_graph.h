#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "graph/ids.h"
#include "graph/param_value.h"

namespace loom {

using ParamMap = std::map<std::string, ParamValue, std::less<>>;

/// One layer on the canvas. `kind` is the Keras class name ("LSTM", "Dense", ...); `params` holds
/// every parameter of the kind's schema when made by addLayer (layers/layer_nodes.h) or read.
/// The kind of the layer that stands for a model input (Keras's class name).
inline constexpr std::string_view kInputKind = "InputLayer";

struct Node {
    NodeId id = 0;
    std::string kind;
    std::string name;
    ParamMap params;
    Point position;
    /// A call of another layer (Keras's shared layer, applied at several places): the id of
    /// the layer whose weights it uses and whose kind and parameters it keeps; 0 for a layer
    /// with weights of its own.
    NodeId shares = 0;

    /// The value of a parameter. Loading and editing keep every schema parameter present and
    /// well typed; a missing or mistyped one reads as T{} (schema validation reports it).
    template <class T>
    const T& param(std::string_view key) const;

    /// Whether the layer is a model input.
    bool isInput() const { return kind == kInputKind; }

    bool operator==(const Node&) const = default;
};

/// A wire from an output port to an input port.
struct Edge {
    EdgeId id = 0;
    PortRef from;
    PortRef to;
    bool operator==(const Edge&) const = default;
};

/// Layers the user gathered into a named block ("residual LSTM block"). A collapsed group is
/// drawn as one card with the block's outside ports; groups change nothing about the model's
/// numerics. A layer belongs to at most one group.
struct Group {
    std::uint32_t id = 0;
    std::string name;
    std::vector<NodeId> members;  ///< in the order the user chose them
    bool collapsed = true;
    Point position;  ///< where the collapsed card stands (top centre)
    bool operator==(const Group&) const = default;
};

/// The model as plain data: nodes and edges keyed by stable ids, in insertion order.
/// Graph algorithms live in graph_algorithms.h, shapes and diagnostics in shape/.
class ModelGraph {
public:
    /// Adds a node as given under a fresh id and returns the id. The graph knows nothing of
    /// layer kinds: `addLayer` (layers/layer_nodes.h) fills a kind's defaults and name.
    NodeId addNode(std::string kind, ParamMap params, Point position, std::string name);
    /// Inserts a fully described node with its own id (used by loading and undo); the id must
    /// be free.
    void insertNode(Node node);
    /// Removes the node and every edge touching it. Returns the removed edges. A shared layer's
    /// first other call takes its weights over, and the others then share that one's.
    std::vector<Edge> removeNode(NodeId id);

    /// Connects an output port to an input port. Returns 0 when either node is missing.
    EdgeId connect(PortRef from, PortRef to);
    /// Inserts an edge with its own id (loading and undo); the id must be free.
    void insertEdge(Edge edge);
    bool disconnect(EdgeId id);

    const Node* node(NodeId id) const;
    Node* node(NodeId id);
    const Node* nodeByName(std::string_view name) const;
    const Edge* edge(EdgeId id) const;
    const std::vector<Node>& nodes() const { return m_nodes; }
    const std::vector<Edge>& edges() const { return m_edges; }
    std::size_t indexOf(NodeId id) const;  ///< position in nodes(); asserts on unknown ids

    /// Edges into `id`, ordered by input port (operand order for merges).
    std::vector<const Edge*> inputEdges(NodeId id) const;
    std::vector<const Edge*> outputEdges(NodeId id) const;

    /// `base_N` with the smallest N >= 1 that no node uses yet.
    std::string uniqueName(std::string_view base) const;

    /// Sets a parameter of the node and, for a shared layer, of each of its calls alike.
    bool setParam(NodeId id, std::string_view key, ParamValue value);
    /// The layer whose weights `id` uses: the one it shares, else itself.
    NodeId weightsOwner(NodeId id) const;
    /// The other calls of the layer `owner` (the nodes that share its weights), in order.
    std::vector<NodeId> callsOf(NodeId owner) const;
    /// Why `owner` cannot lend its weights to `call`, as words after "which" ("is an Input and
    /// has none"); empty when it can. With `sameKind`, a layer of another kind cannot either
    /// (a call keeps its layer's kind; share() gives it).
    std::string whyCannotLend(NodeId call, NodeId owner, bool sameKind) const;
    /// Makes `call` a call of `owner` (0: weights of its own again), with the owner's kind and
    /// parameters. False when `call` is missing or whyCannotLend says why not.
    bool share(NodeId call, NodeId owner);
    bool rename(NodeId id, std::string name);
    /// Turns a node into another kind with the parameters given, keeping its name and wires
    /// (`changeLayerKind` in layers/layer_nodes.h gives it the new kind's defaults); a shared
    /// layer's calls change with it.
    bool changeKind(NodeId id, std::string kind, ParamMap params);

    /// Gathers layers into a new group (taking them out of any group they were in) and returns
    /// its id; 0 when none of `members` exists.
    std::uint32_t addGroup(std::string name, std::vector<NodeId> members, bool collapsed,
                           Point position);
    /// Inserts a fully described group (loading); its id must be free, its members must exist.
    void insertGroup(Group group);
    /// Dissolves a group; its layers stay.
    bool removeGroup(std::uint32_t id);
    const std::vector<Group>& groups() const { return m_groups; }
    const Group* group(std::uint32_t id) const;
    Group* group(std::uint32_t id);
    /// The group a layer belongs to, or null.
    const Group* groupOf(NodeId id) const;

    NodeId nextNodeId() const { return m_nextNode; }
    EdgeId nextEdgeId() const { return m_nextEdge; }

    bool operator==(const ModelGraph& other) const;

private:
    std::vector<Node> m_nodes;
    std::vector<Edge> m_edges;
    std::vector<Group> m_groups;
    std::unordered_map<NodeId, std::size_t> m_index;
    // Edges by id and by the node they enter or leave, as positions in m_edges (in file
    // order), so that lookups stay constant-time in large graphs.
    std::unordered_map<EdgeId, std::size_t> m_edgeIndex;
    std::unordered_map<NodeId, std::vector<std::size_t>> m_incoming;
    std::unordered_map<NodeId, std::vector<std::size_t>> m_outgoing;
    NodeId m_nextNode = 1;
    EdgeId m_nextEdge = 1;
    std::uint32_t m_nextGroup = 1;

    void reindex();
    void indexEdge(std::size_t i);
    void reindexEdges();
};

template <class T>
const T& Node::param(std::string_view key) const {
    auto it = params.find(key);
    if (it == params.end() || !std::holds_alternative<T>(it->second)) {
        static const T fallback{};
        return fallback;
    }
    return std::get<T>(it->second);
}

}  // namespace loom
