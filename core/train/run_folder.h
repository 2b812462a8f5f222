#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/series.h"
#include "data/windowing.h"
#include "engine/named_tensor.h"
#include "engine/plan.h"
#include "train/run_history.h"
#include "train/trainer.h"

namespace loom {

inline constexpr const char* kRunFormat = "layerloom-run";
/// Version 2: the run holds its fitted normaliser in `run.training.normalizer`, as a
/// project's runs list does (one schema for a run wherever it is kept); version 1 kept it at
/// the top and is still read.
inline constexpr int kRunVersion = 2;

/// What a run folder's run.json says: what was trained on what, how it went, and, while the
/// run can go on, where it stands.
struct RunRecord {
    std::string model;  ///< the model file that was trained, as it was given
    /// The architecture, the training settings with their `data` section, the history and the
    /// ending, as a project's runs list keeps them.
    TrainingRun run;
    WindowSpec window;
    /// The normalisation fitted on the training data; evaluation and prediction undo it.
    /// Written as run.training.normalizer.
    Normalizer normalizer;
    /// False while the run goes on: the folder is the checkpoint of its last finished epoch.
    bool complete = true;
    /// Where the run stands, for `train --resume`: present when the folder can continue (its
    /// weights are those of `state.epochsDone` finished epochs). The state's tensors live in
    /// state.llw; after reading they are in RunFolder::stateTensors until takeState() places
    /// them.
    std::optional<TrainingState> state;
};

nlohmann::json runRecordToJson(const RunRecord& record);
/// Reads a run.json document; throws std::runtime_error naming the key (JSON pointer) that is
/// missing or wrong. Reads the run.json of LayerLoom 0.1.0 (no `format` key) as well.
RunRecord runRecordFromJson(const nlohmann::json& j);

/// A run folder as `layerloom-cli train --out DIR` writes it: run.json (the record),
/// weights.llw (the weights), history.csv (the epochs, for spreadsheets) and, while the run can
/// be resumed, state.llw (the optimizer's slots and early stopping's best weights).
struct RunFolder {
    RunRecord record;
    std::vector<NamedTensor> weights;
    std::vector<NamedTensor> stateTensors;
};

/// The names a run folder's files have; nothing else belongs in one.
const std::vector<std::string>& runFolderFiles();

/// Checks, before any work is done, that `dir` can become a run folder: it is new, empty or an
/// earlier run folder (so that replacing it loses nothing else), it is not the current folder
/// or one above it, and its parent folder takes new files. Throws std::runtime_error saying
/// what is wrong.
void checkRunFolderTarget(const std::filesystem::path& dir);

/// Writes the run folder `dir` and replaces what was there as one: the files are written into
/// a new folder beside it, which then takes its place, so that a run killed at any moment
/// leaves either the old folder or the new one, never a mix. `state` (with the plan whose
/// parameters name its tensors) makes the folder resumable. Throws std::runtime_error naming
/// the file that could not be written.
void writeRunFolder(const std::filesystem::path& dir, const RunRecord& record,
                    const std::vector<NamedTensor>& weights, const Plan<float>* plan = nullptr);

/// Reads a run folder, treating every file as hostile. Throws std::runtime_error naming the
/// file and what is wrong.
RunFolder readRunFolder(const std::filesystem::path& dir);

/// The folder's training state with its tensors placed in the order of `plan`'s parameters.
/// Throws std::runtime_error when the folder cannot be resumed or its state does not fit the
/// plan (the model changed since).
TrainingState takeState(const RunFolder& folder, const Plan<float>& plan);

}  // namespace loom
