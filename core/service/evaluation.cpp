#include "service/evaluation.h"

#include <algorithm>

#include "analysis/anomaly.h"
#include "data/sample_catalogue.h"
#include "engine/plan.h"
#include "io/message_text.h"
#include "service/training_job.h"
#include "train/config_json.h"
#include "train/session.h"
#include "train/token_ids.h"

namespace loom {

EvaluationRequest evaluationRequest(const Project& project, const RunRecord* run) {
    EvaluationRequest request;
    request.graph = project.graph;
    const TrainingSettings settings = trainingSettings(project.training);
    // The data as the project names it: the default series is chosen when the request is
    // scored, after the caller's own choices (a --data without --column reads its own columns).
    const nlohmann::json& stored = project.training;
    request.data = dataSpecFromJson(stored.is_object() && stored.contains("data") ? stored["data"]
                                                                                 : nlohmann::json::object());
    request.loss = settings.config.loss;
    request.fromLogits = settings.config.fromLogits;
    request.metrics = settings.config.metrics;
    request.outputLosses = settings.config.outputLosses;
    request.batchSize = settings.config.batchSize;
    if (run) {
        const nlohmann::json& trained = run->run.training;
        if (trained.is_object() && trained.contains("data")) {
            const std::optional<ModelTask> projectTask = request.data.task;
            request.data = dataSpecFromJson(trained["data"]);
            chooseDefaultData(request.data);
            // A run from before tasks were recorded did the project's task.
            if (!request.data.task) request.data.task = projectTask;
        }
        const TrainConfig trainedWith = trainConfigFromJson(trained);
        request.loss = trainedWith.loss;
        request.fromLogits = trainedWith.fromLogits;
        request.metrics = trainedWith.metrics;
        request.outputLosses = trainedWith.outputLosses;
        request.normalizer = run->normalizer;
    }
    return request;
}

std::optional<RunRecord> runOfProjectWeights(const Project& project) {
    const std::optional<int> number = runNumberOfWeights(project.weightsFrom);
    if (project.weights.empty() || !number || !project.runs.is_array()) return std::nullopt;
    for (const nlohmann::json& kept : project.runs) {
        if (!kept.is_object() || kept.value("number", -1) != *number) continue;
        RunRecord record;
        record.run = runFromJson(kept);
        const nlohmann::json& training = record.run.training;
        if (!training.is_object() || !training.contains("normalizer")) return std::nullopt;
        record.normalizer = normalizerFromJson(training["normalizer"]);
        return record;
    }
    return std::nullopt;
}

Series inModelUnits(Series series, const Normalizer& normalizer, const std::string& source) {
    try {
        normalizer.apply(series);
    } catch (const DataError&) {
        const std::int64_t f = series.features;
        throw DataError(source + ": the data has " + std::to_string(f) + (f == 1 ? " feature" : " features") +
                        ", and the model was trained on " + std::to_string(normalizer.shift.size()));
    }
    return series;
}

ModelTask requireTask(const DataSpec& spec, const Plan<float>& plan, WindowSpec::Target wanted) {
    const bool reconstruct = wanted == WindowSpec::Target::Reconstruction;
    const std::size_t inputs = plan.inputs().size(), outputs = plan.outputs().size();
    if (inputs != 1 || outputs != 1 || !spec.layerColumns.empty()) {
        throw DataError(std::string(reconstruct ? "anomaly detection takes a model with one Input and one output that "
                                                  "reconstructs every column it reads"
                                                : "forecasting takes a model with one Input and one output that forecasts "
                                                  "every column it reads") +
                        "; this one " +
                        (inputs != 1 || outputs != 1
                             ? "has " + counted(inputs, "Input", "Inputs") + " and " + counted(outputs, "output", "outputs")
                             : std::string("groups its columns by layer")));
    }
    const Dims& in = plan.dims(plan.inputs().at(0));
    const Dims& out = plan.dims(plan.outputs().at(0));
    const std::string refusal = wanted == WindowSpec::Target::Reconstruction ? "the model does not reconstruct its input"
                                                                             : "the model does not forecast its input";
    if (spec.task) {
        if (std::string why = taskMismatch(*spec.task, in, out); !why.empty()) throw DataError(refusal + ": " + why);
    }
    const std::optional<ModelTask> task = spec.task ? spec.task : taskFromShapes(in, out, !spec.labelColumn.empty());
    if (task && task->target == wanted) return *task;
    throw DataError(refusal + ": it takes " + formatShape(in) + " and returns " + formatShape(out) +
                    (task ? " (it " + describeTask(*task) + ")" : std::string()));
}

Plan<float> scoringPlan(const ModelGraph& graph, int trainingBatch, std::int64_t steps) {
    const int batch = std::max(trainingBatch, kScoringBatch);
    if (batch > trainingBatch && memoryProblem(graph, batch, steps).empty()) return Plan<float>::compile(graph, batch, steps);
    return Plan<float>::compile(graph, trainingBatch, steps);
}

std::function<bool(double)> progressPart(const std::function<bool(double)>& progress, double from, double to) {
    if (!progress) return {};
    return [progress, from, to](double f) { return progress(from + (to - from) * f); };
}

EvaluationResult evaluateModel(const EvaluationRequest& request,
                               const std::function<bool(double)>& progress) {
    // Compiling refuses a model whose batches would not fit in memory, with the numbers.
    DataSpec spec = request.data;
    chooseDefaultData(spec);
    spec.source = resolveDataSource(spec.source, request.sampleFolder);
    spec.validationSplit = 0.0;
    PlanAndData loaded = planForData(
        request.graph, spec,
        [&](const ModelGraph& graph, std::int64_t steps) { return Plan<float>::compile(graph, request.batchSize, steps); },
        request.normalizer ? &*request.normalizer : nullptr, progress);
    Plan<float>& plan = loaded.plan;
    plan.loadWeights(request.weights);
    const PreparedData& data = loaded.data;
    TrainConfig config;
    config.loss = request.loss;
    config.fromLogits = request.fromLogits;
    config.metrics = request.metrics;
    config.outputLosses = request.outputLosses;
    // A loss chosen for this evaluation may not take every metric the model trained with: each
    // output keeps those its loss and shape allow.
    const auto fitting = [](std::vector<Metric> metrics, Loss loss, std::int64_t cols) {
        std::erase_if(metrics, [&](Metric m) { return !metricProblem(m, cols, targetColumns(loss, cols)).empty(); });
        return metrics;
    };
    const std::vector<NodeId>& outputs = plan.outputs();
    if (outputs.size() == 1) {
        config.metrics = fitting(config.metrics, config.loss, plan.dims(outputs.front()).back());
    } else {
        std::vector<OutputLoss> each;
        for (NodeId id : outputs) {
            OutputLoss o = config.lossOf(plan.name(id), outputs.size());
            o.metrics = fitting(o.metrics, o.loss, plan.dims(id).back());
            each.push_back(std::move(o));
        }
        config.outputLosses = std::move(each);
    }
    return {evaluate(plan, data.train, config), data.train.size()};
}

}  // namespace loom
