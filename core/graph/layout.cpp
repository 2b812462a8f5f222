#include "graph/layout.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "graph/graph_algorithms.h"

namespace loom {

std::map<NodeId, Point> layeredLayout(const ModelGraph& graph, LayoutSpacing spacing) {
    const GraphAnalysis analysis = analyzeGraph(graph);
    std::unordered_map<NodeId, std::size_t> position;  // in topological order
    for (std::size_t i = 0; i < analysis.order.size(); ++i) position[analysis.order[i]] = i;

    // Layering by longest path, over the wires that point forward in topological order.
    std::unordered_map<NodeId, int> layer;
    std::unordered_map<NodeId, std::vector<NodeId>> preds, succs;
    for (const Edge& e : graph.edges()) {
        if (!graph.node(e.from.node) || !graph.node(e.to.node)) continue;
        if (position[e.from.node] >= position[e.to.node]) continue;  // closes a cycle
        preds[e.to.node].push_back(e.from.node);
        succs[e.from.node].push_back(e.to.node);
    }
    int depth = 0;
    for (NodeId id : analysis.order) {
        int l = 0;
        for (NodeId p : preds[id]) l = std::max(l, layer[p] + 1);
        layer[id] = l;
        depth = std::max(depth, l);
    }
    std::vector<std::vector<NodeId>> rows(static_cast<std::size_t>(depth) + 1);
    for (NodeId id : analysis.order) rows[static_cast<std::size_t>(layer[id])].push_back(id);

    // Barycentre sweeps: order each row by the mean index of its neighbours in the row above
    // (down) or below (up).
    std::unordered_map<NodeId, double> index;
    auto reindex = [&](const std::vector<NodeId>& row) {
        for (std::size_t i = 0; i < row.size(); ++i) index[row[i]] = static_cast<double>(i);
    };
    for (const auto& row : rows) reindex(row);
    auto sweep = [&](std::vector<NodeId>& row, const std::unordered_map<NodeId, std::vector<NodeId>>& links) {
        std::unordered_map<NodeId, double> key;
        for (NodeId id : row) {
            auto it = links.find(id);
            if (it == links.end() || it->second.empty()) {
                key[id] = index[id];
                continue;
            }
            double sum = 0;
            for (NodeId n : it->second) sum += index[n];
            key[id] = sum / static_cast<double>(it->second.size());
        }
        std::stable_sort(row.begin(), row.end(), [&](NodeId a, NodeId b) { return key[a] < key[b]; });
        reindex(row);
    };
    for (int pass = 0; pass < 4; ++pass) {
        for (std::size_t r = 1; r < rows.size(); ++r) sweep(rows[r], preds);
        for (std::size_t r = rows.size(); r-- > 1;) sweep(rows[r - 1], succs);
    }

    std::map<NodeId, Point> out;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const double width = static_cast<double>(rows[r].size() - 1) * spacing.column;
        for (std::size_t i = 0; i < rows[r].size(); ++i) {
            out[rows[r][i]] = {static_cast<double>(i) * spacing.column - width / 2.0,
                               static_cast<double>(r) * spacing.row};
        }
    }
    return out;
}

void layOut(ModelGraph& graph, LayoutSpacing spacing) {
    // The graph as drawn: a stand-in node for each collapsed group, wires to its layers
    // redirected to it, wires inside it left out.
    ModelGraph drawn;
    std::unordered_map<NodeId, NodeId> standIn;           // hidden layer -> its group's stand-in
    std::unordered_map<NodeId, std::uint32_t> groupOfStandIn;
    NodeId next = graph.nextNodeId();
    for (const Group& g : graph.groups()) {
        if (!g.collapsed) continue;
        const NodeId id = next++;
        Node n;
        n.id = id;
        n.kind = "Group";
        n.name = "group " + std::to_string(g.id);
        n.position = g.position;
        drawn.insertNode(std::move(n));
        groupOfStandIn.emplace(id, g.id);
        for (NodeId m : g.members) standIn.emplace(m, id);
    }
    for (const Node& n : graph.nodes()) {
        if (!standIn.contains(n.id)) drawn.insertNode(n);
    }
    const auto shown = [&standIn](NodeId id) {
        auto it = standIn.find(id);
        return it == standIn.end() ? id : it->second;
    };
    for (const Edge& e : graph.edges()) {
        const NodeId from = shown(e.from.node), to = shown(e.to.node);
        if (from != to) drawn.connect({from, 0}, {to, e.to.port});
    }
    for (const auto& [id, at] : layeredLayout(drawn, spacing)) {
        if (auto g = groupOfStandIn.find(id); g != groupOfStandIn.end()) {
            Group* group = graph.group(g->second);
            const double dx = at.x - group->position.x, dy = at.y - group->position.y;
            for (NodeId m : group->members) {
                Node* n = graph.node(m);
                n->position = {n->position.x + dx, n->position.y + dy};
            }
            group->position = at;
        } else if (Node* n = graph.node(id)) {
            n->position = at;
        }
    }
}

Point freePlace(const ModelGraph& graph, Point at, LayoutSpacing spacing) {
    for (int tries = 0; tries < 8; ++tries) {
        const bool taken = std::any_of(graph.nodes().begin(), graph.nodes().end(), [&](const Node& n) {
            return std::abs(n.position.x - at.x) < 0.75 * spacing.column && std::abs(n.position.y - at.y) < 0.75 * spacing.row;
        });
        if (!taken) return at;
        at.x += spacing.column;
    }
    return at;
}

}  // namespace loom
