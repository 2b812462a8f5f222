#pragma once

#include <cmath>
#include <optional>
#include <string_view>

#include "engine/tensor.h"

namespace loom {

/// Keras's activations. hard_sigmoid is tf.keras 2's and TF.js's clip(0.2 x + 0.5, 0, 1);
/// hard_silu (hard_swish) is Keras 3's x relu6(x + 3) / 6, leaky_relu Keras 3's with slope 0.2.
enum class Activation {
    Linear, Relu, Selu, Elu, Tanh, Sigmoid, HardSigmoid, Softmax, Softplus, Gelu, Swish,
    Relu6, LeakyRelu, HardSilu, Mish, LogSoftmax
};

std::optional<Activation> parseActivation(std::string_view name);

namespace act {

inline constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
inline constexpr double kSeluScale = 1.0507009873554804934193349852946;
inline constexpr double kLeakyReluSlope = 0.2;  ///< keras.activations.leaky_relu's default

/// y = f(z), element-wise; softmax over each row.
template <class S>
void apply(Activation a, ConstMatRef<S> z, MatRef<S> y) {
    const auto x = z.array();
    switch (a) {
        case Activation::Linear: y = z; break;
        case Activation::Relu: y.array() = x.max(S(0)); break;
        case Activation::Selu:
            y.array() = S(kSeluScale) *
                        (x > S(0)).select(x, S(kSeluAlpha) * (x.exp() - S(1)));
            break;
        case Activation::Elu: y.array() = (x > S(0)).select(x, x.exp() - S(1)); break;
        case Activation::Tanh: y.array() = x.tanh(); break;
        case Activation::Sigmoid: y.array() = S(1) / (S(1) + (-x).exp()); break;
        case Activation::HardSigmoid:
            y.array() = (S(0.2) * x + S(0.5)).max(S(0)).min(S(1));
            break;
        case Activation::Softmax:
            for (Eigen::Index r = 0; r < z.rows(); ++r) {
                const S m = z.row(r).maxCoeff();
                y.row(r).array() = (z.row(r).array() - m).exp();
                y.row(r) /= y.row(r).sum();
            }
            break;
        case Activation::Softplus:
            // log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|).
            y.array() = x.max(S(0)) + (-x.abs()).exp().log1p();
            break;
        case Activation::Gelu:
            y.array() = S(0.5) * x * (S(1) + (x * S(M_SQRT1_2)).unaryExpr([](S v) {
                            return static_cast<S>(std::erf(v));
                        }));
            break;
        case Activation::Swish: y.array() = x / (S(1) + (-x).exp()); break;
        case Activation::Relu6: y.array() = x.max(S(0)).min(S(6)); break;
        case Activation::LeakyRelu: y.array() = (x >= S(0)).select(x, S(kLeakyReluSlope) * x); break;
        case Activation::HardSilu: y.array() = x * (x + S(3)).max(S(0)).min(S(6)) / S(6); break;
        case Activation::Mish:
            y.array() = x * (x.max(S(0)) + (-x.abs()).exp().log1p()).tanh();
            break;
        case Activation::LogSoftmax:
            for (Eigen::Index r = 0; r < z.rows(); ++r) {
                const S m = z.row(r).maxCoeff();
                const S lse = m + std::log((z.row(r).array() - m).exp().sum());
                y.row(r).array() = z.row(r).array() - lse;
            }
            break;
    }
}

/// dz = dy * f'(z), given z and y = f(z); for softmax, the product with each row's Jacobian.
template <class S>
void backward(Activation a, ConstMatRef<S> z, ConstMatRef<S> y, ConstMatRef<S> dy,
              MatRef<S> dz) {
    const auto x = z.array();
    const auto f = y.array();
    const auto g = dy.array();
    switch (a) {
        case Activation::Linear: dz = dy; break;
        case Activation::Relu: dz.array() = (x > S(0)).select(g, S(0)); break;
        case Activation::Selu:
            dz.array() = g * (x > S(0)).select(S(kSeluScale), f + S(kSeluScale * kSeluAlpha));
            break;
        case Activation::Elu: dz.array() = g * (x > S(0)).select(S(1), f + S(1)); break;
        case Activation::Tanh: dz.array() = g * (S(1) - f * f); break;
        case Activation::Sigmoid: dz.array() = g * f * (S(1) - f); break;
        case Activation::HardSigmoid:
            dz.array() = ((x > S(-2.5)) && (x < S(2.5))).select(S(0.2) * g, S(0));
            break;
        case Activation::Softmax:
            for (Eigen::Index r = 0; r < z.rows(); ++r) {
                const S dot = (dy.row(r).array() * y.row(r).array()).sum();
                dz.row(r).array() = y.row(r).array() * (dy.row(r).array() - dot);
            }
            break;
        case Activation::Softplus: dz.array() = g / (S(1) + (-x).exp()); break;
        case Activation::Gelu: {
            const S c = S(1) / std::sqrt(S(2) * S(M_PI));
            dz.array() = g * ((S(1) + (x * S(M_SQRT1_2)).unaryExpr([](S v) {
                                            return static_cast<S>(std::erf(v));
                                        })) * S(0.5) +
                              x * c * (S(-0.5) * x * x).exp());
            break;
        }
        case Activation::Swish: {
            const auto s = S(1) / (S(1) + (-x).exp());
            dz.array() = g * (s + x * s * (S(1) - s));
            break;
        }
        case Activation::Relu6: dz.array() = ((x > S(0)) && (x < S(6))).select(g, S(0)); break;
        case Activation::LeakyRelu: dz.array() = (x >= S(0)).select(g, S(kLeakyReluSlope) * g); break;
        case Activation::HardSilu:
            dz.array() = (x >= S(3)).select(g, (x > S(-3)).select(g * (S(2) * x + S(3)) / S(6), S(0)));
            break;
        case Activation::Mish: {
            // d/dx x tanh(softplus(x)) = tanh(sp) + x (1 - tanh(sp)^2) sigmoid(x)
            const auto t = (x.max(S(0)) + (-x.abs()).exp().log1p()).tanh();
            dz.array() = g * (t + x * (S(1) - t * t) / (S(1) + (-x).exp()));
            break;
        }
        case Activation::LogSoftmax:
            // y = z - logsumexp(z): dz = dy - softmax(z) * sum(dy), softmax = exp(y).
            for (Eigen::Index r = 0; r < z.rows(); ++r) {
                const S total = dy.row(r).sum();
                dz.row(r).array() = dy.row(r).array() - y.row(r).array().exp() * total;
            }
            break;
    }
}

}  // namespace act
}  // namespace loom
