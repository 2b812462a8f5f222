#pragma once

#include "engine/kernels/position_embedding_kernel.h"
#include "layers/layer_spec.h"

namespace loom {

/// What keras_hub's two position layers share: a trained table of `sequence_length` rows, of
/// which a sequence of T steps uses rows 0 .. T-1 (T may not exceed sequence_length), and
/// their origin in Keras 3 files and code.
class PositionTableSpec : public LayerSpec {
public:
    LayerCategory category() const override { return category::kAttention; }
    std::string explainSize(const Node& node, const Dim& dim) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::string tfjsLimitation(const Node& node) const override;

protected:
    /// Reports a sequence longer than the table, with a fix; false then.
    bool fitsTable(const ShapeContext& ctx, const Dim& steps) const;
    static ParamSpec sequenceLengthParam();
    /// Rows 0 .. T-1 of a position table in an ONNX graph, T the input's steps.
    static std::string onnxPositions(OnnxGraph& graph, const OnnxLayerInputs& in, const NamedTensor& table);
    /// The keyword arguments of the PyTorch class after the table's sizes.
    virtual std::string pytorchArguments(const Node& node, std::span<const Dims> inputs) const = 0;
};

/// keras_hub.layers.PositionEmbedding(sequence_length, initializer="glorot_uniform"): returns
/// rows 0 .. T-1 of its table (sequence_length, features) for every sample, whatever the
/// input's values; its input gives the shape only (add it to the input with an Add). It takes
/// no step mask, as keras_hub's does not.
class PositionEmbeddingSpec final : public PositionTableSpec {
public:
    template <class S>
    using Kernel = PositionEmbeddingKernel<S>;

    std::string_view kind() const override { return "PositionEmbedding"; }
    std::string_view nameBase() const override { return "position_embedding"; }
    std::string_view description() const override {
        return "A learned vector per position (keras_hub), to add to a sequence so that attention sees order.";
    }
    InputRank inputRank() const override { return InputRank::Sequence; }
    const std::vector<ParamSpec>& params() const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::vector<ParamShape> weights(const Node& node, std::span<const Dims> inputs) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    KerasOrigin kerasOrigin() const override {
        return {"keras_hub.src.layers.modeling.position_embedding", "keras_hub>PositionEmbedding", "keras_hub"};
    }
    std::vector<std::string_view> pytorchClasses() const override;

protected:
    std::string pytorchArguments(const Node& node, std::span<const Dims> inputs) const override;
};

/// keras_hub.layers.TokenAndPositionEmbedding(vocabulary_size, sequence_length, embedding_dim,
/// tie_weights=True, embeddings_initializer="uniform", mask_zero=False): token ids (None, T)
/// -> (None, T, embedding_dim), each id's row of the token table plus row t of the position
/// table. Weights as keras_hub keeps them: token_embedding/embeddings (vocabulary_size,
/// embedding_dim), with tie_weights off token_embedding/reverse_embeddings (embedding_dim,
/// vocabulary_size) for keras_hub's reverse projection (which LayerLoom never computes), and
/// position_embedding/embeddings (sequence_length, embedding_dim).
class TokenAndPositionEmbeddingSpec final : public PositionTableSpec {
public:
    template <class S>
    using Kernel = TokenAndPositionEmbeddingKernel<S>;

    std::string_view kind() const override { return "TokenAndPositionEmbedding"; }
    std::string_view nameBase() const override { return "token_and_position_embedding"; }
    std::string_view description() const override {
        return "Token ids to vectors plus a learned vector per position (keras_hub): a Transformer's input.";
    }
    InputRank inputRank() const override { return InputRank::Vector; }
    MaskRule maskRule(const Node& node) const override {
        return node.param<bool>("mask_zero") ? MaskRule::Make : MaskRule::Drop;
    }
    std::string_view vocabularyParam() const override { return "vocabulary_size"; }
    const std::vector<ParamSpec>& params() const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::vector<ParamShape> weights(const Node& node, std::span<const Dims> inputs) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    KerasOrigin kerasOrigin() const override {
        return {"keras_hub.src.layers.modeling.token_and_position_embedding", "keras_hub>TokenAndPositionEmbedding",
                "keras_hub"};
    }
    /// "token_embedding/embeddings:0" (.h5), owner "token_embedding" (.keras); the same for the
    /// position table.
    KerasWeightPlace kerasWeightPlace(const Node& node, const ParamShape& weight) const override;
    std::vector<std::string_view> pytorchClasses() const override;

protected:
    std::string pytorchArguments(const Node& node, std::span<const Dims> inputs) const override;
};

}  // namespace loom
