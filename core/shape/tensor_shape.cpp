#include "shape/tensor_shape.h"

namespace loom {

Dims TensorShape::sizes() const {
    Dims out;
    out.reserve(dims.size());
    for (const Dim& d : dims) out.push_back(d.size);
    return out;
}

std::string TensorShape::str() const { return formatShape(sizes()); }

bool TensorShape::sameSizes(const TensorShape& other) const {
    if (dims.size() != other.dims.size()) return false;
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (dims[i].size != other.dims[i].size) return false;
    }
    return true;
}

}  // namespace loom
