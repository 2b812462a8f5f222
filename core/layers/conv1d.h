#pragma once

#include "engine/kernels/conv1d_kernel.h"
#include "layers/windowed.h"

namespace loom {

/// Keras Conv1D: `filters` detectors of `kernel_size` steps slide along the time axis.
///   y[b, t, f] = act(sum_{j, c} x[b, t * strides - pad + j * dilation_rate, c] * kernel[j, c, f] + bias[f])
/// kernel (kernel_size, in, filters), bias (filters); steps outside the input count as zeros.
/// padding valid: no padding, T' = floor((T - span) / strides) + 1 with span = dilation_rate *
/// (kernel_size - 1) + 1; same: T' = ceil(T / strides), the padding split with the odd step
/// after; causal: span - 1 steps before only.
class Conv1dSpec final : public WindowedSpec {
public:
    template <class S>
    using Kernel = Conv1dKernel<S>;

    std::string_view kind() const override { return "Conv1D"; }
    std::string_view nameBase() const override { return "conv1d"; }
    LayerCategory category() const override { return category::kConvolution; }
    std::string_view description() const override {
        return "Slides learned filters along the time axis: the sequence U-Net's building block.";
    }
    const std::vector<ParamSpec>& params() const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::string explainSize(const Node& node, const Dim& dim) const override;
    Window1D window(const Node& node) const override;
    std::vector<ParamShape> weights(const Node& node, std::span<const Dims> inputs) const override;
    /// The gathered windows and the pre-activations of every output step.
    std::int64_t trainingCache(const Node& node, std::span<const Dims> inputs,
                               const Dims& output) const override;
    /// kernel_size, strides and dilation_rate as Keras's one-element lists.
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                          ParamMap& params) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    std::vector<std::string_view> pytorchClasses() const override;
    /// TF.js (4.22) has no causal padding for Conv1D.
    std::string tfjsLimitation(const Node& node) const override;

protected:
    std::string_view sizeParam() const override { return "kernel_size"; }
};

}  // namespace loom
