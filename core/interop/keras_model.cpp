#include "interop/keras_model.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "graph/layout.h"
#include "io/json_input.h"
#include "layers/layer_registry.h"

namespace loom {

using nlohmann::json;

namespace {

json readJson(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw KerasImportError(file.string() + ": cannot open the file");
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return parseJsonInput(text.str());
    } catch (const JsonInputError& e) {
        throw KerasImportError(file.string() + ":" + std::to_string(e.line()) + ":" +
                               std::to_string(e.column()) + ": " + e.problem());
    }
}

Regularizer regularizerOf(const json& j) {
    if (j.is_null()) return {};
    const json& c = j.value("config", json::object());
    const double l1 = c.value("l1", 0.0), l2 = c.value("l2", 0.0);
    Regularizer r{Regularizer::Kind::L1L2, l1, l2};
    if (l1 == 0.0 && l2 == 0.0) return {};
    if (l1 == 0.0) r.kind = Regularizer::Kind::L2;
    if (l2 == 0.0) r.kind = Regularizer::Kind::L1;
    return r;
}

/// The most bytes of weights a Keras model may claim: far beyond any model LayerLoom trains,
/// and checked before anything is allocated.
constexpr std::uint64_t kMaxWeightBytes = std::uint64_t{16} << 30;

/// The text at `key` of an object, or "" when it is missing or not text.
std::string textMember(const json& obj, const char* key) {
    if (!obj.is_object()) return "";
    const auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

class Importer {
public:
    Importer(std::filesystem::path file, json doc) : m_file(std::move(file)), m_doc(std::move(doc)) {
        m_fromTfjs = m_doc.value("generatedBy", std::string()).find("TensorFlow.js") !=
                     std::string::npos;
    }

    KerasImport run() {
        const json& topology = m_doc.contains("modelTopology") ? m_doc["modelTopology"] : m_doc;
        const std::string cls = topology.value("class_name", std::string());
        const json& config = topology.value("config", json::object());
        KerasImport result;
        result.project.name = config.is_object() ? config.value("name", std::string()) : "";
        if (cls == "Sequential") {
            sequential(config, result.project.graph);
        } else if (cls == "Model" || cls == "Functional") {
            functional(config, result.project.graph);
        } else {
            fail("the topology is a '" + cls + "'; LayerLoom reads Sequential and functional "
                 "(Model) topologies");
        }
        for (const auto& [id, at] : layeredLayout(result.project.graph)) {
            result.project.graph.node(id)->position = at;
        }
        result.weights = weights(result.project.graph);
        return result;
    }

private:
    std::filesystem::path m_file;
    json m_doc;
    bool m_fromTfjs = false;

    [[noreturn]] void fail(const std::string& what) const {
        throw KerasImportError(m_file.string() + ": " + what);
    }

    Dims shapeOf(const json& batchShape, const std::string& layer) const {
        if (!batchShape.is_array() || batchShape.size() < 2 || batchShape.size() > 3) {
            fail("layer '" + layer + "': LayerLoom takes inputs of shape (batch, time, "
                 "features) or (batch, features)");
        }
        Dims d;
        for (std::size_t i = 1; i < batchShape.size(); ++i) {
            d.push_back(batchShape[i].is_null() ? kNone : batchShape[i].get<std::int64_t>());
        }
        return d;
    }

    /// Adds the node for one Keras layer; returns its id.
    NodeId addLayer(ModelGraph& g, const std::string& cls, const json& cfg) {
        if (!cfg.is_object()) fail("a layer's config is " + jsonExcerpt(cfg) + ", not an object");
        const std::string name = textMember(cfg, "name");
        if (cls.empty()) fail("layer '" + printableExcerpt(name) + "' does not say its class_name");
        std::string kind = cls;
        json c = cfg;
        if (cls == "InputLayer") {
            const char* key = cfg.contains("batch_input_shape") ? "batch_input_shape"
                              : cfg.contains("batch_shape")     ? "batch_shape"
                                                                : nullptr;
            if (!key) {
                fail("layer '" + printableExcerpt(name) +
                     "': an InputLayer without its shape (batch_input_shape or batch_shape)");
            }
            const json& shape = cfg[key];
            const NodeId id = g.addNode("InputLayer", {}, name);
            g.setParam(id, "shape", shapeOf(shape, name));
            return id;
        }
        if (cls == "TimeDistributed") {
            const json inner = cfg.value("layer", json());
            if (!inner.is_object() || !inner.contains("class_name")) {
                fail("layer '" + printableExcerpt(name) + "': a TimeDistributed without the layer it wraps");
            }
            if (inner["class_name"] != "Dense") {
                fail("layer '" + printableExcerpt(name) + "': LayerLoom's TimeDistributed wraps Dense only, not " +
                     jsonExcerpt(inner["class_name"]));
            }
            if (!inner.contains("config") || !inner["config"].is_object()) {
                fail("layer '" + printableExcerpt(name) + "': the Dense inside TimeDistributed has no config");
            }
            c = inner["config"];
        }
        const LayerSpec* spec = findLayer(kind);
        if (!spec) {
            fail("layer '" + printableExcerpt(name, 40) + "' is a " + printableExcerpt(cls, 40) +
                 ", which LayerLoom does not support");
        }
        const NodeId id = g.addNode(kind, {}, name);
        for (const ParamSpec& p : spec->params()) {
            if (!c.contains(p.name)) continue;
            const json& v = c[p.name];
            try {
                switch (p.type) {
                    case ParamType::Bool: g.setParam(id, p.name, v.get<bool>()); break;
                    case ParamType::Int: g.setParam(id, p.name, v.get<std::int64_t>()); break;
                    case ParamType::Float: g.setParam(id, p.name, v.get<double>()); break;
                    case ParamType::Choice: g.setParam(id, p.name, v.get<std::string>()); break;
                    case ParamType::Regularization: g.setParam(id, p.name, regularizerOf(v)); break;
                    case ParamType::Shape: break;
                }
            } catch (const json::exception&) {
                fail("layer '" + name + "': " + p.name + " is " + v.dump() + ", which " + kind +
                     " cannot take");
            }
        }
        if ((cls == "LSTM" || cls == "GRU") && !c.contains("recurrent_activation")) {
            g.setParam(id, "recurrent_activation",
                       std::string(m_fromTfjs ? "hard_sigmoid" : "sigmoid"));
        }
        if (cls == "GRU" && !c.contains("reset_after")) g.setParam(id, "reset_after", !m_fromTfjs);
        if (c.contains("go_backwards") && c["go_backwards"].get<bool>()) {
            fail("layer '" + name + "': go_backwards=True is not supported");
        }
        if (c.contains("return_state") && c["return_state"].get<bool>()) {
            fail("layer '" + name + "': return_state=True is not supported");
        }
        if (cls == "Dropout" && c.contains("noise_shape") && !c["noise_shape"].is_null()) {
            fail("layer '" + name + "': Dropout with a noise_shape is not supported");
        }
        return id;
    }

    void sequential(const json& config, ModelGraph& g) {
        const json& layers = config.is_array() ? config : config.value("layers", json::array());
        NodeId prev = 0;
        for (const json& l : layers) {
            const std::string cls = textMember(l, "class_name");
            const json& cfg = l.value("config", json::object());
            if (prev == 0 && cls != "InputLayer") {
                const json& shape = cfg.contains("batch_input_shape") ? cfg["batch_input_shape"]
                                                                       : json();
                if (shape.is_null()) fail("the first layer does not say its input shape");
                prev = g.addNode("InputLayer", {}, g.uniqueName("input"));
                g.setParam(prev, "shape", shapeOf(shape, cfg.value("name", std::string())));
            }
            const NodeId id = addLayer(g, cls, cfg);
            if (prev != 0) g.connect({prev, 0}, {id, 0});
            prev = id;
        }
    }

    void functional(const json& config, ModelGraph& g) {
        std::map<std::string, NodeId> byName;
        const json& layers = config.value("layers", json::array());
        for (const json& l : layers) {
            const std::string name = textMember(l, "name");
            byName[name] = addLayer(g, textMember(l, "class_name"),
                                    l.value("config", json::object()));
        }
        for (const json& l : layers) {
            const json& inbound = l.value("inbound_nodes", json::array());
            if (inbound.empty()) continue;
            if (inbound.size() > 1) {
                fail("layer '" + textMember(l, "name") +
                     "' is called more than once (shared layers are not supported)");
            }
            const NodeId to = byName.at(textMember(l, "name"));
            int port = 0;
            if (!inbound[0].is_array()) {
                fail("layer '" + printableExcerpt(textMember(l, "name")) +
                     "': its inbound_nodes are " + jsonExcerpt(inbound) + ", not lists of inputs");
            }
            for (const json& src : inbound[0]) {
                // Keras 2: ["layer", node, tensor, {}]; TF.js and Keras 3 may give an object.
                const bool named = (src.is_array() && !src.empty() && src[0].is_string()) ||
                                   (src.is_object() && src.contains("name") && src["name"].is_string());
                if (!named) {
                    fail("layer '" + printableExcerpt(textMember(l, "name")) +
                         "': an input in inbound_nodes is " + jsonExcerpt(src) + ", which names no layer");
                }
                const std::string from = src.is_array() ? src[0].get<std::string>()
                                                        : src["name"].get<std::string>();
                auto it = byName.find(from);
                if (it == byName.end()) fail("layer '" + from + "' is used but not defined");
                g.connect({it->second, 0}, {to, port++});
            }
        }
    }

    /// The number of values of a weight's shape: whole numbers from 1, their product within
    /// kMaxWeightBytes.
    std::uint64_t elementCount(const json& shape, const std::string& name) const {
        const std::string what = "weight '" + printableExcerpt(name) + "'";
        if (!shape.is_array() || shape.empty()) {
            fail(what + ": its shape is " + jsonExcerpt(shape) + ", not a list of sizes");
        }
        std::uint64_t count = 1;
        for (const json& d : shape) {
            if (!d.is_number_integer() || d.get<std::int64_t>() < 1) {
                fail(what + ": its shape " + jsonExcerpt(shape) + " holds " + jsonExcerpt(d) +
                     ", not a size of 1 or more");
            }
            const auto size = static_cast<std::uint64_t>(d.get<std::int64_t>());
            if (size > kMaxWeightBytes / 4 / count) {
                fail(what + ": its shape " + jsonExcerpt(shape) + " holds more than " +
                     groupedNumber(kMaxWeightBytes / 4) + " values");
            }
            count *= size;
        }
        return count;
    }

    /// A weights file the manifest names: only a regular file inside the model's folder, never
    /// a path out of it (.., absolute, a link leading elsewhere), a device or a FIFO.
    std::filesystem::path weightsFile(const json& path) const {
        namespace fs = std::filesystem;
        if (!path.is_string()) fail("weightsManifest: a path is " + jsonExcerpt(path) + ", not a file name");
        const std::string text = path.get<std::string>();
        const fs::path relative(text);
        const bool climbs = std::any_of(relative.begin(), relative.end(),
                                        [](const fs::path& part) { return part == ".."; });
        if (text.empty() || relative.is_absolute() || relative.has_root_name() || climbs) {
            fail("weightsManifest names '" + printableExcerpt(text) +
                 "': weights files must be inside the model's folder");
        }
        const fs::path folder = m_file.parent_path().empty() ? fs::path(".") : m_file.parent_path();
        const fs::path file = folder / relative;
        std::error_code ec;
        const fs::path real = fs::weakly_canonical(file, ec);
        const fs::path realFolder = fs::weakly_canonical(folder, ec);
        const auto [end, at] = std::mismatch(realFolder.begin(), realFolder.end(), real.begin(), real.end());
        if (ec || end != realFolder.end()) {
            fail("weightsManifest names '" + printableExcerpt(text) +
                 "', which leads outside the model's folder");
        }
        const fs::file_status status = fs::status(file, ec);
        if (ec || !fs::exists(status)) fail("the weights file " + file.string() + " is missing");
        if (!fs::is_regular_file(status)) {
            fail("the weights file " + file.string() + " is not a regular file");
        }
        return file;
    }

    std::vector<NamedTensor> weights(const ModelGraph& g) const {
        namespace fs = std::filesystem;
        std::vector<NamedTensor> out;
        if (!m_doc.contains("weightsManifest")) return out;
        const json& manifest = m_doc["weightsManifest"];
        if (!manifest.is_array()) fail("weightsManifest is " + jsonExcerpt(manifest) + ", not a list");
        // What the manifest says the files hold, counted (without overflow) before any is read.
        std::uint64_t needed = 0;
        for (const json& group : manifest) {
            if (!group.is_object()) fail("weightsManifest holds " + jsonExcerpt(group) + ", not a group");
            for (const json& w : group.value("weights", json::array())) {
                const std::string name = w.is_object() ? w.value("name", std::string()) : "";
                const std::uint64_t count = elementCount(w.is_object() ? w.value("shape", json()) : json(), name);
                if (count > (kMaxWeightBytes - needed) / 4) {
                    fail("the weights add up to more than " + groupedNumber(kMaxWeightBytes) +
                         " bytes at '" + printableExcerpt(name) + "'");
                }
                needed += count * 4;
            }
        }
        std::string blob;
        for (const json& group : manifest) {
            for (const json& path : group.value("paths", json::array())) {
                const auto file = weightsFile(path);
                std::error_code ec;
                const std::uint64_t size = fs::file_size(file, ec);
                if (ec) fail("cannot read the weights file " + file.string());
                if (blob.size() + size > needed) {
                    fail("the weights files hold more bytes than the manifest's " +
                         groupedNumber(needed) + " (" + file.string() + ")");
                }
                std::ifstream in(file, std::ios::binary);
                if (!in) fail("cannot open the weights file " + file.string());
                const std::size_t at = blob.size();
                blob.resize(at + size);
                if (!in.read(blob.data() + at, static_cast<std::streamsize>(size))) {
                    fail("cannot read the weights file " + file.string());
                }
            }
        }
        std::size_t offset = 0;
        for (const json& group : manifest) {
            for (const json& w : group.value("weights", json::array())) {
                NamedTensor t;
                const std::string name = w.value("name", std::string());
                t.shape = w.value("shape", std::vector<std::int64_t>{});
                if (w.value("dtype", std::string("float32")) != "float32") {
                    fail("weight '" + name + "' is not float32");
                }
                const auto count = static_cast<std::size_t>(t.size());
                if (offset + count * 4 > blob.size()) {
                    fail("the weights files end before '" + name + "'");
                }
                t.values.resize(count);
                std::memcpy(t.values.data(), blob.data() + offset, count * 4);
                offset += count * 4;
                // Keras names weights `layer/.../param`; LayerLoom `layer/param`.
                const auto slash = name.find('/');
                const auto last = name.rfind('/');
                if (slash == std::string::npos) fail("weight '" + name + "' names no layer");
                t.name = name.substr(0, slash) + name.substr(last);
                if (!g.nodeByName(name.substr(0, slash))) {
                    fail("weight '" + name + "' belongs to no layer of the model");
                }
                out.push_back(std::move(t));
            }
        }
        return out;
    }
};

void flatten(const json& j, std::vector<float>& out, std::vector<std::int64_t>& shape,
             std::size_t depth) {
    if (j.is_number()) {
        if (depth != shape.size()) throw KerasImportError("the array is ragged");
        out.push_back(j.get<float>());
        return;
    }
    if (!j.is_array()) throw KerasImportError("the array holds something other than numbers");
    if (depth == shape.size()) shape.push_back(static_cast<std::int64_t>(j.size()));
    if (shape[depth] != static_cast<std::int64_t>(j.size())) {
        throw KerasImportError("the array is ragged");
    }
    for (const json& e : j) flatten(e, out, shape, depth + 1);
}

}  // namespace

KerasImport importKerasModel(const std::filesystem::path& modelJson) {
    try {
        return Importer(modelJson, readJson(modelJson)).run();
    } catch (const json::exception&) {
        // A value of another kind than Keras writes where none was checked for by name.
        throw KerasImportError(modelJson.string() +
                               ": not a Keras model description: a value in it is of another kind "
                               "(text, number, list, object) than Keras writes there");
    }
}

std::vector<float> readJsonArray(const std::filesystem::path& file,
                                 std::vector<std::int64_t>& shape) {
    std::vector<float> out;
    shape.clear();
    try {
        flatten(readJson(file), out, shape, 0);
    } catch (const KerasImportError& e) {
        throw KerasImportError(file.string() + ": " + e.what());
    }
    return out;
}

}  // namespace loom
