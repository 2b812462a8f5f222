#include "engine/activation.h"

#include <array>
#include <utility>

namespace loom {

std::optional<Activation> parseActivation(std::string_view name) {
    // Keras 3 writes swish as silu, and knows hard_silu also as hard_swish.
    static constexpr std::array<std::pair<std::string_view, Activation>, 18> kNames = {{
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
        {"silu", Activation::Swish},
        {"relu6", Activation::Relu6},
        {"leaky_relu", Activation::LeakyRelu},
        {"hard_silu", Activation::HardSilu},
        {"hard_swish", Activation::HardSilu},
        {"mish", Activation::Mish},
        {"log_softmax", Activation::LogSoftmax},
    }};
    for (const auto& [n, a] : kNames) {
        if (n == name) return a;
    }
    return std::nullopt;
}

}  // namespace loom
