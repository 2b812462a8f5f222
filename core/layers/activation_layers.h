#pragma once

// Keras's standalone activation layers: the function applied to every value of the input,
// which keeps its shape. Activation takes any of LayerLoom's activations by name; ReLU,
// LeakyReLU, ELU and Softmax are the functions with their own parameters; PReLU learns the
// slope of its negative part.
#include "engine/kernels/activation_kernels.h"
#include "layers/layer_spec.h"

namespace loom {

namespace category {
inline constexpr LayerCategory kActivation{"Activation", 0x5d7f2b};
}  // namespace category

/// What every activation layer shares: one input of any rank, an output of its shape, no
/// weights unless it says so, and Keras's default configuration and code.
class ActivationLayerSpec : public LayerSpec {
public:
    LayerCategory category() const override { return category::kActivation; }
    bool keepsRank() const override { return true; }
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
};

/// Keras Activation(activation): y = activation(x), softmax and log_softmax over the features.
class ActivationSpec final : public ActivationLayerSpec {
public:
    template <class S>
    using Kernel = ActivationKernel<S>;

    std::string_view kind() const override { return "Activation"; }
    std::string_view nameBase() const override { return "activation"; }
    std::string_view description() const override { return "Applies an activation function to every value."; }
    const std::vector<ParamSpec>& params() const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
};

/// Keras ReLU(max_value, negative_slope, threshold), as keras.activations.relu computes it:
///   y = clip(x, 0, max_value) above the threshold, 0 up to it, minus
///       negative_slope * (threshold - x) below it.
/// A max_value of 0 is Keras's None: no cap. TF.js's ReLU has the cap only.
class ReluSpec final : public ActivationLayerSpec {
public:
    template <class S>
    using Kernel = ReluKernel<S>;

    std::string_view kind() const override { return "ReLU"; }
    std::string_view nameBase() const override { return "re_lu"; }
    std::string_view description() const override {
        return "Rectified linear unit, with an optional cap, slope below the threshold and threshold.";
    }
    const std::vector<ParamSpec>& params() const override;
    /// max_value None is no cap; a cap of 0 or less is refused (LayerLoom's 0 means none).
    std::string readKeras(const nlohmann::json& config, KerasProducer producer, ParamMap& params) const override;
    std::string kerasPython(const Node& node, const std::string& args, const std::string& nameArg) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    std::vector<std::string_view> pytorchClasses() const override;
    /// TF.js's ReLU has the cap only.
    std::string tfjsLimitation(const Node& node) const override;
};

/// Keras LeakyReLU(negative_slope): y = x for x >= 0, negative_slope * x below. Keras 2 and
/// TF.js call the slope alpha; both names are read, and each format gets its own.
class LeakyReluSpec final : public ActivationLayerSpec {
public:
    template <class S>
    using Kernel = LeakyReluKernel<S>;

    std::string_view kind() const override { return "LeakyReLU"; }
    std::string_view nameBase() const override { return "leaky_re_lu"; }
    std::string_view description() const override { return "Leaky ReLU: a small slope for negative values."; }
    const std::vector<ParamSpec>& params() const override;
    nlohmann::json kerasConfig(const Node& node, KerasFormat format, std::span<const Dims> inputs) const override;
    std::string readKeras(const nlohmann::json& config, KerasProducer producer, ParamMap& params) const override;
    std::string kerasPython(const Node& node, const std::string& args, const std::string& nameArg) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
};

/// Keras ELU(alpha): y = x for x > 0, alpha * (exp(x) - 1) below.
class EluSpec final : public ActivationLayerSpec {
public:
    template <class S>
    using Kernel = EluKernel<S>;

    std::string_view kind() const override { return "ELU"; }
    std::string_view nameBase() const override { return "elu"; }
    std::string_view description() const override { return "Exponential linear unit with a chosen alpha."; }
    const std::vector<ParamSpec>& params() const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    /// TF.js's ELU computes alpha 1 only.
    std::string tfjsLimitation(const Node& node) const override;
};

/// Keras Softmax(axis): exp(x) / sum(exp(x)) along the features (axis -1) or, for a sequence,
/// along time (axis 1), each feature's values over the steps summing to 1.
class SoftmaxSpec final : public ActivationLayerSpec {
public:
    template <class S>
    using Kernel = SoftmaxKernel<S>;

    std::string_view kind() const override { return "Softmax"; }
    std::string_view nameBase() const override { return "softmax"; }
    std::string_view description() const override { return "Turns values into probabilities along an axis."; }
    const std::vector<ParamSpec>& params() const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    /// Keras writes the axis as a number or a one-element list.
    std::string readKeras(const nlohmann::json& config, KerasProducer producer, ParamMap& params) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
};

/// Keras PReLU(shared_axes): y = x for x >= 0, alpha * x below, with a learned alpha for every
/// value of a sample (shape of the input without the batch), or one shared along the axes
/// named: [1] is time for a sequence (one alpha per feature), [2] the features.
class PReluSpec final : public ActivationLayerSpec {
public:
    template <class S>
    using Kernel = PReluKernel<S>;

    std::string_view kind() const override { return "PReLU"; }
    std::string_view nameBase() const override { return "p_re_lu"; }
    std::string_view description() const override { return "Leaky ReLU whose negative slopes are learned."; }
    const std::vector<ParamSpec>& params() const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::vector<ParamShape> weights(const Node& node, std::span<const Dims> inputs) const override;
    nlohmann::json kerasConfig(const Node& node, KerasFormat format, std::span<const Dims> inputs) const override;
    std::string readKeras(const nlohmann::json& config, KerasProducer producer, ParamMap& params) const override;
    std::string kerasPython(const Node& node, const std::string& args, const std::string& nameArg) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    std::vector<std::string_view> pytorchClasses() const override;
};

/// Whether a Softmax with `axis` on inputs shaped `in` (without the batch) runs over the steps.
bool softmaxOverTime(const Dims& in, std::int64_t axis);

/// The shape of PReLU's alpha for inputs shaped `in` (without the batch): `in` with the
/// shared axes (1 for the first, 2 for the second) made 1.
Dims preluAlphaShape(const std::string& sharedAxes, const Dims& in);

}  // namespace loom
