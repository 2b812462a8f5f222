#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/named_tensor.h"
#include "engine/plan.h"

namespace loom {

/// How far trained weights fit a (possibly edited) model, layer by layer: a layer keeps its
/// weights when every tensor it needs is there with its shape, as Keras's
/// `load_weights(by_name=True, skip_mismatch=True)` decides.
struct WeightMatch {
    std::vector<std::string> kept;   ///< layers whose trained weights fit
    std::vector<std::string> fresh;  ///< layers that start from their initialisers
    /// Why each fresh layer does not fit, in words: "lstm_2: kernel is (32, 512), the
    /// weights hold (32, 256)", "dense_3: new layer".
    std::vector<std::string> reasons;

    bool all() const { return fresh.empty(); }
    bool none() const { return kept.empty(); }
};

/// Compares the weights a graph needs with `weights`. Throws PlanError when the graph has errors.
WeightMatch matchWeights(const ModelGraph& graph, const std::vector<NamedTensor>& weights);

/// Initialises `plan` from `seed`, then loads the trained weights of every layer they fit.
WeightMatch warmStart(Plan<float>& plan, const ModelGraph& graph,
                      const std::vector<NamedTensor>& weights, std::uint64_t seed);

}  // namespace loom
