#pragma once

// Keras's regularisation layers besides Dropout: they change values only while training
// (seeded as Dropout is, from the run's seed) and are the identity at inference. Shape unchanged.
#include "engine/kernels/noise_kernels.h"
#include "layers/layer_spec.h"

namespace loom {

/// What the noise layers share: one input, an output of its shape, no weights.
class NoiseLayerSpec : public LayerSpec {
public:
    LayerCategory category() const override { return category::kRegularisation; }
    bool keepsRank() const override { return true; }
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    /// The rate or deviation, and Keras's seed (None: LayerLoom seeds every run itself).
    nlohmann::json kerasConfig(const Node& node, KerasFormat format, std::span<const Dims> inputs) const override;
    /// The identity: ONNX graphs compute inference.
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
};

/// Keras SpatialDropout1D(rate): while training, drops whole feature channels of each sample,
/// at every step alike, and scales the rest by 1 / (1 - rate). Reads sequences.
class SpatialDropout1dSpec final : public NoiseLayerSpec {
public:
    template <class S>
    using Kernel = SpatialDropoutKernel<S>;

    std::string_view kind() const override { return "SpatialDropout1D"; }
    std::string_view nameBase() const override { return "spatial_dropout1d"; }
    InputRank inputRank() const override { return InputRank::Sequence; }
    std::string_view description() const override {
        return "Drops whole feature channels of a sequence while training.";
    }
    const std::vector<ParamSpec>& params() const override;
    nlohmann::json kerasConfig(const Node& node, KerasFormat format, std::span<const Dims> inputs) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
};

/// Keras GaussianNoise(stddev): while training, adds noise from N(0, stddev) to every value.
class GaussianNoiseSpec final : public NoiseLayerSpec {
public:
    template <class S>
    using Kernel = GaussianNoiseKernel<S>;

    std::string_view kind() const override { return "GaussianNoise"; }
    std::string_view nameBase() const override { return "gaussian_noise"; }
    std::string_view description() const override { return "Adds Gaussian noise to every value while training."; }
    const std::vector<ParamSpec>& params() const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
};

/// Keras GaussianDropout(rate): while training, multiplies every value by noise from
/// N(1, sqrt(rate / (1 - rate))).
class GaussianDropoutSpec final : public NoiseLayerSpec {
public:
    template <class S>
    using Kernel = GaussianDropoutKernel<S>;

    std::string_view kind() const override { return "GaussianDropout"; }
    std::string_view nameBase() const override { return "gaussian_dropout"; }
    std::string_view description() const override { return "Multiplies every value by Gaussian noise around 1 while training."; }
    const std::vector<ParamSpec>& params() const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
};

/// Keras AlphaDropout(rate): dropout that keeps the mean and variance SELU networks rely on.
class AlphaDropoutSpec final : public NoiseLayerSpec {
public:
    template <class S>
    using Kernel = AlphaDropoutKernel<S>;

    std::string_view kind() const override { return "AlphaDropout"; }
    std::string_view nameBase() const override { return "alpha_dropout"; }
    std::string_view description() const override { return "Dropout for SELU networks: keeps their mean and variance."; }
    const std::vector<ParamSpec>& params() const override;
    nlohmann::json kerasConfig(const Node& node, KerasFormat format, std::span<const Dims> inputs) const override;
    /// A noise_shape (one mask shared along an axis) is refused.
    std::string readKeras(const nlohmann::json& config, KerasProducer producer, ParamMap& params) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
};

}  // namespace loom
