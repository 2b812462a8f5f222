#include "layers/masking.h"

#include "io/python_text.h"
#include "layers/onnx_layer.h"

namespace loom {

const std::vector<ParamSpec>& MaskingSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "mask_value", .type = ParamType::Float, .defaultValue = 0.0,
         .help = "The value that marks padding: a step whose every feature equals it is skipped by the "
                 "layers that take a mask.",
         .minValue = -1e30, .maxValue = 1e30, .onCard = true, .cardOnlyIfChanged = true},
    };
    return schema;
}

std::optional<TensorShape> MaskingSpec::inferShape(const ShapeContext& ctx) const {
    return *ctx.inputs.front().shape;
}

PyTorchLayer MaskingSpec::pytorch(const Node& node, std::span<const Dims>, const std::string&,
                                  std::span<const std::string> args) const {
    // The values as Keras's Masking leaves them; the mask itself the module does not carry.
    const std::string& x = args.front();
    return {"", x + " * (" + x + " != " + python::number(node.param<double>("mask_value")) +
                    ").any(dim=-1, keepdim=True)"};
}

std::vector<std::string> MaskingSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    // The values as Keras's Masking leaves them: the steps whose features all equal mask_value
    // become zeros. The mask itself no ONNX operator carries; the export refuses layers that read it.
    const std::string& x = in.values[0];
    const std::string differs = graph.op("Not", {graph.op("Equal", {x, graph.scalar(static_cast<float>(node.param<double>("mask_value")))})});
    const std::string real = graph.reduce("ReduceMax", graph.op("Cast", {differs}, {{"to", std::int64_t{1}}}), {-1}, true);
    return {graph.op("Mul", {x, real})};
}

}  // namespace loom
