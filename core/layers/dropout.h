#pragma once

#include "engine/kernels/noise_kernels.h"
#include "layers/layer_spec.h"

namespace loom {

/// Keras Dropout(rate): while training, zeroes a fraction `rate` of the values and scales the
/// rest by 1 / (1 - rate); at inference, the identity. Shape unchanged.
class DropoutSpec final : public LayerSpec {
public:
    template <class S>
    using Kernel = DropoutKernel<S>;

    std::string_view kind() const override { return "Dropout"; }
    std::string_view nameBase() const override { return "dropout"; }
    bool keepsRank() const override { return true; }
    LayerCategory category() const override { return category::kRegularisation; }
    std::string_view description() const override {
        return "Randomly zeroes a fraction of the values while training.";
    }
    const std::vector<ParamSpec>& params() const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    /// A noise_shape (one mask shared along an axis) is refused.
    std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                          ParamMap& params) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
};

}  // namespace loom
