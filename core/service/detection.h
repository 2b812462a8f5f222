#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analysis/anomaly.h"
#include "data/data_source.h"
#include "service/evaluation.h"

namespace loom {

/// What an anomaly search reads and how it scores: a trained reconstruction model as a run
/// trained it, and the series to score.
struct DetectionRequest {
    /// The model, its weights, its training data (where the threshold's training windows come
    /// from: the part before the validation split) and the normaliser it was trained with (none:
    /// fitted on that training part, as training fits it). evaluationRequest() makes it.
    EvaluationRequest model;
    /// The series to score; an empty source scores the whole training series. Its values go
    /// through the model's normaliser, never one fitted on them.
    DataSpec scored;
    ErrorMetric metric = ErrorMetric::Mae;
    StepRule rule = StepRule::All;
    ThresholdRule threshold;
    /// Flagged runs at most this many steps apart are one interval; none: a quarter of a window.
    std::optional<std::int64_t> mergeGap;
};

/// What the search found, for every step of the scored series.
struct Detection {
    Series series;          ///< the scored series as read (the data's units; NaN: missing)
    RowIndex index;         ///< its time column, when it has one
    WindowErrors errors;    ///< every window of the scored series (stride 1)
    StepScores scores;
    std::vector<double> trainingErrors;  ///< the training windows' errors; empty for a fixed threshold
    double threshold = 0.0;              ///< the rule's value
    std::int64_t mergeGap = 0;
    std::vector<AnomalyInterval> intervals;  ///< at `threshold`
    std::vector<std::string> notes;          ///< what the user should know (steps left unscored)
};

/// Scores every step of the request's series: reads the training series (when the threshold
/// rule needs it) and the scored series, puts both in the model's units with the model's
/// normaliser, and runs the model over every window of each, a batch at a time. `progress` is
/// told the fraction done; returning false stops with ReadCancelled. Throws PlanError when the
/// model cannot run, DataError for data that does not fit it (naming the file) and
/// std::invalid_argument for a threshold rule the training errors cannot give.
Detection detectAnomalies(const DetectionRequest& request,
                          const std::function<bool(double)>& progress = {});

/// Feature `f`'s name ("" for -1, its number from 1 when the series names none).
std::string detectionFeatureName(const Detection& d, std::int64_t f);
/// One row for every row of the scored series, in order: its time column (or `row`), the
/// values as read, `score` (of `scores`, the detection's own or another rule's), `threshold`
/// and `anomaly` (1 where the score is over `threshold`).
std::string detectionStepsCsv(const Detection& d, const StepScores& scores, double threshold);
/// `start,end,peak,mean` (and `feature` with several features), times as the series writes them.
std::string detectionIntervalsCsv(const Detection& d, const std::vector<AnomalyInterval>& intervals);

}  // namespace loom
