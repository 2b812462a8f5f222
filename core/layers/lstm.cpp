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

std::int64_t LstmSpec::paramCount(const Node& node, const TensorShape& input) const {
    const std::int64_t u = node.param<std::int64_t>("units");
    const std::int64_t in = input.features().size;
    const std::int64_t bias = node.param<bool>("use_bias") ? u : 0;
    return 4 * ((in + u) * u + bias);
}

}  // namespace loom
