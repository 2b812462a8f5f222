#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/param_value.h"

namespace loom {

/// Keras's initialisers by kind, with their default numbers (Init::GlorotUniform).
using Init = Initializer::Kind;

/// One weight of a layer as its kind declares it: Keras's name (`kernel`, `bias`, or a nested
/// one such as `forward_lstm/kernel` for a wrapper), shape, initialiser, and whether the
/// optimizer changes it (BatchNormalization's moving statistics are not trained, but are saved
/// and counted as Keras's summary counts them).
struct ParamShape {
    std::string name;
    std::vector<std::int64_t> shape;
    Initializer init = Init::Zeros;
    bool trainable = true;
    /// An LSTM's bias with unit_forget_bias: after `init`, the forget gate's quarter is 1.
    bool forgetGateOnes = false;
    std::int64_t size() const {
        std::int64_t n = 1;
        for (std::int64_t d : shape) n *= d;
        return n;
    }
};

/// Keras's fan_in and fan_out of a weight shape (initializers._compute_fans): a vector's
/// length for both; (in, out) for a matrix; for a higher rank such as Conv1D's (kernel_size,
/// in, out), the last two axes times the receptive field, the product of the others.
struct Fans {
    double in = 1.0;
    double out = 1.0;
};
inline Fans fansOf(const std::vector<std::int64_t>& shape) {
    if (shape.empty()) return {};
    if (shape.size() == 1) return {static_cast<double>(shape[0]), static_cast<double>(shape[0])};
    double receptive = 1.0;
    for (std::size_t i = 0; i + 2 < shape.size(); ++i) receptive *= static_cast<double>(shape[i]);
    return {static_cast<double>(shape[shape.size() - 2]) * receptive,
            static_cast<double>(shape.back()) * receptive};
}

}  // namespace loom
