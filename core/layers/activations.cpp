#include "layers/activations.h"

namespace loom {

const std::vector<std::string>& activationNames() {
    static const std::vector<std::string> names = {
        "linear", "relu",    "selu",     "elu",  "tanh", "sigmoid",
        "hard_sigmoid", "softmax", "softplus", "gelu", "swish", "relu6",
        "leaky_relu", "hard_silu", "mish", "log_softmax"};
    return names;
}

std::string canonicalActivation(const std::string& name) {
    if (name == "silu") return "swish";
    if (name == "hard_swish") return "hard_silu";
    return name;
}

bool tfjsHasActivation(const std::string& name) { return name != "leaky_relu" && name != "hard_silu"; }

}  // namespace loom
