// The detection service: the threshold from the training part in the run's units, every step
// of another series scored, its time column carried through, gaps said.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/test_graphs.h"
#include "service/detection.h"

namespace loom {
namespace {

using test::add;
using test::input;

namespace fs = std::filesystem;

/// A model whose reconstruction is twice its input (TimeDistributed Dense, kernel 2, no bias),
/// so that a window's MAE is the mean of its absolute values, in the model's units.
EvaluationRequest doubler(const std::string& trainingFile) {
    EvaluationRequest r;
    add(r.graph, "TimeDistributed", {{"units", std::int64_t{1}}}, {input(r.graph, {4, 1})});
    Plan<float> plan = Plan<float>::compile(r.graph, 3);
    plan.initialize(1);
    r.weights = plan.exportWeights();
    for (NamedTensor& t : r.weights) std::fill(t.values.begin(), t.values.end(), t.shape.size() == 2 ? 2.0f : 0.0f);
    r.batchSize = 3;  // several batches, the last one short
    r.data.source = trainingFile;
    r.data.validationSplit = 0.2;
    // The run's normaliser: 10 + 2u in the data is u in the model.
    r.normalizer = Normalizer{Normalizer::Kind::ZScore, {10.0}, {2.0}};
    return r;
}

/// A CSV of `name` and v = 10 + 2u for each u, with a date column.
std::string write(const char* name, const std::vector<double>& u) {
    const fs::path file = fs::temp_directory_path() / name;
    std::ofstream out(file);
    out << "day,v\n";
    for (std::size_t i = 0; i < u.size(); ++i) {
        out << "2024-01-" << (i + 1 < 10 ? "0" : "") << i + 1 << ",";
        if (std::isnan(u[i])) {
            out << "NA\n";
        } else {
            out << 10 + 2 * u[i] << "\n";
        }
    }
    return file.string();
}

TEST(Detection, ThresholdFromTheTrainingPartAndEveryStepOfTheScoredSeries) {
    // Training part: the first 8 of 10 steps; its 5 windows of 4 steps all have MAE 0.5.
    DetectionRequest request;
    request.model = doubler(write("ll_detect_train.csv", {0, 1, 0, 1, 0, 1, 0, 1, 9, 9}));
    request.scored.source = write("ll_detect_scored.csv", {0, 1, 0, 1, 5, 1, 0, 1, 0, 1, 0, 1});
    const Detection d = detectAnomalies(request);
    EXPECT_EQ(d.trainingErrors.size(), 5u);
    EXPECT_NEAR(d.threshold, 0.5, 1e-6);
    ASSERT_EQ(d.series.steps, 12);
    EXPECT_EQ(d.series.at(4, 0), 20.0);  // as read, in the data's units
    // The windows covering step 4 (starts 1 to 4) all hold the 5: MAE 7/4 each. Steps 3 and 5
    // are also covered by a window without it (MAE 0.5), which is not over the threshold.
    EXPECT_NEAR(d.scores.score[4], 1.75, 1e-6);
    EXPECT_NEAR(d.scores.score[3], 0.5, 1e-6);
    ASSERT_EQ(d.intervals.size(), 1u);
    EXPECT_EQ(d.intervals[0].start, 4);
    EXPECT_EQ(d.intervals[0].end, 4);
    EXPECT_EQ(d.index.name, "day");
    EXPECT_EQ(d.index.label(d.intervals[0].start), "2024-01-05");
    EXPECT_TRUE(d.notes.empty());

    // The mean of the covering windows, and a quantile of the same training errors (all 0.5).
    request.rule = StepRule::Mean;
    request.threshold = parseThresholdRule("quantile:0.5");
    const Detection mean = detectAnomalies(request);
    EXPECT_NEAR(mean.threshold, 0.5, 1e-6);
    EXPECT_NEAR(mean.scores.score[3], (0.5 + 1.75 * 3) / 4, 1e-6);  // windows 0..3: one without the 5
    // The largest covering window, against a given threshold.
    request.rule = StepRule::Max;
    request.threshold = parseThresholdRule("2");
    const Detection max = detectAnomalies(request);
    EXPECT_TRUE(max.trainingErrors.empty());  // a given threshold reads no training data
    EXPECT_NEAR(max.scores.score[3], 1.75, 1e-6);
    EXPECT_TRUE(max.intervals.empty());
}

TEST(Detection, WithoutTheRunsNormaliserItIsFittedOnTheTrainingPart) {
    DetectionRequest request;
    request.model = doubler(write("ll_detect_fit.csv", {0, 1, 0, 1, 0, 1, 0, 1, 9, 9}));
    request.model.normalizer.reset();
    request.model.data.normalize = Normalizer::Kind::MinMax;  // data 10..12 becomes 0..1
    request.scored.source = write("ll_detect_fit_scored.csv", {0, 1, 0, 1, 0, 1});
    const Detection d = detectAnomalies(request);
    EXPECT_NEAR(d.threshold, 0.5, 1e-6);
    EXPECT_NEAR(d.scores.score[2], 0.5, 1e-6);
}

TEST(Detection, SaysWhenTheScoredSeriesIsInOtherUnits) {
    DetectionRequest request;
    request.model = doubler(write("ll_detect_units_train.csv", {0, 1, 0, 1, 0, 1, 0, 1, 9, 9}));
    // The same pattern 100 deviations up: as if the scored file were in other units.
    request.scored.source = write("ll_detect_units_scored.csv", {100, 101, 100, 101, 100, 101, 100, 101});
    Detection d = detectAnomalies(request);
    ASSERT_EQ(d.notes.size(), 1u);
    EXPECT_EQ(d.notes[0], "'v' is around 212 here, far from what the model trained on (mean 10, deviation 2): is it "
                          "in the same units? Its scores then say little");
    // A stretch that is unusual but in the same units says nothing of units.
    request.scored.source = write("ll_detect_units_same.csv", {0, 1, 0, 9, 9, 9, 0, 1});
    d = detectAnomalies(request);
    EXPECT_TRUE(d.notes.empty());
}

TEST(Detection, SaysWhichStepsGapsLeaveUnscored) {
    DetectionRequest request;
    request.model = doubler(write("ll_detect_gap_train.csv", {0, 1, 0, 1, 0, 1, 0, 1, 9, 9}));
    request.scored.source = write("ll_detect_gap.csv", {0, 1, 0, 1, 0, 1, NAN, 1, 0, 1, 0, 1});
    const Detection d = detectAnomalies(request);
    EXPECT_EQ(d.errors.skipped, 4);  // the windows starting at 3 to 6 hold the gap
    EXPECT_TRUE(std::isnan(d.scores.score[6]));
    EXPECT_FALSE(std::isnan(d.scores.score[5]));
    ASSERT_EQ(d.notes.size(), 1u);
    EXPECT_EQ(d.notes[0], "4 windows touch missing values and were not scored; 1 step no scored window covers "
                          "has no score");
}

TEST(Detection, RefusesClearly) {
    DetectionRequest request;
    request.model = doubler(write("ll_detect_refuse_train.csv", {0, 1, 0, 1, 0, 1, 0, 1, 9, 9}));
    request.scored.source = "windows.npy";
    EXPECT_EQ(test::refusalOf([&] { detectAnomalies(request); }),
              "windows.npy: anomaly detection reads a series (a CSV file, a sample or a synthetic series), "
              "not samples already cut into windows");
    request.scored.source = write("ll_detect_refuse_gaps.csv", {0, NAN, 0, 1, 0, NAN, 1, 0});
    EXPECT_EQ(test::refusalOf([&] { detectAnomalies(request); }),
              request.scored.source + ": every window of 4 steps touches a missing value, so no step can be scored");

    // A model that forecasts is refused before any data is read.
    DetectionRequest forecaster;
    add(forecaster.model.graph, "Dense", {{"units", std::int64_t{2}}},
        {add(forecaster.model.graph, "LSTM", {{"units", std::int64_t{3}}}, {input(forecaster.model.graph, {4, 1})})});
    forecaster.model.data.source = "no-such-file.csv";
    EXPECT_EQ(test::refusalOf([&] { detectAnomalies(forecaster); }),
              "the model does not reconstruct its input: it takes (None, 4, 1) and returns (None, 2)");
}

}  // namespace
}  // namespace loom
