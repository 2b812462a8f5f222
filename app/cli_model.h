#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli_args.h"
#include "engine/tensor.h"
#include "graph/project_file.h"
#include "service/training_job.h"
#include "train/run_folder.h"

namespace loom::cli {

/// A model as the CLI takes it (openModelFile): a LayerLoom project, or a Keras model (.keras,
/// .h5, or a layers-format model.json whose weights lie beside it).
struct LoadedModel {
    Project project;
    /// The weights it comes with: a model.json's own, or those a project was saved with.
    std::optional<std::vector<NamedTensor>> weights;
    /// What importing a Keras model left out or chose (its optimizer's state, say).
    std::vector<std::string> notes;
};

/// Throws std::runtime_error with the file and what is wrong.
LoadedModel loadModel(const std::string& path);

/// Weights for a model: --weights FILE, --run DIR (whose record goes to `run`), or a
/// model.json's own; nothing when none is given.
std::optional<std::vector<NamedTensor>> givenWeights(const LoadedModel& model, const Args& a,
                                                     std::optional<RunRecord>* run);
/// The weights a run or an export starts from, by the command line's choice (--weights,
/// --run: WeightsOrigin::Given) or the model's own.
StartingWeights startingWeights(const LoadedModel& model, const Args& a, std::optional<RunRecord>* run);
/// The same, or a UsageError asking for them.
std::vector<NamedTensor> weightsFor(const LoadedModel& model, const Args& a,
                                    std::optional<RunRecord>* run);

}  // namespace loom::cli
