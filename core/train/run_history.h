#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/model_graph.h"
#include "train/trainer.h"

namespace loom {

/// One training run as the runs list keeps it: what was trained (the architecture and the
/// settings), how it went, and how it ended. Saved with the project.
struct TrainingRun {
    int number = 0;          ///< "run 3": counts up within a project
    std::string started;     ///< ISO 8601, local time
    ModelGraph graph;        ///< the architecture as it was trained
    nlohmann::json training; ///< TrainConfig and DataSpec as in the project's `training`
    std::vector<EpochReport> history;
    /// Per-batch losses: every batchLossEvery-th batch (saving thins them to at most
    /// kKeptBatchLosses values).
    std::vector<float> batchLosses;
    int batchLossEvery = 1;
    int batchesPerEpoch = 0;
    StopReason reason = StopReason::Finished;
    std::string outcome;     ///< the trainer's message
    std::int64_t parameters = 0;
    /// What the run's weights started from, in words: "run 2's weights", "Keras's initialisers
    /// (seed 1)", "weights.llw for lstm_1, Keras's initialisers elsewhere". Empty in runs
    /// recorded before LayerLoom kept it.
    std::string startedFrom;

    /// The lowest validation loss, else the lowest training loss; -1 before any epoch.
    double bestLoss() const;
};

inline constexpr std::size_t kKeptBatchLosses = 5000;

nlohmann::json runToJson(const TrainingRun& run);

/// How a project says its weights are a run's (its `weights.from`): "run 3's weights".
std::string runWeightsText(int number);
/// The run number such a text names; nullopt for weights from elsewhere.
std::optional<int> runNumberOfWeights(std::string_view from);
/// Throws std::runtime_error naming the key that is wrong.
TrainingRun runFromJson(const nlohmann::json& j);

/// The per-epoch history as CSV: epoch, loss, val_loss, accuracy, val_accuracy,
/// learning_rate, seconds, then each metric and its validation value ("mae,val_mae") by name
/// (9 significant digits; empty cells where a value does not apply).
std::string historyCsv(const std::vector<EpochReport>& history);

/// An epoch's metrics in one line, by Keras's names and 4 significant digits, the validation
/// values where there are any: "val_accuracy 0.9125, val_auc 0.9503". Empty without metrics.
std::string metricsLine(const EpochReport& epoch);

/// What changed from architecture `a` to `b`, one line per change, by layer name:
/// "added add_1 (Add)", "removed dense_3", "lstm_2: units 64 -> 128",
/// "wired lstm_1 -> add_1". Empty when they are the same model.
std::vector<std::string> architectureChanges(const ModelGraph& a, const ModelGraph& b);

}  // namespace loom
