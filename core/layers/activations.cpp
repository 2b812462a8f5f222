#include "layers/activations.h"

namespace loom {

const std::vector<std::string>& activationNames() {
    static const std::vector<std::string> names = {
        "linear", "relu",    "selu",     "elu",  "tanh", "sigmoid",
        "hard_sigmoid", "softmax", "softplus", "gelu", "swish"};
    return names;
}

}  // namespace loom
