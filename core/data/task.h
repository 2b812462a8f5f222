#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "data/windowing.h"
#include "graph/param_value.h"

namespace loom {

/// What a model does with its windows: reconstruct them, forecast the next `horizon` steps, or
/// classify them. Part of the project (`training.data.task`, `training.data.horizon`), so that
/// an edit that changes the model's output raises a problem instead of changing the task.
struct ModelTask {
    WindowSpec::Target target = WindowSpec::Target::Reconstruction;
    std::int64_t horizon = 1;  ///< the steps a forecast covers; 1 for the other tasks

    bool operator==(const ModelTask&) const = default;
};

/// The most steps a forecaster's horizon may say.
inline constexpr std::int64_t kMostHorizonSteps = 100000;

/// "the next step", "the next 24 steps": a forecast's horizon in words.
std::string nextSteps(std::int64_t horizon);

/// `reconstruct`, `forecast`, `classify`: the task's name in files and on the command line.
std::string_view taskName(WindowSpec::Target target);
/// The target a name says; nothing for any other text.
std::optional<WindowSpec::Target> parseTaskName(std::string_view name);
/// The task in words, as a verb phrase: "reconstructs its input", "forecasts the next 24
/// steps", "forecasts the next step", "classifies its windows".
std::string describeTask(const ModelTask& task);

/// The task a model's shapes suggest, for a model that has none yet (a new model, a project
/// from before tasks were saved): `in` and `out` without the batch axis, the window length
/// filled in. `labelled`: the data names a column of class labels. Nothing when the shapes
/// suggest no task (the output is a reconstruction of nothing, as while a model is being built).
std::optional<ModelTask> taskFromShapes(const Dims& in, const Dims& out, bool labelled);

/// Why a model from `in` to `out` cannot do `task`, in words ("the task is to reconstruct each
/// window of 25 steps, but the model's output has 24 steps"); empty when it can.
std::string taskMismatch(const ModelTask& task, const Dims& in, const Dims& out);

/// The task a model trains for: `chosen` when the project says one, else the shapes' (see
/// taskFromShapes). Throws DataError saying what does not fit.
ModelTask taskFor(const std::optional<ModelTask>& chosen, bool labelled, const Dims& in, const Dims& out);

}  // namespace loom
