#pragma once

#include "layers/layer_spec.h"

namespace loom {

/// What LSTM, GRU and SimpleRNN share: a sequence in, `units` features out, either at every step
/// (return_sequences=True, `(None, T, units)`) or at the last step only (`(None, units)`).
class RecurrentSpec : public LayerSpec {
public:
    LayerCategory category() const override { return category::kRecurrent; }
    InputRank inputRank() const override { return InputRank::Sequence; }
    bool hasReturnSequences() const override { return true; }
    /// A sequence out keeps the mask; the last step alone has used it up.
    MaskRule maskRule(const Node& node) const override {
        return node.param<bool>("return_sequences") ? MaskRule::Pass : MaskRule::Drop;
    }
    bool readsStepMask(const Node&) const override { return true; }
    /// The states a layer of the kind carries from step to step: h, and c for an LSTM.
    virtual int stateCount() const { return 1; }
    /// The sequence, then (with initial_state) a starting value for each state.
    int maxInputs() const override { return 1 + stateCount(); }
    bool takesList() const override { return false; }
    int inputPorts(const Node& node) const override;
    std::vector<std::string> inputPortNames(const Node& node) const override;
    std::string morePortsHint(const Node&) const override {
        return "Its starting states go into ports of their own: turn initial_state on to show them.";
    }
    /// With return_state, each state after the last step: "h", and "c" for an LSTM.
    std::vector<std::string> moreOutputNames(const Node& node) const override;
    std::vector<TensorShape> moreOutputShapes(const ShapeContext& ctx, const TensorShape& output) const override;
    std::string_view moreOutputsParam() const override { return "return_state"; }
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::string explainSize(const Node& node, const Dim& dim) const override;
    /// The gates and states of every step, about six times the units per step.
    std::int64_t trainingCache(const Node& node, std::span<const Dims> inputs,
                               const Dims& output) const override;

    /// Every option Keras has and LayerLoom computes as Keras's default, stated.
    nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                               std::span<const Dims> inputs) const override;
    /// TF.js defaults recurrent_activation to hard_sigmoid, Keras to sigmoid.
    std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                          ParamMap& params) const override;
    /// The weights are the cell's: "lstm_cell/kernel:0" (tf.keras 2), "cell" (Keras 3).
    KerasWeightPlace kerasWeightPlace(const Node& node, const ParamShape& weight) const override;
    std::string tfjsLimitation(const Node& node) const override;
    /// ONNX's recurrent operators take a few activations only.
    std::string onnxLimitation(const Node& node) const override;
    /// The kind's ONNX operator (LSTM, GRU, RNN) over a time-major sequence (T, batch, in), for
    /// `direction` "forward", "reverse" or "bidirectional": its outputs Y (T, directions, batch,
    /// units), Y_h and, for an LSTM, Y_c (directions, batch, units). `weights` holds each
    /// direction's kernel, recurrent kernel and bias (with use_bias) in Keras's layouts;
    /// `initialStates` h (and c) shaped (batch, units), or none.
    std::vector<std::string> onnxOperator(const Node& node, OnnxGraph& graph, const std::string& timeMajor,
                                          std::span<const NamedTensor* const> weights, const std::string& direction,
                                          std::span<const std::string> initialStates) const;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;

protected:
    /// The arguments the PyTorch class of the kind takes after the common ones.
    virtual std::string pytorchExtraArgs(const Node&) const { return {}; }
    /// kernel (in, gates * units), recurrent_kernel (units, gates * units), then `bias` when
    /// use_bias is on (its name is "bias").
    static std::vector<ParamShape> gateWeights(const Node& node, std::int64_t in, int gates,
                                               ParamShape bias);
    /// The parameters both kinds have, in the inspector's order.
    static std::vector<ParamSpec> commonParams();
    /// Where the kind applies `activation`, for the unbounded-activation warning.
    virtual std::string_view activationRole() const = 0;

private:
    void warnUnboundedActivation(const ShapeContext& ctx) const;
};

}  // namespace loom
