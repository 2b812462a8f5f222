#include "engine/loss.h"

#include <algorithm>
#include <cmath>

namespace loom {

namespace {
constexpr double kEpsilon = 1e-7;  // Keras's backend epsilon, for clipping probabilities
}

std::optional<Loss> parseLoss(std::string_view n) {
    if (n == "mse" || n == "mean_squared_error") return Loss::MeanSquaredError;
    if (n == "mae" || n == "mean_absolute_error") return Loss::MeanAbsoluteError;
    if (n == "huber" || n == "huber_loss") return Loss::Huber;
    if (n == "binary_crossentropy") return Loss::BinaryCrossentropy;
    if (n == "categorical_crossentropy") return Loss::CategoricalCrossentropy;
    if (n == "sparse_categorical_crossentropy") return Loss::SparseCategoricalCrossentropy;
    return std::nullopt;
}

std::string lossName(Loss loss) {
    switch (loss) {
        case Loss::MeanSquaredError: return "mse";
        case Loss::MeanAbsoluteError: return "mae";
        case Loss::Huber: return "huber";
        case Loss::BinaryCrossentropy: return "binary_crossentropy";
        case Loss::CategoricalCrossentropy: return "categorical_crossentropy";
        case Loss::SparseCategoricalCrossentropy: return "sparse_categorical_crossentropy";
    }
    return "mse";
}

bool isClassification(Loss loss) {
    return loss == Loss::BinaryCrossentropy || loss == Loss::CategoricalCrossentropy ||
           loss == Loss::SparseCategoricalCrossentropy;
}

namespace {

/// log(sum_c exp(x_c)) over one row of logits, computed stably: log softmax(x)_c = x_c - this.
template <class S>
double logSumExp(const S* x, std::int64_t cols) {
    const double top = static_cast<double>(*std::max_element(x, x + cols));
    double sum = 0.0;
    for (std::int64_t c = 0; c < cols; ++c) sum += std::exp(static_cast<double>(x[c]) - top);
    return top + std::log(sum);
}

/// log(1 + exp(-|x|)) + max(x, 0) - x z: binary cross-entropy of a logit, as TensorFlow's
/// sigmoid_cross_entropy_with_logits computes it.
double logitCrossentropy(double x, double z) {
    return std::max(x, 0.0) - x * z + std::log1p(std::exp(-std::abs(x)));
}

}  // namespace

template <class S>
double computeLoss(Loss loss, const S* y, const S* t, std::int64_t rows, std::int64_t cols,
                   S* grad, const LossOptions<S>& options) {
    const auto n = static_cast<std::size_t>(rows * cols);
    double total = 0.0;
    // Elementwise losses are means over all rows * cols values; row losses over rows.
    const double perValue = 1.0 / static_cast<double>(n);
    const double perRow = 1.0 / static_cast<double>(rows);
    const auto rowWeight = [&](std::int64_t r) {
        return options.rowWeights ? static_cast<double>(options.rowWeights[r]) : 1.0;
    };
    const auto valueWeight = [&](std::size_t i) { return rowWeight(static_cast<std::int64_t>(i) / cols); };
    const bool logits = options.fromLogits;
    switch (loss) {
        case Loss::MeanSquaredError:
            for (std::size_t i = 0; i < n; ++i) {
                const double d = static_cast<double>(y[i]) - t[i];
                const double w = valueWeight(i);
                total += w * d * d;
                if (grad) grad[i] = static_cast<S>(w * 2.0 * d * perValue);
            }
            return total * perValue;
        case Loss::MeanAbsoluteError:
            for (std::size_t i = 0; i < n; ++i) {
                const double d = static_cast<double>(y[i]) - t[i];
                const double w = valueWeight(i);
                total += w * std::abs(d);
                if (grad) grad[i] = static_cast<S>(w * (d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0) * perValue);
            }
            return total * perValue;
        case Loss::Huber:
            for (std::size_t i = 0; i < n; ++i) {
                const double d = static_cast<double>(y[i]) - t[i];
                const double a = std::abs(d);
                const double w = valueWeight(i);
                total += w * (a <= 1.0 ? 0.5 * d * d : a - 0.5);
                if (grad) grad[i] = static_cast<S>(w * (a <= 1.0 ? d : (d > 0 ? 1.0 : -1.0)) * perValue);
            }
            return total * perValue;
        case Loss::BinaryCrossentropy:
            for (std::size_t i = 0; i < n; ++i) {
                const double raw = y[i];
                const double target = t[i];
                const double w = valueWeight(i);
                if (logits) {
                    total += w * logitCrossentropy(raw, target);
                    if (grad) grad[i] = static_cast<S>(w * (1.0 / (1.0 + std::exp(-raw)) - target) * perValue);
                    continue;
                }
                const double p = std::clamp(raw, kEpsilon, 1.0 - kEpsilon);
                total -= w * (target * std::log(p) + (1.0 - target) * std::log(1.0 - p));
                if (grad) {
                    const bool clipped = raw != p;
                    grad[i] = clipped ? S(0)
                                      : static_cast<S>(w * (p - target) / (p * (1.0 - p)) * perValue);
                }
            }
            return total * perValue;
        case Loss::CategoricalCrossentropy:
            for (std::int64_t r = 0; r < rows; ++r) {
                const S* x = y + r * cols;
                const S* tr = t + r * cols;
                const double w = rowWeight(r);
                double tsum = 0.0;
                for (std::int64_t c = 0; c < cols; ++c) tsum += tr[c];
                if (logits) {
                    // -sum_k t_k log softmax(x)_k; its gradient: softmax(x) * sum(t) - t.
                    const double lse = logSumExp(x, cols);
                    for (std::int64_t c = 0; c < cols; ++c) total -= w * tr[c] * (static_cast<double>(x[c]) - lse);
                    if (!grad) continue;
                    for (std::int64_t c = 0; c < cols; ++c) {
                        const double soft = std::exp(static_cast<double>(x[c]) - lse);
                        grad[r * cols + c] = static_cast<S>(w * (soft * tsum - tr[c]) * perRow);
                    }
                    continue;
                }
                // Keras rescales the row to sum to 1, then clips.
                double sum = 0.0;
                for (std::int64_t c = 0; c < cols; ++c) sum += x[c];
                for (std::int64_t c = 0; c < cols; ++c) {
                    const double p = std::clamp(x[c] / sum, kEpsilon, 1.0 - kEpsilon);
                    total -= w * tr[c] * std::log(p);
                }
                if (!grad) continue;
                // d/dy_c of -sum_k t_k log(y_k / sum): -t_c / y_c + (sum_k t_k) / sum.
                for (std::int64_t c = 0; c < cols; ++c) {
                    const double q = x[c] / sum;
                    const bool clipped = q < kEpsilon || q > 1.0 - kEpsilon;
                    const double own = clipped ? 0.0 : -tr[c] / static_cast<double>(x[c]);
                    grad[r * cols + c] = static_cast<S>(w * (own + tsum / sum) * perRow);
                }
            }
            return total * perRow;
        case Loss::SparseCategoricalCrossentropy:
            for (std::int64_t r = 0; r < rows; ++r) {
                const S* x = y + r * cols;
                const auto label = static_cast<std::int64_t>(t[r]);
                const bool inside = label >= 0 && label < cols;
                const double w = rowWeight(r);
                if (logits) {
                    const double lse = logSumExp(x, cols);
                    // A label outside the classes counts as probability 0, clipped to Keras's
                    // epsilon, as without logits.
                    total += w * (inside ? lse - static_cast<double>(x[label]) : -std::log(kEpsilon));
                    if (!grad) continue;
                    for (std::int64_t c = 0; c < cols; ++c) {
                        const double soft = std::exp(static_cast<double>(x[c]) - lse);
                        grad[r * cols + c] = static_cast<S>(w * (soft - (c == label ? 1.0 : 0.0)) * perRow);
                    }
                    continue;
                }
                double sum = 0.0;
                for (std::int64_t c = 0; c < cols; ++c) sum += x[c];
                const double q = inside ? x[label] / sum : 0.0;
                const double p = std::clamp(q, kEpsilon, 1.0 - kEpsilon);
                total -= w * std::log(p);
                if (!grad) continue;
                for (std::int64_t c = 0; c < cols; ++c) {
                    const bool clipped = q < kEpsilon || q > 1.0 - kEpsilon;
                    const double own = (c == label && !clipped) ? -1.0 / static_cast<double>(x[c]) : 0.0;
                    grad[r * cols + c] = static_cast<S>(w * (own + 1.0 / sum) * perRow);
                }
            }
            return total * perRow;
    }
    return total;
}

template <class S>
double accuracy(Loss loss, const S* y, const S* t, std::int64_t rows, std::int64_t cols, bool fromLogits) {
    std::int64_t right = 0;
    const S threshold = fromLogits ? S(0) : S(0.5);
    for (std::int64_t r = 0; r < rows; ++r) {
        const S* row = y + r * cols;
        if (loss == Loss::BinaryCrossentropy) {
            for (std::int64_t c = 0; c < cols; ++c) {
                right += (row[c] > threshold) == (t[r * cols + c] > S(0.5));
            }
            continue;
        }
        const auto best = std::max_element(row, row + cols) - row;
        const auto truth = loss == Loss::SparseCategoricalCrossentropy
                               ? static_cast<std::int64_t>(t[r])
                               : std::max_element(t + r * cols, t + (r + 1) * cols) - (t + r * cols);
        right += best == truth;
    }
    const std::int64_t total = loss == Loss::BinaryCrossentropy ? rows * cols : rows;
    return total ? static_cast<double>(right) / static_cast<double>(total) : 0.0;
}

template double computeLoss<float>(Loss, const float*, const float*, std::int64_t, std::int64_t, float*,
                                   const LossOptions<float>&);
template double computeLoss<double>(Loss, const double*, const double*, std::int64_t, std::int64_t, double*,
                                    const LossOptions<double>&);
template double accuracy<float>(Loss, const float*, const float*, std::int64_t, std::int64_t, bool);
template double accuracy<double>(Loss, const double*, const double*, std::int64_t, std::int64_t, bool);

}  // namespace loom
