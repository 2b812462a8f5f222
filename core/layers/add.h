#pragma once

#include "engine/kernels/shape_kernels.h"
#include "layers/merge.h"

namespace loom {

/// Keras Add: the element-wise sum of its inputs, which must have one shape. Keras itself also
/// broadcasts a vector over a sequence and stretches size-1 axes without a word; LayerLoom
/// computes the same result shape but flags both as warnings with explicit fixes.
class AddSpec final : public MergeSpec {
public:
    template <class S>
    using Kernel = AddKernel<S>;

    std::string_view kind() const override { return "Add"; }
    std::string_view nameBase() const override { return "add"; }
    std::string_view description() const override {
        return "Adds its inputs element by element: the residual (ResNet) skip.";
    }
    const std::vector<ParamSpec>& params() const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
};

}  // namespace loom
