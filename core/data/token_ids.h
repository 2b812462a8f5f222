#pragma once

#include <cstdint>
#include <string>

#include "data/dataset.h"

namespace loom {

/// The Embedding (or TokenAndPositionEmbedding) that reads a model's token ids and allows the fewest: every id must lie in
/// [0, inputDim). (train/token_ids.h finds it in a model.)
struct TokenIdReader {
    std::string name;
    std::int64_t inputDim = 0;
    std::string param = "input_dim";  ///< the layer's parameter that says inputDim

    /// ", but embedding has input_dim 30: token ids must run from 0 to 29. Raise input_dim to
    /// the vocabulary's size, or map the id into it": what follows a whole id outside the table.
    std::string outOfRange() const;
};

/// Checks every id of `data`'s input `input` (its `part`, "training" or "validation") before
/// training, evaluation or a preview reads it: a whole number within the reader's table.
/// Throws DataError naming the sample, the step and the id.
void checkTokenIds(const Dataset& data, const TokenIdReader& reader, const std::string& part, std::size_t input = 0);

}  // namespace loom
