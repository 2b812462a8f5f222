#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "data/task.h"
#include "graph/model_graph.h"
#include "shape/validator.h"

namespace loom {

/// Problems of a project beyond its graph's, for both front ends: the model no longer does the
/// task its data settings say (`training.data.task`). A diagnostic on the model's output layer,
/// with fixes that change the output or, said as such, the task. Nothing when the task fits,
/// the project says none, or the model's shapes are not known (its own problems come first).
std::optional<Diagnostic> taskProblem(const ModelGraph& graph, const Validation& validation,
                                      const nlohmann::json& training);

/// Puts first, among the fixes of each length mismatch between merged branches, those after
/// which the model still does the project's task, and says of the others what they make of the
/// output ("... (Cropping1D); afterwards the task is to reconstruct each window of 25 steps and
/// 1 feature, but the model's output has 24 steps"): cropping the longer branch of a U-Net on
/// an odd length mends the merge but shortens the output. Each fix is tried on a copy of the
/// graph, so only such mismatches are looked at.
void orderFixesByTask(const ModelGraph& graph, Validation& validation, const nlohmann::json& training);

/// For a project that says no task yet: the task its model's shapes suggest (taskFromShapes),
/// once the model is whole. Nothing when the project says one or the shapes suggest none.
std::optional<ModelTask> suggestedTask(const ModelGraph& graph, const Validation& validation,
                                       const nlohmann::json& training);

/// `training` with its data section saying `task`.
nlohmann::json withTask(nlohmann::json training, const ModelTask& task);

}  // namespace loom
