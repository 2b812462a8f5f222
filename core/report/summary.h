#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/model_graph.h"
#include "shape/validator.h"

namespace loom {

struct SummaryRow {
    NodeId id = 0;
    std::string name;
    std::string kind;
    std::string outputShape;  ///< `(None, 32, 256)`; `?` where it cannot be inferred
    std::int64_t params = 0;
    std::vector<std::string> connectedTo;  ///< `lstm_1[0][0]`, in operand order
};

/// The content of Keras's `model.summary()` for a functional model.
struct ModelSummary {
    std::string name;
    std::vector<SummaryRow> rows;  ///< producers before consumers
    std::int64_t totalParams = 0;
    std::int64_t trainableParams = 0;
    std::int64_t nonTrainableParams = 0;
};

ModelSummary summarize(const ModelGraph& graph, const Validation& validation, std::string name);
/// The Keras table: Layer (type), Output Shape, Param #, Connected to; then the totals.
std::string formatSummary(const ModelSummary& summary);
/// `3,724,641`.
std::string groupThousands(std::int64_t value);

}  // namespace loom
