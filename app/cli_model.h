#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli_args.h"
#include "engine/tensor.h"
#include "graph/project_file.h"
#include "service/evaluation.h"
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

/// Weights for a model: --weights FILE, --run DIR (whose record goes to `run`), or the model's
/// own (a project's from one of its runs: that run's record goes to `run`); nothing when none
/// is given.
std::optional<std::vector<NamedTensor>> givenWeights(const LoadedModel& model, const Args& a,
                                                     std::optional<RunRecord>* run);
/// The weights a run or an export starts from, by the command line's choice (--weights,
/// --run: WeightsOrigin::Given) or the model's own.
StartingWeights startingWeights(const LoadedModel& model, const Args& a, std::optional<RunRecord>* run);
/// The same, or a UsageError asking for them.
std::vector<NamedTensor> weightsFor(const LoadedModel& model, const Args& a,
                                    std::optional<RunRecord>* run);

/// The model MODEL (the first argument) as a run trained it (evaluationRequest): the run's or
/// the project's data settings and normaliser, the trained weights (weightsFor) and the
/// command line's --batch-size.
EvaluationRequest trainedModel(const Args& a);
/// The series --data and --column name, read with the training's settings; an empty source
/// when neither is given.
DataSpec otherSeries(const EvaluationRequest& model, const Args& a);

/// Runs a command's work; an error that is not a usage mistake is printed and exits 1.
template <class Work>
int reportingErrors(std::ostream& err, Work&& work) {
    try {
        return work();
    } catch (const UsageError&) {
        throw;
    } catch (const std::exception& e) {
        err << "layerloom-cli: error: " << e.what() << "\n";
        return kInvalid;
    }
}

}  // namespace loom::cli
