#pragma once

#include <optional>
#include <string>

#include "graph/model_graph.h"
#include "shape/validator.h"

namespace loom::cli {

/// Writes the plot_model-style diagram to `path` (.svg, .png, .pdf or .dot), without a display.
/// Returns what went wrong, or nothing.
std::optional<std::string> writeDiagram(const ModelGraph& graph, const Validation& validation,
                                        const std::string& title, const std::string& path,
                                        double scale);

}  // namespace loom::cli
