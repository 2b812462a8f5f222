#include "service/detection.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <utility>

#include "data/sample_catalogue.h"
#include "engine/plan.h"
#include "io/message_text.h"

namespace loom {

namespace {

std::string number(double v) {
    std::ostringstream text;
    text << std::setprecision(6) << v;
    return text.str();
}

/// Refuses a training part in which a feature never changes: no threshold can be learnt from
/// it (every window would look alike, and any change would be flagged).
void checkVaries(const Series& train, const std::string& source) {
    for (std::int64_t f = 0; f < train.features; ++f) {
        double lo = INFINITY, hi = -INFINITY;
        for (std::int64_t t = 0; t < train.steps; ++t) {
            const double v = train.at(t, f);
            if (std::isnan(v)) continue;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        if (lo == hi) {
            const std::string name = f < static_cast<std::int64_t>(train.names.size())
                                         ? train.names[static_cast<std::size_t>(f)]
                                         : std::to_string(f + 1);
            throw DataError(source + ": '" + printableExcerpt(name, 40) + "' is " + number(lo) +
                            " throughout the training part, so nothing tells normal from unusual; "
                            "train on a stretch where it varies, or give the threshold as a number");
        }
    }
}

/// A note for each feature of `units` (the scored series in the model's units) whose typical
/// value lies far outside what the model trained on, as a series in other units does (degrees
/// Fahrenheit scored by a model of Celsius): its scores then say little.
void noteOtherUnits(const Series& units, const Series& data, const Normalizer& normalizer, std::vector<std::string>& notes) {
    if (normalizer.kind == Normalizer::Kind::None) return;
    // In the model's units a z-score's training part lies around 0 with deviation 1, a min-max
    // one between 0 and 1: a median this far out is no unusual stretch but another scale.
    constexpr double kFar = 6.0;
    for (std::int64_t f = 0; f < units.features; ++f) {
        std::vector<double> values;
        values.reserve(static_cast<std::size_t>(units.steps));
        for (std::int64_t t = 0; t < units.steps; ++t) {
            const double v = units.values[static_cast<std::size_t>(t * units.features + f)];
            if (!std::isnan(v)) values.push_back(v);
        }
        if (values.empty()) continue;
        const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
        std::nth_element(values.begin(), middle, values.end());
        const double median = *middle;
        const bool zscore = normalizer.kind == Normalizer::Kind::ZScore;
        const double centre = zscore ? 0.0 : 0.5;
        if (std::abs(median - centre) <= kFar) continue;
        const auto i = static_cast<std::size_t>(f);
        const double shift = normalizer.shift[i], scale = normalizer.scale[i];
        const std::string name = i < data.names.size() ? data.names[i] : std::to_string(f + 1);
        std::string note = "'";
        note.append(printableExcerpt(name, 40));
        note.append("' is around ").append(number(median * scale + shift));
        note.append(" here, far from what the model trained on (");
        if (zscore) {
            note.append("mean ").append(number(shift)).append(", deviation ").append(number(scale));
        } else {
            note.append("from ").append(number(shift)).append(" to ").append(number(shift + scale));
        }
        note.append("): is it in the same units? Its scores then say little");
        notes.push_back(std::move(note));
    }
}

}  // namespace

Detection detectAnomalies(const DetectionRequest& request, const std::function<bool(double)>& progress) {
    const EvaluationRequest& model = request.model;
    DataSpec trainingSpec = model.data;
    chooseDefaultData(trainingSpec);
    const std::int64_t steps = trainingSpec.window > 0 ? trainingSpec.window : 0;
    Plan<float> plan = scoringPlan(model.graph, model.batchSize, steps);
    requireTask(trainingSpec, plan, WindowSpec::Target::Reconstruction);
    plan.loadWeights(model.weights);

    const bool needsTraining = request.threshold.kind != ThresholdRule::Kind::Fixed;
    const bool sameSeries = request.scored.source.empty();
    const bool fitsNormalizer = !model.normalizer;
    Detection d;
    Normalizer normalizer = model.normalizer.value_or(Normalizer{});
    IndexedSeries training;
    if (needsTraining || fitsNormalizer || sameSeries) {
        training = readIndexedSeries(trainingSpec, model.sampleFolder, "anomaly detection", progressPart(progress, 0.0, 0.1));
    }
    if (needsTraining || fitsNormalizer) {
        Series part;
        try {
            part = trainingPart(trainingSpec, training.series);
        } catch (const DataError& e) {
            throw DataError(trainingSpec.source + ": " + e.what());
        }
        if (needsTraining) checkVaries(part, trainingSpec.source);
        if (fitsNormalizer) normalizer = Normalizer::fit(part, trainingSpec.normalize);
        if (needsTraining) {
            try {
                normalizer.apply(part);
            } catch (const DataError& e) {
                throw DataError("the run's normalisation does not fit its data: " + std::string(e.what()));
            }
            try {
                d.trainingErrors = reconstructionErrors(plan, part, 1, request.metric, progressPart(progress, 0.1, 0.45)).error;
            } catch (const DataError& e) {
                throw DataError(trainingSpec.source + " (the training part): " + e.what());
            }
        }
    }
    d.threshold = thresholdFor(request.threshold, d.trainingErrors);

    IndexedSeries scored = sameSeries ? std::move(training)
                                   : readIndexedSeries(request.scored, model.sampleFolder, "anomaly detection", progressPart(progress, 0.45, 0.55));
    const std::string& source = sameSeries ? trainingSpec.source : request.scored.source;
    d.series = std::move(scored.series);
    d.index = std::move(scored.index);
    Series units = inModelUnits(d.series, normalizer, source);
    noteOtherUnits(units, d.series, normalizer, d.notes);
    try {
        d.errors = reconstructionErrors(plan, units, 1, request.metric, progressPart(progress, 0.55, 1.0));
    } catch (const DataError& e) {
        throw DataError(source + ": " + e.what());
    }
    units = Series{};
    if (d.errors.starts.empty()) {
        throw DataError(source + ": every window of " + std::to_string(d.errors.window) +
                        " steps touches a missing value, so no step can be scored");
    }
    d.scores = stepScores(d.errors, d.series.steps, request.rule);
    d.mergeGap = request.mergeGap.value_or(std::max<std::int64_t>(1, d.errors.window / 4));
    d.intervals = flaggedIntervals(d.scores, d.errors, d.threshold, d.mergeGap);

    if (d.errors.skipped > 0) {
        const auto unscored = std::count(d.scores.coverage.begin(), d.scores.coverage.end(), 0);
        const bool one = d.errors.skipped == 1;
        std::string note = groupedNumber(static_cast<std::uint64_t>(d.errors.skipped)) +
                           (one ? " window touches a missing value and was not scored"
                                : " windows touch missing values and were not scored");
        if (unscored > 0) {
            note += "; " + groupedNumber(static_cast<std::uint64_t>(unscored)) +
                    (unscored == 1 ? " step no scored window covers has no score"
                                   : " steps no scored window covers have no score");
        }
        d.notes.push_back(std::move(note));
    }
    return d;
}

std::string detectionFeatureName(const Detection& d, std::int64_t f) {
    if (f < 0) return {};
    const auto i = static_cast<std::size_t>(f);
    return i < d.series.names.size() ? d.series.names[i] : std::to_string(f + 1);
}

std::string detectionStepsCsv(const Detection& d, const StepScores& scores, double threshold) {
    // Cells are appended one by one: a row of a million-row file costs no temporary strings.
    std::string text = csvCell(d.index.empty() ? std::string("row") : d.index.name);
    for (const std::string& name : d.series.names) text.append(",").append(csvCell(name));
    text += ",score,threshold,anomaly\n";
    const std::string thresholdText = csvNumber(threshold, 9);
    for (std::int64_t t = 0; t < d.series.steps; ++t) {
        text += csvCell(d.index.label(t));
        for (std::int64_t f = 0; f < d.series.features; ++f) text.append(",").append(csvNumber(d.series.at(t, f)));
        const double score = scores.score[static_cast<std::size_t>(t)];
        text.append(",").append(csvNumber(score, 9)).append(",").append(thresholdText);
        text += score > threshold ? ",1\n" : ",0\n";
    }
    return text;
}

std::string detectionIntervalsCsv(const Detection& d, const std::vector<AnomalyInterval>& intervals) {
    const bool several = d.series.features > 1;
    std::string text = several ? "start,end,peak,mean,feature\n" : "start,end,peak,mean\n";
    for (const AnomalyInterval& i : intervals) {
        text.append(csvCell(d.index.label(i.start))).append(",").append(csvCell(d.index.label(i.end)));
        text.append(",").append(csvNumber(i.peak, 9)).append(",").append(csvNumber(i.mean, 9));
        if (several) text.append(",").append(csvCell(detectionFeatureName(d, i.feature)));
        text += "\n";
    }
    return text;
}

}  // namespace loom
