#pragma once

#include "engine/kernels/bidirectional_kernel.h"
#include "layers/recurrent.h"

namespace loom {

/// Keras Bidirectional(layer, merge_mode): an LSTM, GRU or SimpleRNN read forward and, with
/// weights of its own, backward; the two outputs joined by merge_mode. Its parameters are the
/// wrapped layer's (those the chosen kind has), `layer` and `merge_mode`. Its weights are named
/// `forward_layer/kernel`, `backward_layer/kernel`, ... as Keras 3 names the two layers.
class BidirectionalSpec final : public LayerSpec {
public:
    template <class S>
    using Kernel = BidirectionalKernel<S>;

    std::string_view kind() const override { return "Bidirectional"; }
    std::string_view nameBase() const override { return "bidirectional"; }
    LayerCategory category() const override { return category::kRecurrent; }
    std::string_view description() const override {
        return "Reads a sequence forward and backward with a recurrent layer and joins both readings.";
    }
    const std::vector<ParamSpec>& params() const override;
    bool paramApplies(const Node& node, std::string_view param) const override;
    InputRank inputRank() const override { return InputRank::Sequence; }
    bool hasReturnSequences() const override { return true; }
    /// A sequence out keeps the mask; the last step alone has used it up.
    MaskRule maskRule(const Node& node) const override {
        return node.param<bool>("return_sequences") ? MaskRule::Pass : MaskRule::Drop;
    }
    bool readsStepMask(const Node&) const override { return true; }
    std::string wrapped(const Node& node) const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::vector<ParamShape> weights(const Node& node, std::span<const Dims> inputs) const override;
    std::int64_t trainingCache(const Node& node, std::span<const Dims> inputs,
                               const Dims& output) const override;
    std::string explainSize(const Node& node, const Dim& dim) const override;

    /// {"layer": the wrapped layer's config, named after its kind, "merge_mode"}.
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                          ParamMap& params) const override;
    /// "forward_lstm/lstm_cell/kernel:0" (tf.keras 2), "forward_layer/cell" (Keras 3).
    KerasWeightPlace kerasWeightPlace(const Node& node, const ParamShape& weight) const override;
    std::string kerasPython(const Node& node, const std::string& args, const std::string& nameArg) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    std::vector<std::string_view> pytorchClasses() const override;
    std::string tfjsLimitation(const Node& node) const override;
    std::string onnxLimitation(const Node& node) const override;

    /// The wrapped layer's kind, or null for a kind Bidirectional cannot wrap.
    static const RecurrentSpec* innerSpec(const Node& node);
    /// The wrapped layer as a node of its own kind: the parameters it has, the given name.
    static Node innerNode(const Node& node, std::string name);
};

}  // namespace loom
