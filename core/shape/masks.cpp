#include "shape/masks.h"

#include <algorithm>
#include <exception>

#include "layers/layer_registry.h"
#include "shape/validator.h"

namespace loom {

std::unordered_map<NodeId, MaskSource> stepMasks(const ModelGraph& graph, std::span<const NodeId> order) {
    std::unordered_map<NodeId, MaskSource> masks;
    for (NodeId id : order) {
        const Node* node = graph.node(id);
        const LayerSpec* spec = node ? findLayer(node->kind) : nullptr;
        if (!spec || node->isInput()) continue;
        const auto inputs = graph.inputEdges(id);
        // A recurrent layer's states (ports after its output) carry no step mask.
        const auto masked = [&](const Edge* e) { return e->from.port == 0 && masks.contains(e->from.node); };
        const bool first = !inputs.empty() && masked(inputs.front());
        const auto count = std::count_if(inputs.begin(), inputs.end(), masked);
        MaskRule rule = MaskRule::Drop;
        try {
            rule = spec->maskRule(*node);
        } catch (const std::exception&) {
            continue;  // a parameter of the wrong type, which validation reports
        }
        switch (rule) {
            case MaskRule::Drop: break;
            case MaskRule::Make: masks.emplace(id, MaskSource::Own); break;
            case MaskRule::Pass:
                if (first) masks.emplace(id, MaskSource::Copy);
                break;
            case MaskRule::Merge: {
                if (count == 0) break;
                if (node->kind != "Concatenate") {
                    masks.emplace(id, MaskSource::All);
                    break;
                }
                // Keras concatenates the masks along the layer's axis, an input without one
                // counting as real everywhere, and a step is real where any of its features is.
                const auto it = node->params.find("axis");
                const auto* axisValue = it == node->params.end() ? nullptr : std::get_if<std::int64_t>(&it->second);
                const std::int64_t axis = axisValue ? *axisValue : -1;
                // An input without one makes every step real, yet the output still carries a
                // mask (all real), and so the loss still takes Keras's masked mean.
                masks.emplace(id, axis == 1 || axis == -2 ? MaskSource::Joined : MaskSource::Any);
                break;
            }
        }
    }
    return masks;
}

std::vector<std::string> stepMaskProblems(const ModelGraph& g, const Validation& v, std::string_view format, bool trains) {
    std::vector<std::string> problems;
    const std::string f(format);
    for (NodeId id : v.order) {
        const Node& n = *g.node(id);
        const LayerSpec* spec = n.isInput() ? nullptr : findLayer(n.kind);
        for (const Edge* e : g.inputEdges(id)) {
            const Node& from = *g.node(e->from.node);
            if (v.of(g, from.id).masked && spec && spec->readsStepMask(n)) {
                problems.push_back(n.name + " skips the padded steps that " + from.name + "'s step mask marks, which the " + f +
                                   " export does not do; export to Keras, or take out the Masking layer (or the "
                                   "mask_zero of the layer that reads the token ids)");
                break;
            }
        }
        if (trains && v.of(g, id).masked && std::find(v.outputs.begin(), v.outputs.end(), id) != v.outputs.end()) {
            problems.push_back("the loss of " + n.name + " counts only the steps its step mask marks as real, which the " +
                               f + " export does not do; export to Keras");
        }
    }
    return problems;
}

}  // namespace loom
