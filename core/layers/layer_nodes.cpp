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

bool isMerge(const Node& node) {
    const LayerSpec* spec = findLayer(node.kind);
    return spec && spec->category().name == category::kMerge.name;
}

}  // namespace loom
