#pragma once

#include <optional>

#include "data/data_source.h"
#include "data/token_ids.h"
#include "graph/model_graph.h"

namespace loom {

/// The reader of the token ids of `graph`'s Inputs of dtype int32; none without one.
std::optional<TokenIdReader> tokenIdReader(const ModelGraph& graph);

/// Both parts of `data`, when `graph` reads token ids (data/token_ids.h).
void checkTokenIds(const ModelGraph& graph, const PreparedData& data);

}  // namespace loom
