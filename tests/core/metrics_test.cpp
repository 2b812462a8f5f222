// Keras's metrics: hand-computed values, Keras's own documented examples, and the AUCs against
// reference computations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "engine/metrics.h"

namespace loom {
namespace {

double over(Metric m, const std::vector<float>& y, const std::vector<float>& t, std::int64_t rows, std::int64_t cols,
            std::int64_t targetCols = -1) {
    MetricState s(m);
    s.update(y.data(), t.data(), rows, cols, targetCols < 0 ? cols : targetCols);
    return s.result();
}

TEST(Metrics, NamesAreKerassAndRoundTrip) {
    for (Metric m : allMetrics()) EXPECT_EQ(parseMetric(metricName(m)), m) << metricName(m);
    EXPECT_EQ(parseMetric("acc"), Metric::Accuracy);
    EXPECT_EQ(parseMetric("mean_absolute_error"), Metric::MeanAbsoluteError);
    EXPECT_EQ(parseMetric("rmse"), Metric::RootMeanSquaredError);
    EXPECT_FALSE(parseMetric("f1").has_value());
    EXPECT_TRUE(higherIsBetter(Metric::Auc));
    EXPECT_FALSE(higherIsBetter(Metric::MeanAbsoluteError));
}

TEST(Metrics, ErrorsAsKerasAveragesThem) {
    const std::vector<float> y{1, 2, 3, 5};
    const std::vector<float> t{1, 4, 2, 1};
    // Rows (1, 2) and (3, 5) against (1, 4) and (2, 1).
    EXPECT_NEAR(over(Metric::MeanAbsoluteError, y, t, 2, 2), ((0 + 2) / 2.0 + (1 + 4) / 2.0) / 2, 1e-12);
    EXPECT_NEAR(over(Metric::MeanSquaredError, y, t, 2, 2), ((0 + 4) / 2.0 + (1 + 16) / 2.0) / 2, 1e-12);
    EXPECT_NEAR(over(Metric::RootMeanSquaredError, y, t, 2, 2), std::sqrt((0 + 4 + 1 + 16) / 4.0), 1e-12);
    EXPECT_NEAR(over(Metric::MeanAbsolutePercentageError, y, t, 2, 2), 100 * ((0 + 0.5) / 2 + (0.5 + 4) / 2) / 2, 1e-9);
    // A target of 0 divides by Keras's epsilon instead.
    EXPECT_NEAR(over(Metric::MeanAbsolutePercentageError, {1e-7f}, {0}, 1, 1), 100.0, 1e-3);
}

TEST(Metrics, AccuraciesAsKerasComputesThem) {
    // Keras's docstring examples.
    EXPECT_NEAR(over(Metric::BinaryAccuracy, {0.98f, 1, 0, 0.6f}, {1, 1, 0, 0}, 4, 1), 0.75, 1e-12);
    EXPECT_NEAR(over(Metric::CategoricalAccuracy, {0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0}, {0, 0, 1, 0, 1, 0}, 2, 3), 0.5, 1e-12);
    EXPECT_NEAR(over(Metric::SparseCategoricalAccuracy, {0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0}, {2, 1}, 2, 3, 1), 0.5, 1e-12);
    // Top-5 of 7 classes: the 6th and 7th largest are out; a tie at the boundary is in.
    const std::vector<float> seven{0.7f, 0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f};
    EXPECT_EQ(over(Metric::SparseTopKCategoricalAccuracy, seven, {4}, 1, 7, 1), 1.0);
    EXPECT_EQ(over(Metric::SparseTopKCategoricalAccuracy, seven, {5}, 1, 7, 1), 0.0);
    EXPECT_EQ(over(Metric::SparseTopKCategoricalAccuracy, {0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.5f, 0.1f}, {5}, 1, 7, 1), 1.0);
    EXPECT_EQ(over(Metric::TopKCategoricalAccuracy, seven, {0, 0, 0, 0, 0, 0, 1}, 1, 7), 0.0);
    // "accuracy" picks the form from the shapes, as compile does.
    EXPECT_NEAR(over(Metric::Accuracy, {0.98f, 1, 0, 0.6f}, {1, 1, 0, 0}, 4, 1), 0.75, 1e-12);
    EXPECT_NEAR(over(Metric::Accuracy, {0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0}, {2, 1}, 2, 3, 1), 0.5, 1e-12);
    EXPECT_NEAR(over(Metric::Accuracy, {0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0}, {0, 0, 1, 0, 1, 0}, 2, 3), 0.5, 1e-12);
}

TEST(Metrics, PrecisionAndRecallOverAnEpochsBatches) {
    MetricState precision(Metric::Precision), recall(Metric::Recall);
    // Targets [0, 1, 1, 1] and predictions [1, 0, 1, 0], the precision over two batches.
    const std::vector<float> t{0, 1, 1, 1}, y{1, 0, 1, 0};
    precision.update(y.data(), t.data(), 2, 1, 1);
    precision.update(y.data() + 2, t.data() + 2, 2, 1, 1);
    recall.update(y.data(), t.data(), 4, 1, 1);
    EXPECT_NEAR(precision.result(), 1.0 / 2, 1e-12);  // predicted 1 twice, right once
    EXPECT_NEAR(recall.result(), 1.0 / 3, 1e-12);     // three 1s, one found
    MetricState none(Metric::Precision);
    none.update(t.data(), t.data(), 1, 1, 1);  // nothing predicted positive: 0, not NaN
    EXPECT_EQ(none.result(), 0.0);
    precision.reset();
    EXPECT_EQ(precision.result(), 0.0);
}

/// Keras's AUC counted threshold by threshold (y > t_i), the plain way, for checking.
std::vector<std::pair<double, double>> countsAtThresholds(const std::vector<float>& y, const std::vector<float>& t) {
    std::vector<std::pair<double, double>> tpFp;
    for (int i = 0; i < 200; ++i) {
        const double threshold = i == 0 ? -1e-7 : i == 199 ? 1 + 1e-7 : i / 199.0;
        double tp = 0, fp = 0;
        for (std::size_t k = 0; k < y.size(); ++k) {
            if (y[k] > threshold) (t[k] != 0 ? tp : fp) += 1;
        }
        tpFp.emplace_back(tp, fp);
    }
    return tpFp;
}

TEST(Metrics, RocAucEqualsTheRankStatisticWhenEveryScoreHasItsOwnBucket) {
    // Scores on distinct buckets: the interpolated ROC area is exactly the Mann-Whitney U
    // statistic over (positive, negative) pairs.
    std::mt19937_64 rng(3);
    std::vector<float> y, t;
    std::vector<int> buckets(199);
    for (int b = 0; b < 199; ++b) buckets[b] = b;
    std::shuffle(buckets.begin(), buckets.end(), rng);
    for (int k = 0; k < 60; ++k) {
        y.push_back((static_cast<float>(buckets[k]) + 0.5f) / 199.0f);
        t.push_back(std::bernoulli_distribution(0.3 + 0.5 * y.back())(rng) ? 1.0f : 0.0f);
    }
    double pairs = 0, above = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        for (std::size_t j = 0; j < y.size(); ++j) {
            if (t[i] == 1 && t[j] == 0) {
                pairs += 1;
                above += y[i] > y[j] ? 1.0 : 0.0;
            }
        }
    }
    EXPECT_NEAR(over(Metric::Auc, y, t, 60, 1), above / pairs, 1e-9);
    EXPECT_NEAR(over(Metric::Auc, {0.1f, 0.2f, 0.8f, 0.9f}, {0, 0, 1, 1}, 4, 1), 1.0, 1e-12);
    EXPECT_NEAR(over(Metric::Auc, {0.9f, 0.8f, 0.2f, 0.1f}, {0, 0, 1, 1}, 4, 1), 0.0, 1e-12);
}

TEST(Metrics, AucsFollowKerasFormulasOnItsThresholds) {
    // Scores that share buckets and sit outside [0, 1]: the bucket counts equal the plain
    // threshold-by-threshold counts, and the areas follow Keras's formulas on them.
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<float> u(-0.05f, 1.05f);
    std::vector<float> y, t;
    for (int k = 0; k < 300; ++k) {
        y.push_back(std::round(u(rng) * 40) / 40);
        t.push_back(std::bernoulli_distribution(std::clamp(y.back(), 0.1f, 0.9f))(rng) ? 1.0f : 0.0f);
    }
    std::vector<float> clipped = y;
    for (float& v : clipped) v = std::clamp(v, 0.0f, 1.0f);
    const auto counts = countsAtThresholds(clipped, t);
    const double positives = counts[0].first, negatives = counts[0].second;
    double roc = 0, pr = 0;
    for (std::size_t i = 0; i + 1 < counts.size(); ++i) {
        const auto [tpA, fpA] = counts[i];
        const auto [tpB, fpB] = counts[i + 1];
        roc += (fpA / negatives - fpB / negatives) * (tpA / positives + tpB / positives) / 2;
        const double dtp = tpA - tpB, pA = tpA + fpA, pB = tpB + fpB;
        const double slope = pA - pB > 0 ? dtp / (pA - pB) : 0.0;
        const double intercept = tpB - slope * pB;
        const double ratio = pA > 0 && pB > 0 ? pA / pB : 1.0;
        pr += slope * (dtp + intercept * std::log(ratio)) / positives;
    }
    EXPECT_NEAR(over(Metric::Auc, y, t, 300, 1), roc, 1e-9);
    EXPECT_NEAR(over(Metric::PrAuc, y, t, 300, 1), pr, 1e-9);
    // By hand: positives at 0.9 and 0.3, a negative at 0.6. From the top: precision 1 up to
    // recall 1/2, then a step where one more positive comes with one more prediction from 2.
    EXPECT_NEAR(over(Metric::PrAuc, {0.9f, 0.6f, 0.3f}, {1, 0, 1}, 3, 1), 0.5 + (1 - std::log(1.5)) / 2, 1e-9);
    EXPECT_NEAR(over(Metric::Auc, {0.9f, 0.6f, 0.3f}, {1, 0, 1}, 3, 1), 0.5, 1e-9);
    EXPECT_NEAR(over(Metric::PrAuc, {0.9f, 0.1f}, {1, 0}, 2, 1), 1.0, 1e-12);
}

TEST(Metrics, SayWhereTheyDoNotFit) {
    EXPECT_TRUE(metricProblem(Metric::Accuracy, 3, 1).empty());
    EXPECT_TRUE(metricProblem(Metric::SparseCategoricalAccuracy, 3, 1).empty());
    EXPECT_NE(metricProblem(Metric::SparseCategoricalAccuracy, 3, 3).find("class index"), std::string::npos);
    EXPECT_NE(metricProblem(Metric::CategoricalAccuracy, 3, 1).find("sparse_"), std::string::npos);
    EXPECT_NE(metricProblem(Metric::Auc, 3, 1).find("class indexes"), std::string::npos);
    EXPECT_TRUE(metricProblem(Metric::Auc, 1, 1).empty());
    EXPECT_TRUE(metricProblem(Metric::MeanAbsoluteError, 4, 4).empty());
    EXPECT_FALSE(metricProblem(Metric::Accuracy, 4, 2).empty());
    MetricState s(Metric::Accuracy);
    const std::vector<float> y(8), t(4);
    EXPECT_THROW(s.update(y.data(), t.data(), 2, 4, 2), std::invalid_argument);  // never read past a row
}

TEST(Metrics, LogitsBecomeTheProbabilitiesTheLossUses) {
    std::vector<float> binary{0.0f, 2.0f};
    logitsToProbabilities(Loss::BinaryCrossentropy, binary.data(), 1, 2);
    EXPECT_NEAR(binary[0], 0.5, 1e-7);
    EXPECT_NEAR(binary[1], 1 / (1 + std::exp(-2.0)), 1e-7);
    std::vector<float> classes{1000.0f, 1000.0f, 0.0f};
    logitsToProbabilities(Loss::SparseCategoricalCrossentropy, classes.data(), 1, 3);
    EXPECT_NEAR(classes[0], 0.5, 1e-7);
    EXPECT_NEAR(classes[2], 0.0, 1e-7);
}

}  // namespace
}  // namespace loom
