#pragma once

#include <cstdint>
#include <vector>

#include "graph/param_value.h"

namespace loom {

/// Samples for a model with one input and one output, row-major: x holds size() samples of
/// shape xDims, y as many of shape yDims (for sparse labels, one value per row of the output).
struct Dataset {
    std::vector<float> x;
    Dims xDims;
    std::vector<float> y;
    Dims yDims;

    std::int64_t xSize() const { return product(xDims); }
    std::int64_t ySize() const { return product(yDims); }
    std::int64_t size() const { return xSize() ? static_cast<std::int64_t>(x.size()) / xSize() : 0; }

    /// Samples [begin, end) as a new dataset.
    Dataset slice(std::int64_t begin, std::int64_t end) const;

    static std::int64_t product(const Dims& d) {
        std::int64_t n = 1;
        for (std::int64_t v : d) n *= v;
        return n;
    }
};

}  // namespace loom
