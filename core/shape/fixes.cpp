#include "shape/fixes.h"

#include <cmath>
#include <string>

#include "graph/graph_algorithms.h"
#include "graph/layout.h"
#include "layers/layer_registry.h"

namespace loom {

namespace {

Point midpoint(const ModelGraph& graph, const Edge& edge) {
    const Node* a = graph.node(edge.from.node);
    const Node* b = graph.node(edge.to.node);
    if (!a || !b) return {};
    return {(a->position.x + b->position.x) / 2.0, (a->position.y + b->position.y) / 2.0};
}

std::string producerName(const ModelGraph& graph, const Edge& edge) {
    const Node* n = graph.node(edge.from.node);
    return n ? n->name : std::string("?");
}

}  // namespace

GraphEdit spliceInto(const ModelGraph& graph, const Edge& edge, std::string kind, ParamMap params,
                     std::optional<Point> at) {
    GraphEdit e;
    const Node* from = graph.node(edge.from.node);
    const Node* to = graph.node(edge.to.node);
    const double row = LayoutSpacing{}.row;
    if (from && to && to->position.y > from->position.y &&
        to->position.y - from->position.y < 1.5 * row) {
        // No room between neighbouring rows: the new layer takes the consumer's place and the
        // consumer moves down a row with everything below it.
        e.ops.push_back(edit::AddNode{std::move(kind), std::move(params), to->position});
        std::vector<NodeId> below = downstreamOf(graph, to->id);
        below.insert(below.begin(), to->id);
        for (NodeId n : below) {
            const Point p = graph.node(n)->position;
            e.ops.push_back(edit::Move{n, Point{p.x, p.y + row}});
        }
    } else {
        e.ops.push_back(edit::AddNode{std::move(kind), std::move(params),
                                      at ? *at : freePlace(graph, midpoint(graph, edge))});
    }
    e.ops.push_back(edit::RemoveEdge{edge.id});
    e.ops.push_back(edit::Connect{edge.from.node, edge.from.port, NewNode{0}, 0});
    e.ops.push_back(edit::Connect{NewNode{0}, 0, edge.to.node, edge.to.port});
    return e;
}

ParamMap suggestedParams(const ModelGraph& graph, std::string_view kind) {
    const Node* input = nullptr;
    for (const Node& n : graph.nodes()) {
        if (!n.isInput()) continue;
        if (input) return {};
        input = &n;
    }
    if (!input) return {};
    const Dims shape = input->param<Dims>("shape");
    if (shape.size() != 2) return {};
    if (kind == "RepeatVector" && shape[0] != kNone) return {{"n", shape[0]}};
    if (kind == "TimeDistributed" && shape[1] != kNone) return {{"units", shape[1]}};
    return {};
}

std::vector<Fix> extraOutputFixes(const ModelGraph& graph, const Node& layer) {
    std::vector<Fix> fixes;
    const std::vector<const Edge*> in = graph.inputEdges(layer.id);
    if (in.size() == 1) {
        const NodeId producer = in.front()->from.node;
        for (const Edge* e : graph.outputEdges(producer)) {
            // Only the wires that carry what the layer reads (not another of the producer's states).
            if (e->to.node == layer.id || e->from.port != in.front()->from.port) continue;
            GraphEdit edit;
            edit.ops.push_back(edit::RemoveEdge{e->id});
            edit.ops.push_back(edit::Connect{layer.id, 0, e->to.node, e->to.port});
            fixes.push_back({"Put " + layer.name + " between " + graph.node(producer)->name + " and " + graph.node(e->to.node)->name,
                             std::move(edit)});
        }
    }
    GraphEdit remove;
    remove.ops.push_back(edit::RemoveNode{layer.id});
    fixes.push_back({"Delete " + layer.name, std::move(remove)});
    return fixes;
}

Fix projectionFix(const ModelGraph& graph, const Edge& edge, std::int64_t width, bool sequence) {
    ParamMap params{{"units", width}, {"activation", std::string("linear")}};
    std::string layer = sequence ? "TimeDistributed(Dense(" + std::to_string(width) + "))"
                                 : "Dense(" + std::to_string(width) + ")";
    return {"Insert a " + layer + " projection after " + producerName(graph, edge),
            spliceInto(graph, edge, sequence ? "TimeDistributed" : "Dense", std::move(params))};
}

Fix repeatVectorFix(const ModelGraph& graph, const Edge& edge, std::int64_t steps) {
    return {"Insert RepeatVector(" + std::to_string(steps) + ") after " +
                producerName(graph, edge),
            spliceInto(graph, edge, "RepeatVector", ParamMap{{"n", steps}})};
}

Fix embeddingFix(const ModelGraph& graph, const Edge& edge) {
    return {"Insert an Embedding after " + producerName(graph, edge), spliceInto(graph, edge, "Embedding", ParamMap{})};
}

Fix stepsFix(const ModelGraph& graph, const Edge& edge, std::int64_t steps, std::optional<std::int64_t> keepLast) {
    const std::string n = std::to_string(steps > 0 ? steps : -steps);
    const std::string plural = (steps == 1 || steps == -1) ? " step" : " steps";
    if (steps > 0 && keepLast) {
        return {"Keep the last " + std::to_string(*keepLast) + " steps of " + producerName(graph, edge) + "'s output (Cropping1D)",
                spliceInto(graph, edge, "Cropping1D", ParamMap{{"crop_before", steps}, {"crop_after", std::int64_t{0}}})};
    }
    if (steps > 0) {
        return {"Crop " + n + plural + " from the end of " + producerName(graph, edge) + "'s output (Cropping1D)",
                spliceInto(graph, edge, "Cropping1D", ParamMap{{"crop_before", std::int64_t{0}}, {"crop_after", steps}})};
    }
    return {"Pad " + producerName(graph, edge) + "'s output with " + n + plural + " of zeros at the end (ZeroPadding1D)",
            spliceInto(graph, edge, "ZeroPadding1D", ParamMap{{"pad_before", std::int64_t{0}}, {"pad_after", -steps}})};
}

Fix returnSequencesFix(const Node& rnn, bool value) {
    return setParamFix(rnn, "return_sequences", value,
                       std::string("Set return_sequences=") + (value ? "True" : "False") +
                           " on " + rnn.name);
}

Fix changeKindFix(const ModelGraph& graph, const Node& node, std::string_view kind) {
    GraphEdit e;
    e.ops.push_back(edit::ChangeKind{node.id, std::string(kind)});
    const LayerSpec* oldSpec = findLayer(node.kind);
    const LayerSpec* newSpec = findLayer(kind);
    if (oldSpec && newSpec && node.name.starts_with(std::string(oldSpec->nameBase()) + "_")) {
        e.ops.push_back(edit::Rename{node.id, graph.uniqueName(newSpec->nameBase())});
    }
    return {"Change " + node.name + " to " + std::string(kind), std::move(e)};
}

Fix setParamFix(const Node& node, std::string_view key, ParamValue value, std::string title) {
    GraphEdit e;
    e.ops.push_back(edit::SetParam{node.id, std::string(key), std::move(value)});
    return {std::move(title), std::move(e)};
}

const Node* recurrentSource(const ModelGraph& graph, NodeId start) {
    const Node* n = graph.node(start);
    for (std::size_t guard = 0; n && guard < graph.nodes().size(); ++guard) {
        const LayerSpec* spec = findLayer(n->kind);
        if (!spec) return nullptr;
        if (spec->hasReturnSequences()) return n;
        if (!spec->keepsRank()) return nullptr;
        auto inputs = graph.inputEdges(n->id);
        if (inputs.size() != 1 || inputs.front()->from.port != 0) return nullptr;
        n = graph.node(inputs.front()->from.node);
    }
    return nullptr;
}

}  // namespace loom
