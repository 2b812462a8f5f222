#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analysis/forecast.h"
#include "data/data_source.h"
#include "service/evaluation.h"

namespace loom {

/// What a forecast reads: a trained model that maps a window to the next steps of its
/// features, as a run trained it, and the series to forecast.
struct ForecastRequest {
    /// The model, its weights, its training data and its normaliser (none: fitted on the
    /// training part of that data, as training fits it). evaluationRequest() makes it.
    EvaluationRequest model;
    /// The series; an empty source: the training data. Its last `validationSplit` part (the
    /// model's) is the backtest's, the rest is MASE's scale and the seasonal period's.
    DataSpec data;
    /// Steps to forecast; none: the model's own horizon. More than the model's are made by
    /// feeding its forecasts back as inputs.
    std::optional<std::int64_t> horizon;
    std::optional<std::int64_t> period;  ///< the seasonal naive's; none: detected
    /// The step the forecast starts at; none: just past the end of the series.
    std::optional<std::int64_t> origin;
};

/// One row of the metrics table.
struct ForecastRow {
    std::string name;  ///< "model", "last value", ...
    ForecastScores scores;
};

struct ForecastOutcome {
    Series series;  ///< as read, in the data's units
    RowIndex index;
    std::int64_t window = 0;         ///< steps the model reads
    std::int64_t modelHorizon = 0;   ///< steps it forecasts at once
    std::int64_t horizon = 0;        ///< steps forecast
    std::int64_t origin = 0;         ///< the forecast's first step
    std::vector<double> forecast;    ///< (horizon, features), the data's units
    /// The backtest: every origin in the validation part whose window and truth are there.
    std::int64_t backtestFrom = 0;   ///< the validation part's first step
    std::int64_t origins = 0;
    std::vector<ForecastRow> table;  ///< the model, then each baseline, on the same origins
    std::optional<std::int64_t> period;
    bool periodDetected = false;
    std::string verdict;
    /// The backtest's forecasts from origins `horizon` apart, for plots: (origin, values).
    std::vector<std::pair<std::int64_t, std::vector<double>>> samples;
    std::vector<std::string> notes;
};

/// Reads the series, puts it in the model's units with the model's normaliser, forecasts past
/// `origin` and backtests the model and the naive baselines on the validation part, a batch of
/// origins at a time. `progress` is told the fraction done; returning false stops with
/// ReadCancelled. Throws PlanError when the model cannot run and DataError for data that does
/// not fit it or a model that does not forecast its input.
ForecastOutcome forecastSeries(const ForecastRequest& request, const std::function<bool(double)>& progress = {});

/// Step t's time: the series' own where it has it; past its end, a time column that rises
/// evenly goes on, dates count on from the last ("2008-12-31 +3"), and rows are numbered from 1.
std::string forecastTime(const ForecastOutcome& o, std::int64_t t);
/// "forecast" for one feature, "forecast_NAME" for several (`what`: forecast, truth, error).
std::string forecastColumnName(const ForecastOutcome& o, const char* what, std::int64_t feature);
/// The forecast as CSV: the time column (or `row`), then per feature its forecast, and its truth
/// and error where the series has them.
std::string forecastCsv(const ForecastOutcome& o);

}  // namespace loom
