#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "graph/ids.h"
#include "graph/param_value.h"

namespace loom {

/// One axis of an inferred tensor: its size (kNone when unknown) and the node that decided it,
/// so that a message can say why an axis has its size ("lstm_4 has units=20"). When a layer
/// changed the length of an axis it was given (pooling floors it, up-sampling doubles it),
/// `before` is the axis as it came in, so that a message can tell every step of its story.
struct Dim {
    std::int64_t size = kNone;
    NodeId origin = 0;
    std::shared_ptr<const Dim> before;
    bool operator==(const Dim& o) const { return size == o.size && origin == o.origin; }
};

/// The axis `in` after layer `by` made it `size` long.
inline Dim changedDim(const Dim& in, std::int64_t size, NodeId by) {
    return Dim{size, by, std::make_shared<const Dim>(in)};
}

/// An inferred tensor shape without the symbolic batch axis. LayerLoom's layers work on
/// vectors `(None, features)` and sequences `(None, time, features)`.
struct TensorShape {
    std::vector<Dim> dims;

    bool isVector() const { return dims.size() == 1; }
    bool isSequence() const { return dims.size() == 2; }
    /// Rank as Keras counts it, batch included.
    int rank() const { return static_cast<int>(dims.size()) + 1; }
    const Dim& features() const { return dims.back(); }
    /// The time axis of a sequence.
    const Dim& time() const { return dims.front(); }
    Dims sizes() const;
    /// `(None, 32, 256)`.
    std::string str() const;
    bool sameSizes(const TensorShape& other) const;
};

}  // namespace loom
