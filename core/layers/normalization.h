#pragma once

#include "engine/kernels/normalization_kernels.h"
#include "layers/layer_spec.h"

namespace loom {

/// What LayerNormalization and BatchNormalization share: the feature axis normalised (Keras's
/// axis=-1; `axis` names it as Keras may, and any other axis is refused), epsilon, center and
/// scale, gamma and beta, and the shape, which they keep.
class NormalizationSpec : public LayerSpec {
public:
    LayerCategory category() const override { return category::kNormalization; }
    bool keepsRank() const override { return true; }
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::vector<ParamShape> weights(const Node& node, std::span<const Dims> inputs) const override;
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    /// Keras writes the axis as a list once built ([2]); a list of one is taken as its axis.
    std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                          ParamMap& params) const override;

protected:
    static std::vector<ParamSpec> commonParams(std::string epsilonHelp);
};

/// Keras LayerNormalization: every step of every sample normalised over its features by its
/// own mean and variance, then scaled by gamma and shifted by beta. The same in training and
/// inference.
class LayerNormalizationSpec final : public NormalizationSpec {
public:
    template <class S>
    using Kernel = LayerNormalizationKernel<S>;

    std::string_view kind() const override { return "LayerNormalization"; }
    std::string_view nameBase() const override { return "layer_normalization"; }
    std::string_view description() const override {
        return "Normalises each step's features to mean 0 and variance 1, then scales and shifts them.";
    }
    const std::vector<ParamSpec>& params() const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    std::vector<std::string_view> pytorchClasses() const override;
};

/// Keras BatchNormalization: in training, each feature normalised by the mean and variance of
/// the batch (over samples and steps), which also move the moving statistics; in inference, by
/// the moving statistics. moving_mean and moving_variance are weights that are saved and
/// counted but not trained.
class BatchNormalizationSpec final : public NormalizationSpec {
public:
    template <class S>
    using Kernel = BatchNormalizationKernel<S>;

    std::string_view kind() const override { return "BatchNormalization"; }
    bool usesBatchStatistics() const override { return true; }
    bool readsStepMask(const Node&) const override { return true; }  // its training moments
    std::string_view nameBase() const override { return "batch_normalization"; }
    std::string_view description() const override {
        return "Normalises each feature by the batch's statistics while training, by their moving "
               "averages after.";
    }
    const std::vector<ParamSpec>& params() const override;
    std::vector<ParamShape> weights(const Node& node, std::span<const Dims> inputs) const override;
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    std::vector<std::string_view> pytorchClasses() const override;
};

}  // namespace loom
