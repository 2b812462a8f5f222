#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "engine/metrics.h"
#include "engine/plan.h"
#include "train/trainer.h"

namespace loom {

/// Metrics a run computes itself for an output trained with `loss`: each once, and a
/// classifier's "accuracy" left to the accuracy the run reports anyway.
std::vector<Metric> reportedMetrics(Loss loss, const std::vector<Metric>& chosen);

/// A model's Inputs and outputs as a run feeds and scores them: the batch's inputs and
/// targets gathered from a Dataset, and for each output its loss (TrainConfig::lossOf), its
/// weight in the run's loss, its gradient and its running loss, accuracy and metrics. With one
/// output, what it reports carries the plain names ("loss", "mae"); with several, each output's
/// under its name ("dense_1_loss", "dense_1_mae"), as Keras's history has them.
class RunOutputs {
public:
    RunOutputs(const Plan<float>& plan, const TrainConfig& config);

    /// Why `data` does not fit the model's Inputs and outputs, in words; empty when it does.
    /// `which` names the data ("training").
    std::string dataProblem(const Dataset& data, const char* which) const;

    /// Gathers samples order[begin, end) of `data` into the batch: inputs, targets and each
    /// output's row weights from `sampleWeights` (one per sample, or empty for all 1).
    void gather(const Dataset& data, const std::vector<float>& sampleWeights, const std::vector<std::int64_t>& order,
                std::size_t begin, std::size_t end);
    /// The batch's inputs, in the order of the plan's Inputs.
    const std::vector<const float*>& inputs() const { return m_inputPointers; }

    /// After a forward pass over the gathered batch: the run's loss (each output's loss times
    /// its weight, summed, plus `extra`, the regularisers' penalty), counted into the running
    /// sums. With `gradients`, each output's gradient of that loss is ready in gradients().
    double score(const Plan<float>& plan, bool gradients, double extra = 0.0);
    const std::vector<const float*>& gradients() const { return m_gradientPointers; }

    /// Clears the running sums for a new epoch or evaluation.
    void restart();
    /// The running sums as a report's values over the `samples` scored since restart():
    /// `loss` is the run's loss, `accuracy` a single classifier's (-1 otherwise), and each
    /// output's own loss (with several), accuracy (with several) and metrics go to `metrics`,
    /// their names after `prefix` ("val_").
    void results(std::int64_t samples, double& loss, double& accuracy, std::map<std::string, double>& metrics,
                 const std::string& prefix) const;

    bool several() const { return m_heads.size() > 1; }
    /// The rows per sample of the first output, for the class weights of a one-output run.
    std::int64_t firstRowsPerSample() const { return m_heads.front().rowsPerSample; }

private:
    struct Head {
        std::size_t index = 0;
        std::string name;
        std::string prefix;  ///< "" with one output, else "name_"
        OutputLoss loss;
        Dims dims;  ///< of one sample's output
        std::int64_t rowsPerSample = 1, cols = 1;
        AlignedVector<float> targets, rowWeights, gradient;
        double lossSum = 0.0, accuracySum = 0.0;
        std::vector<MetricState> metrics;
        std::vector<float> probabilities;  ///< a batch's outputs as probabilities, for metrics
    };
    std::vector<Head> m_heads;
    std::vector<std::string> m_inputNames;
    std::vector<Dims> m_inputDims;
    std::vector<AlignedVector<float>> m_inputs;
    std::vector<const float*> m_inputPointers, m_gradientPointers;
    int m_batch = 0;
    double m_extraSum = 0.0;
};

}  // namespace loom
