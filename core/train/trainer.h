#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "engine/loss.h"
#include "engine/optimizer.h"
#include "engine/plan.h"
#include "train/training_control.h"

namespace loom {

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

struct TrainConfig {
    int epochs = 20;
    int batchSize = 32;
    std::uint64_t seed = 1;
    bool shuffle = true;
    /// The last fraction of the samples, in time order, validates (as Keras's
    /// validation_split); ignored when a validation set is given.
    double validationSplit = 0.0;
    Loss loss = Loss::MeanSquaredError;
    OptimizerConfig optimizer;
    EarlyStopping earlyStopping;
    LearningRateSchedule schedule;
};

struct BatchReport {
    int epoch = 0;  ///< from 1
    int batch = 0;  ///< from 1
    int batches = 0;
    double loss = 0.0;
    double samplesPerSecond = 0.0;
    double elapsedSeconds = 0.0;
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
    double learningRate = 0.0;
    double elapsedSeconds = 0.0;
    double samplesPerSecond = 0.0;
    std::vector<LayerGradient> gradients;
};

/// Called on the training thread after each batch and each epoch.
class TrainingObserver {
public:
    virtual ~TrainingObserver() = default;
    virtual void onBatch(const BatchReport&) {}
    virtual void onEpoch(const EpochReport&) {}
};

enum class StopReason { Finished, Cancelled, EarlyStopped, NonFinite, InvalidData };

struct TrainResult {
    StopReason reason = StopReason::Finished;
    std::string message;  ///< for the user, with the epoch where it matters
    std::vector<EpochReport> history;
    int bestEpoch = 0;
};

/// Trains `plan` in place. Never throws on bad data or diverging numbers: it stops, says why,
/// and leaves the last good weights in the plan.
TrainResult train(Plan<float>& plan, const Dataset& data, const Dataset* validation,
                  const TrainConfig& config, TrainingControl* control = nullptr,
                  TrainingObserver* observer = nullptr);

struct Evaluation {
    double loss = 0.0;
    double accuracy = -1.0;
};

/// The loss (and accuracy for classifiers) over a whole dataset, in inference mode. Throws
/// DataError when the samples or targets do not have the shapes of the model's Input and output.
Evaluation evaluate(Plan<float>& plan, const Dataset& data, Loss loss);
/// The model's outputs for every sample of `x` (samples of the plan's input shape).
std::vector<float> predict(Plan<float>& plan, const std::vector<float>& x);

}  // namespace loom
