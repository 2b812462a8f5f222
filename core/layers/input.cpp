#include "layers/input.h"
#include "layers/onnx_layer.h"

namespace loom {

const std::vector<ParamSpec>& InputSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "shape", .type = ParamType::Shape, .defaultValue = Dims{32, 1},
         .help = "Shape of one sample without the batch axis: (time, features) or "
                 "(features,). Time may be None for sequences of any length.",
         .onCard = true},
        {.name = "dtype", .type = ParamType::Choice, .defaultValue = std::string("float32"),
         .help = "What the Input holds: numbers (float32), or token ids (int32) for an "
                 "Embedding to look up, one id per step: shape (time,).",
         .choices = {"float32", "int32"}, .onCard = true, .cardOnlyIfChanged = true},
    };
    return schema;
}

std::optional<TensorShape> InputSpec::inferShape(const ShapeContext& ctx) const {
    TensorShape out;
    for (std::int64_t size : ctx.node.param<Dims>("shape")) out.dims.push_back({size, ctx.node.id});
    return out;
}

bool holdsTokenIds(const Node& node) {
    if (!node.isInput()) return false;
    auto it = node.params.find("dtype");
    const auto* dtype = it == node.params.end() ? nullptr : std::get_if<std::string>(&it->second);
    return dtype && *dtype == "int32";
}

std::string InputSpec::explainSize(const Node& node, const Dim&) const {
    return node.name + " is declared with shape " + formatParam(node.param<Dims>("shape"));
}

PyTorchLayer InputSpec::pytorch(const Node&, std::span<const Dims>, const std::string&,
                                std::span<const std::string>) const {
    return {};
}

std::vector<std::string> InputSpec::onnx(const Node&, OnnxGraph&, const OnnxLayerInputs&) const {
    return {};  // the graph's input, which the export names after the layer
}

}  // namespace loom
