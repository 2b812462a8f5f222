#include "layers/dropout.h"

namespace loom {

const std::vector<ParamSpec>& DropoutSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "rate", .type = ParamType::Float, .defaultValue = 0.2,
         .help = "Fraction of the values set to zero while training.", .minValue = 0,
         .maxValue = 1, .maxExclusive = true, .onCard = true},
    };
    return schema;
}

std::optional<TensorShape> DropoutSpec::inferShape(const ShapeContext& ctx) const {
    return *ctx.inputs.front().shape;
}

}  // namespace loom
