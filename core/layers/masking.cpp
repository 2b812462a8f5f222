#include "layers/masking.h"

#include "io/python_text.h"

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

}  // namespace loom
