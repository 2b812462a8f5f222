#pragma once

#include "layers/layer_spec.h"

namespace loom {

/// Keras Input(shape, dtype): where data enters. `shape` leaves out the batch axis: (time,
/// features) for a sequence, time may be None; (features,) for a vector. dtype int32 holds
/// token ids, shaped (time,), which only an Embedding reads.
class InputSpec final : public LayerSpec {
public:
    std::string_view kind() const override { return "InputLayer"; }
    std::string_view nameBase() const override { return "input"; }
    LayerCategory category() const override { return category::kInputs; }
    std::string_view description() const override {
        return "Where the data enters: a sequence (time, features) or a vector (features,).";
    }
    const std::vector<ParamSpec>& params() const override;
    int minInputs() const override { return 0; }
    int maxInputs() const override { return 0; }
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::string explainSize(const Node& node, const Dim& dim) const override;
    /// The forward pass's own argument.
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
};

/// Whether `node` is an Input of token ids (dtype int32).
bool holdsTokenIds(const Node& node);

}  // namespace loom
