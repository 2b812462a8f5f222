#pragma once

#include <cstdint>
#include <memory>
#include <string>
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

/// One more array of samples, for a model's second (third, ...) Input or output: size()
/// samples of shape dims, row-major, named after the layer it feeds or comes from. Held
/// samples are in `values`; windows of a series (Dataset::source) leave it empty and take the
/// series' `columns`, from `offset` steps after the window's start.
struct DataPart {
    std::string name;
    std::vector<float> values;
    Dims dims;
    std::vector<std::int64_t> columns;
    std::int64_t offset = 0;
};

/// The names of a model's Inputs and of its outputs, in the order the model takes and gives
/// them: what the arrays of an .npz archive are matched with. With their shapes (one sample's,
/// None for a free axis) where known.
struct ModelEnds {
    std::vector<std::string> inputs, outputs;
    std::vector<Dims> inputDims, outputDims;
    bool several() const { return inputs.size() > 1 || outputs.size() > 1; }
};

/// Samples for a model, row-major: x holds size() samples of shape xDims for its first Input,
/// y as many of shape yDims for its first output (for sparse labels, one value per row of the
/// output). Samples are either held (x and y) or windows of a shared series (source and
/// starts). A model with several Inputs or outputs takes the others in moreInputs and
/// moreTargets, in the order of the model's Inputs and outputs.
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
    /// The series' columns the first Input (output) takes, when its CSV columns are grouped by
    /// layer; empty: every column.
    std::vector<std::int64_t> xColumns, yColumns;

    std::vector<DataPart> moreInputs;
    std::vector<DataPart> moreTargets;

    /// Each sample's weight in the loss (Keras's sample_weight), or empty: all 1.
    std::vector<float> weights;

    std::int64_t xSize() const { return product(xDims); }
    std::int64_t ySize() const { return product(yDims); }
    std::int64_t size() const {
        if (source) return static_cast<std::int64_t>(starts.size());
        return xSize() ? static_cast<std::int64_t>(x.size()) / xSize() : 0;
    }
    /// Whether every sample has its target and its other inputs (held samples can be short of them).
    bool complete() const;

    /// Copies sample i's input (xSize() values) and target (ySize() values) to `out`.
    void copyX(std::int64_t i, float* out) const;
    void copyY(std::int64_t i, float* out) const;

    /// The inputs and targets there are: 1 + the parts beyond the first.
    std::size_t inputCount() const { return 1 + moreInputs.size(); }
    std::size_t targetCount() const { return 1 + moreTargets.size(); }
    /// The shape of one sample of input (target) k, k < inputCount() (targetCount()).
    const Dims& inputDims(std::size_t k) const { return k == 0 ? xDims : moreInputs[k - 1].dims; }
    const Dims& targetDims(std::size_t k) const { return k == 0 ? yDims : moreTargets[k - 1].dims; }
    /// Copies sample i's input (target) k to `out`: product(inputDims(k)) values.
    void copyInput(std::size_t k, std::int64_t i, float* out) const;
    void copyTarget(std::size_t k, std::int64_t i, float* out) const;

    /// Samples [begin, end) as a new dataset (windows keep sharing their series).
    Dataset slice(std::int64_t begin, std::int64_t end) const;

    static std::int64_t product(const Dims& d) {
        std::int64_t n = 1;
        for (std::int64_t v : d) n *= v;
        return n;
    }

private:
    void copyPart(const DataPart& part, std::int64_t i, float* out) const;
};

}  // namespace loom
