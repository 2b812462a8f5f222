#include "data/token_ids.h"

#include <cmath>
#include <sstream>
#include <vector>

#include "data/csv_reader.h"

namespace loom {

std::string TokenIdReader::outOfRange() const {
    return ", but " + name + " has " + param + " " + std::to_string(inputDim) + ": token ids must run from 0 to " +
           std::to_string(inputDim - 1) + ". Raise " + param + " to the vocabulary's size, or map the id into it";
}

void checkTokenIds(const Dataset& data, const TokenIdReader& reader, const std::string& part, std::size_t input) {
    if (input >= data.inputCount()) return;
    const std::int64_t size = Dataset::product(data.inputDims(input));
    std::vector<float> x(static_cast<std::size_t>(size));
    for (std::int64_t i = 0; i < data.size(); ++i) {
        data.copyInput(input, i, x.data());
        for (std::int64_t t = 0; t < size; ++t) {
            const float id = x[static_cast<std::size_t>(t)];
            if (id >= 0.0f && id < static_cast<float>(reader.inputDim) && id == std::floor(id)) continue;
            std::ostringstream what;
            // With several Inputs, the layer that reads them says which Input's ids these are.
            const std::string reading = data.inputCount() > 1 ? " read by " + reader.name : std::string();
            what << "sample " << i + 1 << " of the " << part << " data" << reading << " holds " << id << " at step " << t + 1;
            if (!(id == std::floor(id))) {
                what << ", which is not a token id (a whole number).";
            } else {
                what << reader.outOfRange() << ".";
            }
            throw DataError(what.str());
        }
    }
}

}  // namespace loom
