#pragma once

#include "engine/kernels/masking_kernel.h"
#include "layers/layer_spec.h"

namespace loom {

/// Keras Masking(mask_value=0.0): marks the steps of a sequence whose every feature equals
/// mask_value as padding (and zeroes them). The layers after it that take a mask skip them:
/// recurrent layers carry their state over, GlobalAveragePooling1D and the loss count the
/// real steps only. Shape unchanged.
class MaskingSpec final : public LayerSpec {
public:
    template <class S>
    using Kernel = MaskingKernel<S>;

    std::string_view kind() const override { return "Masking"; }
    std::string_view nameBase() const override { return "masking"; }
    LayerCategory category() const override { return category::kCore; }
    std::string_view description() const override {
        return "Marks padded steps (every feature equal to mask_value) so that later layers skip them.";
    }
    InputRank inputRank() const override { return InputRank::Sequence; }
    MaskRule maskRule(const Node&) const override { return MaskRule::Make; }
    const std::vector<ParamSpec>& params() const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
};

}  // namespace loom
