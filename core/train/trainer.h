#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "engine/loss.h"
#include "engine/metrics.h"
#include "engine/optimizer.h"
#include "engine/plan.h"
#include "train/training_control.h"

namespace loom {

/// What early stopping and ReduceLROnPlateau watch: the loss or one of the run's metrics, on
/// the validation data when there is any (Keras's monitor "val_auc"), else on the training data.
struct Monitor {
    enum class Mode { Auto, Min, Max };
    std::string quantity = "loss";  ///< "loss" or a metric's name (metricName)
    Mode mode = Mode::Auto;         ///< Auto: max for accuracies and AUC, else min, as Keras
    bool higherIsBetter() const;
};

struct EarlyStopping {
    bool enabled = false;
    int patience = 5;
    double minDelta = 0.0;
    bool restoreBestWeights = true;
};

/// How the learning rate changes over the epochs.
struct LearningRateSchedule {
    enum class Kind { Constant, StepDecay, Cosine, ReduceOnPlateau };
    Kind kind = Kind::Constant;
    double factor = 0.5;    ///< StepDecay, ReduceOnPlateau: multiply by this
    int everyEpochs = 10;   ///< StepDecay: every this many epochs
    int patience = 3;       ///< ReduceOnPlateau: epochs without improvement
    double minLearningRate = 0.0;
};

/// How one output of a model with several trains: Keras's compile(loss={name: ...},
/// loss_weights={name: ...}, metrics={name: [...]}). The run's loss is the weighted sum of its
/// outputs' losses.
struct OutputLoss {
    std::string output;  ///< the output layer's name
    Loss loss = Loss::MeanSquaredError;
    bool fromLogits = false;
    double weight = 1.0;
    std::vector<Metric> metrics;
    bool operator==(const OutputLoss&) const = default;
};

struct TrainConfig {
    int epochs = 20;
    int batchSize = 32;
    std::uint64_t seed = 1;
    bool shuffle = true;
    Loss loss = Loss::MeanSquaredError;
    bool fromLogits = false;  ///< cross-entropies: the model outputs logits (Keras's from_logits)
    OptimizerConfig optimizer;
    /// Keras's class_weight: the loss of a training sample of class c is multiplied by
    /// classWeight[c] (1 for a class not named). Empty: none. Validation is not weighted by
    /// it, and the losses of values (mse, mae, huber) ignore it.
    std::map<std::int64_t, double> classWeight;
    /// Keras's compile metrics, computed beside the loss on the training and validation data.
    std::vector<Metric> metrics;
    EarlyStopping earlyStopping;
    LearningRateSchedule schedule;
    Monitor monitor;  ///< for early stopping and ReduceOnPlateau
    /// For a model with several outputs: those whose loss, weight or metrics differ from the
    /// run's (loss, fromLogits, metrics and a weight of 1), by name. Entries for layers the
    /// model does not have (any more) are kept and not used; with one output, none is.
    std::vector<OutputLoss> outputLosses;

    /// How the output named `output` of a model with `outputCount` outputs trains: its entry in
    /// outputLosses, else the run's loss, from_logits and metrics with a weight of 1. A model
    /// with one output always takes the run's.
    OutputLoss lossOf(const std::string& output, std::size_t outputCount) const;
};

/// A model's output as the loss sees it: its layer's name and the values in each of its rows.
struct OutputColumns {
    std::string name;
    std::int64_t cols = 1;
};

/// Why `config` cannot train a model with `outputs`; empty when it can: a metric the shapes do
/// not allow, a monitor naming nothing the run reports, or class weights for several outputs.
/// (Settings for an output the model no longer has are kept, and unused.)
std::string metricsProblem(const TrainConfig& config, const std::vector<OutputColumns>& outputs);
/// The same for a model with one output whose rows have `outputCols` values.
std::string metricsProblem(const TrainConfig& config, std::int64_t outputCols);
/// The quantities a run of `config` reports that early stopping can watch, as EpochReport names
/// them: "loss", then with one output "accuracy" (a classifier's) and the metrics, with several
/// each output's loss, accuracy and metrics after its name.
std::vector<std::string> watchableQuantities(const TrainConfig& config, const std::vector<std::string>& outputs);
/// The metric a reported quantity is, or ends with after an output's name ("dense_1_auc"):
/// the longest metric name that fits.
std::optional<Metric> quantityMetric(const std::string& quantity);

struct BatchReport {
    int epoch = 0;  ///< from 1
    int batch = 0;  ///< from 1
    int batches = 0;
    double loss = 0.0;
    double samplesPerSecond = 0.0;
    double elapsedSeconds = 0.0;
    /// The cores the run trains on now, of the most it may use: fewer while other programs
    /// keep cores busy (ThreadChooser::chosen()); the same with ThreadUse::Fixed.
    int threads = 1;
    int mostThreads = 1;
};

struct LayerGradient {
    std::string layer;
    double norm = 0.0;  ///< mean over the epoch's batches of the L2 norm of its gradients
};

struct EpochReport {
    int epoch = 0;  ///< from 1
    int epochs = 0;
    double loss = 0.0;
    double accuracy = -1.0;  ///< classification losses only
    double valLoss = -1.0;   ///< without validation data: -1
    double valAccuracy = -1.0;
    /// The run's metrics by Keras's history names: "mae", and "val_mae" with validation data.
    /// A classifier's "accuracy" is the field above, not repeated here. A model with several
    /// outputs reports each one's loss and metrics under its name, as Keras does ("dense_1_loss",
    /// "val_dense_1_mae", and "dense_1_accuracy" for a classifying output); `loss` and `valLoss`
    /// are then their weighted sum, and `accuracy` stays -1.
    std::map<std::string, double> metrics;
    double learningRate = 0.0;
    double elapsedSeconds = 0.0;
    double samplesPerSecond = 0.0;
    std::vector<LayerGradient> gradients;
};

/// Where a run stands after a finished epoch: with the plan's weights of that moment, all that
/// train() needs to continue it exactly as if it had never stopped.
struct TrainingState {
    int epochsDone = 0;
    std::vector<EpochReport> history;
    OptimizerState optimizer;
    std::string dropoutRng;  ///< the random engine of dropout, as std::mt19937_64 writes itself
    double learningRate = 0.0;  ///< where ReduceOnPlateau has taken it
    /// The best monitored value (TrainConfig::monitor, negated when higher is better) and the
    /// epoch that reached it; infinite and 0 before the first epoch.
    double best = INFINITY;
    int bestEpoch = 0;
    int sinceBest = 0;
    double plateauBest = INFINITY;
    int sincePlateau = 0;
    /// The weights of the best epoch, in the order of Plan::params(), kept for early stopping's
    /// restore; empty when that is off.
    std::vector<AlignedVector<float>> bestWeights;
};

/// Called on the training thread after each batch and each epoch.
class TrainingObserver {
public:
    virtual ~TrainingObserver() = default;
    virtual void onBatch(const BatchReport&) {}
    virtual void onEpoch(const EpochReport&) {}
    /// A pause is about to hold the run at a batch boundary: reports kept back go out now.
    virtual void onHold() {}
    /// Return true to be given a TrainingState before the first batch (epochsDone 0, or where a
    /// resumed run starts) and after every finished epoch, for checkpoints.
    virtual bool wantsCheckpoints() const { return false; }
    /// The plan holds the weights of that moment while this runs.
    virtual void onCheckpoint(const TrainingState&) {}
};

enum class StopReason { Finished, Cancelled, EarlyStopped, NonFinite, InvalidData };

struct TrainResult {
    StopReason reason = StopReason::Finished;
    std::string message;  ///< for the user, with the epoch where it matters
    std::vector<EpochReport> history;
    int bestEpoch = 0;
};

/// How many threads the batches of a run take, of the calling thread's kernelThreads().
enum class ThreadUse {
    /// All of them, or fewer while that is faster because other programs keep cores busy
    /// (see ThreadChooser).
    Adaptive,
    /// Exactly all of them: on processors where OpenBLAS's products differ in the last bits
    /// with the thread count, only this makes a run repeat bit for bit.
    Fixed,
};

/// Each training sample's weight in the loss: its sample weight (Dataset::weights), or its
/// class's weight (config.classWeight; the class is, as in Keras, the argmax of a target of
/// several columns, else the rounded label). Empty when neither is given. Throws DataError
/// when class weights cannot apply: with sample weights too (Keras refuses both at once), or
/// to targets of more than one row per sample.
std::vector<float> trainingWeights(const Dataset& train, const TrainConfig& config, std::int64_t rowsPerSample);

/// Trains `plan` in place. Never throws on bad data or diverging numbers: it stops, says why,
/// and leaves the last good weights in the plan. With `resume` (a checkpoint of a run with the
/// same config and data, the plan holding its weights) it continues that run from its next
/// epoch to config.epochs; the result's history then holds the earlier epochs too. A resume
/// state that does not fit the plan ends as InvalidData.
TrainResult train(Plan<float>& plan, const Dataset& data, const Dataset* validation,
                  const TrainConfig& config, TrainingControl* control = nullptr,
                  TrainingObserver* observer = nullptr, const TrainingState* resume = nullptr,
                  ThreadUse threads = ThreadUse::Adaptive);

struct Evaluation {
    double loss = 0.0;
    double accuracy = -1.0;
    std::map<std::string, double> metrics;  ///< by metricName, as EpochReport::metrics
};

/// The loss (and accuracy for classifiers, and `metrics`) over a whole dataset, in inference
/// mode. Throws DataError when the samples or targets do not have the shapes of the model's
/// Input and output, or a metric does not fit them.
Evaluation evaluate(Plan<float>& plan, const Dataset& data, Loss loss, bool fromLogits = false,
                    const std::vector<Metric>& metrics = {});
/// The same for a model with one output or several, each output trained as config.lossOf says:
/// per output, its loss and metrics go to `metrics` as EpochReport::metrics names them.
Evaluation evaluate(Plan<float>& plan, const Dataset& data, const TrainConfig& config);
/// The value of `quantity` ("loss", "accuracy" or a metric's name) in an epoch's report: the
/// validation value when `validation`. Nullopt when the report does not hold it.
std::optional<double> reportedValue(const EpochReport& report, const std::string& quantity, bool validation);
/// The model's outputs for every sample of `x` (samples of the plan's input shape). When
/// `mask` is given and the output carries a step mask, it receives that mask (one byte per
/// output row, 1 for a real step); it is left empty otherwise.
std::vector<float> predict(Plan<float>& plan, const std::vector<float>& x,
                           std::vector<std::uint8_t>* mask = nullptr);
/// Every output of the model for `samples` samples, with an array for each of its Inputs in
/// `inputs` (plan order, each `samples` samples of that Input's shape): one array per output.
/// `masks`, when given, receives each output's step mask as predict's `mask`; `views`, when
/// given, each of the plan's view outputs (attention scores) for every sample.
std::vector<std::vector<float>> predictAll(Plan<float>& plan, std::span<const float* const> inputs, std::int64_t samples,
                                           std::vector<std::vector<std::uint8_t>>* masks = nullptr,
                                           std::vector<std::vector<float>>* views = nullptr);
/// The loss's row weights for `rows` output rows under a step mask, as Keras's masked mean:
/// each real row's weight is scaled by rows / (real rows + 1e-7) and each padded row's is zero,
/// so that the mean over the rows is the mean over the real ones. `rowWeights` empty means
/// every weight 1. Does nothing when `mask` is null.
void maskRowWeights(const std::uint8_t* mask, std::int64_t rows, AlignedVector<float>& rowWeights);

}  // namespace loom
