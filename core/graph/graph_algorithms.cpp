#include "graph/graph_algorithms.h"

#include <algorithm>
#include <deque>
#include <numeric>
#include <queue>
#include <unordered_set>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/strong_components.hpp>

namespace loom {

namespace {

using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

/// One cycle through `start` inside its strongly connected component: a shortest path from
/// `start` back to itself.
std::vector<std::size_t> cycleThrough(const BoostGraph& g, std::size_t start,
                                      const std::vector<int>& component) {
    const int comp = component[start];
    std::vector<std::size_t> parent(boost::num_vertices(g), SIZE_MAX);
    std::deque<std::size_t> queue{start};
    while (!queue.empty()) {
        const std::size_t v = queue.front();
        queue.pop_front();
        for (auto [it, end] = boost::adjacent_vertices(v, g); it != end; ++it) {
            const std::size_t w = *it;
            if (component[w] != comp) continue;
            if (w == start) {
                std::vector<std::size_t> path{v};
                while (path.back() != start) path.push_back(parent[path.back()]);
                std::reverse(path.begin(), path.end());
                return path;
            }
            if (parent[w] == SIZE_MAX) {
                parent[w] = v;
                queue.push_back(w);
            }
        }
    }
    return {start};
}

}  // namespace

GraphAnalysis analyzeGraph(const ModelGraph& graph) {
    const auto& nodes = graph.nodes();
    const std::size_t n = nodes.size();
    BoostGraph g(n);
    std::vector<bool> selfLoop(n, false);
    for (const Edge& e : graph.edges()) {
        const Node* a = graph.node(e.from.node);
        const Node* b = graph.node(e.to.node);
        if (!a || !b) continue;
        const std::size_t ia = graph.indexOf(a->id), ib = graph.indexOf(b->id);
        boost::add_edge(ia, ib, g);
        if (ia == ib) selfLoop[ia] = true;
    }

    GraphAnalysis result;
    std::vector<int> component(n, 0);
    const int count = n ? boost::strong_components(g, component.data()) : 0;

    // Tarjan numbers components in reverse topological order of the condensation.
    std::vector<std::size_t> byOrder(n);
    std::iota(byOrder.begin(), byOrder.end(), 0);
    std::stable_sort(byOrder.begin(), byOrder.end(), [&](std::size_t a, std::size_t b) {
        return component[a] > component[b];
    });
    result.order.reserve(n);
    for (std::size_t i : byOrder) result.order.push_back(nodes[i].id);

    std::vector<int> size(static_cast<std::size_t>(count), 0);
    for (int c : component) ++size[static_cast<std::size_t>(c)];
    result.inCycle.assign(n, false);
    std::vector<bool> reported(static_cast<std::size_t>(count), false);
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<std::size_t>(component[i]);
        if (size[c] < 2 && !selfLoop[i]) continue;
        result.inCycle[i] = true;
        if (reported[c]) continue;
        reported[c] = true;
        std::vector<NodeId> cycle;
        for (std::size_t v : cycleThrough(g, i, component)) cycle.push_back(nodes[v].id);
        result.cycles.push_back(std::move(cycle));
    }

    std::vector<boost::default_color_type> color(n, boost::white_color);
    auto colorMap = boost::make_iterator_property_map(color.begin(),
                                                      boost::get(boost::vertex_index, g));
    boost::queue<std::size_t> buffer;
    for (std::size_t i = 0; i < n; ++i) {
        if (nodes[i].isInput() && color[i] == boost::white_color) {
            boost::breadth_first_visit(g, i, buffer, boost::default_bfs_visitor(), colorMap);
        }
    }
    result.reachable.resize(n);
    for (std::size_t i = 0; i < n; ++i) result.reachable[i] = color[i] != boost::white_color;
    return result;
}

std::vector<NodeId> downstreamOf(const ModelGraph& graph, NodeId start) {
    std::vector<NodeId> out;
    std::unordered_set<NodeId> seen{start};
    std::deque<NodeId> queue{start};
    while (!queue.empty()) {
        const NodeId n = queue.front();
        queue.pop_front();
        for (const Edge* e : graph.outputEdges(n)) {
            if (seen.insert(e->to.node).second) {
                queue.push_back(e->to.node);
                out.push_back(e->to.node);
            }
        }
    }
    return out;
}

bool feeds(const ModelGraph& graph, NodeId a, NodeId b) {
    const std::vector<NodeId> below = downstreamOf(graph, a);
    return std::find(below.begin(), below.end(), b) != below.end();
}

std::vector<NodeId> stableOrder(const ModelGraph& graph) {
    const auto& nodes = graph.nodes();
    std::vector<std::size_t> waiting(nodes.size(), 0);  // producers not yet placed, by node
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        std::unordered_set<NodeId> from;
        for (const Edge* e : graph.inputEdges(nodes[i].id)) from.insert(e->from.node);
        waiting[i] = from.size();
    }
    std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (waiting[i] == 0) ready.push(i);
    }
    std::vector<NodeId> order;
    while (!ready.empty()) {
        const std::size_t i = ready.top();
        ready.pop();
        order.push_back(nodes[i].id);
        std::unordered_set<NodeId> fed;
        for (const Edge* e : graph.outputEdges(nodes[i].id)) {
            if (!fed.insert(e->to.node).second) continue;
            const std::size_t j = graph.indexOf(e->to.node);
            if (--waiting[j] == 0) ready.push(j);
        }
    }
    return order;
}

}  // namespace loom
