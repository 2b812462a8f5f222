#pragma once

// What a layer kind's ONNX mapping (LayerSpec::onnx) works with.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/activation.h"
#include "engine/named_tensor.h"
#include "graph/model_graph.h"
#include "interop/onnx/onnx_graph.h"

namespace loom {

/// The activation a Choice parameter of the node names ("activation", "recurrent_activation").
inline Activation activationParam(const Node& node, std::string_view param) {
    return parseActivation(node.param<std::string>(param)).value_or(Activation::Linear);
}

/// A weight's values with its axes in another order: axis k of the result is axis perm[k] of
/// `t` (numpy's transpose); its dims go to `dims`.
inline std::vector<float> permuted(const NamedTensor& t, const std::vector<std::size_t>& perm, std::vector<std::int64_t>& dims) {
    const std::size_t rank = t.shape.size();
    std::vector<std::int64_t> stride(rank, 1);
    for (std::size_t k = rank; k-- > 1;) stride[k - 1] = stride[k] * t.shape[k];
    dims.assign(rank, 0);
    for (std::size_t k = 0; k < rank; ++k) dims[k] = t.shape[perm[k]];
    std::vector<float> out(t.values.size());
    std::vector<std::int64_t> index(rank, 0);
    for (float& v : out) {
        std::int64_t from = 0;
        for (std::size_t k = 0; k < rank; ++k) from += index[k] * stride[perm[k]];
        v = t.values[static_cast<std::size_t>(from)];
        for (std::size_t k = rank; k-- > 0;) {
            if (++index[k] < dims[k]) break;
            index[k] = 0;
        }
    }
    return out;
}

}  // namespace loom
