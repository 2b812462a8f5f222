#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/project_file.h"
#include "interop/pytorch_job.h"
#include "train/session.h"

namespace loom {

/// A project's `training` section read with every default filled in, as both front ends and
/// the exported code take it.
struct TrainingSettings {
    TrainConfig config;
    /// The data as the project names it (`sample:sunspots.csv` stays so), the default sample
    /// series when it names none (chooseDefaultData).
    DataSpec data;
};

/// Throws std::runtime_error naming a broken setting.
TrainingSettings trainingSettings(const nlohmann::json& training);
/// The settings as a project's (and a run's) `training` section, every value written out.
nlohmann::json trainingSettingsJson(const TrainingSettings& settings);

/// The weights a run starts from: the tensors, how they were chosen (see WeightsOrigin) and
/// what they are in words, for the run's record ("run 2", "weights.llw"; empty: the model's
/// saved weights).
struct StartingWeights {
    std::vector<NamedTensor> tensors;
    WeightsOrigin origin = WeightsOrigin::Model;
    std::string from;
};

/// The session that trains `graph` with `settings` from `weights`, with a sample series read
/// from `sampleFolder` (shippedSampleFolder() when not given). The window and the command line
/// both train, export training jobs and preview saved runs through it.
SessionSetup sessionSetup(const ModelGraph& graph, const TrainingSettings& settings, StartingWeights weights,
                          std::optional<std::filesystem::path> sampleFolder = std::nullopt);

/// What a prepared session's weights start from, in words: "run 2's weights", "Keras's
/// initialisers (seed 1)", "the model's saved weights for lstm_1, Keras's initialisers (seed
/// 1) elsewhere", "its own run folder, after epoch 4".
std::string startingPoint(const TrainingSession& session);

/// The differences between two runs' settings, resolved (defaults filled) and in words, one
/// a line: "learning rate 0.001 -> 0.0005", "data source sample:nile.csv -> data.csv". Empty
/// when they trained alike. Settings that cannot be read are compared as they are written.
std::vector<std::string> settingsChanges(const nlohmann::json& a, const nlohmann::json& b);
/// A run's settings, resolved and in words, one a line: "epochs: 20", "optimizer: adam".
std::vector<std::string> settingsLines(const nlohmann::json& training);

/// The record of a run that a prepared session is about to train: its number, when it
/// started, the architecture, the settings (the data as the project names it, the normaliser
/// fitted on the training part under `normalizer`), and the parameter count.
TrainingRun beginRun(const TrainingSession& session, int number, std::string started);

/// The run folder's record for the same run, of the model file `model`.
RunRecord beginRunRecord(const TrainingSession& session, std::string model, std::string started);

/// Writes a PyTorch DistributedDataParallel training job for a prepared session: its model
/// (`project`, whose name names it) with the weights it starts from, its data as prepared and
/// its settings; the job's run folder will name `modelPath`. See exportPytorchJob.
PytorchJobReport exportTrainingJob(const TrainingSession& session, const Project& project,
                                   const std::string& modelPath, const std::filesystem::path& dir);

/// The local time now, as runs record when they started (ISO 8601, to the second).
std::string localTimeNow();

}  // namespace loom
