#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/series.h"

namespace loom {

/// How far forecasts are from the truth, in the data's units, over every forecast step of
/// every feature. NaN where nothing was scored (or, for MASE, the training part never moves).
struct ForecastScores {
    double mae = 0.0;
    double rmse = 0.0;
    /// The MAE over the in-sample MAE of the one-step last-value forecast on the training part
    /// (Hyndman and Koehler's mean absolute scaled error), the mean over features. Below 1:
    /// better than that naive forecast was on the data it learnt from.
    double mase = 0.0;
    std::int64_t values = 0;  ///< forecast values scored
};

/// Collects forecast errors feature by feature and reduces them to ForecastScores.
class ForecastScorer {
public:
    /// `scale`: per feature, the MASE denominator (naiveScale of the training part).
    explicit ForecastScorer(std::vector<double> scale);
    void add(std::int64_t feature, double forecast, double truth);
    ForecastScores scores() const;

private:
    std::vector<double> m_scale, m_absolute, m_squared;
    std::vector<std::int64_t> m_count;
};

/// Per feature: the mean absolute change from one step to the next over the series, skipping
/// pairs with a missing value: MASE's denominator. NaN for a feature with no such pair.
std::vector<double> naiveScale(const Series& train);

/// The season of a series: the lag from 2 to `maxPeriod` (and at most a third of the series)
/// where the autocorrelation of the first feature (over its last 20,000 steps) peaks highest,
/// when that peak is above 0.3; nothing otherwise.
std::optional<std::int64_t> detectPeriod(const Series& series, std::int64_t maxPeriod = 400);

/// The naive forecasts a model has to beat.
enum class Baseline {
    LastValue,  ///< the last value of the window, held
    Seasonal,   ///< the value one season earlier (seasonal naive)
    WindowMean, ///< the mean of the window
};
/// "last value", "seasonal naive (period 24)", "mean of the window".
std::string baselineName(Baseline baseline, std::int64_t period);

/// The baseline's forecast of steps [origin, origin + horizon) from what comes before
/// `origin` (a window of `window` steps for the mean), row-major (horizon, features) in `out`.
/// False when it cannot make one: too little history or a missing value in what it reads.
bool baselineForecast(Baseline baseline, const Series& series, std::int64_t origin, std::int64_t window,
                      std::int64_t horizon, std::int64_t period, std::vector<double>& out);

/// In words, whether the model beats the last-value forecast on the same origins.
std::string forecastVerdict(const ForecastScores& model, const ForecastScores& lastValue);

}  // namespace loom
