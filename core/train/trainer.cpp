#include "train/trainer.h"

#include "data/csv_reader.h"
#include "engine/kernels/row_chunks.h"
#include "engine/regularizer.h"
#include "train/run_outputs.h"
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

std::vector<AlignedVector<float>> snapshot(const Plan<float>& plan) {
    std::vector<AlignedVector<float>> values;
    for (const auto& p : plan.params()) values.push_back(p.value);
    return values;
}

void restore(Plan<float>& plan, const std::vector<AlignedVector<float>>& values) {
    auto& params = plan.params();
    for (std::size_t i = 0; i < params.size(); ++i) params[i].value = values[i];
}

}  // namespace

bool Monitor::higherIsBetter() const {
    if (mode != Mode::Auto) return mode == Mode::Max;
    const auto metric = quantityMetric(quantity);
    return metric && ::loom::higherIsBetter(*metric);
}

OutputLoss TrainConfig::lossOf(const std::string& output, std::size_t outputCount) const {
    for (const OutputLoss& o : outputLosses) {
        if (o.output == output && outputCount > 1) return o;
    }
    return {output, loss, fromLogits, 1.0, metrics};
}

std::optional<Metric> quantityMetric(const std::string& quantity) {
    if (const auto metric = parseMetric(quantity)) return metric;
    std::optional<Metric> found;
    std::size_t longest = 0;
    for (Metric m : allMetrics()) {
        const std::string name = metricName(m);
        const std::size_t at = quantity.size() > name.size() ? quantity.size() - name.size() : 0;
        if (at > 0 && quantity[at - 1] == '_' && quantity.ends_with(name) && name.size() > longest) {
            found = m;
            longest = name.size();
        }
    }
    return found;
}

namespace {

/// Why one output's metrics cannot be computed, with `about` ("" or " of dense_1") in the words.
std::string outputMetricsProblem(const OutputLoss& o, std::int64_t outputCols, const std::string& about) {
    const std::int64_t targetCols = targetColumns(o.loss, outputCols);
    for (Metric m : o.metrics) {
        if (std::string problem = metricProblem(m, outputCols, targetCols); !problem.empty()) {
            return "the metric" + about + " " + problem;
        }
        // Keras's "accuracy" goes by the shapes alone: categorical over several outputs. A
        // binary cross-entropy's own accuracy counts each output, so the word would mean two
        // things in one history.
        if (m == Metric::Accuracy && o.loss == Loss::BinaryCrossentropy && outputCols > 1) {
            return "accuracy" + about + " is ambiguous for a binary cross-entropy over " + std::to_string(outputCols) +
                   " outputs (Keras would compute categorical_accuracy, LayerLoom's accuracy column counts each output); "
                   "choose binary_accuracy or categorical_accuracy";
        }
    }
    return {};
}

}  // namespace

std::vector<std::string> watchableQuantities(const TrainConfig& config, const std::vector<std::string>& outputs) {
    std::vector<std::string> names{"loss"};
    const bool several = outputs.size() > 1;
    for (const std::string& output : outputs) {
        const OutputLoss o = config.lossOf(output, outputs.size());
        const std::string prefix = several ? output + "_" : "";
        if (several) names.push_back(prefix + "loss");
        if (isClassification(o.loss)) names.push_back(prefix + "accuracy");
        for (Metric m : reportedMetrics(o.loss, o.metrics)) names.push_back(prefix + metricName(m));
    }
    return names;
}

std::string metricsProblem(const TrainConfig& config, std::int64_t outputCols) {
    return metricsProblem(config, std::vector<OutputColumns>{{"", outputCols}});
}

std::string metricsProblem(const TrainConfig& config, const std::vector<OutputColumns>& outputs) {
    const bool several = outputs.size() > 1;
    if (several && !config.classWeight.empty()) {
        return "class weights apply to a model with one output, as in Keras; give sample weights instead "
               "(a sample_weight array)";
    }
    for (const OutputColumns& out : outputs) {
        if (std::string problem = outputMetricsProblem(config.lossOf(out.name, outputs.size()), out.cols, several ? " of " + out.name : "");
            !problem.empty()) {
            return problem;
        }
    }
    const std::string& watched = config.monitor.quantity;
    std::vector<std::string> outputNames;
    for (const OutputColumns& out : outputs) outputNames.push_back(out.name);
    const std::vector<std::string> names = watchableQuantities(config, outputNames);
    if (std::find(names.begin(), names.end(), watched) != names.end()) return {};
    std::string chosen;
    for (const OutputColumns& out : outputs) {
        for (Metric m : config.lossOf(out.name, outputs.size()).metrics) {
            chosen += (chosen.empty() ? "" : ", ") + (several ? out.name + "_" : std::string()) + metricName(m);
        }
    }
    return "early stopping and the plateau schedule watch " + watched + ", which is not one of the run's metrics (" +
           (chosen.empty() ? std::string("there are none") : chosen) + "); add it to the metrics or watch the loss";
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

namespace {

std::vector<OutputColumns> outputColumns(const Plan<float>& plan) {
    std::vector<OutputColumns> columns;
    for (NodeId id : plan.outputs()) columns.push_back({plan.name(id), plan.dims(id).back()});
    return columns;
}

}  // namespace

Evaluation evaluate(Plan<float>& plan, const Dataset& data, Loss loss, bool fromLogits, const std::vector<Metric>& metrics) {
    TrainConfig config;
    config.loss = loss;
    config.fromLogits = fromLogits;
    config.metrics = metrics;
    return evaluate(plan, data, config);
}

Evaluation evaluate(Plan<float>& plan, const Dataset& data, const TrainConfig& config) {
    RunOutputs outputs(plan, config);
    // Data of another shape would be read past its end (issue 12, R6).
    if (std::string problem = outputs.dataProblem(data, "evaluation"); !problem.empty()) throw DataError(problem);
    // What the run watches and how it weighs classes are the run's business, not an evaluation's.
    TrainConfig forMetrics = config;
    forMetrics.monitor = {};
    forMetrics.classWeight.clear();
    if (std::string problem = metricsProblem(forMetrics, outputColumns(plan)); !problem.empty()) throw DataError(problem);
    outputs.restart();
    std::vector<std::int64_t> order(static_cast<std::size_t>(data.size()));
    std::iota(order.begin(), order.end(), 0);
    const auto n = static_cast<std::size_t>(data.size());
    for (std::size_t b = 0; b < n; b += static_cast<std::size_t>(plan.maxBatch())) {
        const std::size_t e = std::min(n, b + static_cast<std::size_t>(plan.maxBatch()));
        outputs.gather(data, data.weights, order, b, e);
        plan.predict(outputs.inputs(), static_cast<int>(e - b));
        outputs.score(plan, false);
    }
    Evaluation result;
    outputs.results(data.size(), result.loss, result.accuracy, result.metrics, "");
    result.loss += applyRegularizers(plan, false);
    return result;
}

std::vector<float> predict(Plan<float>& plan, const std::vector<float>& x, std::vector<std::uint8_t>* mask) {
    const std::int64_t inSize = Dataset::product(plan.dims(plan.inputs()[0]));
    const float* in[] = {x.data()};
    std::vector<std::vector<std::uint8_t>> masks;
    std::vector<std::vector<float>> y = predictAll(plan, in, static_cast<std::int64_t>(x.size()) / inSize, mask ? &masks : nullptr);
    if (mask) *mask = std::move(masks.front());
    return std::move(y.front());
}

std::vector<std::vector<float>> predictAll(Plan<float>& plan, std::span<const float* const> inputs, std::int64_t n,
                                           std::vector<std::vector<std::uint8_t>>* masks,
                                           std::vector<std::vector<float>>* views) {
    if (inputs.size() != plan.inputs().size()) throw PlanError("wrong number of model inputs");
    std::vector<std::int64_t> inSizes, outSizes, outRows;
    for (NodeId id : plan.inputs()) inSizes.push_back(Dataset::product(plan.dims(id)));
    std::vector<std::vector<float>> y;
    for (NodeId id : plan.outputs()) {
        const Dims& od = plan.dims(id);
        outSizes.push_back(Dataset::product(od));
        outRows.push_back(od.size() == 2 ? od[0] : 1);
        y.emplace_back(static_cast<std::size_t>(n * outSizes.back()));
    }
    if (masks) masks->assign(y.size(), {});
    std::vector<std::int64_t> viewSizes;
    if (views) {
        views->clear();
        for (std::size_t k = 0; k < plan.viewOutputs().size(); ++k) {
            viewSizes.push_back(Dataset::product(plan.viewDims(k)));
            views->emplace_back(static_cast<std::size_t>(n * viewSizes.back()));
        }
    }
    std::vector<const float*> at(inputs.size());
    for (std::int64_t b = 0; b < n; b += plan.maxBatch()) {
        const std::int64_t e = std::min<std::int64_t>(n, b + plan.maxBatch());
        for (std::size_t k = 0; k < inputs.size(); ++k) at[k] = inputs[k] + b * inSizes[k];
        plan.predict(at, static_cast<int>(e - b));
        for (std::size_t k = 0; k < y.size(); ++k) {
            std::copy_n(plan.output(k), (e - b) * outSizes[k], y[k].begin() + b * outSizes[k]);
            if (const std::uint8_t* m = plan.outputMask(k); masks && m) {
                (*masks)[k].insert((*masks)[k].end(), m, m + (e - b) * outRows[k]);
            }
        }
        for (std::size_t k = 0; views && k < views->size(); ++k) {
            std::copy_n(plan.viewOutput(k), (e - b) * viewSizes[k], (*views)[k].begin() + b * viewSizes[k]);
        }
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
    RunOutputs outputs(plan, config);
    if (std::string problem = outputs.dataProblem(all, "training"); !problem.empty()) {
        result.reason = StopReason::InvalidData;
        result.message = "Cannot train: " + problem + ".";
        return result;
    }
    // The data's own split (DataSpec::validationSplit) made `validation`: one setting, one place.
    const Dataset& trainSet = all;
    const Dataset* val = validation;
    if (val) {
        if (std::string problem = outputs.dataProblem(*val, "validation"); !problem.empty()) {
            result.reason = StopReason::InvalidData;
            result.message = "Cannot train: " + problem + ".";
            return result;
        }
    }

    if (std::string problem = metricsProblem(config, outputColumns(plan)); !problem.empty()) {
        result.reason = StopReason::InvalidData;
        result.message = "Cannot train: " + problem + ".";
        return result;
    }
    std::vector<float> sampleWeights;
    try {
        sampleWeights = trainingWeights(trainSet, config, outputs.firstRowsPerSample());
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
        outputs.restart();
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
            outputs.gather(trainSet, sampleWeights, order, begin, end);
            plan.forward(outputs.inputs(), batch, true, &rng);
            const double loss = outputs.score(plan, true, applyRegularizers(plan, false));
            plan.zeroGrad();
            plan.backward(outputs.gradients());
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
        outputs.results(static_cast<std::int64_t>(n), report.loss, report.accuracy, report.metrics, "");
        if (val) {
            const Evaluation e = evaluate(plan, *val, config);
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
