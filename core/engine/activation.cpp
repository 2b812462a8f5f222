#include "engine/activation.h"

#include <array>
#include <utility>

namespace loom {

std::optional<Activation> parseActivation(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, Activation>, 11> kNames = {{
        {"linear", Activation::Linear},
        {"relu", Activation::Relu},
        {"selu", Activation::Selu},
        {"elu", Activation::Elu},
        {"tanh", Activation::Tanh},
        {"sigmoid", Activation::Sigmoid},
        {"hard_sigmoid", Activation::HardSigmoid},
        {"softmax", Activation::Softmax},
        {"softplus", Activation::Softplus},
        {"gelu", Activation::Gelu},
        {"swish", Activation::Swish},
    }};
    for (const auto& [n, a] : kNames) {
        if (n == name) return a;
    }
    return std::nullopt;
}

}  // namespace loom
