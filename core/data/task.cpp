#include "data/task.h"

#include "data/csv_reader.h"

namespace loom {
namespace {

std::string stepsWord(std::int64_t n) { return n == 1 ? "1 step" : std::to_string(n) + " steps"; }
std::string featuresWord(std::int64_t n) { return n == 1 ? "1 feature" : std::to_string(n) + " features"; }

/// What a sequence output of the wrong size differs in: "24 steps", "16 features per step".
std::string sequenceDifference(std::int64_t steps, std::int64_t features, const Dims& out) {
    std::string what;
    if (out[0] != steps) what = stepsWord(out[0]);
    if (out[1] != features) {
        if (!what.empty()) what += " of ";
        what += featuresWord(out[1]) + (out[0] != steps ? "" : " per step");
    }
    return "the model's output has " + what + " " + formatShape(out);
}

}  // namespace

std::string nextSteps(std::int64_t horizon) {
    return horizon == 1 ? "the next step" : "the next " + std::to_string(horizon) + " steps";
}

std::string_view taskName(WindowSpec::Target target) {
    switch (target) {
        case WindowSpec::Target::Reconstruction: return "reconstruct";
        case WindowSpec::Target::Forecast: return "forecast";
        case WindowSpec::Target::Classification: return "classify";
    }
    return "reconstruct";
}

std::optional<WindowSpec::Target> parseTaskName(std::string_view name) {
    if (name == "reconstruct") return WindowSpec::Target::Reconstruction;
    if (name == "forecast") return WindowSpec::Target::Forecast;
    if (name == "classify") return WindowSpec::Target::Classification;
    return std::nullopt;
}

std::string describeTask(const ModelTask& task) {
    switch (task.target) {
        case WindowSpec::Target::Reconstruction: return "reconstructs its input";
        case WindowSpec::Target::Forecast: return "forecasts " + nextSteps(task.horizon);
        case WindowSpec::Target::Classification: return "classifies its windows";
    }
    return {};
}

std::optional<ModelTask> taskFromShapes(const Dims& in, const Dims& out, bool labelled) {
    // Windows of steps and features, or of token ids (time,), which a model can only classify.
    const bool ids = in.size() == 1 && in[0] >= 1;
    if (!ids && (in.size() != 2 || in[0] < 1 || in[1] < 1)) return std::nullopt;
    if (labelled) {
        if (out.size() == 1 && out[0] >= 1) return ModelTask{WindowSpec::Target::Classification, 1};
        return std::nullopt;
    }
    if (ids) return std::nullopt;
    if (out == in) return ModelTask{WindowSpec::Target::Reconstruction, 1};
    if (out == Dims{in[1]}) return ModelTask{WindowSpec::Target::Forecast, 1};
    if (out.size() == 2 && out[1] == in[1] && out[0] >= 1 && out[0] <= kMostHorizonSteps) {
        return ModelTask{WindowSpec::Target::Forecast, out[0]};
    }
    return std::nullopt;
}

std::string taskMismatch(const ModelTask& task, const Dims& in, const Dims& out) {
    if (in.size() != 2 && task.target != WindowSpec::Target::Classification) {
        return "the model's Input takes " + formatShape(in) + ", not windows of steps and features";
    }
    const std::int64_t steps = in.empty() ? 0 : in[0], features = in.size() == 2 ? in[1] : 1;
    switch (task.target) {
        case WindowSpec::Target::Reconstruction: {
            if (out == in) return {};
            const std::string want = "the task is to reconstruct each window of " + stepsWord(steps) + " and " +
                                     featuresWord(features) + ", but ";
            if (out.size() != 2) return want + "the model returns " + formatShape(out) + ", not a sequence";
            return want + sequenceDifference(steps, features, out);
        }
        case WindowSpec::Target::Forecast: {
            const std::int64_t h = task.horizon;
            if (out == Dims{h, features} || (h == 1 && out == Dims{features})) return {};
            const std::string want = "the task is to forecast " + nextSteps(h) + " of " + featuresWord(features) + ", but ";
            if (out.size() == 2) return want + sequenceDifference(h, features, out);
            if (out.size() == 1 && h == 1) {
                return want + "the model returns " + std::to_string(out[0]) + " values per window " + formatShape(out);
            }
            return want + "the model returns " + formatShape(out);
        }
        case WindowSpec::Target::Classification:
            if (out.size() == 1 && out[0] >= 1) return {};
            return "the task is to classify each window, which takes one vector of class scores per window, but "
                   "the model returns " + formatShape(out);
    }
    return {};
}

ModelTask taskFor(const std::optional<ModelTask>& chosen, bool labelled, const Dims& in, const Dims& out) {
    if (chosen) {
        if (std::string why = taskMismatch(*chosen, in, out); !why.empty()) throw DataError(why);
        return *chosen;
    }
    if (auto suggested = taskFromShapes(in, out, labelled)) return *suggested;
    if (labelled) {
        throw DataError("classifying windows needs a model whose output is a vector of class scores, not " +
                        formatShape(out));
    }
    throw DataError("the model's output " + formatShape(out) + " is neither a reconstruction of its input " +
                    formatShape(in) + " nor a forecast of its features; give targets as a .npy file");
}

}  // namespace loom
