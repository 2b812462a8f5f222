#pragma once

#include "engine/kernels/attention_kernel.h"
#include "layers/layer_spec.h"

namespace loom {

/// Keras MultiHeadAttention over the time axis (attention_axes None), called as
/// `layer(query, value)` or `layer(query, value, key)`: ports 0 query (T, Fq), 1 value (S, Fv),
/// 2 key (S, Fk; the value when unwired), and with attention_mask 3 the attention mask (T, S),
/// nonzero where a query step may read a value step. Per head h:
///   Q = (query Wq[:, h] + bq[h]) / sqrt(key_dim)   K = key Wk[:, h] + bk[h]   V = value Wv[:, h] + bv[h]
///   P = softmax(Q K^T + mask), then dropout;  O_h = P V
/// and the output (T, output_shape or Fq) = sum_h O_h Wo[h] + bo. Weights in Keras's layout:
/// query/key/value kernels (F, num_heads, key_dim or value_dim) with biases (num_heads, dim),
/// attention_output kernel (num_heads, value_dim, out) and bias (out).
/// Masked positions get -1e9 added before the softmax, as Keras's Softmax does: the causal mask
/// (a query step sees the value steps up to its own), the attention mask, and the step masks the
/// inputs carry (the query's rows and the value's and a separate key's columns). The output carries the query's
/// mask.
class MultiHeadAttentionSpec final : public LayerSpec {
public:
    template <class S>
    using Kernel = AttentionKernel<S>;

    std::string_view kind() const override { return "MultiHeadAttention"; }
    std::string_view nameBase() const override { return "multi_head_attention"; }
    LayerCategory category() const override { return category::kAttention; }
    std::string_view description() const override {
        return "Multi-head attention: each query step reads a weighted mix of the value's steps; wire "
               "the same sequence into query and value for self-attention.";
    }
    const std::vector<ParamSpec>& params() const override;
    int minInputs() const override { return 2; }
    int maxInputs() const override { return 4; }
    /// query, value, key, and the attention mask with attention_mask on.
    int inputPorts(const Node& node) const override;
    /// The key, which is the value when unwired.
    bool inputPortOptional(const Node&, int port) const override { return port == 2; }
    std::vector<std::pair<int, std::string>> requiredPorts(const Node& node) const override;
    std::string morePortsHint(const Node&) const override {
        return "An attention mask goes into a port of its own: turn attention_mask on to show it.";
    }
    /// With return_attention_scores: "scores", (heads, query steps, value steps), for looking at only.
    std::vector<std::string> moreOutputNames(const Node& node) const override;
    std::vector<TensorShape> moreOutputShapes(const ShapeContext& ctx, const TensorShape& output) const override;
    std::string_view moreOutputsParam() const override { return "return_attention_scores"; }
    bool viewOnlyOutput(const Node& node, int port) const override {
        return port == 1 && node.param<bool>("return_attention_scores");
    }
    bool takesList() const override { return false; }
    InputRank inputRank() const override { return InputRank::Sequence; }
    MaskRule maskRule(const Node&) const override { return MaskRule::Pass; }
    bool readsStepMask(const Node&) const override { return true; }
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::vector<ParamShape> weights(const Node& node, std::span<const Dims> inputs) const override;
    /// The projections, the attention weights (before and after dropout) and the heads' outputs.
    std::int64_t trainingCache(const Node& node, std::span<const Dims> inputs, const Dims& output) const override;
    std::string explainSize(const Node& node, const Dim& dim) const override;
    nlohmann::json kerasConfig(const Node& node, KerasFormat format, std::span<const Dims> inputs) const override;
    std::string readKeras(const nlohmann::json& config, KerasProducer producer, ParamMap& params) const override;
    KerasWeightPlace kerasWeightPlace(const Node& node, const ParamShape& weight) const override;
    std::vector<std::string_view> callTensorNames() const override { return {"query", "value", "key", "attention_mask"}; }
    /// use_causal_mask and return_attention_scores, when set.
    nlohmann::json kerasCallOptions(const Node& node) const override;
    /// use_causal_mask, return_attention_scores, and attention_mask where the call passes one.
    std::string readKerasCall(const nlohmann::json& options, ParamMap& params) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    std::vector<std::string_view> pytorchClasses() const override;
    /// TF.js (4.22) reads MultiHeadAttention's class but not a functional model's call of it.
    std::string tfjsLimitation(const Node& node) const override;
};

}  // namespace loom
