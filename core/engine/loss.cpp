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

template <class S>
double computeLoss(Loss loss, const S* y, const S* t, std::int64_t rows, std::int64_t cols,
                   S* grad) {
    const auto n = static_cast<std::size_t>(rows * cols);
    double total = 0.0;
    // Elementwise losses are means over all rows * cols values; row losses over rows.
    const double perValue = 1.0 / static_cast<double>(n);
    const double perRow = 1.0 / static_cast<double>(rows);
    switch (loss) {
        case Loss::MeanSquaredError:
            for (std::size_t i = 0; i < n; ++i) {
                const double d = static_cast<double>(y[i]) - t[i];
                total += d * d;
                if (grad) grad[i] = static_cast<S>(2.0 * d * perValue);
            }
            return total * perValue;
        case Loss::MeanAbsoluteError:
            for (std::size_t i = 0; i < n; ++i) {
                const double d = static_cast<double>(y[i]) - t[i];
                total += std::abs(d);
                if (grad) grad[i] = static_cast<S>((d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0) * perValue);
            }
            return total * perValue;
        case Loss::Huber:
            for (std::size_t i = 0; i < n; ++i) {
                const double d = static_cast<double>(y[i]) - t[i];
                const double a = std::abs(d);
                total += a <= 1.0 ? 0.5 * d * d : a - 0.5;
                if (grad) grad[i] = static_cast<S>((a <= 1.0 ? d : (d > 0 ? 1.0 : -1.0)) * perValue);
            }
            return total * perValue;
        case Loss::BinaryCrossentropy:
            for (std::size_t i = 0; i < n; ++i) {
                const double raw = y[i];
                const double p = std::clamp(raw, kEpsilon, 1.0 - kEpsilon);
                const double target = t[i];
                total -= target * std::log(p) + (1.0 - target) * std::log(1.0 - p);
                if (grad) {
                    const bool clipped = raw != p;
                    grad[i] = clipped ? S(0)
                                      : static_cast<S>((p - target) / (p * (1.0 - p)) * perValue);
                }
            }
            return total * perValue;
        case Loss::CategoricalCrossentropy:
            for (std::int64_t r = 0; r < rows; ++r) {
                // Keras rescales the row to sum to 1, then clips.
                double sum = 0.0;
                for (std::int64_t c = 0; c < cols; ++c) sum += y[r * cols + c];
                for (std::int64_t c = 0; c < cols; ++c) {
                    const std::size_t i = static_cast<std::size_t>(r * cols + c);
                    const double q = y[i] / sum;
                    const double p = std::clamp(q, kEpsilon, 1.0 - kEpsilon);
                    total -= t[i] * std::log(p);
                }
                if (!grad) continue;
                // d/dy_c of -sum_k t_k log(y_k / sum): -t_c / y_c + (sum_k t_k) / sum.
                double tsum = 0.0;
                for (std::int64_t c = 0; c < cols; ++c) tsum += t[r * cols + c];
                for (std::int64_t c = 0; c < cols; ++c) {
                    const std::size_t i = static_cast<std::size_t>(r * cols + c);
                    const double q = y[i] / sum;
                    const bool clipped = q < kEpsilon || q > 1.0 - kEpsilon;
                    const double own = clipped ? 0.0 : -t[i] / static_cast<double>(y[i]);
                    grad[i] = static_cast<S>((own + tsum / sum) * perRow);
                }
            }
            return total * perRow;
        case Loss::SparseCategoricalCrossentropy:
            for (std::int64_t r = 0; r < rows; ++r) {
                const auto label = static_cast<std::int64_t>(t[r]);
                double sum = 0.0;
                for (std::int64_t c = 0; c < cols; ++c) sum += y[r * cols + c];
                const double q = label >= 0 && label < cols ? y[r * cols + label] / sum : 0.0;
                const double p = std::clamp(q, kEpsilon, 1.0 - kEpsilon);
                total -= std::log(p);
                if (!grad) continue;
                for (std::int64_t c = 0; c < cols; ++c) {
                    const std::size_t i = static_cast<std::size_t>(r * cols + c);
                    const bool clipped = q < kEpsilon || q > 1.0 - kEpsilon;
                    const double own = (c == label && !clipped) ? -1.0 / static_cast<double>(y[i])
                                                                : 0.0;
                    grad[i] = static_cast<S>((own + 1.0 / sum) * perRow);
                }
            }
            return total * perRow;
    }
    return total;
}

template <class S>
double accuracy(Loss loss, const S* y, const S* t, std::int64_t rows, std::int64_t cols) {
    std::int64_t right = 0;
    for (std::int64_t r = 0; r < rows; ++r) {
        const S* row = y + r * cols;
        if (loss == Loss::BinaryCrossentropy) {
            for (std::int64_t c = 0; c < cols; ++c) {
                right += (row[c] > S(0.5)) == (t[r * cols + c] > S(0.5));
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

template double computeLoss<float>(Loss, const float*, const float*, std::int64_t, std::int64_t, float*);
template double computeLoss<double>(Loss, const double*, const double*, std::int64_t, std::int64_t, double*);
template double accuracy<float>(Loss, const float*, const float*, std::int64_t, std::int64_t);
template double accuracy<double>(Loss, const double*, const double*, std::int64_t, std::int64_t);

}  // namespace loom
