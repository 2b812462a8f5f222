#include "layers/lstm.h"

namespace loom {

const std::vector<ParamSpec>& LstmSpec::params() const {
    static const std::vector<ParamSpec> schema = [] {
        auto p = commonParams();
        p.push_back({.name = "unit_forget_bias", .type = ParamType::Bool, .defaultValue = true,
                     .help = "Start the forget gate's bias at 1, as Keras does."});
        return p;
    }();
    return schema;
}

std::vector<ParamShape> LstmSpec::weights(const Node& node, std::span<const Dims> inputs) const {
    const std::int64_t u = node.param<std::int64_t>("units");
    return gateWeights(node, inputs.front().back(), 4,
                       {"bias", {4 * u}, node.param<bool>("unit_forget_bias") ? Init::LstmBias : Init::Zeros});
}

}  // namespace loom
