// Forecasting: the metrics and the naive baselines against hand-computed values, the season
// found, and the service's forecast and backtest with models whose forecasts are known.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include "analysis/forecast.h"
#include "core/test_graphs.h"
#include "service/forecasting.h"

namespace loom {
namespace {

using test::add;
using test::input;

Series series(std::vector<double> values, std::int64_t features = 1) {
    Series s;
    s.features = features;
    s.steps = static_cast<std::int64_t>(values.size()) / features;
    s.values = std::move(values);
    return s;
}

TEST(ForecastMetrics, MaeRmseAndMaseByHand) {
    // The training part 1, 3, 2, 4 moves by 2, 1, 2: MASE's scale is 5/3.
    const std::vector<double> scale = naiveScale(series({1, 3, 2, 4}));
    ASSERT_EQ(scale.size(), 1u);
    EXPECT_NEAR(scale[0], 5.0 / 3.0, 1e-12);
    ForecastScorer scorer(scale);
    scorer.add(0, 1.0, 2.0);  // off by 1
    scorer.add(0, 5.0, 2.0);  // off by 3
    const ForecastScores s = scorer.scores();
    EXPECT_DOUBLE_EQ(s.mae, 2.0);
    EXPECT_DOUBLE_EQ(s.rmse, std::sqrt(5.0));
    EXPECT_NEAR(s.mase, 2.0 / (5.0 / 3.0), 1e-12);
    EXPECT_EQ(s.values, 2);
    // A training part that never moves has no MASE; nothing scored has no metrics at all.
    ForecastScorer flat(naiveScale(series({2, 2, 2})));
    flat.add(0, 1.0, 2.0);
    EXPECT_TRUE(std::isnan(flat.scores().mase));
    EXPECT_TRUE(std::isnan(ForecastScorer({1.0}).scores().mae));
}

TEST(ForecastBaselines, EachByHand) {
    const Series s = series({1, 2, 3, 4, 5, 6, 7});
    std::vector<double> out;
    ASSERT_TRUE(baselineForecast(Baseline::LastValue, s, 5, 3, 2, 0, out));
    EXPECT_EQ(out, (std::vector<double>{5, 5}));
    // Seasonal naive with period 2 from origin 5: steps 5, 6, 7 are steps 3, 4, 3 again.
    ASSERT_TRUE(baselineForecast(Baseline::Seasonal, s, 5, 3, 3, 2, out));
    EXPECT_EQ(out, (std::vector<double>{4, 5, 4}));
    ASSERT_TRUE(baselineForecast(Baseline::WindowMean, s, 5, 3, 2, 0, out));
    EXPECT_EQ(out, (std::vector<double>{4, 4}));  // the mean of 3, 4, 5
    // Too little history, or a gap in it: no forecast.
    EXPECT_FALSE(baselineForecast(Baseline::Seasonal, s, 1, 3, 1, 2, out));
    EXPECT_FALSE(baselineForecast(Baseline::WindowMean, s, 2, 3, 1, 0, out));
    const Series gap = series({1, NAN, 3});
    EXPECT_FALSE(baselineForecast(Baseline::WindowMean, gap, 3, 3, 1, 0, out));
    EXPECT_EQ(baselineName(Baseline::Seasonal, 12), "seasonal naive (period 12)");
}

TEST(ForecastBaselines, FindTheSeasonAndNoneWhereThereIsNone) {
    std::vector<double> wave, ramp;
    for (int t = 0; t < 600; ++t) {
        wave.push_back(std::sin(2 * std::numbers::pi * t / 12.0) + 0.1 * std::sin(t * 1.7));
        ramp.push_back(t);
    }
    EXPECT_EQ(detectPeriod(series(wave)), 12);
    EXPECT_FALSE(detectPeriod(series(ramp)).has_value());
    EXPECT_FALSE(detectPeriod(series({1, 2})).has_value());
}

TEST(ForecastVerdict, SaysWhetherTheModelBeatsTheLastValue) {
    EXPECT_EQ(forecastVerdict({1.0, 1.0, 0.5, 10}, {2.0, 2.0, 1.0, 10}),
              "The model beats the last-value forecast: its MAE (1) is 50% lower than the last value's (2).");
    EXPECT_EQ(forecastVerdict({3.0, 3.0, 1.5, 10}, {2.0, 2.0, 1.0, 10}),
              "The model does not beat the last-value forecast: its MAE (3) is higher than the last value's (2), "
              "so repeating the last value forecasts this series at least as well.");
}

/// Input (4, 1) -> Flatten -> Dense(units) with the kernel `k` (row-major (4, units), oldest
/// step first), no bias; with several units, Reshape (units, 1): the next `units` steps.
EvaluationRequest linear(std::vector<float> k, const std::string& file, std::int64_t units = 1) {
    EvaluationRequest r;
    const NodeId flat = add(r.graph, "Flatten", {}, {input(r.graph, {4, 1})});
    const NodeId dense = add(r.graph, "Dense", {{"units", units}}, {flat});
    if (units > 1) add(r.graph, "Reshape", {{"target_shape", Dims{units, 1}}}, {dense});
    Plan<float> plan = Plan<float>::compile(r.graph, 4);
    plan.initialize(1);
    r.weights = plan.exportWeights();
    for (NamedTensor& t : r.weights) {
        if (t.shape.size() == 2) {
            t.values = k;
        } else {
            std::fill(t.values.begin(), t.values.end(), 0.0f);
        }
    }
    r.batchSize = 4;
    r.data.source = file;
    r.data.validationSplit = 0.5;
    return r;
}

std::string ramp(const char* name, int steps) {
    const auto file = std::filesystem::temp_directory_path() / name;
    std::ofstream out(file);
    out << "year,v\n";
    for (int t = 0; t < steps; ++t) out << 1900 + t << "," << 3 * t + 10 << "\n";
    return file.string();
}

TEST(ForecastService, ForecastsPastTheEndAndBacktestsBesideTheBaselines) {
    // 2 x the last step - the one before: exact on a ramp, however it is normalised, and fed
    // back for three steps.
    ForecastRequest request;
    request.model = linear({0, 0, -1, 2}, ramp("ll_forecast_ramp.csv", 40));
    request.horizon = 3;
    const ForecastOutcome o = forecastSeries(request);
    EXPECT_EQ(o.modelHorizon, 1);
    EXPECT_EQ(o.origin, 40);
    ASSERT_EQ(o.forecast.size(), 3u);
    EXPECT_NEAR(o.forecast[0], 130, 1e-3);
    EXPECT_NEAR(o.forecast[2], 136, 1e-3);
    EXPECT_EQ(o.index.label(39), "1939");
    // The validation part is steps 20..39; origins 20..37 have their 3 steps of truth.
    EXPECT_EQ(o.backtestFrom, 20);
    EXPECT_EQ(o.origins, 18);
    ASSERT_EQ(o.table.size(), 3u);  // a ramp has no season
    EXPECT_EQ(o.table[0].name, "model");
    EXPECT_NEAR(o.table[0].scores.mae, 0.0, 1e-3);
    EXPECT_EQ(o.table[1].name, "last value");
    EXPECT_NEAR(o.table[1].scores.mae, 6.0, 1e-9);  // off by 3, 6, 9
    EXPECT_NEAR(o.table[1].scores.mase, 2.0, 1e-9);  // the ramp moves 3 a step
    EXPECT_EQ(o.table[2].name, "mean of the window");
    EXPECT_TRUE(o.verdict.starts_with("The model beats the last-value forecast")) << o.verdict;
    EXPECT_EQ(o.samples.size(), 6u);  // origins 20, 23, ..., 35

    // Twice the last value: worse than repeating it, and said so.
    request.model = linear({0, 0, 0, 2}, ramp("ll_forecast_ramp.csv", 40));
    request.horizon.reset();
    request.origin = 30;
    const ForecastOutcome worse = forecastSeries(request);
    EXPECT_TRUE(worse.verdict.starts_with("The model does not beat the last-value forecast")) << worse.verdict;
    EXPECT_EQ(worse.origin, 30);
}

TEST(ForecastService, FeedsItsForecastsBackForMoreStepsThanItMakesAtOnce) {
    // Two steps at a time, 2x4 - x3 and 3x4 - 2x3: exact on a ramp; five steps take three
    // rounds, the window moving on by two steps each time.
    ForecastRequest request;
    request.model = linear({0, 0, 0, 0, -1, -2, 2, 3}, ramp("ll_forecast_two.csv", 40), 2);
    request.horizon = 5;
    const ForecastOutcome o = forecastSeries(request);
    EXPECT_EQ(o.modelHorizon, 2);
    ASSERT_EQ(o.forecast.size(), 5u);
    for (int h = 0; h < 5; ++h) EXPECT_NEAR(o.forecast[static_cast<std::size_t>(h)], 130 + 3 * h, 1e-3) << h;
    EXPECT_NEAR(o.table[0].scores.mae, 0.0, 1e-3);
}

TEST(ForecastService, RefusesWhatItCannotForecast) {
    ForecastRequest request;
    request.model = linear({0, 0, 0, 1}, ramp("ll_forecast_short.csv", 3));
    EXPECT_EQ(test::refusalOf([&] { forecastSeries(request); }),
              request.model.data.source + ": the series has 3 steps, fewer than one window of 4");
    request.model = linear({0, 0, 0, 1}, ramp("ll_forecast_ok.csv", 20));
    request.origin = 2;
    EXPECT_EQ(test::refusalOf([&] { forecastSeries(request); }),
              request.model.data.source + ": a forecast starts at a row from 5 (after one window of 4 steps) to 21 (just "
              "past the end), not 3");
    request.origin.reset();
    request.period = 30;  // more history than the backtest's first origin has
    EXPECT_EQ(test::refusalOf([&] { forecastSeries(request); }),
              "a season of 30 steps needs that much history before the backtest's first origin (step 11); give a "
              "shorter period");
    request.period.reset();
    request.horizon = 4611686018427387904;
    EXPECT_EQ(test::refusalOf([&] { forecastSeries(request); }),
              "a horizon of 4611686018427387904 steps is more than LayerLoom forecasts (100000)");
    ForecastRequest autoencoder;
    add(autoencoder.model.graph, "TimeDistributed", {{"units", std::int64_t{1}}}, {input(autoencoder.model.graph, {4, 1})});
    autoencoder.model.data.source = "no-such-file.csv";
    EXPECT_EQ(test::refusalOf([&] { forecastSeries(autoencoder); }),
              "the model does not forecast its input: it takes (None, 4, 1) and returns (None, 4, 1) (it "
              "reconstructs its input)");
}

}  // namespace
}  // namespace loom

namespace loom {
namespace {

TEST(ForecastService, TimesPastTheEndFollowTheSeriesOwnStep) {
    struct Case {
        std::vector<std::string> times;
        std::int64_t at;
        std::string expected;
    };
    const Case cases[] = {
        {{"2026-02-27 22:00", "2026-02-27 23:00", "2026-02-28 00:00"}, 2, "2026-02-28 00:00"},
        {{"2026-02-27 22:00", "2026-02-27 23:00", "2026-02-28 00:00"}, 3, "2026-02-28 01:00"},
        // Over the month's end, 2026 not a leap year; then 2024, one.
        {{"2026-02-27 22:00", "2026-02-27 23:00", "2026-02-28 00:00"}, 3 + 24, "2026-03-01 01:00"},
        {{"2024-02-27", "2024-02-28", "2024-02-29"}, 3, "2024-03-01"},
        {{"2026-01-05T10:00:00", "2026-01-05T10:00:30", "2026-01-05T10:01:00"}, 4, "2026-01-05T10:02:00"},
        // Months are no constant step, and times that are no ISO dates are counted on.
        {{"2026-01-01", "2026-02-01", "2026-03-01"}, 3, "2026-03-01 +1"},
        {{"Jan 1", "Jan 2", "Jan 3"}, 4, "Jan 3 +2"},
        // Equal gaps that are still months or years: 31 days twice, 365 days twice.
        {{"2026-07-01", "2026-08-01", "2026-09-01"}, 3, "2026-09-01 +1"},
        {{"2021-12-31", "2022-12-31", "2023-12-31"}, 3, "2023-12-31 +1"},
        // Not past the four-digit years.
        {{"9999-12-30", "9999-12-31", "9999-12-31"}, 3, "9999-12-31 +1"},
        {{"9999-12-29", "9999-12-30", "9999-12-31"}, 3, "9999-12-31 +1"},
    };
    for (const Case& c : cases) {
        ForecastOutcome o;
        o.series.steps = static_cast<std::int64_t>(c.times.size());
        o.index.name = "time";
        o.index.texts = c.times;
        EXPECT_EQ(forecastTime(o, c.at), c.expected) << c.times.front() << " … " << c.times.back() << ", step " << c.at;
    }
}

}  // namespace
}  // namespace loom
