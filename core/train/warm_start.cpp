#include "train/warm_start.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace loom {

WeightMatch matchWeights(const ModelGraph& graph, const std::vector<NamedTensor>& weights) {
    std::unordered_map<std::string, const NamedTensor*> byName;
    for (const NamedTensor& t : weights) byName.emplace(t.name, &t);
    // Layers in model order, each with its first reason not to fit (empty when it fits).
    std::vector<std::pair<std::string, std::string>> layers;
    std::map<std::string, std::size_t> index;
    for (const NamedShape& need : parameterShapes(graph)) {
        const std::string& layer = need.layer;
        auto [it, added] = index.emplace(layer, layers.size());
        if (added) layers.emplace_back(layer, std::string());
        std::string& reason = layers[it->second].second;
        if (!reason.empty()) continue;
        const auto found = byName.find(need.name);
        const std::string param = need.name.substr(layer.size() + 1);
        if (found == byName.end()) {
            reason = layer + ": new layer";
            for (const NamedTensor& t : weights) {
                if (t.name.starts_with(layer + "/")) {
                    reason = layer + ": the weights have no " + param;
                    break;
                }
            }
        } else if (found->second->shape != need.shape) {
            reason = layer + ": " + param + " is " + tensorShapeText(need.shape) + ", the weights hold " +
                     tensorShapeText(found->second->shape);
        }
    }
    WeightMatch m;
    for (const auto& [layer, reason] : layers) {
        if (reason.empty()) {
            m.kept.push_back(layer);
        } else {
            m.fresh.push_back(layer);
            m.reasons.push_back(reason);
        }
    }
    return m;
}

WeightMatch warmStart(Plan<float>& plan, const ModelGraph& graph,
                      const std::vector<NamedTensor>& weights, std::uint64_t seed) {
    plan.initialize(seed);
    WeightMatch m = matchWeights(graph, weights);
    std::unordered_map<std::string, const NamedTensor*> byName;
    for (const NamedTensor& t : weights) byName.emplace(t.name, &t);
    for (Plan<float>::Param& p : plan.params()) {
        if (std::find(m.kept.begin(), m.kept.end(), p.layer) == m.kept.end()) continue;
        const NamedTensor& t = *byName.at(p.fullName());
        std::copy(t.values.begin(), t.values.end(), p.value.begin());
    }
    return m;
}

}  // namespace loom
