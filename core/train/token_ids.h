#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "data/data_source.h"
#include "graph/model_graph.h"

namespace loom {

/// The Embedding that reads a model's token ids and allows the fewest: every id must lie in
/// [0, inputDim).
struct TokenIdReader {
    std::string name;
    std::int64_t inputDim = 0;
};

/// The reader of the token ids of `graph`'s Inputs of dtype int32; none without one.
std::optional<TokenIdReader> tokenIdReader(const ModelGraph& graph);

/// Checks every input id of `data` (its `part`, "training" or "validation") before training
/// or evaluation reads it: a whole number within the reader's table. Throws DataError naming
/// the sample, the step and the id.
void checkTokenIds(const Dataset& data, const TokenIdReader& reader, const std::string& part);

/// Both parts of `data`, when `graph` reads token ids.
void checkTokenIds(const ModelGraph& graph, const PreparedData& data);

}  // namespace loom
