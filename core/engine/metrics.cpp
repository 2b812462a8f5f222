#include "engine/metrics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace loom {

namespace {

constexpr double kEpsilon = 1e-7;  // Keras's backend epsilon
constexpr int kAucThresholds = 200;
constexpr int kTopK = 5;

struct Entry {
    Metric metric;
    const char* name;
    const char* title;
    bool higher;
};

constexpr std::array<Entry, 14> kMetrics{{
    {Metric::MeanAbsoluteError, "mae", "mean absolute error", false},
    {Metric::MeanSquaredError, "mse", "mean squared error", false},
    {Metric::RootMeanSquaredError, "root_mean_squared_error", "root mean squared error", false},
    {Metric::MeanAbsolutePercentageError, "mape", "mean absolute percentage error", false},
    {Metric::Accuracy, "accuracy", "accuracy", true},
    {Metric::BinaryAccuracy, "binary_accuracy", "binary accuracy", true},
    {Metric::CategoricalAccuracy, "categorical_accuracy", "categorical accuracy", true},
    {Metric::SparseCategoricalAccuracy, "sparse_categorical_accuracy", "sparse categorical accuracy", true},
    {Metric::TopKCategoricalAccuracy, "top_k_categorical_accuracy", "top-5 accuracy", true},
    {Metric::SparseTopKCategoricalAccuracy, "sparse_top_k_categorical_accuracy", "sparse top-5 accuracy", true},
    {Metric::Precision, "precision", "precision", true},
    {Metric::Recall, "recall", "recall", true},
    {Metric::Auc, "auc", "ROC AUC", true},
    {Metric::PrAuc, "pr_auc", "precision-recall AUC", true},
}};

const Entry& entry(Metric m) {
    for (const Entry& e : kMetrics) {
        if (e.metric == m) return e;
    }
    return kMetrics.front();
}

/// Keras's "accuracy" as compile resolves it from the shapes.
Metric resolveAccuracy(std::int64_t outputCols, std::int64_t targetCols) {
    if (outputCols == 1) return Metric::BinaryAccuracy;
    if (targetCols == 1) return Metric::SparseCategoricalAccuracy;
    return Metric::CategoricalAccuracy;
}

std::int64_t argmax(const float* row, std::int64_t cols) {
    return std::max_element(row, row + cols) - row;
}

/// Whether class `target` is among the k largest of `row`: fewer than k classes score more
/// (ties at the boundary count as in, as TensorFlow's in_top_k has it).
bool inTopK(const float* row, std::int64_t cols, std::int64_t target, int k) {
    if (target < 0 || target >= cols || !std::isfinite(row[target])) return false;
    std::int64_t above = 0;
    for (std::int64_t c = 0; c < cols; ++c) above += row[c] > row[target] ? 1 : 0;
    return above < k;
}

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }  // Keras's divide_no_nan

}  // namespace

std::optional<Metric> parseMetric(std::string_view n) {
    if (n == "mean_absolute_error") return Metric::MeanAbsoluteError;
    if (n == "mean_squared_error") return Metric::MeanSquaredError;
    if (n == "rmse") return Metric::RootMeanSquaredError;
    if (n == "mean_absolute_percentage_error") return Metric::MeanAbsolutePercentageError;
    if (n == "acc") return Metric::Accuracy;
    for (const Entry& e : kMetrics) {
        if (n == e.name) return e.metric;
    }
    return std::nullopt;
}

std::string metricName(Metric m) { return entry(m).name; }
std::string metricTitle(Metric m) { return entry(m).title; }
bool higherIsBetter(Metric m) { return entry(m).higher; }

const std::vector<Metric>& allMetrics() {
    static const std::vector<Metric> all = [] {
        std::vector<Metric> v;
        for (const Entry& e : kMetrics) v.push_back(e.metric);
        return v;
    }();
    return all;
}

std::string metricProblem(Metric m, std::int64_t outputCols, std::int64_t targetCols) {
    const bool sparse = targetCols == 1 && outputCols > 1;
    switch (m) {
        case Metric::Accuracy:
            if (targetCols != 1 && targetCols != outputCols) {
                return "accuracy needs a class index or a target value for each output value";
            }
            return {};
        case Metric::SparseCategoricalAccuracy:
        case Metric::SparseTopKCategoricalAccuracy:
            if (!sparse) return metricName(m) + " needs one class index per row as the target, with a score per class";
            return {};
        case Metric::CategoricalAccuracy:
        case Metric::TopKCategoricalAccuracy:
            if (outputCols < 2 || targetCols != outputCols) {
                return metricName(m) + " needs one-hot targets with a score per class (" +
                       (sparse ? "use the sparse_ form for class indexes" : "the output has one column") + ")";
            }
            return {};
        default:
            if (targetCols != outputCols) {
                return metricName(m) + " needs a target value for each output value; the targets are class indexes "
                                       "(a one-hot target, or the sparse accuracies, fit them)";
            }
            return {};
    }
}

MetricState::MetricState(Metric metric) : m_metric(metric) { reset(); }

void MetricState::reset() {
    m_total = m_count = 0.0;
    const std::size_t n = m_metric == Metric::Auc || m_metric == Metric::PrAuc ? kAucThresholds
                          : m_metric == Metric::Precision || m_metric == Metric::Recall ? 1
                                                                                           : 0;
    m_tp.assign(n, 0.0);
    m_fp.assign(n, 0.0);
    m_tn.assign(n, 0.0);
    m_fn.assign(n, 0.0);
}

void MetricState::update(const float* y, const float* t, std::int64_t rows, std::int64_t outCols, std::int64_t targetCols) {
    if (std::string problem = metricProblem(m_metric, outCols, targetCols); !problem.empty() || outCols < 1) {
        throw std::invalid_argument(problem.empty() ? "a metric needs at least one output value" : problem);
    }
    Metric m = m_metric == Metric::Accuracy ? resolveAccuracy(outCols, targetCols) : m_metric;
    const std::int64_t cols = outCols;
    for (std::int64_t r = 0; r < rows; ++r) {
        const float* yr = y + r * outCols;
        const float* tr = t + r * targetCols;
        switch (m) {
            case Metric::MeanAbsoluteError:
            case Metric::MeanSquaredError:
            case Metric::MeanAbsolutePercentageError: {
                // Each row's mean over its values, then the mean over the rows.
                double sum = 0.0;
                for (std::int64_t c = 0; c < cols; ++c) {
                    const double d = static_cast<double>(yr[c]) - tr[c];
                    sum += m == Metric::MeanAbsoluteError ? std::abs(d)
                           : m == Metric::MeanSquaredError ? d * d
                                                           : 100.0 * std::abs(d) / std::max(std::abs(static_cast<double>(tr[c])), kEpsilon);
                }
                m_total += sum / static_cast<double>(cols);
                m_count += 1.0;
                break;
            }
            case Metric::RootMeanSquaredError:
                for (std::int64_t c = 0; c < cols; ++c) {
                    const double d = static_cast<double>(yr[c]) - tr[c];
                    m_total += d * d;
                }
                m_count += static_cast<double>(cols);
                break;
            case Metric::BinaryAccuracy: {
                double right = 0.0;
                for (std::int64_t c = 0; c < cols; ++c) right += (yr[c] > 0.5f ? 1.0f : 0.0f) == tr[c] ? 1.0 : 0.0;
                m_total += right / static_cast<double>(cols);
                m_count += 1.0;
                break;
            }
            case Metric::CategoricalAccuracy:
                m_total += argmax(yr, cols) == argmax(tr, cols) ? 1.0 : 0.0;
                m_count += 1.0;
                break;
            case Metric::SparseCategoricalAccuracy:
                m_total += static_cast<float>(argmax(yr, cols)) == tr[0] ? 1.0 : 0.0;
                m_count += 1.0;
                break;
            case Metric::TopKCategoricalAccuracy:
            case Metric::SparseTopKCategoricalAccuracy: {
                const std::int64_t target = m == Metric::TopKCategoricalAccuracy ? argmax(tr, cols)
                                            : std::isfinite(tr[0]) && std::abs(tr[0]) < 1e9f
                                                ? static_cast<std::int64_t>(tr[0])
                                                : -1;
                m_total += inTopK(yr, cols, target, kTopK) ? 1.0 : 0.0;
                m_count += 1.0;
                break;
            }
            case Metric::Precision:
            case Metric::Recall:
                for (std::int64_t c = 0; c < cols; ++c) {
                    const bool positive = yr[c] > 0.5f, label = tr[c] != 0.0f;
                    if (positive) (label ? m_tp : m_fp)[0] += 1.0;
                    else (label ? m_fn : m_tn)[0] += 1.0;
                }
                break;
            case Metric::Auc:
            case Metric::PrAuc:
                // Keras's evenly spaced thresholds: a prediction counts at threshold i when it is
                // above i / 199 (the first threshold, just below 0, counts every one). Kept per
                // bucket here; result() sums them up.
                for (std::int64_t c = 0; c < cols; ++c) {
                    const float p = std::clamp(yr[c], 0.0f, 1.0f);
                    const float scaled = std::ceil(p * static_cast<float>(kAucThresholds - 1)) - 1.0f;
                    const auto bucket = std::isnan(p) ? 0 : static_cast<std::size_t>(std::max(scaled, 0.0f));
                    (tr[c] != 0.0f ? m_tp : m_fp)[bucket] += 1.0;
                }
                break;
            case Metric::Accuracy: break;
        }
    }
}

double MetricState::result() const {
    switch (m_metric) {
        case Metric::RootMeanSquaredError: return std::sqrt(ratio(m_total, m_count));
        case Metric::Precision: return ratio(m_tp[0], m_tp[0] + m_fp[0]);
        case Metric::Recall: return ratio(m_tp[0], m_tp[0] + m_fn[0]);
        case Metric::Auc:
        case Metric::PrAuc: {
            // The counts at each threshold: every bucket at or above it.
            const std::size_t n = m_tp.size();
            std::vector<double> tp(n), fp(n);
            double tpAbove = 0.0, fpAbove = 0.0;
            for (std::size_t i = n; i-- > 0;) {
                tpAbove += m_tp[i];
                fpAbove += m_fp[i];
                tp[i] = tpAbove;
                fp[i] = fpAbove;
            }
            const double positives = tp[0], negatives = fp[0];
            double area = 0.0;
            for (std::size_t i = 0; i + 1 < n; ++i) {
                if (m_metric == Metric::Auc) {
                    // The ROC curve, midpoint heights: (fpr_i - fpr_i+1) (tpr_i + tpr_i+1) / 2.
                    const double dx = ratio(fp[i], negatives) - ratio(fp[i + 1], negatives);
                    area += dx * (ratio(tp[i], positives) + ratio(tp[i + 1], positives)) / 2.0;
                    continue;
                }
                // Precision-recall, interpolated as Davis and Goadrich (Keras's
                // interpolate_pr_auc): true and predicted positives vary linearly between
                // thresholds.
                const double dtp = tp[i] - tp[i + 1];
                const double pA = tp[i] + fp[i], pB = tp[i + 1] + fp[i + 1];
                const double slope = ratio(dtp, std::max(pA - pB, 0.0));
                const double intercept = tp[i + 1] - slope * pB;
                const double pRatio = pA > 0 && pB > 0 ? ratio(pA, std::max(pB, 0.0)) : 1.0;
                area += ratio(slope * (dtp + intercept * std::log(pRatio)), positives);  // tp + fn
            }
            return area;
        }
        default: return ratio(m_total, m_count);
    }
}

void logitsToProbabilities(Loss loss, float* y, std::int64_t rows, std::int64_t cols) {
    if (loss == Loss::BinaryCrossentropy) {
        for (std::int64_t i = 0; i < rows * cols; ++i) y[i] = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(y[i]))));
        return;
    }
    for (std::int64_t r = 0; r < rows; ++r) {
        float* row = y + r * cols;
        const double top = *std::max_element(row, row + cols);
        double sum = 0.0;
        for (std::int64_t c = 0; c < cols; ++c) sum += std::exp(static_cast<double>(row[c]) - top);
        for (std::int64_t c = 0; c < cols; ++c) row[c] = static_cast<float>(std::exp(static_cast<double>(row[c]) - top) / sum);
    }
}

}  // namespace loom
