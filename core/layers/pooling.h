#pragma once

#include "engine/kernels/time_kernels.h"
#include "layers/windowed.h"

namespace loom {

/// What MaxPooling1D and AveragePooling1D share: windows of pool_size steps, moved by strides
/// (0, Keras's None: by pool_size), each giving one step with the features unchanged.
/// valid: T' = floor((T - pool_size) / strides) + 1, so 25 steps pool to 12; same: ceil(T / strides).
class Pooling1dSpec : public WindowedSpec {
public:
    LayerCategory category() const override { return category::kPooling; }
    const std::vector<ParamSpec>& params() const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    Window1D window(const Node& node) const override { return poolingWindow(node); }
    /// pool_size and strides as Keras's one-element lists, strides resolved.
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                          ParamMap& params) const override;
    /// strides=None where LayerLoom's 0 follows pool_size.
    std::string kerasPython(const Node& node, const std::string& args, const std::string& nameArg) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    std::vector<std::string_view> pytorchClasses() const override;

protected:
    std::string_view sizeParam() const override { return "pool_size"; }
    virtual bool takesMax() const = 0;
};

/// Keras MaxPooling1D: the largest value of each window, per feature.
class MaxPooling1dSpec final : public Pooling1dSpec {
public:
    template <class S>
    using Kernel = MaxPooling1dKernel<S>;
    std::string_view kind() const override { return "MaxPooling1D"; }
    std::string_view nameBase() const override { return "max_pooling1d"; }
    std::string_view description() const override {
        return "Keeps the largest value of each window of steps: halves a sequence by default.";
    }

protected:
    bool takesMax() const override { return true; }
};

/// Keras AveragePooling1D: the mean of each window, per feature (padding left out of the mean).
class AveragePooling1dSpec final : public Pooling1dSpec {
public:
    template <class S>
    using Kernel = AveragePooling1dKernel<S>;
    std::string_view kind() const override { return "AveragePooling1D"; }
    std::string_view nameBase() const override { return "average_pooling1d"; }
    std::string_view description() const override {
        return "Averages each window of steps: halves a sequence by default.";
    }

protected:
    bool takesMax() const override { return false; }
};

/// What the global poolings share: (None, T, features) -> (None, features), over every step; or,
/// with data_format="channels_first", (None, T), over every feature.
class GlobalPooling1dSpec : public LayerSpec {
public:
    LayerCategory category() const override { return category::kPooling; }
    const std::vector<ParamSpec>& params() const override;
    InputRank inputRank() const override { return InputRank::Sequence; }
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    /// keepdims=True (a sequence of one step) is refused.
    std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                          ParamMap& params) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    /// TF.js's global poolings pool over the steps only.
    std::string tfjsLimitation(const Node& node) const override;

protected:
    virtual bool takesMax() const = 0;
};

class GlobalMaxPooling1dSpec final : public GlobalPooling1dSpec {
public:
    template <class S>
    using Kernel = GlobalMaxPooling1dKernel<S>;
    std::string_view kind() const override { return "GlobalMaxPooling1D"; }
    std::string_view nameBase() const override { return "global_max_pooling1d"; }
    std::string_view description() const override {
        return "The largest value of each feature over the whole sequence: a vector.";
    }

protected:
    bool takesMax() const override { return true; }
};

class GlobalAveragePooling1dSpec final : public GlobalPooling1dSpec {
public:
    template <class S>
    using Kernel = GlobalAveragePooling1dKernel<S>;
    std::string_view kind() const override { return "GlobalAveragePooling1D"; }
    std::string_view nameBase() const override { return "global_average_pooling1d"; }
    std::string_view description() const override {
        return "The mean of each feature over the whole sequence: a vector.";
    }
    /// Over the steps it averages the real ones; over the features (channels_first) there are
    /// no steps to skip.
    bool readsStepMask(const Node& node) const override {
        return node.param<std::string>("data_format") != "channels_first";
    }

protected:
    bool takesMax() const override { return false; }
};

}  // namespace loom
