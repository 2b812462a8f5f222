#include "graph/graph_edit.h"

#include "layers/layer_nodes.h"
#include "layers/layer_registry.h"

namespace loom {

namespace {

struct Applier {
    ModelGraph& graph;
    std::vector<NodeId> added;

    NodeId resolve(const NodeRef& ref) const {
        if (const auto* id = std::get_if<NodeId>(&ref)) {
            if (!graph.node(*id)) throw EditError("the edit refers to a node that is gone");
            return *id;
        }
        const int index = std::get<NewNode>(ref).index;
        if (index < 0 || static_cast<std::size_t>(index) >= added.size()) {
            throw EditError("the edit refers to a node it has not added");
        }
        return added[static_cast<std::size_t>(index)];
    }

    void operator()(const edit::AddNode& op) {
        const LayerSpec* spec = findLayer(op.kind);
        if (!spec) throw EditError("unknown layer kind '" + op.kind + "'");
        const NodeId id = addLayer(graph, op.kind, op.position);
        for (const auto& [key, value] : op.params) {
            if (!spec->param(key)) throw EditError(op.kind + " has no parameter '" + key + "'");
            graph.setParam(id, key, value);
        }
        added.push_back(id);
    }
    void operator()(const edit::RemoveEdge& op) {
        if (!graph.disconnect(op.edge)) throw EditError("the edit removes a wire that is gone");
    }
    void operator()(const edit::Connect& op) {
        graph.connect({resolve(op.from), op.fromPort}, {resolve(op.to), op.toPort});
    }
    void operator()(const edit::SetParam& op) { graph.setParam(resolve(op.node), op.key, op.value); }
    void operator()(const edit::ChangeKind& op) {
        if (!changeLayerKind(graph, op.node, op.kind)) throw EditError("cannot change the layer kind");
    }
    void operator()(const edit::Rename& op) {
        if (!graph.rename(op.node, op.name)) throw EditError("the edit renames a node that is gone");
    }
    void operator()(const edit::Move& op) { graph.node(resolve(op.node))->position = op.position; }
    void operator()(const edit::Share& op) {
        if (!graph.share(resolve(op.node), op.owner)) throw EditError("the edit shares the weights of a layer that cannot share them");
    }
    void operator()(const edit::RemoveNode& op) {
        if (!graph.node(op.node)) throw EditError("the edit removes a node that is gone");
        graph.removeNode(op.node);
    }
};

}  // namespace

ModelGraph appliedEdit(const ModelGraph& graph, const GraphEdit& edit, std::vector<NodeId>* added) {
    ModelGraph work = graph;
    Applier applier{work, {}};
    for (const EditOp& op : edit.ops) std::visit(applier, op);
    if (added) *added = std::move(applier.added);
    return work;
}

std::vector<NodeId> applyEdit(ModelGraph& graph, const GraphEdit& edit) {
    std::vector<NodeId> added;
    graph = appliedEdit(graph, edit, &added);  // all or nothing: `graph` changes only at the end
    return added;
}

}  // namespace loom
