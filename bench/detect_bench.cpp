// layerloom_bench_detect: scoring a long series for anomalies (every window, one batch at a
// time, as layerloom-cli detect and the Anomalies view do) against one training epoch over
// the same windows, on the same model and the same cores, side by side.
//
//   layerloom_bench_detect [MODEL.loom] [ROWS] [WINDOWS]
//
// ROWS (default 1,000,000) is the series' length; WINDOWS (default: all of them) limits both
// measurements to its first windows, for models whose epoch over a million windows takes hours:
// both grow linearly with the windows, so their ratio holds, and the time for all is printed
// from the rate measured. The peak memory shows that scoring holds the series and one batch.
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "analysis/anomaly.h"
#include "data/windowing.h"
#include "engine/plan.h"
#include "graph/project_file.h"
#include "service/evaluation.h"
#include "train/trainer.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

long peakMemoryMiB() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string model = argc > 1 ? argv[1] : std::string(LAYERLOOM_EXAMPLES_DIR) + "/lstm_autoencoder.loom";
    const std::int64_t rows = argc > 2 ? std::atoll(argv[2]) : 1000000;
    const loom::Project project = loom::loadProject(model);
    const loom::TrainConfig config = [] {
        loom::TrainConfig c;
        c.epochs = 1;
        return c;
    }();
    loom::Plan<float> scorer = loom::scoringPlan(project.graph, config.batchSize, 0);
    scorer.initialize(1);
    const loom::Dims in = scorer.dims(scorer.inputs().at(0));
    const std::int64_t window = in[0], features = in[1];
    const std::int64_t all = rows - window + 1;
    const std::int64_t windows = argc > 3 ? std::min<std::int64_t>(all, std::atoll(argv[3])) : all;
    if (windows < 1) {
        std::fprintf(stderr, "the series needs at least %lld rows\n", static_cast<long long>(window));
        return 2;
    }

    // A daily pattern with noise, already in the model's units.
    loom::Series series;
    series.steps = rows;
    series.features = features;
    series.values.resize(static_cast<std::size_t>(rows * features));
    std::mt19937 rng(1);
    std::normal_distribution<double> noise(0.0, 0.1);
    for (std::int64_t t = 0; t < rows; ++t) {
        for (std::int64_t f = 0; f < features; ++f) {
            series.at(t, f) = std::sin(2 * 3.141592653589793 * static_cast<double>(t) / 24.0 + static_cast<double>(f)) + noise(rng);
        }
    }
    const long seriesMiB = peakMemoryMiB();
    loom::Series measured = series;
    measured.steps = windows + window - 1;
    measured.values.resize(static_cast<std::size_t>(measured.steps * features));

    auto start = Clock::now();
    const loom::WindowErrors errors = loom::reconstructionErrors(scorer, measured, 1, loom::ErrorMetric::Mae);
    const double scoring = seconds(start);
    const loom::StepScores scores = loom::stepScores(errors, measured.steps, loom::StepRule::All);
    const long scoringMiB = peakMemoryMiB();

    loom::WindowSpec spec;
    spec.length = window;
    spec.target = loom::WindowSpec::Target::Reconstruction;
    const loom::Dataset data = loom::makeWindows(measured, spec).data;
    loom::Plan<float> trainer = loom::Plan<float>::compile(project.graph, config.batchSize);
    trainer.initialize(1);
    start = Clock::now();
    const loom::TrainResult result = loom::train(trainer, data, nullptr, config);
    const double epoch = seconds(start);

    const double scale = static_cast<double>(all) / static_cast<double>(windows);
    std::printf("model %s: windows of %lld steps, %lld feature(s); scored %d, trained %d at a time\n", model.c_str(),
                static_cast<long long>(window), static_cast<long long>(features), scorer.maxBatch(), config.batchSize);
    std::printf("series: %lld rows (%lld windows); measured on %lld windows\n", static_cast<long long>(rows),
                static_cast<long long>(all), static_cast<long long>(windows));
    std::printf("scoring:        %9.2f s  (%9.0f windows/s)  all windows: %9.1f s\n", scoring,
                static_cast<double>(windows) / scoring, scoring * scale);
    std::printf("training epoch: %9.2f s  (%9.0f windows/s)  all windows: %9.1f s  (%s)\n", epoch,
                static_cast<double>(windows) / epoch, epoch * scale, result.message.c_str());
    std::printf("scoring takes %.2f of an epoch's time\n", scoring / epoch);
    std::printf("peak memory: %ld MiB with the series, %ld MiB after scoring, %ld MiB after the epoch "
                "(its windows held at once)\n",
                seriesMiB, scoringMiB, peakMemoryMiB());
    return std::isfinite(scores.score.back()) ? 0 : 1;
}
