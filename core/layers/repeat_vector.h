#pragma once

#include "engine/kernels/shape_kernels.h"
#include "layers/layer_spec.h"

namespace loom {

/// Keras RepeatVector(n): (None, features) -> (None, n, features), the vector copied n times.
/// The bridge from an encoder's summary vector to a decoder that reads a sequence.
class RepeatVectorSpec final : public LayerSpec {
public:
    template <class S>
    using Kernel = RepeatVectorKernel<S>;

    std::string_view kind() const override { return "RepeatVector"; }
    std::string_view nameBase() const override { return "repeat_vector"; }
    LayerCategory category() const override { return category::kCore; }
    std::string_view description() const override {
        return "Repeats a vector n times, making a sequence of n steps.";
    }
    const std::vector<ParamSpec>& params() const override;
    InputRank inputRank() const override { return InputRank::Vector; }
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    std::string explainSize(const Node& node, const Dim& dim) const override;
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;
    std::vector<std::string_view> pytorchClasses() const override;
};

}  // namespace loom
