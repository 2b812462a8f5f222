#include "layers/layer_nodes.h"

#include "layers/layer_registry.h"

namespace loom {

NodeId addLayer(ModelGraph& graph, std::string_view kind, Point position, std::string name) {
    const LayerSpec* spec = findLayer(kind);
    if (!spec) return 0;
    if (name.empty()) name = graph.uniqueName(spec->nameBase());
    return graph.addNode(std::string(kind), spec->defaults(), position, std::move(name));
}

bool changeLayerKind(ModelGraph& graph, NodeId id, std::string_view kind) {
    const LayerSpec* spec = findLayer(kind);
    return spec && graph.changeKind(id, std::string(kind), spec->defaults());
}

int feedFreeInputs(ModelGraph& graph, NodeId from, const std::vector<NodeId>& nodes) {
    int made = 0;
    for (NodeId id : nodes) {
        const Node* node = graph.node(id);
        const LayerSpec* spec = node ? findLayer(node->kind) : nullptr;
        if (!spec || id == from) continue;
        std::vector<bool> fed(static_cast<std::size_t>(spec->minInputs()), false);
        for (const Edge* e : graph.inputEdges(id)) {
            if (e->to.port >= 0 && e->to.port < static_cast<int>(fed.size())) fed[static_cast<std::size_t>(e->to.port)] = true;
        }
        for (std::size_t port = 0; port < fed.size(); ++port) {
            if (fed[port]) continue;
            graph.connect({from, 0}, {id, static_cast<int>(port)});
            ++made;
        }
    }
    return made;
}

bool isMerge(const Node& node) {
    const LayerSpec* spec = findLayer(node.kind);
    return spec && spec->category().name == category::kMerge.name;
}

}  // namespace loom
