#pragma once

#include "engine/kernels/conv1d_transpose_kernel.h"
#include "layers/layer_spec.h"

namespace loom {

/// Keras Conv1DTranspose: the decoder's counterpart of Conv1D, which lengthens the sequence.
/// Every input step spreads over `kernel_size` output steps `dilation_rate` apart, `strides`
/// steps after the previous one's:
///   y[b, t * strides - pad + j * dilation_rate, f] += sum_c x[b, t, c] * kernel[j, f, c]
/// then y = act(y + bias); kernel (kernel_size, filters, in), bias (filters). The length is
/// Keras's deconv_output_length (layers/window1d.h, TransposedWindow1D); output_padding -1 is
/// Keras's None.
class Conv1dTransposeSpec final : public LayerSpec {
public:
    template <class S>
    using Kernel = Conv1dTransposeKernel<S>;

    std::string_view kind() const override { return "Conv1DTranspose"; }
    std::string_view nameBase() const override { return "conv1d_transpose"; }
    LayerCategory category() const override { return category::kConvolution; }
    InputRank inputRank() const override { return InputRank::Sequence; }
    std::string_view description() const override {
        return "Transposed convolution: lengthens a sequence by its strides, the decoder's Conv1D.";
    }
    const std::vector<ParamSpec>& params() const override;
    std::int64_t timeAfter(const Node& node, std::int64_t steps) const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::string explainSize(const Node& node, const Dim& dim) const override;
    std::vector<ParamShape> weights(const Node& node, std::span<const Dims> inputs) const override;
    /// Every tap's contribution and the pre-activations of every output step.
    std::int64_t trainingCache(const Node& node, std::span<const Dims> inputs, const Dims& output) const override;
    /// kernel_size, strides, dilation_rate and output_padding as Keras's one-element lists.
    nlohmann::json kerasConfig(const Node& node, KerasFormat format, std::span<const Dims> inputs) const override;
    std::string readKeras(const nlohmann::json& config, KerasProducer producer, ParamMap& params) const override;
    std::string kerasPython(const Node& node, const std::string& args, const std::string& nameArg) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    std::vector<std::string_view> pytorchClasses() const override;
    /// TF.js (4.22) has Conv2DTranspose only.
    std::string tfjsLimitation(const Node& node) const override;
};

/// The node's window as its parameters set it.
TransposedWindow1D transposedWindow(const Node& node);

}  // namespace loom
