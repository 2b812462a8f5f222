#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "data/data_source.h"
#include "engine/plan.h"
#include "graph/project_file.h"
#include "train/run_folder.h"
#include "train/trainer.h"

namespace loom {

/// What a PyTorch training job is made of: the model with its starting weights (those the
/// plan holds), the training settings, the data as prepared for the model, and the model file
/// the run folder will name.
struct PytorchJobInput {
    const Project* project = nullptr;
    const Plan<float>* plan = nullptr;
    TrainConfig config;
    DataSpec dataSpec;
    const PreparedData* data = nullptr;
    /// The record the job's run folder starts from (beginRunRecord: the same schema as a run
    /// LayerLoom trains itself); the job fills in the history and the ending.
    const RunRecord* record = nullptr;
};

struct PytorchJobReport {
    std::vector<std::string> files;     ///< written, relative to the folder
    std::vector<std::string> warnings;  ///< where the job trains differently from LayerLoom
};

/// Writes a training job for PyTorch's DistributedDataParallel into `dir`: model.py and the
/// starting weights (exportPytorchModel), data/ (the prepared data as .npy), data.py, train.py,
/// torchrun.py,
/// job.json (settings, the weights' names, the run record the job fills in) and README.md.
/// `dir` must be new, empty or an earlier job's folder. Throws std::runtime_error saying what
/// is wrong (std::invalid_argument when the model has errors or cannot train).
PytorchJobReport exportPytorchJob(const PytorchJobInput& job, const std::filesystem::path& dir);

/// The files every job holds (README.md, data.py, train.py, torchrun.py), as LayerLoom ships them.
std::string pytorchJobFile(const std::string& name);

}  // namespace loom
