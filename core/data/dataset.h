#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "graph/param_value.h"

namespace loom {

/// A series that windows are cut from when they are gathered, so that overlapping windows
/// share its values instead of each holding a copy.
struct WindowSource {
    std::vector<float> values;  ///< steps × features, row-major, in the model's units
    std::int64_t features = 0;
    std::vector<float> labels;  ///< one per step, for classification
};

/// Samples for a model with one input and one output, row-major: x holds size() samples of
/// shape xDims, y as many of shape yDims (for sparse labels, one value per row of the output).
/// Samples are either held (x and y) or windows of a shared series (source and starts).
struct Dataset {
    std::vector<float> x;
    Dims xDims;
    std::vector<float> y;
    Dims yDims;

    /// Windows: sample i is the xDims[0] steps of `source` from starts[i]; its target the
    /// yDims steps from starts[i] + yOffset, or, with yIsLabel, the label of its last step.
    std::shared_ptr<const WindowSource> source;
    std::vector<std::int64_t> starts;
    std::int64_t yOffset = 0;
    bool yIsLabel = false;

    /// Each sample's weight in the loss (Keras's sample_weight), or empty: all 1.
    std::vector<float> weights;

    std::int64_t xSize() const { return product(xDims); }
    std::int64_t ySize() const { return product(yDims); }
    std::int64_t size() const {
        if (source) return static_cast<std::int64_t>(starts.size());
        return xSize() ? static_cast<std::int64_t>(x.size()) / xSize() : 0;
    }
    /// Whether every sample has its target (held samples can be short of targets).
    bool complete() const { return source || static_cast<std::int64_t>(y.size()) == size() * ySize(); }

    /// Copies sample i's input (xSize() values) and target (ySize() values) to `out`.
    void copyX(std::int64_t i, float* out) const;
    void copyY(std::int64_t i, float* out) const;

    /// Samples [begin, end) as a new dataset (windows keep sharing their series).
    Dataset slice(std::int64_t begin, std::int64_t end) const;

    static std::int64_t product(const Dims& d) {
        std::int64_t n = 1;
        for (std::int64_t v : d) n *= v;
        return n;
    }
};

}  // namespace loom
