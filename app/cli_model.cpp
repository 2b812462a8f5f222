#include "cli_model.h"

#include "engine/weights_file.h"
#include "interop/model_file.h"
#include "cli_settings.h"
#include "data/sample_catalogue.h"
#include "service/evaluation.h"
#include "train/run_folder.h"

namespace loom::cli {

LoadedModel loadModel(const std::string& path) {
    LoadedModel m;
    m.project = openModelFile(path, &m.notes);
    // A Keras model's own weights, or the weights a project was saved with: where the window
    // starts too.
    if (!m.project.weights.empty()) m.weights = m.project.weights;
    return m;
}

std::optional<std::vector<NamedTensor>> givenWeights(const LoadedModel& model, const Args& a,
                                                     std::optional<RunRecord>* run) {
    if (auto dir = a.get("run")) {
        RunFolder folder = readRunFolder(*dir);
        *run = std::move(folder.record);
        return std::move(folder.weights);
    }
    if (auto w = a.get("weights")) return loadWeights(*w);
    // A project's weights from one of its runs: that run's data settings and normaliser.
    if (model.weights) *run = runOfProjectWeights(model.project);
    return model.weights;
}

StartingWeights startingWeights(const LoadedModel& model, const Args& a, std::optional<RunRecord>* run) {
    StartingWeights w;
    w.tensors = givenWeights(model, a, run).value_or(std::vector<NamedTensor>{});
    if (auto dir = a.get("run")) {
        w.origin = WeightsOrigin::Given;
        w.from = "the weights of the run folder " + *dir;
    } else if (auto file = a.get("weights")) {
        w.origin = WeightsOrigin::Given;
        w.from = *file;
    } else {
        w.from = model.project.weightsFrom;
    }
    return w;
}

std::vector<NamedTensor> weightsFor(const LoadedModel& model, const Args& a, std::optional<RunRecord>* run) {
    if (auto w = givenWeights(model, a, run)) return *w;
    throw UsageError{"give trained weights with --weights FILE or --run DIR"};
}

EvaluationRequest trainedModel(const Args& a) {
    const LoadedModel model = loadModel(a.positional[0]);
    std::optional<RunRecord> run;
    std::vector<NamedTensor> weights = weightsFor(model, a, &run);
    EvaluationRequest request = evaluationRequest(model.project, run ? &*run : nullptr);
    request.weights = std::move(weights);
    if (auto b = a.integer("batch-size", 1)) request.batchSize = static_cast<int>(*b);
    return request;
}

DataSpec otherSeries(const EvaluationRequest& model, const Args& a) {
    if (!a.get("data") && !a.get("column")) return {};
    DataSpec spec = model.data;
    chooseDefaultData(spec);
    if (auto source = a.get("data")) spec = seriesLike(spec, *source);
    return dataFrom(spec, a);
}

}  // namespace loom::cli
