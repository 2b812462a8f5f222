#include "interop/python_tensors.h"

#include "io/python_text.h"
#include "layers/layer_registry.h"

namespace loom {

PythonTensors::PythonTensors(const ModelGraph& graph) : m_graph(graph) {
    for (const Node& n : graph.nodes()) m_layerNames.insert(python::identifier(n.name));
}

std::string PythonTensors::unclashed(const Node& node, const std::string& suffix, const std::string& fallback) const {
    const std::string plain = python::identifier(node.name) + suffix;
    return m_layerNames.contains(plain) ? python::identifier(node.name) + fallback : plain;
}

std::string PythonTensors::state(const Node& node, const std::string& name) const {
    return unclashed(node, "_" + name, "_state_" + name);
}

std::string PythonTensors::layerObject(const Node& owner) const { return unclashed(owner, "_layer", "_shared_layer"); }

std::string PythonTensors::targets(const Node& node) const {
    std::string text;
    for (const std::string& name : results(node)) text.append(text.empty() ? "" : ", ").append(name);
    return text;
}

std::string PythonTensors::of(const PortRef& from) const {
    const Node& n = *m_graph.node(from.node);
    if (from.port == 0 || n.isInput()) return python::identifier(n.name);
    return state(n, findLayer(n.kind)->moreOutputNames(n).at(static_cast<std::size_t>(from.port - 1)));
}

std::vector<std::string> PythonTensors::results(const Node& node) const {
    std::vector<std::string> names{python::identifier(node.name)};
    if (node.isInput()) return names;
    for (const std::string& s : findLayer(node.kind)->moreOutputNames(node)) names.push_back(state(node, s));
    return names;
}

}  // namespace loom
