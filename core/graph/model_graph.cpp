#include "graph/model_graph.h"

#include <algorithm>
#include <cassert>

namespace loom {

NodeId ModelGraph::addNode(std::string kind, ParamMap params, Point position, std::string name) {
    Node n;
    n.id = m_nextNode;
    n.kind = std::move(kind);
    n.name = std::move(name);
    n.params = std::move(params);
    n.position = position;
    insertNode(std::move(n));
    return m_nodes.back().id;
}

void ModelGraph::insertNode(Node node) {
    assert(node.id != 0 && !m_index.contains(node.id));
    m_nextNode = std::max(m_nextNode, node.id + 1);
    m_index.emplace(node.id, m_nodes.size());
    m_nodes.push_back(std::move(node));
}

std::vector<Edge> ModelGraph::removeNode(NodeId id) {
    std::vector<Edge> removed;
    if (!m_index.contains(id)) return removed;
    auto touches = [id](const Edge& e) { return e.from.node == id || e.to.node == id; };
    std::copy_if(m_edges.begin(), m_edges.end(), std::back_inserter(removed), touches);
    std::erase_if(m_edges, touches);
    const std::vector<NodeId> calls = callsOf(id);
    std::erase_if(m_nodes, [id](const Node& n) { return n.id == id; });
    reindex();
    for (NodeId call : calls) node(call)->shares = call == calls.front() ? 0 : calls.front();
    reindexEdges();
    // A group keeps its other layers; one left with none is gone.
    for (Group& g : m_groups) std::erase(g.members, id);
    std::erase_if(m_groups, [](const Group& g) { return g.members.empty(); });
    return removed;
}

EdgeId ModelGraph::connect(PortRef from, PortRef to) {
    if (!node(from.node) || !node(to.node) || from.port < 0 || to.port < 0) return 0;
    Edge e{m_nextEdge, from, to};
    insertEdge(e);
    return e.id;
}

void ModelGraph::insertEdge(Edge edge) {
    assert(edge.id != 0 && !this->edge(edge.id));
    m_nextEdge = std::max(m_nextEdge, edge.id + 1);
    m_edges.push_back(edge);
    indexEdge(m_edges.size() - 1);
}

bool ModelGraph::disconnect(EdgeId id) {
    if (std::erase_if(m_edges, [id](const Edge& e) { return e.id == id; }) == 0) return false;
    reindexEdges();
    return true;
}

const Node* ModelGraph::node(NodeId id) const {
    auto it = m_index.find(id);
    return it == m_index.end() ? nullptr : &m_nodes[it->second];
}

Node* ModelGraph::node(NodeId id) {
    auto it = m_index.find(id);
    return it == m_index.end() ? nullptr : &m_nodes[it->second];
}

const Node* ModelGraph::nodeByName(std::string_view name) const {
    for (const Node& n : m_nodes) {
        if (n.name == name) return &n;
    }
    return nullptr;
}

const Edge* ModelGraph::edge(EdgeId id) const {
    auto it = m_edgeIndex.find(id);
    return it == m_edgeIndex.end() ? nullptr : &m_edges[it->second];
}

std::size_t ModelGraph::indexOf(NodeId id) const {
    auto it = m_index.find(id);
    assert(it != m_index.end());
    return it->second;
}

std::vector<const Edge*> ModelGraph::inputEdges(NodeId id) const {
    std::vector<const Edge*> out;
    if (auto it = m_incoming.find(id); it != m_incoming.end()) {
        for (std::size_t i : it->second) out.push_back(&m_edges[i]);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Edge* a, const Edge* b) { return a->to.port < b->to.port; });
    return out;
}

std::vector<const Edge*> ModelGraph::outputEdges(NodeId id) const {
    std::vector<const Edge*> out;
    if (auto it = m_outgoing.find(id); it != m_outgoing.end()) {
        for (std::size_t i : it->second) out.push_back(&m_edges[i]);
    }
    return out;
}

std::string ModelGraph::uniqueName(std::string_view base) const {
    // Collect the numbers already taken as `base_N`, then take the smallest free one.
    std::vector<bool> taken(m_nodes.size() + 2, false);
    for (const Node& n : m_nodes) {
        std::string_view name = n.name;
        if (name.size() <= base.size() + 1 || !name.starts_with(base) || name[base.size()] != '_') {
            continue;
        }
        std::size_t number = 0;
        bool digits = true;
        for (char c : name.substr(base.size() + 1)) {
            if (c < '0' || c > '9' || number > taken.size()) {
                digits = false;
                break;
            }
            number = number * 10 + static_cast<std::size_t>(c - '0');
        }
        if (digits && number < taken.size()) taken[number] = true;
    }
    std::size_t i = 1;
    while (taken[i]) ++i;
    return std::string(base) + "_" + std::to_string(i);
}

bool ModelGraph::setParam(NodeId id, std::string_view key, ParamValue value) {
    Node* n = node(id);
    if (!n) return false;
    const NodeId owner = weightsOwner(id);
    if (owner != id || !callsOf(id).empty()) {
        node(owner)->params.insert_or_assign(std::string(key), value);
        for (NodeId call : callsOf(owner)) node(call)->params.insert_or_assign(std::string(key), value);
        return true;
    }
    n->params.insert_or_assign(std::string(key), std::move(value));
    return true;
}

NodeId ModelGraph::weightsOwner(NodeId id) const {
    const Node* n = node(id);
    return n && n->shares && node(n->shares) ? n->shares : id;
}

std::vector<NodeId> ModelGraph::callsOf(NodeId owner) const {
    std::vector<NodeId> calls;
    for (const Node& n : m_nodes) {
        if (n.shares == owner && n.id != owner) calls.push_back(n.id);
    }
    return calls;
}

namespace {

/// "a Dense", "an LSTM", "an Embedding": a layer kind with its article, as it is said.
std::string withArticle(const std::string& kind) {
    const auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    const bool vowel = !kind.empty() && std::string_view("AEIOUaeiou").find(kind[0]) != std::string_view::npos;
    // An acronym said letter by letter: LSTM is "el-es-tee-em".
    const bool spelledVowel = kind.size() > 1 && upper(kind[1]) && std::string_view("FHLMNRSX").find(kind[0]) != std::string_view::npos;
    return (vowel || spelledVowel ? "an " : "a ") + kind;
}

}  // namespace

std::string ModelGraph::whyCannotLend(NodeId call, NodeId owner, bool sameKind) const {
    const Node* o = node(owner);
    const Node* n = node(call);
    if (!o) return "is not in the model";
    if (o->isInput()) return "is an Input and has none";
    if (owner == call) return "is itself";
    if (o->shares) return "shares another's";
    if (n && !callsOf(call).empty()) return "cannot lend them to " + n->name + ", whose own weights other calls share";
    if (sameKind && n && n->kind != o->kind) return "is " + withArticle(o->kind) + ", not " + withArticle(n->kind);
    return {};
}

bool ModelGraph::share(NodeId call, NodeId owner) {
    Node* n = node(call);
    if (!n) return false;
    if (owner == 0) {
        n->shares = 0;
        return true;
    }
    if (!whyCannotLend(call, owner, false).empty()) return false;
    const Node* o = node(owner);
    n->shares = owner;
    n->kind = o->kind;
    n->params = o->params;
    return true;
}

bool ModelGraph::rename(NodeId id, std::string name) {
    Node* n = node(id);
    if (!n) return false;
    n->name = std::move(name);
    return true;
}

bool ModelGraph::changeKind(NodeId id, std::string kind, ParamMap params) {
    Node* n = node(id);
    if (!n) return false;
    const NodeId owner = weightsOwner(id);
    for (NodeId member : callsOf(owner)) {
        node(member)->kind = kind;
        node(member)->params = params;
    }
    n = node(owner);
    n->kind = std::move(kind);
    n->params = std::move(params);
    return true;
}

std::uint32_t ModelGraph::addGroup(std::string name, std::vector<NodeId> members, bool collapsed,
                                   Point position) {
    std::erase_if(members, [this](NodeId id) { return !node(id); });
    if (members.empty()) return 0;
    for (Group& g : m_groups) {
        std::erase_if(g.members, [&members](NodeId id) {
            return std::find(members.begin(), members.end(), id) != members.end();
        });
    }
    std::erase_if(m_groups, [](const Group& g) { return g.members.empty(); });
    Group g{m_nextGroup, std::move(name), std::move(members), collapsed, position};
    insertGroup(std::move(g));
    return m_groups.back().id;
}

void ModelGraph::insertGroup(Group group) {
    assert(group.id != 0 && !this->group(group.id));
    m_nextGroup = std::max(m_nextGroup, group.id + 1);
    m_groups.push_back(std::move(group));
}

bool ModelGraph::removeGroup(std::uint32_t id) {
    return std::erase_if(m_groups, [id](const Group& g) { return g.id == id; }) > 0;
}

const Group* ModelGraph::group(std::uint32_t id) const {
    for (const Group& g : m_groups) {
        if (g.id == id) return &g;
    }
    return nullptr;
}

Group* ModelGraph::group(std::uint32_t id) {
    for (Group& g : m_groups) {
        if (g.id == id) return &g;
    }
    return nullptr;
}

const Group* ModelGraph::groupOf(NodeId id) const {
    for (const Group& g : m_groups) {
        if (std::find(g.members.begin(), g.members.end(), id) != g.members.end()) return &g;
    }
    return nullptr;
}

bool ModelGraph::operator==(const ModelGraph& other) const {
    return m_nodes == other.m_nodes && m_edges == other.m_edges && m_groups == other.m_groups;
}

void ModelGraph::indexEdge(std::size_t i) {
    const Edge& e = m_edges[i];
    m_edgeIndex.emplace(e.id, i);
    m_incoming[e.to.node].push_back(i);
    m_outgoing[e.from.node].push_back(i);
}

void ModelGraph::reindexEdges() {
    m_edgeIndex.clear();
    m_incoming.clear();
    m_outgoing.clear();
    for (std::size_t i = 0; i < m_edges.size(); ++i) indexEdge(i);
}

void ModelGraph::reindex() {
    m_index.clear();
    for (std::size_t i = 0; i < m_nodes.size(); ++i) m_index.emplace(m_nodes[i].id, i);
}

}  // namespace loom
