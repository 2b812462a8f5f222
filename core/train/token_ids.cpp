#include "train/token_ids.h"

#include "layers/input.h"
#include "layers/layer_registry.h"

namespace loom {

std::optional<TokenIdReader> tokenIdReader(const ModelGraph& graph, const std::string& input) {
    std::optional<TokenIdReader> reader;
    for (const Edge& e : graph.edges()) {
        const Node* from = graph.node(e.from.node);
        const Node* to = graph.node(e.to.node);
        const LayerSpec* spec = to ? findLayer(to->kind) : nullptr;
        if (!from || !spec || !holdsTokenIds(*from) || spec->vocabularyParam().empty()) continue;
        if (!input.empty() && from->name != input) continue;
        const auto dim = to->param<std::int64_t>(spec->vocabularyParam());
        if (!reader || dim < reader->inputDim) reader = TokenIdReader{to->name, dim, std::string(spec->vocabularyParam())};
    }
    return reader;
}

void checkTokenIds(const ModelGraph& graph, const PreparedData& data, const ModelEnds& ends) {
    if (ends.inputs.size() < 2) {
        const std::optional<TokenIdReader> reader = tokenIdReader(graph);
        if (!reader) return;
        checkTokenIds(data.train, *reader, "training");
        checkTokenIds(data.validation, *reader, "validation");
        return;
    }
    for (std::size_t k = 0; k < ends.inputs.size(); ++k) {
        const std::optional<TokenIdReader> reader = tokenIdReader(graph, ends.inputs[k]);
        if (!reader) continue;
        checkTokenIds(data.train, *reader, "training", k);
        checkTokenIds(data.validation, *reader, "validation", k);
    }
}

}  // namespace loom
