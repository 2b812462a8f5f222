#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/series.h"
#include "engine/plan.h"

namespace loom {

/// Windows scored at once where memory allows: inference keeps nothing for a backward pass, and
/// a batch larger than training's spreads each batch's fixed costs over more windows.
inline constexpr int kScoringBatch = 256;

/// How a window's reconstruction error is measured: the mean absolute error (Keras's anomaly
/// example) or the mean squared error, over the window's steps, per feature.
enum class ErrorMetric { Mae, Mse };

/// How the windows that cover a time step make its score.
enum class StepRule {
    All,   ///< Keras's example: flagged when every covering window is over the threshold (the
           ///< score is the smallest covering window's error)
    Mean,  ///< the mean of the covering windows' errors
    Max,   ///< the largest covering window's error
};

/// Where the line between normal and anomalous is drawn, from the training windows' errors.
struct ThresholdRule {
    enum class Kind {
        MaxTrain,  ///< the largest training-window error (Keras's example)
        Quantile,  ///< the `value` quantile of the training errors (0 < value < 1)
        Mad,       ///< median + `value` x the median absolute deviation of the training errors
        Fixed,     ///< `value` itself
    };
    Kind kind = Kind::MaxTrain;
    double value = 0.0;
    bool operator==(const ThresholdRule&) const = default;
};

/// "max-train", "quantile:0.99", "mad:3" or a number ("0.25"). Throws std::invalid_argument
/// naming the accepted forms.
ThresholdRule parseThresholdRule(std::string_view text);
/// The rule as parseThresholdRule reads it.
std::string thresholdRuleText(const ThresholdRule& rule);
/// The threshold the rule gives for the training windows' errors. Throws std::invalid_argument
/// when the rule needs training errors and there are none.
double thresholdFor(const ThresholdRule& rule, std::span<const double> trainingErrors);

std::string_view stepRuleName(StepRule rule);  ///< "all", "mean", "max"
/// Throws std::invalid_argument for anything but all, mean and max.
StepRule parseStepRule(std::string_view text);

/// The reconstruction errors of windows of a series, in the order of their starts.
struct WindowErrors {
    std::int64_t window = 0;             ///< steps per window
    std::int64_t features = 0;
    std::vector<std::int64_t> starts;    ///< first step of each window scored, rising
    std::vector<double> error;           ///< per window: the mean over its features
    std::vector<double> perFeature;      ///< per window, `features` values
    std::int64_t skipped = 0;            ///< windows not scored: they touch a missing value
};

/// Throws DataError when the model's Input and output are not one (time, features) shape: it
/// does not reconstruct its input.
void checkReconstructs(const Plan<float>& plan);

/// Runs a reconstruction model over every `stride`-th window of `series` (in the model's
/// units, `window` steps each, as the model's Input takes them), a batch at a time: memory of
/// the series and one batch, never all windows at once. Windows that touch a missing (NaN)
/// value are skipped and counted. `progress` is told the fraction done; returning false stops
/// with ReadCancelled. Throws DataError when the model's Input and output are not the
/// window's shape (it does not reconstruct its input) or the series is shorter than a window.
/// A masked output (a Masking layer upstream) is scored over each window's real steps only.
WindowErrors reconstructionErrors(Plan<float>& plan, const Series& series, std::int64_t stride,
                                  ErrorMetric metric,
                                  const std::function<bool(double)>& progress = {});

/// A score for every step of a series of `steps` steps from the windows that cover it.
struct StepScores {
    std::vector<double> score;            ///< NaN where no window covers the step
    std::vector<std::int32_t> coverage;   ///< how many windows cover each step
};
StepScores stepScores(const WindowErrors& errors, std::int64_t steps, StepRule rule);

/// A stretch of flagged steps.
struct AnomalyInterval {
    std::int64_t start = 0;  ///< first flagged step
    std::int64_t end = 0;    ///< last flagged step (inclusive)
    double peak = 0.0;       ///< the largest step score in it
    double mean = 0.0;       ///< the mean step score over its flagged steps
    /// The feature whose errors make up most of the windows that cover it; -1 for a series
    /// of one feature.
    std::int64_t feature = -1;
};

/// Each feature's share (summing to 1) of the errors of the windows that overlap steps `start`
/// to `end`; all zero when those windows reconstruct perfectly or none was scored.
std::vector<double> featureShares(const WindowErrors& errors, std::int64_t start, std::int64_t end);

/// Runs of steps whose score is over `threshold`, joined when at most `mergeGap` unflagged
/// steps lie between them; with several features, each names the one that contributes most.
std::vector<AnomalyInterval> flaggedIntervals(const StepScores& scores, const WindowErrors& errors,
                                              double threshold, std::int64_t mergeGap);

}  // namespace loom
