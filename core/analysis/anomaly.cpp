#include "analysis/anomaly.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "data/csv_reader.h"

namespace loom {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double parseNumber(std::string_view text, const std::string& what) {
    double value = 0.0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
        throw std::invalid_argument(what);
    }
    return value;
}

/// numpy's default (linear) quantile of sorted values.
double quantileOfSorted(const std::vector<double>& sorted, double q) {
    const double position = q * static_cast<double>(sorted.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, sorted.size() - 1);
    const double fraction = position - static_cast<double>(below);
    return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

std::vector<double> sortedFinite(std::span<const double> values) {
    std::vector<double> sorted;
    sorted.reserve(values.size());
    for (double v : values) {
        if (std::isfinite(v)) sorted.push_back(v);
    }
    std::sort(sorted.begin(), sorted.end());
    return sorted;
}

}  // namespace

ThresholdRule parseThresholdRule(std::string_view text) {
    const std::string accepted = "max-train, quantile:Q (0 < Q < 1), mad:K (K > 0) or a number";
    const std::string given = "unknown threshold rule '" + std::string(text) + "': use " + accepted;
    if (text == "max-train") return {};
    if (text.starts_with("quantile:")) {
        const double q = parseNumber(text.substr(9), given);
        if (!(q > 0.0 && q < 1.0)) throw std::invalid_argument("quantile:Q takes a Q above 0 and below 1, not " + std::string(text.substr(9)));
        return {ThresholdRule::Kind::Quantile, q};
    }
    if (text.starts_with("mad:")) {
        const double k = parseNumber(text.substr(4), given);
        if (!(k > 0.0)) throw std::invalid_argument("mad:K takes a K above 0, not " + std::string(text.substr(4)));
        return {ThresholdRule::Kind::Mad, k};
    }
    const double value = parseNumber(text, given);
    if (value < 0) throw std::invalid_argument("a threshold is an error, 0 or more, not " + std::string(text));
    return {ThresholdRule::Kind::Fixed, value};
}

std::string thresholdRuleText(const ThresholdRule& rule) {
    std::ostringstream out;
    switch (rule.kind) {
        case ThresholdRule::Kind::MaxTrain: return "max-train";
        case ThresholdRule::Kind::Quantile: out << "quantile:" << rule.value; break;
        case ThresholdRule::Kind::Mad: out << "mad:" << rule.value; break;
        case ThresholdRule::Kind::Fixed: out << rule.value; break;
    }
    return out.str();
}

double thresholdFor(const ThresholdRule& rule, std::span<const double> trainingErrors) {
    if (rule.kind == ThresholdRule::Kind::Fixed) return rule.value;
    const std::vector<double> sorted = sortedFinite(trainingErrors);
    if (sorted.empty()) {
        throw std::invalid_argument("the " + thresholdRuleText(rule) +
                                    " threshold needs the errors of training windows, and there are none");
    }
    switch (rule.kind) {
        case ThresholdRule::Kind::MaxTrain: return sorted.back();
        case ThresholdRule::Kind::Quantile: return quantileOfSorted(sorted, rule.value);
        case ThresholdRule::Kind::Mad: {
            const double median = quantileOfSorted(sorted, 0.5);
            std::vector<double> deviations;
            deviations.reserve(sorted.size());
            for (double v : sorted) deviations.push_back(std::abs(v - median));
            std::sort(deviations.begin(), deviations.end());
            return median + rule.value * quantileOfSorted(deviations, 0.5);
        }
        case ThresholdRule::Kind::Fixed: break;
    }
    return rule.value;
}

std::string_view stepRuleName(StepRule rule) {
    switch (rule) {
        case StepRule::All: return "all";
        case StepRule::Mean: return "mean";
        case StepRule::Max: return "max";
    }
    return "all";
}

StepRule parseStepRule(std::string_view text) {
    if (text == "all") return StepRule::All;
    if (text == "mean") return StepRule::Mean;
    if (text == "max") return StepRule::Max;
    throw std::invalid_argument("unknown rule '" + std::string(text) + "': use all, mean or max");
}

void checkReconstructs(const Plan<float>& plan) {
    const Dims& in = plan.dims(plan.inputs().at(0));
    const Dims& out = plan.dims(plan.outputs().at(0));
    if (in.size() != 2 || in != out) {
        throw DataError("the model does not reconstruct its input: it takes " + formatShape(in) +
                        " and returns " + formatShape(out));
    }
}

WindowErrors reconstructionErrors(Plan<float>& plan, const Series& series, std::int64_t stride,
                                  ErrorMetric metric, const std::function<bool(double)>& progress) {
    checkReconstructs(plan);
    const Dims& in = plan.dims(plan.inputs().at(0));
    WindowErrors result;
    result.window = in[0];
    result.features = in[1];
    const std::int64_t w = result.window, f = result.features;
    if (series.features != f) {
        throw DataError("the series has " + std::to_string(series.features) + " feature" +
                        (series.features == 1 ? "" : "s") + ", and the model's Input takes " +
                        std::to_string(f));
    }
    if (series.steps < w) {
        throw DataError("the series has " + std::to_string(series.steps) + " step" +
                        (series.steps == 1 ? "" : "s") + ", fewer than one window of " +
                        std::to_string(w));
    }
    if (stride < 1) throw DataError("the stride must be at least 1");
    // Rows with a missing value, counted so far: a window touches one when the count rises
    // across it.
    std::vector<std::int64_t> missingBefore(static_cast<std::size_t>(series.steps) + 1, 0);
    for (std::int64_t t = 0; t < series.steps; ++t) {
        bool missing = false;
        for (std::int64_t k = 0; k < f; ++k) missing = missing || std::isnan(series.at(t, k));
        missingBefore[static_cast<std::size_t>(t + 1)] = missingBefore[static_cast<std::size_t>(t)] + (missing ? 1 : 0);
    }

    const int maxBatch = plan.maxBatch();
    const std::int64_t sample = w * f;
    std::vector<float> batch(static_cast<std::size_t>(maxBatch * sample));
    std::vector<std::int64_t> batchStarts;
    batchStarts.reserve(static_cast<std::size_t>(maxBatch));
    const std::int64_t last = series.steps - w;  // the last possible start
    const auto score = [&] {
        const float* inputs[] = {batch.data()};
        plan.predict(inputs, static_cast<int>(batchStarts.size()));
        const float* y = plan.output(0);
        // A masked output (a Masking layer upstream) is scored over its real steps only, as
        // its loss was in training; a window that is all padding scores 0.
        const std::uint8_t* mask = plan.outputMask(0);
        for (std::size_t b = 0; b < batchStarts.size(); ++b) {
            const float* x = batch.data() + static_cast<std::int64_t>(b) * sample;
            const float* r = y + static_cast<std::int64_t>(b) * sample;
            const std::uint8_t* real = mask ? mask + static_cast<std::int64_t>(b) * w : nullptr;
            const auto counted = real ? std::count(real, real + w, std::uint8_t{1}) : w;
            double total = 0.0;
            for (std::int64_t k = 0; k < f; ++k) {
                double sum = 0.0;
                for (std::int64_t t = 0; t < w; ++t) {
                    if (real && !real[t]) continue;
                    const double d = static_cast<double>(r[t * f + k]) - static_cast<double>(x[t * f + k]);
                    sum += metric == ErrorMetric::Mae ? std::abs(d) : d * d;
                }
                const double e = counted > 0 ? sum / static_cast<double>(counted) : 0.0;
                result.perFeature.push_back(e);
                total += e;
            }
            result.starts.push_back(batchStarts[b]);
            result.error.push_back(total / static_cast<double>(f));
        }
        batchStarts.clear();
    };
    for (std::int64_t s = 0; s <= last; s += stride) {
        if (missingBefore[static_cast<std::size_t>(s + w)] != missingBefore[static_cast<std::size_t>(s)]) {
            ++result.skipped;
            continue;
        }
        float* slot = batch.data() + static_cast<std::int64_t>(batchStarts.size()) * sample;
        for (std::int64_t i = 0; i < sample; ++i) {
            slot[i] = static_cast<float>(series.values[static_cast<std::size_t>(s * f + i)]);
        }
        batchStarts.push_back(s);
        if (static_cast<int>(batchStarts.size()) == maxBatch) {
            score();
            if (progress && !progress(static_cast<double>(s + 1) / static_cast<double>(last + 1))) {
                throw ReadCancelled();
            }
        }
    }
    if (!batchStarts.empty()) score();
    return result;
}

StepScores stepScores(const WindowErrors& errors, std::int64_t steps, StepRule rule) {
    StepScores scores;
    scores.score.assign(static_cast<std::size_t>(steps), kNaN);
    scores.coverage.assign(static_cast<std::size_t>(steps), 0);
    const std::size_t n = errors.starts.size();
    // The windows covering step t start in [t - window + 1, t]; as t moves on, windows enter
    // at the back and leave at the front. The smallest and largest covering errors come from
    // monotonic queues, the mean from a running sum: one pass over steps and windows.
    std::deque<std::size_t> least, most;
    double sum = 0.0;
    std::size_t next = 0, first = 0;  // windows [first, next) cover t
    for (std::int64_t t = 0; t < steps; ++t) {
        while (next < n && errors.starts[next] <= t) {
            const double e = errors.error[next];
            while (!least.empty() && errors.error[least.back()] >= e) least.pop_back();
            while (!most.empty() && errors.error[most.back()] <= e) most.pop_back();
            least.push_back(next);
            most.push_back(next);
            sum += e;
            ++next;
        }
        while (first < next && errors.starts[first] + errors.window <= t) {
            sum -= errors.error[first];
            if (!least.empty() && least.front() == first) least.pop_front();
            if (!most.empty() && most.front() == first) most.pop_front();
            ++first;
        }
        const auto covering = static_cast<std::int32_t>(next - first);
        scores.coverage[static_cast<std::size_t>(t)] = covering;
        if (covering == 0) continue;
        double& s = scores.score[static_cast<std::size_t>(t)];
        switch (rule) {
            case StepRule::All: s = errors.error[least.front()]; break;
            case StepRule::Max: s = errors.error[most.front()]; break;
            case StepRule::Mean: s = sum / covering; break;
        }
    }
    return scores;
}

std::vector<double> featureShares(const WindowErrors& errors, std::int64_t start, std::int64_t end) {
    std::vector<double> share(static_cast<std::size_t>(std::max<std::int64_t>(errors.features, 0)), 0.0);
    const auto from = std::lower_bound(errors.starts.begin(), errors.starts.end(), start - errors.window + 1);
    double total = 0.0;
    for (auto it = from; it != errors.starts.end() && *it <= end; ++it) {
        const auto w = static_cast<std::size_t>(it - errors.starts.begin());
        for (std::size_t k = 0; k < share.size(); ++k) {
            share[k] += errors.perFeature[w * share.size() + k];
            total += errors.perFeature[w * share.size() + k];
        }
    }
    if (total > 0) {
        for (double& s : share) s /= total;
    }
    return share;
}

std::vector<AnomalyInterval> flaggedIntervals(const StepScores& scores, const WindowErrors& errors,
                                              double threshold, std::int64_t mergeGap) {
    std::vector<AnomalyInterval> intervals;
    const auto steps = static_cast<std::int64_t>(scores.score.size());
    const auto flagged = [&](std::int64_t t) {
        const double s = scores.score[static_cast<std::size_t>(t)];
        return !std::isnan(s) && s > threshold;
    };
    for (std::int64_t t = 0; t < steps; ++t) {
        if (!flagged(t)) continue;
        if (!intervals.empty() && t - intervals.back().end - 1 <= mergeGap) {
            intervals.back().end = t;
        } else {
            intervals.push_back({t, t, 0.0, 0.0, -1});
        }
    }
    for (AnomalyInterval& interval : intervals) {
        double sum = 0.0, peak = -std::numeric_limits<double>::infinity();
        std::int64_t count = 0;
        for (std::int64_t t = interval.start; t <= interval.end; ++t) {
            if (!flagged(t)) continue;
            const double s = scores.score[static_cast<std::size_t>(t)];
            sum += s;
            peak = std::max(peak, s);
            ++count;
        }
        interval.peak = peak;
        interval.mean = sum / static_cast<double>(count);
        if (errors.features < 2) continue;
        const std::vector<double> share = featureShares(errors, interval.start, interval.end);
        interval.feature = std::max_element(share.begin(), share.end()) - share.begin();
    }
    return intervals;
}

}  // namespace loom
