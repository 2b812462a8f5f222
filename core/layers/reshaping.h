#pragma once

#include "engine/kernels/reshape_kernels.h"
#include "layers/layer_spec.h"

namespace loom {

/// What Flatten, Reshape and Permute share: the Reshaping group, and a sequence's length must
/// be known, since it becomes (part of) a size the next layer's weights depend on.
class ReshapingSpec : public LayerSpec {
public:
    LayerCategory category() const override { return category::kReshaping; }

protected:
    /// Reports a free time axis on the input, which the layer cannot reshape; true if so.
    bool reportFreeLength(const ShapeContext& ctx) const;
};

/// Keras Flatten: (None, T, f) -> (None, T * f); a vector passes unchanged. The bridge from a
/// convolutional encoder to Dense layers.
class FlattenSpec final : public ReshapingSpec {
public:
    template <class S>
    using Kernel = ReshapeKernel<S>;

    std::string_view kind() const override { return "Flatten"; }
    std::string_view nameBase() const override { return "flatten"; }
    std::string_view description() const override {
        return "Lays a sequence's steps end to end as one vector of steps x features.";
    }
    const std::vector<ParamSpec>& params() const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::string explainSize(const Node& node, const Dim& dim) const override;
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                          ParamMap& params) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
};

/// Keras Reshape(target_shape): the same values in another shape, (features,) or (time,
/// features); a time of None is Keras's -1, the length that makes the sizes agree.
class ReshapeSpec final : public ReshapingSpec {
public:
    template <class S>
    using Kernel = ReshapeKernel<S>;

    std::string_view kind() const override { return "Reshape"; }
    std::string_view nameBase() const override { return "reshape"; }
    std::string_view description() const override {
        return "Gives the same values another shape: a vector of 32 becomes 32 steps of 1 feature.";
    }
    const std::vector<ParamSpec>& params() const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::string explainSize(const Node& node, const Dim& dim) const override;
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                          ParamMap& params) const override;
    std::string kerasPython(const Node& node, const std::string& args, const std::string& nameArg) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
};

/// Keras Permute(dims): (2, 1) swaps a sequence's time and feature axes, (None, T, f) -> (None,
/// f, T); (1, 2) keeps them. A sequence without its batch axis has no other order.
class PermuteSpec final : public ReshapingSpec {
public:
    template <class S>
    using Kernel = PermuteKernel<S>;

    std::string_view kind() const override { return "Permute"; }
    std::string_view nameBase() const override { return "permute"; }
    std::string_view description() const override {
        return "Swaps the time and feature axes: each feature becomes a step.";
    }
    const std::vector<ParamSpec>& params() const override;
    InputRank inputRank() const override { return InputRank::Sequence; }
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                          ParamMap& params) const override;
    std::string kerasPython(const Node& node, const std::string& args, const std::string& nameArg) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
};

}  // namespace loom
