#include "report/diagram.h"

#include <sstream>
#include <unordered_map>

#include "graph/layout.h"
#include "layers/layer_registry.h"

namespace loom {

namespace {

/// What leaves a layer: its output's shape, or the list of its output and states, as Keras
/// shows a layer of several outputs.
std::string shapeText(const ModelGraph& graph, const Validation& v, NodeId id) {
    const NodeReport& r = v.of(graph, id);
    if (!r.output) return "?";
    if (r.moreOutputs.empty()) return r.output->str();
    std::string list(1, '[');
    list.append(r.output->str());
    for (const TensorShape& s : r.moreOutputs) list.append(", ").append(s.str());
    list.push_back(']');
    return list;
}

/// What one wire carries.
std::string shapeText(const ModelGraph& graph, const Validation& v, PortRef from) {
    const TensorShape* s = v.shapeAt(graph, from);
    return s ? s->str() : std::string("?");
}

/// Escapes text for DOT's HTML-like labels.
std::string html(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

}  // namespace

std::vector<DiagramBox> diagramBoxes(const ModelGraph& graph, const Validation& validation) {
    const std::map<NodeId, Point> layout = layeredLayout(graph);
    std::vector<DiagramBox> boxes;
    boxes.reserve(graph.nodes().size());
    for (NodeId id : validation.order) {
        const Node* n = graph.node(id);
        if (!n) continue;
        DiagramBox box;
        box.id = id;
        box.name = n->name;
        // As Keras's plot_model names a wrapper: with the layer it wraps.
        const LayerSpec* spec = findLayer(n->kind);
        const std::string inner = spec ? spec->wrapped(*n) : "";
        box.kind = inner.empty() ? n->kind : n->kind + "(" + inner + ")";
        const NodeReport& report = validation.of(graph, id);
        box.output = shapeText(graph, validation, id);
        const auto inputs = graph.inputEdges(id);
        if (n->isInput()) {
            // Keras shows an Input's shape on both sides, as a list.
            box.input.reserve(box.output.size() + 2);
            box.input.append("[").append(box.output).append("]");
            box.output = box.input;
        } else if (inputs.size() == 1) {
            box.input = shapeText(graph, validation, inputs.front()->from);
        } else if (inputs.empty()) {
            box.input.assign(1, '?');
        } else {
            std::string list(1, '[');
            for (std::size_t i = 0; i < inputs.size(); ++i) {
                if (i) list.append(", ");
                list.append(shapeText(graph, validation, inputs[i]->from));
            }
            list.push_back(']');
            box.input = std::move(list);
        }
        box.error = report.hasError;
        auto at = layout.find(id);
        if (at != layout.end()) box.at = at->second;
        boxes.push_back(std::move(box));
    }
    return boxes;
}

std::string diagramDot(const ModelGraph& graph, const Validation& validation,
                       const std::string& title) {
    std::ostringstream dot;
    dot << "digraph G {\n"
        << "  graph [rankdir=TB, label=" << quoted(title) << ", labelloc=t, fontname=\"DejaVu Sans\"];\n"
        << "  node [shape=plaintext, fontname=\"DejaVu Sans\", fontsize=10];\n"
        << "  edge [arrowsize=0.7];\n";
    std::unordered_map<NodeId, std::size_t> index;
    const std::vector<DiagramBox> boxes = diagramBoxes(graph, validation);
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        const DiagramBox& b = boxes[i];
        index.emplace(b.id, i);
        const char* border = b.error ? "#d03030" : "#000000";
        dot << "  n" << b.id << " [label=<<table border=\"1\" cellborder=\"1\" cellspacing=\"0\" "
            << "cellpadding=\"4\" color=\"" << border << "\">"
            << "<tr><td rowspan=\"2\"><b>" << html(b.name) << "</b> : " << html(b.kind) << "</td>"
            << "<td>input:</td><td>" << html(b.input) << "</td></tr>"
            << "<tr><td>output:</td><td>" << html(b.output) << "</td></tr></table>>];\n";
    }
    for (const Edge& e : graph.edges()) {
        if (!index.contains(e.from.node) || !index.contains(e.to.node)) continue;
        dot << "  n" << e.from.node << " -> n" << e.to.node << ";\n";
    }
    dot << "}\n";
    return dot.str();
}

}  // namespace loom
