#pragma once

#include <nlohmann/json.hpp>

#include "graph/model_graph.h"
#include "report/summary.h"
#include "shape/diagnostic.h"
#include "shape/validator.h"

namespace loom {

/// Machine-readable forms of what `layerloom-cli summary|validate --json` print.
nlohmann::json summaryJson(const ModelSummary& summary);
nlohmann::json diagnosticJson(const ModelGraph& graph, const Diagnostic& diagnostic);
nlohmann::json validationJson(const ModelGraph& graph, const Validation& validation);

}  // namespace loom
