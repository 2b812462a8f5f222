#pragma once

#include "engine/kernels/time_kernels.h"
#include "layers/layer_spec.h"

namespace loom {

/// What the layers that add or remove whole steps share: a sequence in, the same features out,
/// a new length that remembers the old (Dim::before).
class TimeStepsSpec : public LayerSpec {
public:
    LayerCategory category() const override { return category::kReshaping; }
    InputRank inputRank() const override { return InputRank::Sequence; }
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::int64_t timeAfter(const Node& node, std::int64_t steps) const override { return outLength(node, steps); }
    /// TF.js (4.x) has the 2-D forms of these layers only.
    std::string tfjsLimitation(const Node& node) const override;

protected:
    /// The output length for `steps` input steps (kNone stays kNone).
    virtual std::int64_t outLength(const Node& node, std::int64_t steps) const = 0;
};

/// Keras UpSampling1D(size): every step repeated `size` times, (None, T, f) -> (None, T * size, f).
/// The decoder's way back up after MaxPooling1D.
class UpSampling1dSpec final : public TimeStepsSpec {
public:
    template <class S>
    using Kernel = UpSampling1dKernel<S>;
    std::string_view kind() const override { return "UpSampling1D"; }
    std::string_view nameBase() const override { return "up_sampling1d"; }
    std::string_view description() const override {
        return "Repeats every step `size` times: doubles a sequence by default.";
    }
    const std::vector<ParamSpec>& params() const override;
    std::string explainSize(const Node& node, const Dim& dim) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;

protected:
    std::int64_t outLength(const Node& node, std::int64_t steps) const override;
};

/// Keras ZeroPadding1D(padding=(before, after)): zero steps added at the start and the end.
class ZeroPadding1dSpec final : public TimeStepsSpec {
public:
    template <class S>
    using Kernel = ZeroPadding1dKernel<S>;
    std::string_view kind() const override { return "ZeroPadding1D"; }
    std::string_view nameBase() const override { return "zero_padding1d"; }
    std::string_view description() const override {
        return "Adds steps of zeros at the start and the end of a sequence.";
    }
    const std::vector<ParamSpec>& params() const override;
    std::string explainSize(const Node& node, const Dim& dim) const override;
    /// Keras's `padding` is the pair (pad_before, pad_after).
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                          ParamMap& params) const override;
    std::string kerasPython(const Node& node, const std::string& args, const std::string& nameArg) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;

protected:
    std::int64_t outLength(const Node& node, std::int64_t steps) const override;
};

/// Keras Cropping1D(cropping=(before, after)): steps taken away from the start and the end.
class Cropping1dSpec final : public TimeStepsSpec {
public:
    template <class S>
    using Kernel = Cropping1dKernel<S>;
    std::string_view kind() const override { return "Cropping1D"; }
    std::string_view nameBase() const override { return "cropping1d"; }
    std::string_view description() const override {
        return "Removes steps from the start and the end of a sequence.";
    }
    const std::vector<ParamSpec>& params() const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::string explainSize(const Node& node, const Dim& dim) const override;
    /// Keras's `cropping` is the pair (crop_before, crop_after).
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                          ParamMap& params) const override;
    std::string kerasPython(const Node& node, const std::string& args, const std::string& nameArg) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;

protected:
    std::int64_t outLength(const Node& node, std::int64_t steps) const override;
};

}  // namespace loom
