#pragma once

#include <set>
#include <string>
#include <vector>

#include "graph/model_graph.h"

namespace loom {

/// The Python names of a model's tensors in the code LayerLoom writes (Keras and PyTorch): a
/// layer's output is its name as an identifier; a state it returns is the layer's name and the
/// state's (encoder_h), unless a layer has that name: then encoder_state_h.
class PythonTensors {
public:
    explicit PythonTensors(const ModelGraph& graph);

    /// The tensor a wire carries: its layer's output, or one of its states.
    std::string of(const PortRef& from) const;
    /// The layer's output, then each state it returns: the targets of its call.
    std::vector<std::string> results(const Node& node) const;
    /// Those targets as the left side of the call's assignment: "encoder, encoder_h, encoder_c".
    std::string targets(const Node& node) const;
    /// The object of a layer called at several places, made once: encoder_layer (or
    /// encoder_shared_layer where a layer is called encoder_layer).
    std::string layerObject(const Node& owner) const;

private:
    std::string state(const Node& node, const std::string& name) const;
    /// The layer's name and `suffix`, or with `fallback` where a layer already has that name.
    std::string unclashed(const Node& node, const std::string& suffix, const std::string& fallback) const;

    const ModelGraph& m_graph;
    std::set<std::string> m_layerNames;
};

}  // namespace loom
