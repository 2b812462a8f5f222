#include "train/token_ids.h"

#include "layers/input.h"

namespace loom {

std::optional<TokenIdReader> tokenIdReader(const ModelGraph& graph) {
    std::optional<TokenIdReader> reader;
    for (const Edge& e : graph.edges()) {
        const Node* from = graph.node(e.from.node);
        const Node* to = graph.node(e.to.node);
        if (!from || !to || !holdsTokenIds(*from) || to->kind != "Embedding") continue;
        const auto dim = to->param<std::int64_t>("input_dim");
        if (!reader || dim < reader->inputDim) reader = TokenIdReader{to->name, dim};
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
