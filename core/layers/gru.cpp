#include "layers/gru.h"

namespace loom {

const std::vector<ParamSpec>& GruSpec::params() const {
    static const std::vector<ParamSpec> schema = [] {
        auto p = commonParams();
        p.push_back({.name = "reset_after", .type = ParamType::Bool, .defaultValue = true,
                     .help = "Apply the reset gate after the recurrent matrix (Keras's default, "
                             "and cuDNN's convention)."});
        return p;
    }();
    return schema;
}

std::vector<ParamShape> GruSpec::weights(const Node& node, std::span<const Dims> inputs) const {
    const std::int64_t u = node.param<std::int64_t>("units");
    // reset_after keeps an input bias and a recurrent bias, one row each.
    ParamShape bias{"bias", {3 * u}, Init::Zeros};
    if (node.param<bool>("reset_after")) bias.shape = {2, 3 * u};
    return gateWeights(node, inputs.front().back(), 3, std::move(bias));
}

}  // namespace loom
