#pragma once

#include "engine/kernels/shape_kernels.h"
#include "layers/merge.h"

namespace loom {

/// Keras Concatenate(axis): joins its inputs along `axis` (default -1, the features); every
/// other axis must match. Operand order is port order, so [decoder, encoder] stays that way.
class ConcatenateSpec final : public MergeSpec {
public:
    template <class S>
    using Kernel = ConcatenateKernel<S>;

    std::string_view kind() const override { return "Concatenate"; }
    std::string_view nameBase() const override { return "concatenate"; }
    std::string_view description() const override {
        return "Joins its inputs along an axis: the U-Net skip.";
    }
    const std::vector<ParamSpec>& params() const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::string explainSize(const Node& node, const Dim& dim) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
};

}  // namespace loom
