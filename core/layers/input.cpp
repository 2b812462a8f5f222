#include "layers/input.h"

namespace loom {

const std::vector<ParamSpec>& InputSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "shape", .type = ParamType::Shape, .defaultValue = Dims{32, 1},
         .help = "Shape of one sample without the batch axis: (time, features) or "
                 "(features,). Time may be None for sequences of any length.",
         .onCard = true},
    };
    return schema;
}

std::optional<TensorShape> InputSpec::inferShape(const ShapeContext& ctx) const {
    TensorShape out;
    for (std::int64_t size : ctx.node.param<Dims>("shape")) out.dims.push_back({size, ctx.node.id});
    return out;
}

std::string InputSpec::explainSize(const Node& node, const Dim&) const {
    return node.name + " is declared with shape " + formatParam(node.param<Dims>("shape"));
}

PyTorchLayer InputSpec::pytorch(const Node&, std::span<const Dims>, const std::string&,
                                std::span<const std::string>) const {
    return {};
}

}  // namespace loom
