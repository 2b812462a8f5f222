#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "data/data_source.h"
#include "engine/plan.h"
#include "engine/weights_file.h"
#include "graph/project_file.h"
#include "train/run_folder.h"
#include "train/trainer.h"

namespace loom {

/// What an evaluation of trained weights reads and how it scores them.
struct EvaluationRequest {
    ModelGraph graph;
    std::vector<NamedTensor> weights;  ///< every layer's, loaded as they are (no warm start)
    /// The data as the project or the run names it (`sample:` resolved from `sampleFolder`,
    /// shippedSampleFolder() when not given). Every window is scored: the validation split
    /// does not apply.
    DataSpec data;
    std::optional<std::filesystem::path> sampleFolder;
    Loss loss = Loss::MeanSquaredError;
    bool fromLogits = false;
    /// The training settings' metrics; those the loss and output do not allow are left out.
    std::vector<Metric> metrics;
    /// A model with several outputs: how each one differs from the loss above (TrainConfig's).
    std::vector<OutputLoss> outputLosses;
    int batchSize = 64;
    /// The normaliser the weights were trained with (a run's); none: fitted on this data.
    std::optional<Normalizer> normalizer;
};

/// The request that scores a project's model as `run` trained it: the run's data settings,
/// loss and fitted normaliser; without a run, the project's settings (its data as it names
/// it) and a normaliser fitted on the data. The weights are left to the caller. Throws
/// std::runtime_error naming a broken setting.
EvaluationRequest evaluationRequest(const Project& project, const RunRecord* run);

/// The run in the project's runs list whose weights the project holds (its weights.from names
/// it), as a run folder's record: its data settings and fitted normaliser. Nothing when the
/// weights came from elsewhere or the run is not kept; throws std::runtime_error naming the
/// key when the run is kept wrongly.
std::optional<RunRecord> runOfProjectWeights(const Project& project);

struct EvaluationResult {
    Evaluation scores;
    std::int64_t samples = 0;
};

/// The plan that scores windows with a model: batches of kScoringBatch where they fit in
/// memory, else of `trainingBatch`; `steps` for a free time axis. Throws PlanError as
/// Plan::compile does.
Plan<float> scoringPlan(const ModelGraph& graph, int trainingBatch, std::int64_t steps);

/// The task of a trained model whose settings are `spec` (its run's or its project's; else what
/// its shapes suggest), when it is `wanted` (reconstruction or forecast). Throws DataError
/// saying what the model takes and returns, and what it does instead; a model with several
/// Inputs or outputs, or whose columns are grouped by layer, is refused.
ModelTask requireTask(const DataSpec& spec, const Plan<float>& plan, WindowSpec::Target wanted);

/// `series` in the model's units, by the normaliser of the run that trained it. Throws
/// DataError naming `source` when the series has another number of features than the model
/// was trained on.
Series inModelUnits(Series series, const Normalizer& normalizer, const std::string& source);

/// A progress callback for one phase of a longer task: the phase's fraction f is the task's
/// from + (to - from) f. Empty when `progress` is.
std::function<bool(double)> progressPart(const std::function<bool(double)>& progress, double from, double to);

/// Compiles the model, loads the weights, reads the data (the default sample series when the
/// request names none; reporting its read through `progress`, whose false stops it with
/// ReadCancelled) and scores every window in inference mode. Throws PlanError when the model
/// or its weights cannot run (or do not fit in memory) and DataError for the data.
EvaluationResult evaluateModel(const EvaluationRequest& request,
                               const std::function<bool(double)>& progress = {});

}  // namespace loom
