#include "data/dataset.h"

#include <algorithm>

namespace loom {
namespace {

/// `rows` steps of a series from step `first`, every column or the ones given, row-major.
void copyRows(const WindowSource& s, std::int64_t first, std::int64_t rows, const std::vector<std::int64_t>& columns,
              float* out) {
    const float* from = s.values.data() + first * s.features;
    if (columns.empty()) {
        std::copy_n(from, rows * s.features, out);
        return;
    }
    for (std::int64_t r = 0; r < rows; ++r, from += s.features) {
        for (std::int64_t c : columns) *out++ = from[c];
    }
}

/// The steps one sample of shape `dims` covers in a series: a sequence's, or one for a vector.
std::int64_t rowsOf(const Dims& dims) { return dims.size() >= 2 ? dims[0] : 1; }

}  // namespace

void Dataset::copyX(std::int64_t i, float* out) const {
    if (source) return copyRows(*source, starts[static_cast<std::size_t>(i)], xDims[0], xColumns, out);
    const std::int64_t n = xSize();
    std::copy_n(x.data() + i * n, n, out);
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
    copyRows(*source, start + yOffset, yColumns.empty() ? n / source->features : rowsOf(yDims), yColumns, out);
}

namespace {

DataPart slicePart(const DataPart& part, std::int64_t begin, std::int64_t end) {
    if (part.values.empty()) return part;  // windows of the shared series
    const std::int64_t n = Dataset::product(part.dims);
    DataPart out = part;
    out.values.assign(part.values.begin() + begin * n, part.values.begin() + end * n);
    return out;
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

void Dataset::copyPart(const DataPart& part, std::int64_t i, float* out) const {
    if (source && part.values.empty()) {
        return copyRows(*source, starts[static_cast<std::size_t>(i)] + part.offset, rowsOf(part.dims), part.columns, out);
    }
    const std::int64_t n = product(part.dims);
    std::copy_n(part.values.data() + i * n, n, out);
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
        out.xColumns = xColumns;
        out.yColumns = yColumns;
    }
    for (const DataPart& part : moreInputs) out.moreInputs.push_back(slicePart(part, begin, end));
    for (const DataPart& part : moreTargets) out.moreTargets.push_back(slicePart(part, begin, end));
    if (source) return out;
    out.x.assign(x.begin() + begin * xSize(), x.begin() + end * xSize());
    out.y.assign(y.begin() + begin * ySize(), y.begin() + end * ySize());
    return out;
}

}  // namespace loom
