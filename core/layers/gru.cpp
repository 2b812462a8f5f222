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

std::int64_t GruSpec::paramCount(const Node& node, const TensorShape& input) const {
    const std::int64_t u = node.param<std::int64_t>("units");
    const std::int64_t in = input.features().size;
    std::int64_t bias = 0;
    if (node.param<bool>("use_bias")) bias = node.param<bool>("reset_after") ? 2 * u : u;
    return 3 * ((in + u) * u + bias);
}

}  // namespace loom
