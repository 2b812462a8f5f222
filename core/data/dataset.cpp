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

namespace {

void copyPart(const DataPart& part, std::int64_t i, float* out) {
    const std::int64_t n = Dataset::product(part.dims);
    std::copy_n(part.values.data() + i * n, n, out);
}

DataPart slicePart(const DataPart& part, std::int64_t begin, std::int64_t end) {
    const std::int64_t n = Dataset::product(part.dims);
    return {part.name, std::vector<float>(part.values.begin() + begin * n, part.values.begin() + end * n), part.dims};
}

}  // namespace

bool Dataset::complete() const {
    if (source) return true;
    const auto holds = [n = size()](const std::vector<float>& values, const Dims& dims) {
        return static_cast<std::int64_t>(values.size()) == n * product(dims);
    };
    if (!holds(y, yDims)) return false;
    for (const auto* parts : {&moreInputs, &moreTargets}) {
        for (const DataPart& part : *parts) {
            if (!holds(part.values, part.dims)) return false;
        }
    }
    return true;
}

void Dataset::copyInput(std::size_t k, std::int64_t i, float* out) const {
    if (k == 0) return copyX(i, out);
    copyPart(moreInputs[k - 1], i, out);
}

void Dataset::copyTarget(std::size_t k, std::int64_t i, float* out) const {
    if (k == 0) return copyY(i, out);
    copyPart(moreTargets[k - 1], i, out);
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
    for (const DataPart& part : moreInputs) out.moreInputs.push_back(slicePart(part, begin, end));
    for (const DataPart& part : moreTargets) out.moreTargets.push_back(slicePart(part, begin, end));
    out.x.assign(x.begin() + begin * xSize(), x.begin() + end * xSize());
    out.y.assign(y.begin() + begin * ySize(), y.begin() + end * ySize());
    return out;
}

}  // namespace loom
