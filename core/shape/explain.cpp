#include "shape/explain.h"

#include "layers/layer_registry.h"

namespace loom {

std::string nodeLabel(const Node& node) { return node.name + " (" + node.kind + ")"; }

std::string describeInput(const LayerInput& input) {
    std::string text = input.shape ? input.shape->str() : std::string("an unknown shape");
    if (input.producer) text += " from " + input.producer->name;
    return text;
}

std::string explainDim(const ModelGraph& graph, const Dim& dim) {
    const Node* origin = graph.node(dim.origin);
    if (!origin) return "its size is not known";
    const LayerSpec* spec = findLayer(origin->kind);
    return spec ? spec->explainSize(*origin, dim) : origin->name + " sets it";
}

std::string dimStory(const ModelGraph& graph, const Dim& dim) {
    if (!dim.before) return explainDim(graph, dim);
    std::vector<std::string> steps;
    for (const Dim* d = &dim; d && d->before; d = d->before.get()) steps.push_back(explainDim(graph, *d));
    std::string text;
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) text += (text.empty() ? "" : ", ") + *it;
    return text;
}

}  // namespace loom
