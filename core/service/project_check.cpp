#include "service/project_check.h"

#include <cctype>

#include "layers/layer_registry.h"
#include "service/training_job.h"
#include "shape/fixes.h"
#include "train/session.h"

namespace loom {
namespace {

struct TaskShapes {
    DataSpec data;
    Dims in, out;
    NodeId output = 0;
};

/// The project's data settings and its model's Input and output shapes, when both are known.
std::optional<TaskShapes> shapesOf(const ModelGraph& graph, const Validation& validation, const nlohmann::json& training) {
    TaskShapes s;
    try {
        s.data = trainingSettings(training).data;
        std::tie(s.in, s.out) = trainingDims(graph, validation, s.data.window);
    } catch (const std::exception&) {
        return std::nullopt;  // settings and model problems are reported where they are made
    }
    if (validation.outputs.size() != 1) return std::nullopt;
    s.output = validation.outputs.front();
    return s;
}

/// A fix that changes the task says what the model stops doing.
std::string taskTitle(const ModelTask& task, const ModelTask& was) {
    // The task's verb, as an infinitive ("forecast") or a gerund ("forecasting"), and its object.
    const auto words = [](const ModelTask& t, bool gerund) {
        switch (t.target) {
            case WindowSpec::Target::Reconstruction: return (gerund ? "reconstructing" : "reconstruct") + std::string(" the input");
            case WindowSpec::Target::Forecast: return (gerund ? "forecasting " : "forecast ") + nextSteps(t.horizon);
            case WindowSpec::Target::Classification: break;
        }
        return (gerund ? "classifying" : "classify") + std::string(" windows");
    };
    return "Change the task: " + words(task, false) + " instead of " + words(was, true);
}

/// Sets the output layer's feature size where one parameter decides it.
std::optional<Fix> widthFix(const Node& output, std::int64_t width) {
    const LayerSpec* spec = findLayer(output.kind);
    for (const char* key : {"units", "filters"}) {
        if (spec && spec->param(key)) {
            return setParamFix(output, key, width, "Set " + std::string(key) + "=" + std::to_string(width) + " on " + output.name);
        }
    }
    return std::nullopt;
}

/// Fixes that make the output do `task` for windows shaped `in`: its feature size set where
/// one parameter decides it, and steps cropped or padded before it. A forecast keeps the last
/// steps (those that have seen the whole window), a reconstruction crops or pads at the end.
std::vector<Fix> outputFixes(const ModelGraph& graph, const Validation& validation, const Node& output,
                             const Dims& out, const ModelTask& task, const Dims& in) {
    std::vector<Fix> fixes;
    const bool forecast = task.target == WindowSpec::Target::Forecast;
    if (out.size() == 1) {  // one vector per window: the next step's features, at most
        if (forecast && task.horizon == 1 && out[0] != in[1]) {
            if (auto fix = widthFix(output, in[1])) fixes.push_back(std::move(*fix));
        }
        return fixes;
    }
    if (out.size() != 2) return fixes;
    const Dims wanted = forecast ? Dims{task.horizon, in[1]} : in;
    if (out[1] != wanted[1]) {
        if (auto fix = widthFix(output, wanted[1])) fixes.push_back(std::move(*fix));
    }
    const std::vector<const Edge*> into = graph.inputEdges(output.id);
    if (out[0] != wanted[0] && into.size() == 1) {
        // Only where the wire into the output already carries its steps (not a vector that a
        // Reshape or RepeatVector makes into them).
        const TensorShape* fed = validation.shapeAt(graph, into.front()->from);
        if (fed && fed->sizes().size() == 2 && fed->sizes()[0] == out[0]) {
            const std::int64_t extra = out[0] - wanted[0];
            fixes.push_back(stepsFix(graph, *into.front(), extra,
                                     forecast && extra > 0 ? std::optional(wanted[0]) : std::nullopt));
        }
    }
    return fixes;
}

}  // namespace

std::optional<Diagnostic> taskProblem(const ModelGraph& graph, const Validation& validation,
                                      const nlohmann::json& training) {
    const std::optional<TaskShapes> s = shapesOf(graph, validation, training);
    if (!s || !s->data.task) return std::nullopt;
    const ModelTask& task = *s->data.task;
    std::string why = taskMismatch(task, s->in, s->out);
    if (why.empty()) return std::nullopt;
    const Node* output = graph.node(s->output);
    if (!output) return std::nullopt;
    Diagnostic d;
    d.code = DiagCode::TaskMismatch;
    d.severity = Severity::Error;
    d.node = output->id;
    why[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(why[0])));
    d.message = why + ". The task is set in the Data panel; editing layers does not change it.";
    if (task.target != WindowSpec::Target::Classification && s->in.size() == 2) {
        d.fixes = outputFixes(graph, validation, *output, s->out, task, s->in);
    }
    if (const auto other = taskFromShapes(s->in, s->out, !s->data.labelColumn.empty()); other && *other != task) {
        d.fixes.push_back(Fix{taskTitle(*other, task), GraphEdit{}, other});
    }
    return d;
}

void orderFixesByTask(const ModelGraph& graph, Validation& validation, const nlohmann::json& training) {
    for (Diagnostic& d : validation.diagnostics) {
        if (d.code != DiagCode::MergeTimeMismatch || d.fixes.size() < 2) continue;
        std::vector<bool> keeps(d.fixes.size(), true);
        for (std::size_t k = 0; k < d.fixes.size(); ++k) {
            Fix& fix = d.fixes[k];
            if (fix.task) continue;
            ModelGraph trial = graph;
            try {
                applyEdit(trial, fix.edit);
            } catch (const std::exception&) {
                continue;
            }
            const Validation after = validate(trial);
            const std::optional<TaskShapes> s = shapesOf(trial, after, training);
            if (!s || !s->data.task) continue;
            const std::string why = taskMismatch(*s->data.task, s->in, s->out);
            if (why.empty()) continue;
            keeps[k] = false;
            fix.title += "; afterwards " + why;
        }
        std::vector<Fix> ordered;
        for (std::size_t k = 0; k < d.fixes.size(); ++k) {
            if (keeps[k]) ordered.push_back(std::move(d.fixes[k]));
        }
        for (std::size_t k = 0; k < d.fixes.size(); ++k) {
            if (!keeps[k]) ordered.push_back(std::move(d.fixes[k]));
        }
        d.fixes = std::move(ordered);
    }
}

std::optional<ModelTask> suggestedTask(const ModelGraph& graph, const Validation& validation,
                                       const nlohmann::json& training) {
    const std::optional<TaskShapes> s = shapesOf(graph, validation, training);
    if (!s || s->data.task) return std::nullopt;
    return taskFromShapes(s->in, s->out, !s->data.labelColumn.empty());
}

nlohmann::json withTask(nlohmann::json training, const ModelTask& task) {
    if (!training.is_object()) training = nlohmann::json::object();
    nlohmann::json& data = training["data"];
    if (!data.is_object()) data = nlohmann::json::object();
    data["task"] = std::string(taskName(task.target));
    if (task.target == WindowSpec::Target::Forecast) {
        data["horizon"] = task.horizon;
    } else {
        data.erase("horizon");
    }
    return training;
}

}  // namespace loom
