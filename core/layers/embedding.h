#pragma once

#include "engine/kernels/embedding_kernel.h"
#include "layers/layer_spec.h"

namespace loom {

/// Keras Embedding(input_dim, output_dim): token ids (None, time) -> (None, time, output_dim),
/// every id replaced by its row of a trained table (input_dim, output_dim). Reads the ids of an
/// Input of dtype int32; ids must lie in [0, input_dim). Parameters: input_dim * output_dim.
class EmbeddingSpec final : public LayerSpec {
public:
    template <class S>
    using Kernel = EmbeddingKernel<S>;

    std::string_view kind() const override { return "Embedding"; }
    std::string_view nameBase() const override { return "embedding"; }
    LayerCategory category() const override { return category::kCore; }
    std::string_view description() const override {
        return "Turns token ids (an int32 Input) into a sequence of learned vectors.";
    }
    MaskRule maskRule(const Node& node) const override {
        return node.param<bool>("mask_zero") ? MaskRule::Make : MaskRule::Drop;
    }
    const std::vector<ParamSpec>& params() const override;
    std::string_view vocabularyParam() const override { return "input_dim"; }
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::vector<ParamShape> weights(const Node& node, std::span<const Dims> inputs) const override;
    std::string explainSize(const Node& node, const Dim& dim) const override;
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                          ParamMap& params) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    std::vector<std::string_view> pytorchClasses() const override;
};

}  // namespace loom
