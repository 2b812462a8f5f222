#include "graph/fragment.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace loom {

namespace {

/// `lstm_12` -> `lstm`; names without a numeric suffix are their own stem.
std::string_view stem(std::string_view name) {
    const auto underscore = name.rfind('_');
    if (underscore == std::string_view::npos || underscore + 1 == name.size()) return name;
    const std::string_view suffix = name.substr(underscore + 1);
    const bool digits = std::all_of(suffix.begin(), suffix.end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
    return digits && underscore > 0 ? name.substr(0, underscore) : name;
}

}  // namespace

ModelGraph extractFragment(const ModelGraph& graph, const std::vector<NodeId>& ids) {
    const std::unordered_set<NodeId> chosen(ids.begin(), ids.end());
    ModelGraph fragment;
    for (const Node& n : graph.nodes()) {
        if (!chosen.contains(n.id)) continue;
        Node copy = n;
        // A call of a shared layer stays a call when the layer comes along; else it is a copy
        // of the layer with weights of its own.
        if (!chosen.contains(copy.shares)) copy.shares = 0;
        fragment.insertNode(std::move(copy));
    }
    for (const Edge& e : graph.edges()) {
        if (chosen.contains(e.from.node) && chosen.contains(e.to.node)) fragment.insertEdge(e);
    }
    // Groups come along when all their layers do.
    for (const Group& g : graph.groups()) {
        if (std::all_of(g.members.begin(), g.members.end(),
                        [&chosen](NodeId id) { return chosen.contains(id); })) {
            fragment.insertGroup(g);
        }
    }
    return fragment;
}

std::vector<NodeId> pasteFragment(ModelGraph& graph, const ModelGraph& fragment, Point offset) {
    std::unordered_map<NodeId, NodeId> fresh;
    std::vector<NodeId> added;
    for (const Node& n : fragment.nodes()) {
        Node copy = n;
        copy.id = graph.nextNodeId();
        if (graph.nodeByName(copy.name)) copy.name = graph.uniqueName(stem(copy.name));
        copy.position = {n.position.x + offset.x, n.position.y + offset.y};
        fresh.emplace(n.id, copy.id);
        added.push_back(copy.id);
        graph.insertNode(std::move(copy));
    }
    // Calls of a shared layer pasted with it share the pasted layer's weights.
    for (const Node& n : fragment.nodes()) {
        if (!n.shares) continue;
        const auto owner = fresh.find(n.shares);
        graph.node(fresh.at(n.id))->shares = owner == fresh.end() ? 0 : owner->second;
    }
    for (const Edge& e : fragment.edges()) {
        auto from = fresh.find(e.from.node);
        auto to = fresh.find(e.to.node);
        if (from == fresh.end() || to == fresh.end()) continue;
        graph.connect({from->second, e.from.port}, {to->second, e.to.port});
    }
    for (const Group& g : fragment.groups()) {
        std::vector<NodeId> members;
        for (NodeId id : g.members) {
            if (auto it = fresh.find(id); it != fresh.end()) members.push_back(it->second);
        }
        graph.addGroup(g.name, std::move(members), g.collapsed,
                       {g.position.x + offset.x, g.position.y + offset.y});
    }
    return added;
}

}  // namespace loom
