#include "train/token_ids.h"

#include "layers/input.h"
#include "layers/layer_registry.h"

namespace loom {

std::optional<TokenIdReader> tokenIdReader(const ModelGraph& graph) {
    std::optional<TokenIdReader> reader;
    for (const Edge& e : graph.edges()) {
        const Node* from = graph.node(e.from.node);
        const Node* to = graph.node(e.to.node);
        const LayerSpec* spec = to ? findLayer(to->kind) : nullptr;
        if (!from || !spec || !holdsTokenIds(*from) || spec->vocabularyParam().empty()) continue;
        const auto dim = to->param<std::int64_t>(spec->vocabularyParam());
        if (!reader || dim < reader->inputDim) reader = TokenIdReader{to->name, dim, std::string(spec->vocabularyParam())};
    }
    return reader;
}

void checkTokenIds(const ModelGraph& graph, const PreparedData& data) {
    const std::optional<TokenIdReader> reader = tokenIdReader(graph);
    if (!reader) return;
    checkTokenIds(data.train, *reader, "training");
    checkTokenIds(data.validation, *reader, "validation");
}

}  // namespace loom
