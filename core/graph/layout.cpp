#include "graph/layout.h"

#include <algorithm>
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

}  // namespace loom
