#pragma once

#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "graph/ids.h"
#include "graph/model_graph.h"

namespace loom {

/// Refers to a node of the graph, or to the n-th node an edit adds (`NewNode{n}`), so that a
/// fix can be described before it is applied.
struct NewNode {
    int index = 0;
    bool operator==(const NewNode&) const = default;
};
using NodeRef = std::variant<NodeId, NewNode>;

namespace edit {

struct AddNode {
    std::string kind;
    ParamMap params;  ///< overrides of the kind's defaults
    Point position;
};
struct RemoveEdge {
    EdgeId edge = 0;
};
struct Connect {
    NodeRef from;
    int fromPort = 0;
    NodeRef to;
    int toPort = 0;
};
struct SetParam {
    NodeRef node;
    std::string key;
    ParamValue value;
};
struct ChangeKind {
    NodeId node = 0;
    std::string kind;
};
struct Rename {
    NodeId node = 0;
    std::string name;
};
struct Move {
    NodeRef node;
    Point position;
};
/// Removes a layer with its wires.
struct RemoveNode {
    NodeId node = 0;
};
/// Makes a layer a call of a shared layer, or (owner 0) gives it weights of its own.
struct Share {
    NodeRef node;
    NodeId owner = 0;
};

}  // namespace edit

using EditOp = std::variant<edit::AddNode, edit::RemoveEdge, edit::Connect, edit::SetParam,
                            edit::ChangeKind, edit::Rename, edit::Move, edit::RemoveNode, edit::Share>;

/// A change to a graph as data: fixes carry one, the UI applies it as one undo step.
struct GraphEdit {
    std::vector<EditOp> ops;
};

class EditError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Applies every op in order; throws EditError (leaving `graph` unchanged) when an op refers to
/// something that does not exist. Returns the ids of the nodes the edit added.
std::vector<NodeId> applyEdit(ModelGraph& graph, const GraphEdit& edit);
/// The same, leaving `graph` as it is: the changed copy, and in `added` the new nodes' ids.
ModelGraph appliedEdit(const ModelGraph& graph, const GraphEdit& edit,
                       std::vector<NodeId>* added = nullptr);

}  // namespace loom
