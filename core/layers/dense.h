#pragma once

#include "engine/kernels/dense_kernel.h"
#include "layers/layer_spec.h"

namespace loom {

/// Keras Dense: y = act(x W + b), W (in, units), b (units). On a sequence it acts on the last
/// axis at every step, the same as TimeDistributed(Dense). Parameters: in * units + units.
class DenseSpec : public LayerSpec {
public:
    template <class S>
    using Kernel = DenseKernel<S>;

    std::string_view kind() const override { return "Dense"; }
    std::string_view nameBase() const override { return "dense"; }
    bool keepsRank() const override { return true; }
    LayerCategory category() const override { return category::kCore; }
    std::string_view description() const override {
        return "Fully connected layer on the last axis; on a sequence, at every step.";
    }
    const std::vector<ParamSpec>& params() const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::vector<ParamShape> weights(const Node& node, std::span<const Dims> inputs) const override;
    std::string explainSize(const Node& node, const Dim& dim) const override;
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    std::vector<std::string_view> pytorchClasses() const override;
};

/// Keras TimeDistributed(Dense): the wrapped Dense applied at every step of a sequence.
/// Its parameters are the Dense layer's.
class TimeDistributedSpec final : public DenseSpec {
public:
    std::string_view kind() const override { return "TimeDistributed"; }
    std::string_view nameBase() const override { return "time_distributed"; }
    std::string_view description() const override {
        return "Applies a Dense layer to every step of a sequence.";
    }
    InputRank inputRank() const override { return InputRank::Sequence; }
    bool keepsRank() const override { return false; }  // it takes sequences only
    MaskRule maskRule(const Node&) const override { return MaskRule::Pass; }
    std::string wrapped(const Node&) const override { return "Dense"; }
    /// {"layer": the wrapped Dense}, named `<name>_dense`.
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                          ParamMap& params) const override;
    KerasWeightPlace kerasWeightPlace(const Node& node, const ParamShape& weight) const override;
    std::string kerasPython(const Node& node, const std::string& args, const std::string& nameArg) const override;
};

}  // namespace loom
