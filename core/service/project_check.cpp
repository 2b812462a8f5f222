#include "service/project_check.h"

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

std::string taskTitle(const ModelTask& task) {
    switch (task.target) {
        case WindowSpec::Target::Reconstruction: return "Change the task to reconstructing the input";
        case WindowSpec::Target::Forecast:
            return task.horizon == 1 ? "Change the task to forecasting the next step"
                                     : "Change the task to forecasting the next " + std::to_string(task.horizon) + " steps";
        case WindowSpec::Target::Classification: return "Change the task to classifying windows";
    }
    return {};
}

/// Fixes that make the output layer's shape `wanted` (steps, features): its feature size set
/// where one parameter decides it, and steps cropped or padded before it.
std::vector<Fix> outputFixes(const ModelGraph& graph, const Validation& validation, const Node& output,
                             const Dims& out, const Dims& wanted) {
    std::vector<Fix> fixes;
    if (out.size() != 2 || wanted.size() != 2) return fixes;
    if (out[1] != wanted[1]) {
        const LayerSpec* spec = findLayer(output.kind);
        for (const char* key : {"units", "filters"}) {
            if (spec && spec->param(key)) {
                fixes.push_back(setParamFix(output, key, wanted[1],
                                            "Set " + std::string(key) + "=" + std::to_string(wanted[1]) + " on " + output.name));
                break;
            }
        }
    }
    const std::vector<const Edge*> into = graph.inputEdges(output.id);
    if (out[0] != wanted[0] && into.size() == 1) {
        // Only where the wire into the output already carries its steps (not a vector that a
        // Reshape or RepeatVector makes into them).
        const std::optional<TensorShape>& fed = validation.of(graph, into.front()->from.node).output;
        if (fed && fed->sizes().size() == 2 && fed->sizes()[0] == out[0]) {
            fixes.push_back(stepsFix(graph, *into.front(), out[0] - wanted[0]));
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
    d.message = why + ". The task is the project's (Data panel); an edit does not change it.";
    if (task.target != WindowSpec::Target::Classification && s->in.size() == 2) {
        const Dims wanted = task.target == WindowSpec::Target::Reconstruction ? s->in : Dims{task.horizon, s->in[1]};
        d.fixes = outputFixes(graph, validation, *output, s->out, wanted);
    }
    if (const auto other = taskFromShapes(s->in, s->out, !s->data.labelColumn.empty()); other && *other != task) {
        d.fixes.push_back(Fix{taskTitle(*other), GraphEdit{}, other});
    }
    return d;
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
