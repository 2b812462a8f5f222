#include "graph/project_file.h"

#include <bit>
#include <cerrno>
#include <cstring>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "graph/base64.h"
#include "io/atomic_file.h"
#include "io/message_text.h"
#include "io/json_input.h"
#include "layers/layer_registry.h"
#include "version.h"

namespace loom {

using nlohmann::json;

ProjectError::ProjectError(std::string message, std::string pointer, int line, int column,
                           std::string nodeName)
    : std::runtime_error(std::move(message)),
      m_pointer(std::move(pointer)),
      m_line(line),
      m_column(column),
      m_nodeName(std::move(nodeName)) {}

namespace {

std::string typeName(const json& j) {
    if (j.is_number_integer()) return "a whole number";
    if (j.is_number()) return "a number";
    if (j.is_string()) return "text " + j.dump();
    if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
    if (j.is_null()) return "null";
    if (j.is_array()) return "a list";
    return "an object";
}

/// Reads the document with the JSON pointer of every value at hand, so that each complaint can
/// say where it is.
class Reader {
public:
    explicit Reader(std::string_view source) : m_source(source) {}

    [[noreturn]] void fail(const std::string& pointer, const std::string& what) const {
        std::string where = m_node.empty() ? pointer : "layer '" + m_node + "' at " + pointer;
        throw ProjectError(std::string(m_source) + ": " + where + ": " + what, pointer, 0, 0,
                           m_node);
    }

    const json& member(const json& obj, const std::string& ptr, const char* key) const {
        if (!obj.is_object()) fail(ptr, "expected an object, found " + typeName(obj));
        auto it = obj.find(key);
        if (it == obj.end()) fail(ptr, std::string("missing \"") + key + "\"");
        return *it;
    }

    std::int64_t integer(const json& j, const std::string& ptr) const {
        if (j.is_number_unsigned() &&
            j.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            fail(ptr, "the number is too large");
        }
        if (j.is_number_integer()) return j.get<std::int64_t>();
        if (j.is_number_float()) {
            // Whole numbers written as 32.0; only those a 64-bit integer holds (2^63 is not).
            const double d = j.get<double>();
            if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == std::trunc(d)) {
                return static_cast<std::int64_t>(d);
            }
        }
        fail(ptr, "expected a whole number, found " + typeName(j));
    }

    double number(const json& j, const std::string& ptr) const {
        if (!j.is_number()) fail(ptr, "expected a number, found " + typeName(j));
        return j.get<double>();
    }

    std::string text(const json& j, const std::string& ptr) const {
        if (!j.is_string()) fail(ptr, "expected text, found " + typeName(j));
        return j.get<std::string>();
    }

    ParamValue param(const ParamSpec& spec, const json& j, const std::string& ptr) const {
        switch (spec.type) {
            case ParamType::Bool:
                if (!j.is_boolean()) fail(ptr, "expected true or false, found " + typeName(j));
                return j.get<bool>();
            case ParamType::Int: return integer(j, ptr);
            case ParamType::Float: return number(j, ptr);
            case ParamType::Choice: return text(j, ptr);
            case ParamType::Regularization: return regularizer(j, ptr);
            case ParamType::Initialization: return initializer(j, ptr);
            case ParamType::Shape: {
                if (!j.is_array()) fail(ptr, "expected a shape such as [32, 1], found " +
                                                 typeName(j));
                Dims dims;
                for (std::size_t i = 0; i < j.size(); ++i) {
                    dims.push_back(j[i].is_null() ? kNone
                                                  : integer(j[i], ptr + "/" + std::to_string(i)));
                }
                return dims;
            }
        }
        fail(ptr, "unsupported parameter type");
    }

    Regularizer regularizer(const json& j, const std::string& ptr) const {
        if (j.is_null()) return {};
        const std::string type = text(member(j, ptr, "type"), ptr + "/type");
        Regularizer r;
        if (type == "l1") r.kind = Regularizer::Kind::L1;
        else if (type == "l2") r.kind = Regularizer::Kind::L2;
        else if (type == "l1_l2") r.kind = Regularizer::Kind::L1L2;
        else if (type == "none") return {};
        else fail(ptr + "/type", "expected l1, l2 or l1_l2, found \"" + type + "\"");
        if (j.contains("l1")) r.l1 = number(j["l1"], ptr + "/l1");
        if (j.contains("l2")) r.l2 = number(j["l2"], ptr + "/l2");
        return r;
    }

    /// "glorot_uniform", or {"type": "random_normal", "mean": 0, "stddev": 0.05}; numbers left
    /// out take Keras's defaults.
    Initializer initializer(const json& j, const std::string& ptr) const {
        const bool object = j.is_object();
        const std::string type = object ? text(member(j, ptr, "type"), ptr + "/type") : text(j, ptr);
        Initializer::Kind kind{};
        if (!parseInitializer(type, kind)) {
            fail(object ? ptr + "/type" : ptr, "expected an initialiser such as glorot_uniform or random_normal, found \"" +
                                                   printableExcerpt(type, 40) + "\"");
        }
        Initializer init(kind);
        if (object) {
            const auto [first, second] = initializerArguments(kind);
            if (*first && j.contains(first)) init.a = number(j[first], ptr + "/" + first);
            if (*second && j.contains(second)) init.b = number(j[second], ptr + "/" + second);
        }
        return init;
    }

    Node node(const json& j, const std::string& ptr) {
        m_node.clear();
        Node n;
        n.id = static_cast<NodeId>(positiveId(member(j, ptr, "id"), ptr + "/id"));
        n.name = text(member(j, ptr, "name"), ptr + "/name");
        if (n.name.empty()) fail(ptr + "/name", "a layer name cannot be empty");
        m_node = n.name;
        n.kind = text(member(j, ptr, "kind"), ptr + "/kind");
        const LayerSpec* spec = findLayer(n.kind);
        if (!spec) fail(ptr + "/kind", "unknown layer kind \"" + n.kind + "\"");
        if (j.contains("position")) n.position = point(j["position"], ptr + "/position");
        if (j.contains("shares")) n.shares = static_cast<NodeId>(positiveId(j["shares"], ptr + "/shares"));
        n.params = spec->defaults();
        if (j.contains("params")) {
            const json& params = j["params"];
            if (!params.is_object()) fail(ptr + "/params", "expected an object");
            for (auto it = params.begin(); it != params.end(); ++it) {
                const std::string p = ptr + "/params/" + it.key();
                const ParamSpec* ps = spec->param(it.key());
                if (!ps) fail(p, n.kind + " has no parameter \"" + it.key() + "\"");
                n.params[it.key()] = param(*ps, it.value(), p);
            }
        }
        m_node.clear();
        return n;
    }

    std::int64_t positiveId(const json& j, const std::string& ptr) const {
        const std::int64_t id = integer(j, ptr);
        if (id < 1 || id > 0xFFFFFFF) fail(ptr, "an id must be a positive number");
        return id;
    }

    Point point(const json& pos, const std::string& ptr) const {
        if (!pos.is_array() || pos.size() != 2) fail(ptr, "expected [x, y], found " + typeName(pos));
        return {number(pos[0], ptr + "/0"), number(pos[1], ptr + "/1")};
    }

    PortRef port(const json& j, const std::string& ptr) const {
        PortRef p;
        p.node = static_cast<NodeId>(positiveId(member(j, ptr, "node"), ptr + "/node"));
        const std::int64_t index = integer(member(j, ptr, "port"), ptr + "/port");
        if (index < 0 || index > 4096) fail(ptr + "/port", "a port number must be 0 to 4096");
        p.port = static_cast<int>(index);
        return p;
    }

private:
    std::string_view m_source;
    std::string m_node;
};

json paramJson(const ParamValue& value) {
    struct Visitor {
        json operator()(bool b) const { return b; }
        json operator()(std::int64_t i) const { return i; }
        json operator()(double d) const { return d; }
        json operator()(const std::string& s) const { return s; }
        json operator()(const Regularizer& r) const {
            if (r.kind == Regularizer::Kind::None) return nullptr;
            return json{{"type", regularizerName(r.kind)}, {"l1", r.l1}, {"l2", r.l2}};
        }
        json operator()(const Initializer& init) const {
            const auto [first, second] = initializerArguments(init.kind);
            if (*first == '\0') return initializerName(init.kind);
            json j = {{"type", initializerName(init.kind)}, {first, init.a}};
            if (*second) j[second] = init.b;
            return j;
        }
        json operator()(const Dims& dims) const {
            json arr = json::array();
            for (std::int64_t d : dims) arr.push_back(d == kNone ? json(nullptr) : json(d));
            return arr;
        }
    };
    return std::visit(Visitor{}, value);
}



constexpr std::string_view kWeightsEncoding = "float32-le-base64";

std::string floatBytes(const std::vector<float>& values) {
    static_assert(std::endian::native == std::endian::little, "weights are stored little-endian");
    return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
}

json weightsJson(const std::vector<NamedTensor>& weights, const std::string& from) {
    json tensors = json::array();
    for (const NamedTensor& t : weights) {
        tensors.push_back({{"name", t.name}, {"shape", t.shape}, {"data", toBase64(floatBytes(t.values))}});
    }
    json w = {{"encoding", kWeightsEncoding}, {"tensors", tensors}};
    if (!from.empty()) w["from"] = from;
    return w;
}

std::vector<NamedTensor> readWeights(const Reader& r, const json& w) {
    const std::string ptr = "/weights";
    const json& encoding = r.member(w, ptr, "encoding");
    if (encoding != kWeightsEncoding) {
        r.fail(ptr + "/encoding", "unknown weights encoding " + encoding.dump() + " (expected \"" +
                                      std::string(kWeightsEncoding) + "\")");
    }
    const json& tensors = r.member(w, ptr, "tensors");
    if (!tensors.is_array()) r.fail(ptr + "/tensors", "expected a list of tensors");
    std::vector<NamedTensor> out;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const std::string tp = ptr + "/tensors/" + std::to_string(i);
        NamedTensor t;
        t.name = r.text(r.member(tensors[i], tp, "name"), tp + "/name");
        const json& shape = r.member(tensors[i], tp, "shape");
        if (!shape.is_array()) r.fail(tp + "/shape", "expected a list of sizes");
        for (std::size_t k = 0; k < shape.size(); ++k) {
            const std::int64_t d = r.integer(shape[k], tp + "/shape/" + std::to_string(k));
            if (d < 1) r.fail(tp + "/shape/" + std::to_string(k), "a size must be positive");
            t.shape.push_back(d);
        }
        if (!valueCount(t.shape)) {
            r.fail(tp + "/shape", "the shape " + tensorShapeText(t.shape) + " holds more values than any weight");
        }
        const std::optional<std::string> bytes = fromBase64(r.text(r.member(tensors[i], tp, "data"), tp + "/data"));
        if (!bytes) r.fail(tp + "/data", "the weights of " + t.name + " are not valid base64");
        if (bytes->size() != static_cast<std::size_t>(t.size()) * sizeof(float)) {
            r.fail(tp + "/data", "the weights of " + t.name + " hold " +
                                     std::to_string(bytes->size() / sizeof(float)) + " values; their shape needs " +
                                     std::to_string(t.size()));
        }
        t.values.resize(static_cast<std::size_t>(t.size()));
        std::memcpy(t.values.data(), bytes->data(), bytes->size());
        out.push_back(std::move(t));
    }
    return out;
}

}  // namespace

Project parseProject(std::string_view text, std::string_view source) {
    json doc;
    try {
        doc = parseJsonInput(text);
    } catch (const JsonInputError& e) {
        throw ProjectError(std::string(source) + ":" + std::to_string(e.line()) + ":" +
                               std::to_string(e.column()) + ": " + e.problem(),
                           "", e.line(), e.column());
    }

    Reader r(source);
    if (!doc.is_object()) r.fail("", "expected a LayerLoom project object, found " + typeName(doc));
    if (!doc.contains("format") || doc["format"] != kProjectFormat) {
        r.fail("/format", "this is not a LayerLoom project (expected \"format\": \"" +
                              std::string(kProjectFormat) + "\")");
    }
    const std::int64_t version = r.integer(r.member(doc, "", "version"), "/version");
    if (version > kProjectVersion) {
        r.fail("/version", "this file was written by a newer LayerLoom (project format version " +
                               std::to_string(version) + "); this version reads up to version " +
                               std::to_string(kProjectVersion) +
                               ". Update LayerLoom to open it.");
    }
    if (version < 1) r.fail("/version", "unknown project format version " + std::to_string(version));

    Project project;
    if (doc.contains("name")) project.name = r.text(doc["name"], "/name");
    if (doc.contains("description")) project.description = r.text(doc["description"], "/description");
    const json& graph = r.member(doc, "", "graph");
    const json& nodes = r.member(graph, "/graph", "nodes");
    if (!nodes.is_array()) r.fail("/graph/nodes", "expected a list of layers");
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const std::string ptr = "/graph/nodes/" + std::to_string(i);
        Node n = r.node(nodes[i], ptr);
        if (project.graph.node(n.id)) {
            r.fail(ptr + "/id", "layer id " + std::to_string(n.id) + " is used twice");
        }
        project.graph.insertNode(std::move(n));
    }
    // A call of a shared layer keeps the kind and parameters of the layer it shares.
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const Node& n = project.graph.nodes()[i];
        if (!n.shares) continue;
        const std::string ptr = "/graph/nodes/" + std::to_string(i) + "/shares";
        const Node* owner = project.graph.node(n.shares);
        if (!owner) r.fail(ptr, n.name + " shares the weights of layer id " + std::to_string(n.shares) + ", which the file does not define");
        if (const std::string why = project.graph.whyCannotLend(n.id, owner->id, true); !why.empty()) {
            r.fail(ptr, n.name + " shares the weights of " + owner->name + ", which " + why);
        }
        project.graph.share(n.id, n.shares);
    }
    if (graph.contains("edges")) {
        const json& edges = graph["edges"];
        if (!edges.is_array()) r.fail("/graph/edges", "expected a list of wires");
        for (std::size_t i = 0; i < edges.size(); ++i) {
            const std::string ptr = "/graph/edges/" + std::to_string(i);
            Edge e;
            e.id = static_cast<EdgeId>(r.positiveId(r.member(edges[i], ptr, "id"), ptr + "/id"));
            e.from = r.port(r.member(edges[i], ptr, "from"), ptr + "/from");
            e.to = r.port(r.member(edges[i], ptr, "to"), ptr + "/to");
            if (project.graph.edge(e.id)) {
                r.fail(ptr + "/id", "wire id " + std::to_string(e.id) + " is used twice");
            }
            for (auto [end, what] : {std::pair{e.from, "from"}, std::pair{e.to, "to"}}) {
                if (!project.graph.node(end.node)) {
                    r.fail(ptr + "/" + what + "/node",
                           "the wire refers to layer id " + std::to_string(end.node) +
                               ", which the file does not define");
                }
            }
            // A layer's output is port 0; a recurrent layer's states follow it (h, then c).
            if (e.from.port > 2) r.fail(ptr + "/from/port", "a layer's output is port 0, and its states ports 1 and 2");
            project.graph.insertEdge(e);
        }
    }
    if (graph.contains("groups")) {
        const json& groups = graph["groups"];
        if (!groups.is_array()) r.fail("/graph/groups", "expected a list of groups");
        for (std::size_t i = 0; i < groups.size(); ++i) {
            const std::string ptr = "/graph/groups/" + std::to_string(i);
            const json& gj = groups[i];
            Group g;
            g.id = static_cast<std::uint32_t>(r.positiveId(r.member(gj, ptr, "id"), ptr + "/id"));
            if (project.graph.group(g.id)) {
                r.fail(ptr + "/id", "group id " + std::to_string(g.id) + " is used twice");
            }
            g.name = r.text(r.member(gj, ptr, "name"), ptr + "/name");
            const json& members = r.member(gj, ptr, "members");
            if (!members.is_array() || members.empty()) {
                r.fail(ptr + "/members", "expected a non-empty list of layer ids");
            }
            for (std::size_t k = 0; k < members.size(); ++k) {
                const std::string mptr = ptr + "/members/" + std::to_string(k);
                const auto id = static_cast<NodeId>(r.positiveId(members[k], mptr));
                if (!project.graph.node(id)) {
                    r.fail(mptr, "the group refers to layer id " + std::to_string(id) +
                                     ", which the file does not define");
                }
                if (const Group* other = project.graph.groupOf(id);
                    other || std::find(g.members.begin(), g.members.end(), id) != g.members.end()) {
                    r.fail(mptr, "layer id " + std::to_string(id) + " is in two groups");
                }
                g.members.push_back(id);
            }
            if (gj.contains("collapsed")) {
                if (!gj["collapsed"].is_boolean()) r.fail(ptr + "/collapsed", "expected true or false");
                g.collapsed = gj["collapsed"].get<bool>();
            }
            if (gj.contains("position")) g.position = r.point(gj["position"], ptr + "/position");
            project.graph.insertGroup(std::move(g));
        }
    }
    if (doc.contains("training")) {
        if (!doc["training"].is_object()) r.fail("/training", "expected an object");
        project.training = doc["training"];
    }
    if (doc.contains("weights")) {
        project.weights = readWeights(r, doc["weights"]);
        if (doc["weights"].contains("from")) project.weightsFrom = r.text(doc["weights"]["from"], "/weights/from");
    }
    if (doc.contains("runs")) {
        if (!doc["runs"].is_array()) r.fail("/runs", "expected a list of training runs");
        project.runs = doc["runs"];
    }
    return project;
}

std::string serializeProject(const Project& project) {
    json nodes = json::array();
    for (const Node& n : project.graph.nodes()) {
        json params = json::object();
        for (const auto& [key, value] : n.params) params[key] = paramJson(value);
        nodes.push_back({{"id", n.id},
                         {"kind", n.kind},
                         {"name", n.name},
                         {"position", {n.position.x, n.position.y}},
                         {"params", params}});
        if (n.shares) nodes.back()["shares"] = n.shares;
    }
    json edges = json::array();
    for (const Edge& e : project.graph.edges()) {
        edges.push_back({{"id", e.id},
                         {"from", {{"node", e.from.node}, {"port", e.from.port}}},
                         {"to", {{"node", e.to.node}, {"port", e.to.port}}}});
    }
    json graph = {{"nodes", nodes}, {"edges", edges}};
    if (!project.graph.groups().empty()) {
        json groups = json::array();
        for (const Group& g : project.graph.groups()) {
            groups.push_back({{"id", g.id},
                              {"name", g.name},
                              {"members", g.members},
                              {"collapsed", g.collapsed},
                              {"position", {g.position.x, g.position.y}}});
        }
        graph["groups"] = groups;
    }
    json doc = {{"format", kProjectFormat},
                {"version", kProjectVersion},
                {"generatedBy", kGeneratedBy},
                {"name", project.name},
                {"graph", graph},
                {"training", project.training}};
    if (!project.description.empty()) doc["description"] = project.description;
    if (!project.weights.empty()) doc["weights"] = weightsJson(project.weights, project.weightsFrom);
    if (!project.runs.empty()) doc["runs"] = project.runs;
    return doc.dump(2) + "\n";
}

Project loadProject(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ProjectError(path.string() + ": cannot open the file (" + std::strerror(errno) + ")");
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return parseProject(buffer.str(), path.string());
}

void saveProject(const Project& project, const std::filesystem::path& path) {
    writeFileAtomically(path, serializeProject(project));
}

}  // namespace loom
