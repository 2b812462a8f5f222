#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/loss.h"

namespace loom {

/// Keras's metrics, computed as Keras computes them over an epoch: each accumulates its state
/// batch by batch (sums and counts, or a confusion matrix) and gives its value at the end.
enum class Metric {
    MeanAbsoluteError,
    MeanSquaredError,
    RootMeanSquaredError,
    MeanAbsolutePercentageError,
    Accuracy,  ///< Keras's "accuracy": binary, sparse or categorical by the shapes, as compile picks
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    TopKCategoricalAccuracy,        ///< k = 5
    SparseTopKCategoricalAccuracy,  ///< k = 5
    Precision,                      ///< threshold 0.5, over every value
    Recall,
    Auc,    ///< area under the ROC curve, 200 thresholds, interpolated
    PrAuc,  ///< area under the precision-recall curve (AUC(curve="PR")), interpolated
};

/// Accepts Keras's names and aliases: `mae`, `mean_absolute_error`, `mse`, `rmse`,
/// `root_mean_squared_error`, `mape`, `accuracy`/`acc`, `binary_accuracy`,
/// `categorical_accuracy`, `sparse_categorical_accuracy`, `top_k_categorical_accuracy`,
/// `sparse_top_k_categorical_accuracy`, `precision`, `recall`, `auc`, `pr_auc`.
std::optional<Metric> parseMetric(std::string_view name);
/// The name in the project file, the history and Keras's history: `mae`, `accuracy`, `auc`...
std::string metricName(Metric metric);
/// The metric's name for people: "mean absolute error", "ROC AUC".
std::string metricTitle(Metric metric);
/// Every metric, in the order the settings list them.
const std::vector<Metric>& allMetrics();
/// Whether a larger value is better (accuracy, AUC), for early stopping and plateaus.
bool higherIsBetter(Metric metric);

/// Why `metric` cannot be computed for a model whose output rows have `outputCols` values and
/// whose targets have `targetCols` (1 for sparse class indexes); empty when it can.
std::string metricProblem(Metric metric, std::int64_t outputCols, std::int64_t targetCols);

/// One metric's running state over an epoch.
class MetricState {
public:
    explicit MetricState(Metric metric);
    Metric metric() const { return m_metric; }
    /// Adds `rows` rows of predictions y (outputCols values each, probabilities for the
    /// classification metrics) and targets t (targetCols values each). Throws
    /// std::invalid_argument for shapes metricProblem refuses.
    void update(const float* y, const float* t, std::int64_t rows, std::int64_t outputCols, std::int64_t targetCols);
    /// The value over everything added since the last reset; 0 before anything was added.
    double result() const;
    void reset();

private:
    Metric m_metric;
    double m_total = 0.0;  ///< sums of the values (means) or right answers
    double m_count = 0.0;
    /// Confusion counts: one threshold (precision, recall) or Keras's 200 (AUC).
    std::vector<double> m_tp, m_fp, m_tn, m_fn;
};

/// Turns a row-major block of logits into probabilities in place: the sigmoid of each value
/// (binary cross-entropy) or the softmax of each row (the categorical ones), as the loss
/// applies them with from_logits. The metrics then read probabilities either way.
void logitsToProbabilities(Loss loss, float* y, std::int64_t rows, std::int64_t cols);

}  // namespace loom
