#pragma once

#include <optional>

#include "data/data_source.h"
#include "data/token_ids.h"
#include "graph/model_graph.h"

namespace loom {

/// The reader of the token ids of `graph`'s Inputs of dtype int32 (of the Input named `input`
/// only, when given); none without one.
std::optional<TokenIdReader> tokenIdReader(const ModelGraph& graph, const std::string& input = {});

/// Both parts of `data`, when `graph` reads token ids (data/token_ids.h): each of its inputs
/// against the reader of the Input it feeds, named in `ends` (the first Input's without them).
void checkTokenIds(const ModelGraph& graph, const PreparedData& data, const ModelEnds& ends = {});

}  // namespace loom
