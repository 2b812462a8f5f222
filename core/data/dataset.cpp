#include "data/dataset.h"

#include <algorithm>

namespace loom {

void Dataset::copyX(std::int64_t i, float* out) const {
    const std::int64_t n = xSize();
    const float* from = source ? source->values.data() + starts[static_cast<std::size_t>(i)] * source->features
                               : x.data() + i * n;
    std::copy_n(from, n, out);
}

void Dataset::copyY(std::int64_t i, float* out) const {
    const std::int64_t n = ySize();
    if (!source) {
        std::copy_n(y.data() + i * n, n, out);
        return;
    }
    const std::int64_t start = starts[static_cast<std::size_t>(i)];
    if (yIsLabel) {
        *out = source->labels[static_cast<std::size_t>(start + xDims[0] - 1)];
        return;
    }
    std::copy_n(source->values.data() + (start + yOffset) * source->features, n, out);
}

Dataset Dataset::slice(std::int64_t begin, std::int64_t end) const {
    Dataset out;
    out.xDims = xDims;
    out.yDims = yDims;
    if (!weights.empty()) out.weights.assign(weights.begin() + begin, weights.begin() + end);
    if (source) {
        out.source = source;
        out.starts.assign(starts.begin() + begin, starts.begin() + end);
        out.yOffset = yOffset;
        out.yIsLabel = yIsLabel;
        return out;
    }
    out.x.assign(x.begin() + begin * xSize(), x.begin() + end * xSize());
    out.y.assign(y.begin() + begin * ySize(), y.begin() + end * ySize());
    return out;
}

}  // namespace loom
