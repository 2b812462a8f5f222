// The anomaly scorer: threshold rules, step scores from covering windows, flagged intervals,
// and reconstruction errors computed a batch at a time.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/anomaly.h"
#include "core/test_graphs.h"
#include "data/csv_reader.h"

namespace loom {
namespace {

using test::add;
using test::input;

WindowErrors windows(std::int64_t window, std::vector<std::int64_t> starts, std::vector<double> error) {
    WindowErrors w;
    w.window = window;
    w.features = 1;
    w.starts = std::move(starts);
    w.perFeature = error;
    w.error = std::move(error);
    return w;
}

TEST(AnomalyThreshold, ReadsEveryRuleAndRefusesOthersInWords) {
    EXPECT_EQ(parseThresholdRule("max-train"), ThresholdRule{});
    EXPECT_EQ(parseThresholdRule("quantile:0.99"), (ThresholdRule{ThresholdRule::Kind::Quantile, 0.99}));
    EXPECT_EQ(parseThresholdRule("mad:3"), (ThresholdRule{ThresholdRule::Kind::Mad, 3.0}));
    EXPECT_EQ(parseThresholdRule("0.25"), (ThresholdRule{ThresholdRule::Kind::Fixed, 0.25}));
    EXPECT_EQ(thresholdRuleText(parseThresholdRule("quantile:0.95")), "quantile:0.95");
    for (const char* bad : {"max", "quantile:1", "quantile:0", "quantile:x", "mad:0", "mad:-1", "0.2x", "nan", ""}) {
        EXPECT_THROW(parseThresholdRule(bad), std::invalid_argument) << bad;
    }
    EXPECT_EQ(test::refusalOf([] { parseThresholdRule("median"); }),
              "unknown threshold rule 'median': use max-train, quantile:Q (0 < Q < 1), mad:K (K > 0) or a number");
}

TEST(AnomalyThreshold, FollowsEachRuleOnTheTrainingErrors) {
    const std::vector<double> errors = {5, 1, 4, 2, 3};
    EXPECT_DOUBLE_EQ(thresholdFor({}, errors), 5.0);
    // numpy.quantile([1, 2, 3, 4, 5], 0.9) = 4.6
    EXPECT_DOUBLE_EQ(thresholdFor({ThresholdRule::Kind::Quantile, 0.9}, errors), 4.6);
    // median 3; deviations 2, 1, 0, 1, 97 have the median 1: 3 + 3 x 1
    const std::vector<double> outlier = {1, 2, 3, 4, 100};
    EXPECT_DOUBLE_EQ(thresholdFor({ThresholdRule::Kind::Mad, 3.0}, outlier), 6.0);
    EXPECT_DOUBLE_EQ(thresholdFor({ThresholdRule::Kind::Fixed, 0.7}, {}), 0.7);
    // Missing errors do not count; none at all is said.
    const std::vector<double> withNaN = {std::nan(""), 2.0};
    EXPECT_DOUBLE_EQ(thresholdFor({}, withNaN), 2.0);
    EXPECT_EQ(test::refusalOf([] { thresholdFor({}, {}); }),
              "the max-train threshold needs the errors of training windows, and there are none");
}

TEST(AnomalySteps, ScoreEachStepFromTheWindowsThatCoverIt) {
    // Windows of 3 steps starting at 0..4 over 7 steps.
    const WindowErrors w = windows(3, {0, 1, 2, 3, 4}, {1, 5, 2, 4, 3});
    const StepScores all = stepScores(w, 7, StepRule::All);
    EXPECT_EQ(all.score, (std::vector<double>{1, 1, 1, 2, 2, 3, 3}));
    EXPECT_EQ(all.coverage, (std::vector<std::int32_t>{1, 2, 3, 3, 3, 2, 1}));
    EXPECT_EQ(stepScores(w, 7, StepRule::Max).score, (std::vector<double>{1, 5, 5, 5, 4, 4, 3}));
    const StepScores mean = stepScores(w, 7, StepRule::Mean);
    const std::vector<double> expected = {1, 3, 8.0 / 3, 11.0 / 3, 3, 3.5, 3};
    for (std::size_t t = 0; t < expected.size(); ++t) EXPECT_NEAR(mean.score[t], expected[t], 1e-12) << t;
}

TEST(AnomalySteps, StepsNoWindowCoversHaveNoScore) {
    // Windows of 2 at 0 and 5 (those between touched a gap) over 8 steps.
    const StepScores s = stepScores(windows(2, {0, 5}, {1, 2}), 8, StepRule::All);
    EXPECT_EQ(s.coverage, (std::vector<std::int32_t>{1, 1, 0, 0, 0, 1, 1, 0}));
    for (std::size_t t : {2u, 3u, 4u, 7u}) EXPECT_TRUE(std::isnan(s.score[t])) << t;
    EXPECT_EQ(s.score[6], 2.0);
}

TEST(AnomalyIntervals, JoinFlaggedStepsAcrossShortGaps) {
    StepScores s;
    s.score = {0, 5, 4, 0, 7, 0, 0, 0, 6, std::nan("")};
    s.coverage.assign(s.score.size(), 1);
    const WindowErrors one = windows(1, {}, {});
    std::vector<AnomalyInterval> joined = flaggedIntervals(s, one, 1.0, 1);
    ASSERT_EQ(joined.size(), 2u);
    EXPECT_EQ(joined[0].start, 1);
    EXPECT_EQ(joined[0].end, 4);
    EXPECT_DOUBLE_EQ(joined[0].peak, 7.0);
    EXPECT_DOUBLE_EQ(joined[0].mean, 16.0 / 3);  // over its flagged steps
    EXPECT_EQ(joined[0].feature, -1);
    EXPECT_EQ(joined[1].start, 8);
    EXPECT_EQ(joined[1].end, 8);
    EXPECT_EQ(flaggedIntervals(s, one, 1.0, 0).size(), 3u);
    EXPECT_EQ(flaggedIntervals(s, one, 1.0, 3).size(), 1u);
    EXPECT_TRUE(flaggedIntervals(s, one, 7.0, 1).empty());  // over, not at, the threshold
}

TEST(AnomalyIntervals, NameTheFeatureThatContributesMost) {
    WindowErrors w;
    w.window = 2;
    w.features = 3;
    w.starts = {0, 1, 2, 3, 4};
    // Feature 2 is off in the windows over steps 3-5, feature 0 elsewhere a little.
    w.perFeature = {0.2, 0, 0, 0.2, 0, 0, 0.2, 0, 1.0, 0.1, 0, 3.0, 0.1, 0, 2.0};
    for (std::size_t i = 0; i < w.starts.size(); ++i) {
        w.error.push_back((w.perFeature[3 * i] + w.perFeature[3 * i + 1] + w.perFeature[3 * i + 2]) / 3);
    }
    const StepScores s = stepScores(w, 6, StepRule::All);
    const std::vector<AnomalyInterval> found = flaggedIntervals(s, w, 0.2, 0);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].start, 3);
    EXPECT_EQ(found[0].end, 5);
    EXPECT_EQ(found[0].feature, 2);
    // Its windows (starting at 2, 3 and 4) hold errors 0.2 + 0.1 + 0.1 of feature 0 and 6 of
    // feature 2: shares of the 6.4 in all.
    const std::vector<double> share = featureShares(w, 3, 5);
    ASSERT_EQ(share.size(), 3u);
    EXPECT_NEAR(share[0], 0.4 / 6.4, 1e-12);
    EXPECT_EQ(share[1], 0.0);
    EXPECT_NEAR(share[2], 6.0 / 6.4, 1e-12);
}

/// Input (4, features) -> TimeDistributed(Dense features) with the kernel `gain` x identity and
/// no bias: the reconstruction is `gain` times the input.
Plan<float> scaler(std::int64_t features, float gain, int batch, bool masking = false) {
    ModelGraph g;
    NodeId x = input(g, {4, features});
    if (masking) x = add(g, "Masking", {}, {x});  // steps that are all 0 are padding
    add(g, "TimeDistributed", {{"units", features}}, {x});
    Plan<float> plan = Plan<float>::compile(g, batch);
    plan.initialize(1);
    std::vector<NamedTensor> weights = plan.exportWeights();
    for (NamedTensor& t : weights) {
        std::fill(t.values.begin(), t.values.end(), 0.0f);
        if (t.shape.size() == 2) {
            for (std::int64_t k = 0; k < features; ++k) t.values[static_cast<std::size_t>(k * features + k)] = gain;
        }
    }
    plan.loadWeights(weights);
    return plan;
}

Series ramp(std::int64_t steps, std::int64_t features) {
    Series s;
    s.steps = steps;
    s.features = features;
    for (std::int64_t t = 0; t < steps; ++t) {
        for (std::int64_t k = 0; k < features; ++k) s.values.push_back(static_cast<double>(t + 10 * k));
    }
    return s;
}

TEST(AnomalyErrors, ScoreEveryWindowABatchAtATime) {
    // A reconstruction of 2x the input is off by the input itself: the MAE of the window
    // starting at s is the mean of s..s+3, s + 1.5; the MSE the mean of their squares.
    Plan<float> plan = scaler(1, 2.0f, 2);  // batches of 2: 7 windows take 4 batches
    const WindowErrors mae = reconstructionErrors(plan, ramp(10, 1), 1, ErrorMetric::Mae);
    ASSERT_EQ(mae.starts, (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6}));
    for (std::size_t i = 0; i < mae.starts.size(); ++i) EXPECT_NEAR(mae.error[i], static_cast<double>(i) + 1.5, 1e-5);
    const WindowErrors mse = reconstructionErrors(plan, ramp(10, 1), 3, ErrorMetric::Mse);
    ASSERT_EQ(mse.starts, (std::vector<std::int64_t>{0, 3, 6}));
    EXPECT_NEAR(mse.error[1], (9.0 + 16 + 25 + 36) / 4, 1e-4);

    // Two features: each has its own error, the window's is their mean.
    Plan<float> two = scaler(2, 1.5f, 4);
    const WindowErrors both = reconstructionErrors(two, ramp(6, 2), 1, ErrorMetric::Mae);
    ASSERT_EQ(both.starts.size(), 3u);
    EXPECT_NEAR(both.perFeature[0], 0.5 * 1.5, 1e-5);   // feature 0 over steps 0..3
    EXPECT_NEAR(both.perFeature[1], 0.5 * 11.5, 1e-5);  // feature 1: 10..13
    EXPECT_NEAR(both.error[0], (0.75 + 5.75) / 2, 1e-5);
}

TEST(AnomalyErrors, AMaskedReconstructionIsScoredOverItsRealSteps) {
    // Behind Masking, the ramp's step 0 (value 0) is padding: the first window's MAE is the
    // mean of steps 1..3 (2), not of 0..3 (1.5); the other windows have no padding.
    Plan<float> plan = scaler(1, 2.0f, 2, true);
    const WindowErrors mae = reconstructionErrors(plan, ramp(10, 1), 1, ErrorMetric::Mae);
    ASSERT_EQ(mae.starts.size(), 7u);
    EXPECT_NEAR(mae.error[0], 2.0, 1e-5);
    for (std::size_t i = 1; i < mae.starts.size(); ++i) EXPECT_NEAR(mae.error[i], static_cast<double>(i) + 1.5, 1e-5);
    // A window that is all padding scores 0.
    Series zeros;
    zeros.steps = 5;
    zeros.features = 1;
    zeros.values.assign(5, 0.0);
    const WindowErrors none = reconstructionErrors(plan, zeros, 1, ErrorMetric::Mse);
    ASSERT_EQ(none.error.size(), 2u);
    EXPECT_EQ(none.error[0], 0.0);
}

TEST(AnomalyErrors, SkipWindowsWithGapsAndRefuseWhatDoesNotFit) {
    Plan<float> plan = scaler(1, 1.0f, 8);
    Series gap = ramp(10, 1);
    gap.at(5, 0) = std::nan("");
    const WindowErrors w = reconstructionErrors(plan, gap, 1, ErrorMetric::Mae);
    EXPECT_EQ(w.starts, (std::vector<std::int64_t>{0, 1, 6}));  // 2..5 touch step 5
    EXPECT_EQ(w.skipped, 4);
    EXPECT_EQ(w.error[0], 0.0);  // a perfect reconstruction

    EXPECT_EQ(test::refusalOf([&] { reconstructionErrors(plan, ramp(10, 2), 1, ErrorMetric::Mae); }),
              "the series has 2 features, and the model's Input takes 1");
    EXPECT_EQ(test::refusalOf([&] { reconstructionErrors(plan, ramp(3, 1), 1, ErrorMetric::Mae); }),
              "the series has 3 steps, fewer than one window of 4");
    ModelGraph forecaster;
    add(forecaster, "Dense", {{"units", std::int64_t{2}}}, {add(forecaster, "LSTM", {{"units", std::int64_t{3}}}, {input(forecaster, {4, 1})})});
    Plan<float> f = Plan<float>::compile(forecaster, 2);
    f.initialize(1);
    EXPECT_EQ(test::refusalOf([&] { reconstructionErrors(f, ramp(10, 1), 1, ErrorMetric::Mae); }),
              "the model does not reconstruct its input: it takes (None, 4, 1) and returns (None, 2)");
    // Stopping is possible between batches.
    Plan<float> small = scaler(1, 1.0f, 1);
    EXPECT_THROW(reconstructionErrors(small, ramp(10, 1), 1, ErrorMetric::Mae, [](double) { return false; }),
                 ReadCancelled);
}

}  // namespace
}  // namespace loom
