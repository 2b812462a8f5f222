// layerloom-cli detect: the steps of a series a trained autoencoder reconstructs badly.
#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "cli_analysis.h"
#include "cli_model.h"
#include "cli_settings.h"
#include "io/atomic_file.h"
#include "data/sample_catalogue.h"
#include "io/message_text.h"
#include "service/detection.h"

namespace loom::cli {

using nlohmann::json;

namespace {

std::string shortNumber(double v) {
    std::ostringstream text;
    text << std::setprecision(6) << v;
    return text.str();
}

std::int64_t flaggedSteps(const Detection& d) {
    std::int64_t n = 0;
    for (double s : d.scores.score) n += s > d.threshold ? 1 : 0;
    return n;
}

json detectionJson(const Detection& d, const DetectionRequest& r) {
    json intervals = json::array();
    for (const AnomalyInterval& i : d.intervals) {
        json j = {{"start", d.index.label(i.start)}, {"end", d.index.label(i.end)}, {"start_row", i.start + 1},
                  {"end_row", i.end + 1}, {"peak", i.peak}, {"mean", i.mean}};
        if (d.series.features > 1) j["feature"] = detectionFeatureName(d, i.feature);
        intervals.push_back(std::move(j));
    }
    return {{"threshold", d.threshold},
            {"threshold_rule", thresholdRuleText(r.threshold)},
            {"rule", std::string(stepRuleName(r.rule))},
            {"metric", r.metric == ErrorMetric::Mae ? "mae" : "mse"},
            {"window", d.errors.window},
            {"steps", d.series.steps},
            {"flagged_steps", flaggedSteps(d)},
            {"scored_windows", d.errors.starts.size()},
            {"skipped_windows", d.errors.skipped},
            {"training_windows", d.trainingErrors.size()},
            {"merge_gap", d.mergeGap},
            {"intervals", std::move(intervals)},
            {"notes", d.notes}};
}

/// The threshold in words: the number and where it comes from.
std::string thresholdLine(const Detection& d, const DetectionRequest& r) {
    std::ostringstream text;
    text << "threshold " << shortNumber(d.threshold);
    const std::string windows = groupedNumber(d.trainingErrors.size()) + " training windows' errors";
    switch (r.threshold.kind) {
        case ThresholdRule::Kind::MaxTrain: text << " (the largest of the " << windows << ")"; break;
        case ThresholdRule::Kind::Quantile: text << " (the " << r.threshold.value << " quantile of the " << windows << ")"; break;
        case ThresholdRule::Kind::Mad:
            text << " (the median of the " << windows << " + " << r.threshold.value << " x their MAD)";
            break;
        case ThresholdRule::Kind::Fixed: text << " (given)"; break;
    }
    text << "; a step is flagged when "
         << (r.rule == StepRule::All ? "every window covering it is over it"
             : r.rule == StepRule::Mean ? "the mean of the windows covering it is over it"
                                        : "any window covering it is over it");
    return text.str();
}

void printIntervals(const Detection& d, std::ostream& out) {
    if (d.intervals.empty()) {
        out << "No step is flagged in " << groupedNumber(static_cast<std::uint64_t>(d.series.steps)) << " steps.\n";
        return;
    }
    out << d.intervals.size() << (d.intervals.size() == 1 ? " interval" : " intervals") << " flagged ("
        << groupedNumber(static_cast<std::uint64_t>(flaggedSteps(d))) << " of "
        << groupedNumber(static_cast<std::uint64_t>(d.series.steps)) << " steps):\n";
    std::size_t width = std::string("start").size();
    for (const AnomalyInterval& i : d.intervals) {
        width = std::max({width, d.index.label(i.start).size(), d.index.label(i.end).size()});
    }
    const auto column = [&](const std::string& s) { return s + std::string(width + 2 - std::min(width + 1, s.size()), ' '); };
    out << "  " << column("start") << column("end") << "steps     peak        mean";
    if (d.series.features > 1) out << "        feature";
    out << "\n";
    constexpr std::size_t shown = 40;
    for (std::size_t k = 0; k < std::min(shown, d.intervals.size()); ++k) {
        const AnomalyInterval& i = d.intervals[k];
        out << "  " << column(d.index.label(i.start)) << column(d.index.label(i.end)) << std::left << std::setw(10)
            << (i.end - i.start + 1) << std::setw(12) << shortNumber(i.peak);
        if (d.series.features > 1) {
            out << std::setw(12) << shortNumber(i.mean) << detectionFeatureName(d, i.feature);
        } else {
            out << shortNumber(i.mean);
        }
        out << std::right << "\n";
    }
    if (d.intervals.size() > shown) {
        out << "  ... " << d.intervals.size() - shown << " more; --intervals FILE.csv writes them all\n";
    }
}

}  // namespace

int detectCommand(const Args& a, std::ostream& out, std::ostream& err) {
    a.expect({"data", "column", "weights", "run", "threshold", "rule", "metric", "merge-gap", "out", "intervals",
              "batch-size"},
             {"json"}, 1, "a MODEL");
    DetectionRequest request;
    try {
        request.threshold = parseThresholdRule(a.get("threshold", "max-train"));
        request.rule = parseStepRule(a.get("rule", "all"));
    } catch (const std::invalid_argument& e) {
        throw UsageError{e.what()};
    }
    const std::string metric = a.get("metric", "mae");
    if (metric != "mae" && metric != "mse") throw UsageError{"--metric takes mae or mse, not '" + metric + "'"};
    request.metric = metric == "mae" ? ErrorMetric::Mae : ErrorMetric::Mse;
    if (auto gap = a.integer("merge-gap", 0)) request.mergeGap = *gap;
    return reportingErrors(err, [&] {
        request.model = trainedModel(a);
        // The scored series: --data, read with the training's columns unless --column names others.
        request.scored = otherSeries(request.model, a);
        Detection d;
        try {
            d = detectAnomalies(request);
        } catch (const std::invalid_argument& e) {
            throw DataError(e.what());
        }
        for (const std::string& note : d.notes) err << "layerloom-cli: note: " << note << "\n";
        if (auto target = a.get("out")) writeFileAtomically(*target, detectionStepsCsv(d, d.scores, d.threshold));
        if (auto target = a.get("intervals")) writeFileAtomically(*target, detectionIntervalsCsv(d, d.intervals));
        if (a.flag("json")) {
            out << detectionJson(d, request).dump(2) << "\n";
            return kOk;
        }
        out << thresholdLine(d, request) << ".\n";
        if (auto target = a.get("out")) {
            out << "wrote " << *target << " (" << groupedNumber(static_cast<std::uint64_t>(d.series.steps)) << " rows, "
                << groupedNumber(static_cast<std::uint64_t>(flaggedSteps(d))) << " flagged in " << d.intervals.size()
                << (d.intervals.size() == 1 ? " interval)\n" : " intervals)\n");
        } else {
            printIntervals(d, out);
        }
        return kOk;
    });
}

}  // namespace loom::cli
