#include "train/trainer.h"

#include "data/csv_reader.h"
#include "engine/kernels/row_chunks.h"
#include "engine/regularizer.h"
#include "train/thread_chooser.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>

namespace loom {

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
}

/// Rows and columns of the output of `samples` samples, as the loss sees them.
struct OutputLayout {
    std::int64_t rowsPerSample = 1;
    std::int64_t cols = 1;
};

OutputLayout layoutOf(const Dims& out) {
    return {out.size() == 2 ? out[0] : 1, out.back()};
}

/// Checks that the data fits the model; returns the problem in words, or empty.
std::string checkData(const Plan<float>& plan, const Dataset& d, Loss loss, const char* which) {
    if (plan.inputs().size() != 1 || plan.outputs().size() != 1) {
        return "training needs a model with one Input and one output";
    }
    const Dims& in = plan.dims(plan.inputs()[0]);
    const Dims& out = plan.dims(plan.outputs()[0]);
    if (d.xDims != in) {
        return std::string("the ") + which + " samples have shape " + formatShape(d.xDims) +
               ", but the model's Input takes " + formatShape(in);
    }
    Dims target = out;
    target.back() = targetColumns(loss, out.back());
    if (d.yDims != target) {
        return std::string("the ") + which + " targets have shape " + formatShape(d.yDims) +
               ", but the model's output is " + formatShape(out) +
               (loss == Loss::SparseCategoricalCrossentropy ? " (one class index per row)" : "");
    }
    if (d.size() == 0) return std::string("there are no ") + which + " samples";
    if (!d.complete()) {
        return std::string("the ") + which + " data has " + std::to_string(d.size()) +
               " samples but targets for " + std::to_string(d.y.size() / std::max<std::int64_t>(1, d.ySize()));
    }
    if (loss == Loss::SparseCategoricalCrossentropy) {
        // A class index the output has no score for is an error, as in Keras, not a loss.
        const std::int64_t classes = out.back();
        std::vector<float> labels(static_cast<std::size_t>(d.ySize()));
        for (std::int64_t i = 0; i < d.size(); ++i) {
            d.copyY(i, labels.data());
            for (std::size_t r = 0; r < labels.size(); ++r) {
                const float v = labels[r];
                if (v >= 0 && v < static_cast<float>(classes) && v == std::floor(v)) continue;
                std::ostringstream value;
                value << v;
                return std::string("the ") + which + " target of sample " + std::to_string(i) +
                       (labels.size() > 1 ? " at step " + std::to_string(r) : std::string()) + " is " + value.str() +
                       ", but the output scores " + std::to_string(classes) + " classes, 0 to " + std::to_string(classes - 1);
            }
        }
    }
    return {};
}

/// Why `state` cannot continue a run of `config` on `plan`, in words; empty when it can.
std::string resumeProblem(const Plan<float>& plan, const TrainingState& state, const TrainConfig& config) {
    if (state.epochsDone < 0 || state.epochsDone >= config.epochs) {
        return "the run has finished " + std::to_string(state.epochsDone) + " of " +
               std::to_string(config.epochs) + " epochs; ask for more epochs to continue it";
    }
    if (static_cast<int>(state.history.size()) != state.epochsDone) {
        return "its history holds " + std::to_string(state.history.size()) + " epochs, not " +
               std::to_string(state.epochsDone);
    }
    const auto& params = plan.params();
    if (!state.bestWeights.empty()) {
        if (state.bestWeights.size() != params.size()) return "its best weights do not fit the model";
        for (std::size_t k = 0; k < params.size(); ++k) {
            if (state.bestWeights[k].size() != params[k].value.size()) {
                return "its best weights of " + params[k].fullName() + " do not fit the model";
            }
        }
    }
    if (std::string problem = Optimizer(config.optimizer).stateProblem(plan, state.optimizer); !problem.empty()) {
        return problem;
    }
    std::mt19937_64 engine;
    std::istringstream text(state.dropoutRng);
    text >> engine;
    if (!text) return "its random engine state is damaged";
    return {};
}

/// The sum of the squares of `n` values, in double, in an order fixed by n alone: sixteen
/// running sums, one per position modulo 16, which the compiler keeps in vector registers.
double sumOfSquares(const float* v, std::size_t n) {
    double acc[16] = {};
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        for (int k = 0; k < 16; ++k) acc[k] += static_cast<double>(v[i + k]) * v[i + k];
    }
    for (int k = 0; i < n; ++i, ++k) acc[k] += static_cast<double>(v[i]) * v[i];
    double sum = 0.0;
    for (double a : acc) sum += a;
    return sum;
}

/// The sum of the squares of each parameter tensor's gradient, in the order of plan.params().
/// One pass serves the gradient norms and the finite check: a sum is NaN or infinite exactly
/// when its gradient holds a NaN or an infinity (squares of finite floats, and sums of fewer
/// than 10^230 of them, are finite doubles). The gradients are cut once into blocks of a fixed
/// size that the threads share as rows (inRowChunks), so the sums do not depend on the thread
/// count.
class GradientSquares {
public:
    explicit GradientSquares(const Plan<float>& plan) : m_plan(plan), m_sums(plan.params().size()) {
        const auto& params = plan.params();
        std::size_t total = 0;
        for (std::size_t t = 0; t < params.size(); ++t) {
            const std::size_t n = params[t].grad.size();
            total += n;
            for (std::size_t b = 0; b == 0 || b < n; b += kBlock) m_blocks.push_back({t, b, std::min(n, b + kBlock), 0.0});
        }
        // What inRowChunks weighs against a hand-over: the values a block holds on average.
        m_valuesPerBlock = static_cast<Eigen::Index>(std::max<std::size_t>(1, total / std::max<std::size_t>(1, m_blocks.size())));
    }

    /// This batch's sums, one per parameter tensor.
    const std::vector<double>& operator()(int threads) {
        const auto& params = m_plan.params();
        inRowChunks(static_cast<Eigen::Index>(m_blocks.size()), m_valuesPerBlock, threads, [&](Eigen::Index first, Eigen::Index count) {
            for (Eigen::Index i = first; i < first + count; ++i) {
                Block& b = m_blocks[static_cast<std::size_t>(i)];
                b.sum = sumOfSquares(params[b.tensor].grad.data() + b.begin, b.end - b.begin);
            }
        });
        std::fill(m_sums.begin(), m_sums.end(), 0.0);
        for (const Block& b : m_blocks) m_sums[b.tensor] += b.sum;
        return m_sums;
    }

private:
    static constexpr std::size_t kBlock = std::size_t{1} << 16;
    struct Block {
        std::size_t tensor, begin, end;
        double sum;
    };
    const Plan<float>& m_plan;
    std::vector<Block> m_blocks;
    Eigen::Index m_valuesPerBlock = 1;
    std::vector<double> m_sums;
};

/// The loss's row weights of samples [begin, end) of `order`: each sample's weight repeated
/// over its rows. Empty when `weights` is (every weight 1).
void gatherWeights(const std::vector<float>& weights, const std::vector<std::int64_t>& order, std::size_t begin,
                   std::size_t end, std::int64_t rowsPerSample, AlignedVector<float>& rows) {
    rows.clear();
    if (weights.empty()) return;
    for (std::size_t i = begin; i < end; ++i) {
        rows.insert(rows.end(), static_cast<std::size_t>(rowsPerSample), weights[static_cast<std::size_t>(order[i])]);
    }
}

/// Copies the samples `order[begin, end)` into contiguous batch buffers.
void gather(const Dataset& d, const std::vector<std::int64_t>& order, std::size_t begin,
            std::size_t end, AlignedVector<float>& x, AlignedVector<float>& y) {
    const std::int64_t xs = d.xSize(), ys = d.ySize();
    x.resize((end - begin) * static_cast<std::size_t>(xs));
    y.resize((end - begin) * static_cast<std::size_t>(ys));
    for (std::size_t i = begin; i < end; ++i) {
        const auto at = static_cast<std::int64_t>(i - begin);
        d.copyX(order[i], x.data() + at * xs);
        d.copyY(order[i], y.data() + at * ys);
    }
}

std::vector<AlignedVector<float>> snapshot(const Plan<float>& plan) {
    std::vector<AlignedVector<float>> values;
    for (const auto& p : plan.params()) values.push_back(p.value);
    return values;
}

void restore(Plan<float>& plan, const std::vector<AlignedVector<float>>& values) {
    auto& params = plan.params();
    for (std::size_t i = 0; i < params.size(); ++i) params[i].value = values[i];
}

/// The metrics a run computes itself: each once, and a classifier's "accuracy" left to
/// EpochReport::accuracy, which holds the same value (metricsProblem refuses the one case where
/// it would not: a binary cross-entropy over several outputs). Keras's binary_accuracy compares
/// with the label itself, LayerLoom's with label > 0.5: the same for labels of 0 and 1.
std::vector<Metric> reportedMetrics(Loss loss, const std::vector<Metric>& chosen) {
    std::vector<Metric> metrics;
    for (Metric m : chosen) {
        if (m == Metric::Accuracy && isClassification(loss)) continue;
        if (std::find(metrics.begin(), metrics.end(), m) == metrics.end()) metrics.push_back(m);
    }
    return metrics;
}

/// The running metrics of an epoch or an evaluation, fed batch by batch with the model's
/// output. They read probabilities: logits are turned into them first.
class MetricSet {
public:
    MetricSet(Loss loss, bool fromLogits, const std::vector<Metric>& chosen) : m_loss(loss), m_fromLogits(fromLogits) {
        for (Metric m : reportedMetrics(loss, chosen)) m_states.emplace_back(m);
    }
    void update(const float* y, const float* t, std::int64_t rows, std::int64_t cols) {
        if (m_states.empty()) return;
        if (m_fromLogits) {
            m_probabilities.assign(y, y + rows * cols);
            logitsToProbabilities(m_loss, m_probabilities.data(), rows, cols);
            y = m_probabilities.data();
        }
        for (MetricState& s : m_states) s.update(y, t, rows, cols, targetColumns(m_loss, cols));
    }
    void results(std::map<std::string, double>& into, const char* prefix) const {
        for (const MetricState& s : m_states) into[prefix + metricName(s.metric())] = s.result();
    }

private:
    Loss m_loss;
    bool m_fromLogits;
    std::vector<MetricState> m_states;
    std::vector<float> m_probabilities;
};

}  // namespace

bool Monitor::higherIsBetter() const {
    if (mode != Mode::Auto) return mode == Mode::Max;
    const auto metric = parseMetric(quantity);
    return metric && ::loom::higherIsBetter(*metric);
}

std::string metricsProblem(const TrainConfig& config, std::int64_t outputCols) {
    const std::int64_t targetCols = targetColumns(config.loss, outputCols);
    for (Metric m : config.metrics) {
        if (std::string problem = metricProblem(m, outputCols, targetCols); !problem.empty()) {
            return "the metric " + problem;
        }
        // Keras's "accuracy" goes by the shapes alone: categorical over several outputs. A
        // binary cross-entropy's own accuracy counts each output, so the word would mean two
        // things in one history.
        if (m == Metric::Accuracy && config.loss == Loss::BinaryCrossentropy && outputCols > 1) {
            return "accuracy is ambiguous for a binary cross-entropy over " + std::to_string(outputCols) +
                   " outputs (Keras would compute categorical_accuracy, LayerLoom's accuracy column counts each output); "
                   "choose binary_accuracy or categorical_accuracy";
        }
    }
    const std::string& watched = config.monitor.quantity;
    if (watched == "loss" || (watched == "accuracy" && isClassification(config.loss))) return {};
    const auto metric = parseMetric(watched);
    if (!metric || std::find(config.metrics.begin(), config.metrics.end(), *metric) == config.metrics.end()) {
        std::string chosen;
        for (Metric m : config.metrics) chosen += (chosen.empty() ? "" : ", ") + metricName(m);
        return "early stopping and the plateau schedule watch " + watched + ", which is not one of the run's metrics (" +
               (chosen.empty() ? std::string("there are none") : chosen) + "); add it to the metrics or watch the loss";
    }
    return {};
}

std::optional<double> reportedValue(const EpochReport& report, const std::string& quantity, bool validation) {
    if (quantity == "loss") {
        const double v = validation ? report.valLoss : report.loss;
        return validation && v < 0 ? std::nullopt : std::optional<double>(v);
    }
    const auto found = report.metrics.find((validation ? "val_" : "") + quantity);
    if (found != report.metrics.end()) return found->second;
    if (quantity == "accuracy") {
        const double v = validation ? report.valAccuracy : report.accuracy;
        if (v >= 0) return v;
    }
    return std::nullopt;
}

Evaluation evaluate(Plan<float>& plan, const Dataset& data, Loss loss, bool fromLogits, const std::vector<Metric>& metrics) {
    // Data of another shape would be read past its end (issue 12, R6).
    if (std::string problem = checkData(plan, data, loss, "evaluation"); !problem.empty()) {
        throw DataError(problem);
    }
    const OutputLayout out = layoutOf(plan.dims(plan.outputs()[0]));
    TrainConfig forMetrics;
    forMetrics.loss = loss;
    forMetrics.metrics = metrics;
    if (std::string problem = metricsProblem(forMetrics, out.cols); !problem.empty()) throw DataError(problem);
    MetricSet metricSet(loss, fromLogits, metrics);
    Evaluation result;
    std::vector<std::int64_t> order(static_cast<std::size_t>(data.size()));
    std::iota(order.begin(), order.end(), 0);
    AlignedVector<float> x, y, rowWeights;
    double lossSum = 0.0, accSum = 0.0;
    const auto n = static_cast<std::size_t>(data.size());
    for (std::size_t b = 0; b < n; b += static_cast<std::size_t>(plan.maxBatch())) {
        const std::size_t e = std::min(n, b + static_cast<std::size_t>(plan.maxBatch()));
        gather(data, order, b, e, x, y);
        gatherWeights(data.weights, order, b, e, out.rowsPerSample, rowWeights);
        const float* in[] = {x.data()};
        const int batch = static_cast<int>(e - b);
        plan.forward(in, batch);
        const std::int64_t rows = batch * out.rowsPerSample;
        maskRowWeights(plan.outputMask(0), rows, rowWeights);
        lossSum += computeLoss<float>(loss, plan.output(0), y.data(), rows, out.cols, nullptr,
                                      {.fromLogits = fromLogits, .rowWeights = rowWeights.empty() ? nullptr : rowWeights.data()}) *
                   static_cast<double>(batch);
        if (isClassification(loss)) {
            accSum += accuracy<float>(loss, plan.output(0), y.data(), rows, out.cols, fromLogits) *
                      static_cast<double>(batch);
        }
        metricSet.update(plan.output(0), y.data(), rows, out.cols);
    }
    result.loss = lossSum / static_cast<double>(n) + applyRegularizers(plan, false);
    if (isClassification(loss)) result.accuracy = accSum / static_cast<double>(n);
    metricSet.results(result.metrics, "");
    return result;
}

std::vector<float> predict(Plan<float>& plan, const std::vector<float>& x, std::vector<std::uint8_t>* mask) {
    const Dims& od = plan.dims(plan.outputs()[0]);
    const std::int64_t inSize = Dataset::product(plan.dims(plan.inputs()[0]));
    const std::int64_t outSize = Dataset::product(od);
    const std::int64_t outRows = od.size() == 2 ? od[0] : 1;
    const std::int64_t n = static_cast<std::int64_t>(x.size()) / inSize;
    std::vector<float> y(static_cast<std::size_t>(n * outSize));
    if (mask) mask->clear();
    for (std::int64_t b = 0; b < n; b += plan.maxBatch()) {
        const std::int64_t e = std::min<std::int64_t>(n, b + plan.maxBatch());
        const float* in[] = {x.data() + b * inSize};
        plan.forward(in, static_cast<int>(e - b));
        std::copy_n(plan.output(0), (e - b) * outSize, y.begin() + b * outSize);
        if (const std::uint8_t* m = plan.outputMask(0); mask && m) mask->insert(mask->end(), m, m + (e - b) * outRows);
    }
    return y;
}

void maskRowWeights(const std::uint8_t* mask, std::int64_t rows, AlignedVector<float>& rowWeights) {
    if (!mask) return;
    const auto n = static_cast<std::size_t>(rows);
    const auto real = static_cast<double>(std::count(mask, mask + n, std::uint8_t{1}));
    const auto scale = static_cast<float>(static_cast<double>(rows) / (real + 1e-7));
    if (rowWeights.empty()) rowWeights.assign(n, 1.0f);
    for (std::size_t r = 0; r < n; ++r) rowWeights[r] *= mask[r] ? scale : 0.0f;
}

std::vector<float> trainingWeights(const Dataset& train, const TrainConfig& config, std::int64_t rowsPerSample) {
    if (config.classWeight.empty() || !isClassification(config.loss)) return train.weights;
    if (!train.weights.empty()) {
        throw DataError("class weights and sample weights cannot be used together, as in Keras: the data has a "
                        "sample_weight array; clear the class weights or drop the array");
    }
    if (rowsPerSample != 1) {
        throw DataError("class weights need one label per sample; the model's output has " +
                        std::to_string(rowsPerSample) + " rows per sample");
    }
    std::vector<float> weights(static_cast<std::size_t>(train.size()), 1.0f);
    std::vector<float> target(static_cast<std::size_t>(train.ySize()));
    for (std::int64_t i = 0; i < train.size(); ++i) {
        train.copyY(i, target.data());
        const auto cls = target.size() > 1
                             ? static_cast<std::int64_t>(std::max_element(target.begin(), target.end()) - target.begin())
                             : static_cast<std::int64_t>(std::nearbyint(target[0]));  // halves to even, as np.round
        if (const auto it = config.classWeight.find(cls); it != config.classWeight.end()) {
            weights[static_cast<std::size_t>(i)] = static_cast<float>(it->second);
        }
    }
    return weights;
}

TrainResult train(Plan<float>& plan, const Dataset& all, const Dataset* validation,
                  const TrainConfig& config, TrainingControl* control,
                  TrainingObserver* observer, const TrainingState* resume, ThreadUse threadUse) {
    TrainResult result;
    if (std::string problem = checkData(plan, all, config.loss, "training"); !problem.empty()) {
        result.reason = StopReason::InvalidData;
        result.message = "Cannot train: " + problem + ".";
        return result;
    }
    // The data's own split (DataSpec::validationSplit) made `validation`: one setting, one place.
    const Dataset& trainSet = all;
    const Dataset* val = validation;
    if (val) {
        if (std::string problem = checkData(plan, *val, config.loss, "validation"); !problem.empty()) {
            result.reason = StopReason::InvalidData;
            result.message = "Cannot train: " + problem + ".";
            return result;
        }
    }

    const OutputLayout out = layoutOf(plan.dims(plan.outputs()[0]));
    if (std::string problem = metricsProblem(config, out.cols); !problem.empty()) {
        result.reason = StopReason::InvalidData;
        result.message = "Cannot train: " + problem + ".";
        return result;
    }
    std::vector<float> sampleWeights;
    try {
        sampleWeights = trainingWeights(trainSet, config, out.rowsPerSample);
    } catch (const DataError& e) {
        result.reason = StopReason::InvalidData;
        result.message = std::string("Cannot train: ") + e.what() + ".";
        return result;
    }
    Optimizer optimizer(config.optimizer);
    std::mt19937_64 rng(config.seed);  // dropout
    std::vector<std::int64_t> order(static_cast<std::size_t>(trainSet.size()));
    const std::size_t n = order.size();
    const auto batchSize = static_cast<std::size_t>(std::min(config.batchSize, plan.maxBatch()));
    const int batches = static_cast<int>((n + batchSize - 1) / batchSize);
    AlignedVector<float> x, y, dOut, rowWeights;
    GradientSquares gradientSquares(plan);

    double lr = config.optimizer.learningRate;
    double best = INFINITY;
    int sinceBest = 0, sincePlateau = 0;
    double plateauBest = INFINITY;
    std::vector<AlignedVector<float>> bestWeights;
    int firstEpoch = 1;
    if (resume) {
        if (std::string problem = resumeProblem(plan, *resume, config); !problem.empty()) {
            result.reason = StopReason::InvalidData;
            result.message = "Cannot resume: " + problem + ".";
            return result;
        }
        optimizer.restore(plan, resume->optimizer);
        std::istringstream(resume->dropoutRng) >> rng;
        lr = resume->learningRate;
        best = resume->best;
        result.bestEpoch = resume->bestEpoch;
        sinceBest = resume->sinceBest;
        plateauBest = resume->plateauBest;
        sincePlateau = resume->sincePlateau;
        bestWeights = resume->bestWeights;
        result.history = resume->history;
        firstEpoch = resume->epochsDone + 1;
    }
    const bool checkpoints = observer && observer->wantsCheckpoints();
    const auto checkpoint = [&](int epochsDone) {
        TrainingState state;
        state.epochsDone = epochsDone;
        state.history = result.history;
        state.optimizer = optimizer.state();
        std::ostringstream engine;
        engine << rng;
        state.dropoutRng = engine.str();
        state.learningRate = lr;
        state.best = best;
        state.bestEpoch = result.bestEpoch;
        state.sinceBest = sinceBest;
        state.plateauBest = plateauBest;
        state.sincePlateau = sincePlateau;
        state.bestWeights = bestWeights;
        observer->onCheckpoint(state);
    };
    if (checkpoints) checkpoint(firstEpoch - 1);
    // Batches run on as many of the thread's cores as are fastest now (see ThreadChooser); the
    // count is the caller's again afterwards.
    const int threadsBefore = kernelThreads();
    std::optional<ThreadChooser> threads;
    if (threadUse == ThreadUse::Adaptive) threads.emplace(threadsBefore);
    struct RestoreThreads {
        int count;
        ~RestoreThreads() { setKernelThreads(count); }
    } restoreThreads{threadsBefore};
    const auto start = Clock::now();
    // A resumed run's clock goes on from where it stopped.
    const double earlier = result.history.empty() ? 0.0 : result.history.back().elapsedSeconds;
    std::int64_t seen = 0;

    // A pause first hands over the losses bundled so far, then holds.
    const std::function<void()> onHold = [observer] {
        if (observer) observer->onHold();
    };
    for (int epoch = firstEpoch; epoch <= config.epochs; ++epoch) {
        // Learning rate for this epoch.
        const auto& s = config.schedule;
        if (s.kind == LearningRateSchedule::Kind::StepDecay) {
            lr = config.optimizer.learningRate *
                 std::pow(s.factor, (epoch - 1) / std::max(1, s.everyEpochs));
        } else if (s.kind == LearningRateSchedule::Kind::Cosine) {
            const double progress = config.epochs > 1 ? (epoch - 1.0) / (config.epochs - 1.0) : 0.0;
            lr = s.minLearningRate + 0.5 * (config.optimizer.learningRate - s.minLearningRate) *
                                         (1.0 + std::cos(M_PI * progress));
        }
        lr = std::max(lr, s.minLearningRate);
        optimizer.setLearningRate(lr);

        // Each epoch's order follows from the seed and the epoch alone, so that a resumed run
        // sees the samples in the order the uninterrupted one would have.
        std::iota(order.begin(), order.end(), 0);
        if (config.shuffle) {
            std::mt19937_64 shuffler(config.seed ^ (0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(epoch)));
            std::shuffle(order.begin(), order.end(), shuffler);
        }
        const auto epochStart = Clock::now();
        double lossSum = 0.0, accSum = 0.0;
        MetricSet metrics(config.loss, config.fromLogits, config.metrics);
        std::map<std::string, double> gradSums;  ///< per layer: the sum of its batches' norms
        for (int b = 0; b < batches; ++b) {
            if (control && (control->stopRequested() || !control->waitWhilePaused(onHold))) {
                result.reason = StopReason::Cancelled;
                result.message = "Stopped at epoch " + std::to_string(epoch) + ", batch " +
                                 std::to_string(b + 1) + "; the weights are those trained so far.";
                return result;
            }
            const std::size_t begin = static_cast<std::size_t>(b) * batchSize;
            const std::size_t end = std::min(n, begin + batchSize);
            const int batch = static_cast<int>(end - begin);
            if (threads) setKernelThreads(threads->threads());
            const auto batchStart = Clock::now();
            gather(trainSet, order, begin, end, x, y);
            gatherWeights(sampleWeights, order, begin, end, out.rowsPerSample, rowWeights);
            const float* in[] = {x.data()};
            plan.forward(in, batch, true, &rng);
            const std::int64_t rows = batch * out.rowsPerSample;
            maskRowWeights(plan.outputMask(0), rows, rowWeights);
            dOut.resize(static_cast<std::size_t>(rows * out.cols));
            double loss = computeLoss<float>(config.loss, plan.output(0), y.data(), rows, out.cols,
                                             dOut.data(),
                                             {.fromLogits = config.fromLogits,
                                              .rowWeights = rowWeights.empty() ? nullptr : rowWeights.data()});
            loss += applyRegularizers(plan, false);
            plan.zeroGrad();
            const float* grads[] = {dOut.data()};
            plan.backward(grads);
            applyRegularizers(plan, true);
            const std::vector<double>& squares = gradientSquares(kernelThreads());
            const bool gradientsFinite =
                std::all_of(squares.begin(), squares.end(), [](double sq) { return std::isfinite(sq); });
            if (!std::isfinite(loss) || !gradientsFinite) {
                result.reason = StopReason::NonFinite;
                result.message = std::string("The ") + (std::isfinite(loss) ? "gradients" : "loss") +
                                 " became NaN or infinite at epoch " + std::to_string(epoch) +
                                 ", batch " + std::to_string(b + 1) +
                                 ". Training stopped and kept the weights from before that batch. "
                                 "A lower learning rate, gradient clipping or normalised data "
                                 "usually help.";
                return result;
            }
            // Each layer's gradient norm (over all its tensors) this batch, summed over the
            // epoch's batches and averaged below.
            for (std::size_t t = 0; t < plan.params().size();) {
                const std::string& layer = plan.params()[t].layer;
                double sq = 0.0;
                for (; t < plan.params().size() && plan.params()[t].layer == layer; ++t) sq += squares[t];
                gradSums[layer] += std::sqrt(sq);
            }
            optimizer.step(plan);
            if (threads) threads->measured(seconds(batchStart), batch);
            lossSum += loss * batch;
            if (isClassification(config.loss)) {
                accSum += accuracy<float>(config.loss, plan.output(0), y.data(), rows, out.cols, config.fromLogits) * batch;
            }
            metrics.update(plan.output(0), y.data(), rows, out.cols);
            seen += batch;
            if (observer) {
                BatchReport r{epoch, b + 1, batches, loss,
                              static_cast<double>(seen) / std::max(1e-9, seconds(start)),
                              seconds(start), threads ? threads->chosen() : threadsBefore,
                              threadsBefore};
                observer->onBatch(r);
            }
        }

        EpochReport report;
        report.epoch = epoch;
        report.epochs = config.epochs;
        report.loss = lossSum / static_cast<double>(n);
        if (isClassification(config.loss)) report.accuracy = accSum / static_cast<double>(n);
        metrics.results(report.metrics, "");
        if (val) {
            const Evaluation e = evaluate(plan, *val, config.loss, config.fromLogits, config.metrics);
            report.valLoss = e.loss;
            report.valAccuracy = e.accuracy;
            for (const auto& [name, value] : e.metrics) report.metrics["val_" + name] = value;
        }
        report.learningRate = lr;
        report.elapsedSeconds = earlier + seconds(start);
        report.samplesPerSecond = static_cast<double>(n) / std::max(1e-9, seconds(epochStart));
        for (const auto& p : plan.params()) {
            if (report.gradients.empty() || report.gradients.back().layer != p.layer) {
                report.gradients.push_back({p.layer, gradSums[p.layer] / batches});
            }
        }
        result.history.push_back(report);
        if (observer) observer->onEpoch(report);
        if (!std::isfinite(report.valLoss < 0 ? report.loss : report.valLoss)) {
            result.reason = StopReason::NonFinite;
            result.message = "The validation loss became NaN or infinite at epoch " +
                             std::to_string(epoch) + ". Training stopped.";
            return result;
        }

        // Lower is better for what is compared: a quantity where higher is better is negated.
        const double sign = config.monitor.higherIsBetter() ? -1.0 : 1.0;
        const double monitored = sign * reportedValue(report, config.monitor.quantity, val != nullptr).value_or(NAN);
        if (monitored < best - config.earlyStopping.minDelta) {
            best = monitored;
            result.bestEpoch = epoch;
            sinceBest = 0;
            if (config.earlyStopping.enabled && config.earlyStopping.restoreBestWeights) {
                bestWeights = snapshot(plan);
            }
        } else {
            ++sinceBest;
        }
        if (s.kind == LearningRateSchedule::Kind::ReduceOnPlateau) {
            if (monitored < plateauBest) {
                plateauBest = monitored;
                sincePlateau = 0;
            } else if (++sincePlateau >= s.patience) {
                lr = std::max(s.minLearningRate, lr * s.factor);
                sincePlateau = 0;
            }
        }
        if (config.earlyStopping.enabled && sinceBest >= config.earlyStopping.patience) {
            if (!bestWeights.empty()) restore(plan, bestWeights);
            result.reason = StopReason::EarlyStopped;
            result.message = "Stopped early after epoch " + std::to_string(epoch) + ": no " +
                             (val ? "validation " : "") + config.monitor.quantity + " improvement for " +
                             std::to_string(config.earlyStopping.patience) + " epochs" +
                             (bestWeights.empty() ? "." : "; kept the weights of epoch " +
                                                              std::to_string(result.bestEpoch) + ".");
            return result;
        }
        if (checkpoints) checkpoint(epoch);
    }
    result.message = "Trained " + std::to_string(config.epochs) +
                     (config.epochs == 1 ? " epoch." : " epochs.");
    return result;
}

}  // namespace loom
