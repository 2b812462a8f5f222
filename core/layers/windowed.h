#pragma once

#include "layers/layer_spec.h"
#include "interop/onnx/onnx_graph.h"
#include "layers/window1d.h"

namespace loom {

/// What Conv1D and the 1-D pooling layers share: a window slides along the time axis of a
/// sequence, and the output's length follows from the input's, the window and the padding.
/// The new length remembers the old (Dim::before), so that a mismatch further down can tell
/// which layer floored, shrank or rounded it.
class WindowedSpec : public LayerSpec {
public:
    InputRank inputRank() const override { return InputRank::Sequence; }
    std::string explainSize(const Node& node, const Dim& dim) const override;
    std::int64_t timeAfter(const Node& node, std::int64_t steps) const override {
        return window(node).outLength(steps);
    }
    /// The node's window as its parameters set it.
    virtual Window1D window(const Node& node) const = 0;

protected:
    /// pad_time(x, size, strides, padding, dilation=1, value=0.0): the exported PyTorch
    /// module's padding of a window's input, as Keras pads it.
    static const char* const kPadTimePython;
    /// ONNX's padding attributes for the window over `steps` input steps (kNone: not known
    /// until run time): explicit pads, or Keras's same as SAME_UPPER.
    static std::vector<OnnxAttribute> onnxPadding(const Window1D& w, std::int64_t steps);
    /// The window's length parameter: "kernel_size", "pool_size".
    virtual std::string_view sizeParam() const = 0;
    /// The output's time axis, or nullopt after reporting a window that does not fit.
    std::optional<Dim> inferTime(const ShapeContext& ctx) const;
};

}  // namespace loom
