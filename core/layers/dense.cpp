#include "layers/dense.h"

#include "layers/activations.h"

namespace loom {

const std::vector<ParamSpec>& DenseSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "units", .type = ParamType::Int, .defaultValue = std::int64_t{32},
         .help = "Number of output features.", .minValue = 1, .maxValue = 1 << 20,
         .onCard = true},
        {.name = "activation", .type = ParamType::Choice, .defaultValue = std::string("linear"),
         .help = "Applied to the output.", .choices = activationNames(), .onCard = true},
        {.name = "use_bias", .type = ParamType::Bool, .defaultValue = true,
         .help = "Whether the layer adds a bias vector."},
        {.name = "kernel_regularizer", .type = ParamType::Regularization,
         .defaultValue = Regularizer{}, .help = "Penalty on the kernel added to the loss."},
    };
    return schema;
}

std::optional<TensorShape> DenseSpec::inferShape(const ShapeContext& ctx) const {
    TensorShape out = *ctx.inputs.front().shape;
    out.dims.back() = Dim{ctx.node.param<std::int64_t>("units"), ctx.node.id};
    return out;
}

std::vector<ParamShape> DenseSpec::weights(const Node& node, std::span<const Dims> inputs) const {
    const std::int64_t u = node.param<std::int64_t>("units");
    std::vector<ParamShape> w{{"kernel", {inputs.front().back(), u}, Init::GlorotUniform}};
    if (node.param<bool>("use_bias")) w.push_back({"bias", {u}, Init::Zeros});
    return w;
}

std::string DenseSpec::explainSize(const Node& node, const Dim& dim) const {
    return node.name + " has units=" + std::to_string(dim.size);
}

}  // namespace loom
