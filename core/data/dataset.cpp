#include "data/dataset.h"

namespace loom {

Dataset Dataset::slice(std::int64_t begin, std::int64_t end) const {
    Dataset out;
    out.xDims = xDims;
    out.yDims = yDims;
    out.x.assign(x.begin() + begin * xSize(), x.begin() + end * xSize());
    out.y.assign(y.begin() + begin * ySize(), y.begin() + end * ySize());
    return out;
}

}  // namespace loom
