#include "interop/keras_topology.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "graph/layout.h"
#include "interop/keras_model.h"
#include "io/json_input.h"
#include "io/message_text.h"
#include "layers/keras_config.h"
#include "layers/layer_nodes.h"
#include "layers/layer_registry.h"

namespace loom {

using nlohmann::json;

nlohmann::json parseKerasJson(const std::string& text, const std::string& where) {
    try {
        return parseJsonInput(text);
    } catch (const JsonInputError& e) {
        throw KerasImportError(where + ":" + std::to_string(e.line()) + ":" + std::to_string(e.column()) + ": " + e.problem());
    }
}

KerasProducer producerOfVersion(const std::string& kerasVersion) {
    return kerasVersion.starts_with("3") ? KerasProducer::Keras3 : KerasProducer::Keras2;
}

namespace {

/// The most calls of one layer a model may make (Keras's node indexes): a hostile file cannot
/// make LayerLoom add a node per index it names.
constexpr int kMostCalls = 4096;

/// The text at `key` of an object, or "" when it is missing or not text.
std::string textMember(const json& obj, const char* key) {
    if (!obj.is_object()) return "";
    const auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

/// A layer's name: Keras 3 and 2 write it beside the config (functional) and in it.
std::string layerName(const json& layer) {
    std::string name = textMember(layer, "name");
    if (name.empty() && layer.is_object()) name = textMember(layer.value("config", json::object()), "name");
    return name;
}

class TopologyReader {
public:
    TopologyReader(KerasProducer producer, std::string where) : m_producer(producer), m_where(std::move(where)) {}

    KerasTopology run(const json& topology) {
        if (!topology.is_object()) fail("the model's configuration is " + jsonExcerpt(topology) + ", not an object");
        const std::string cls = textMember(topology, "class_name");
        const json& config = topology.value("config", json::object());
        m_result.project.name = config.is_object() ? textMember(config, "name") : "";
        if (cls == "Sequential") {
            sequential(config);
        } else if (cls == "Model" || cls == "Functional") {
            functional(config);
        } else {
            fail("the model is a '" + printableExcerpt(cls) + "'; LayerLoom reads Sequential and functional models");
        }
        ModelGraph& g = m_result.project.graph;
        for (const auto& [id, at] : layeredLayout(g)) g.node(id)->position = at;
        return std::move(m_result);
    }

private:
    KerasProducer m_producer;
    std::string m_where;
    KerasTopology m_result;

    [[noreturn]] void fail(const std::string& what) const { throw KerasImportError(m_where + ": " + what); }

    [[noreturn]] void failLayer(const std::string& name, const std::string& what) const {
        fail("layer '" + printableExcerpt(name, 40) + "': " + what);
    }

    /// An InputLayer's dtype as LayerLoom holds it: numbers (float32) or token ids (int32).
    std::string inputDtypeOf(const json& cfg, const std::string& layer) const {
        const json dtype = cfg.value("dtype", json());
        // Keras 3 may write a dtype policy object; the Input's own dtype is its name.
        const json name = dtype.is_object() ? dtype.value("config", json::object()).value("name", json()) : dtype;
        if (name.is_null()) return "float32";
        const std::string text = name.is_string() ? name.get<std::string>() : std::string();
        if (text == "float32" || text == "float64" || text == "float16" || text == "bfloat16") return "float32";
        if (text == "int32" || text == "int64" || text == "int16" || text == "int8" || text == "uint8" ||
            text == "uint16" || text == "uint32") {
            return "int32";
        }
        failLayer(layer, "its dtype is " + jsonExcerpt(name) + ", which LayerLoom does not support");
    }

    Dims shapeOf(const json& batchShape, const std::string& layer) const {
        if (!batchShape.is_array() || batchShape.size() < 2 || batchShape.size() > 3) {
            failLayer(layer, "LayerLoom takes inputs of shape (batch, time, features) or (batch, features), not " +
                                 jsonExcerpt(batchShape));
        }
        Dims d;
        for (std::size_t i = 1; i < batchShape.size(); ++i) {
            const json& size = batchShape[i];
            if (size.is_null()) {
                d.push_back(kNone);
            } else if (size.is_number_integer() && size.get<std::int64_t>() >= 1 && size.get<std::int64_t>() <= (std::int64_t{1} << 40)) {
                d.push_back(size.get<std::int64_t>());
            } else {
                failLayer(layer, "its input shape " + jsonExcerpt(batchShape) + " holds " + jsonExcerpt(size) + ", not a size");
            }
        }
        return d;
    }

    /// Refuses what the name of a class alone does not say: custom objects and nested models.
    void checkOrigin(const json& layer, const std::string& name, const std::string& cls) const {
        if (cls == "Sequential" || cls == "Functional" || cls == "Model") {
            failLayer(name, "a nested model (" + cls + "); LayerLoom reads models whose layers are layers");
        }
        const std::string module = textMember(layer, "module");
        const std::string registered = textMember(layer, "registered_name");
        // A package's layer that LayerLoom knows (keras_hub's, or keras_nlp's before the rename)
        // comes with its registered name and its package's module; tf.keras 2 and TF.js configs,
        // LayerLoom's layers-format export among them, have neither. A user's own class of the
        // same name (module __main__, registered under its bare name) is a custom object.
        const LayerSpec* spec = findLayer(cls);
        if (spec && !spec->kerasOrigin().registeredName.empty()) {
            const bool package = module.starts_with("keras_hub.") || module.starts_with("keras_nlp.");
            if (registered == spec->kerasOrigin().registeredName || registered == "keras_nlp>" + cls ||
                (registered.empty() && (module.empty() || package))) {
                return;
            }
            failLayer(name, "a custom object (" + printableExcerpt(registered.empty() ? module + "." + cls : module + "." + registered, 60) +
                                "), which only its own Python code defines; LayerLoom reads keras_hub's " + cls);
        }
        if ((!module.empty() && !module.starts_with("keras")) || (!registered.empty() && registered != cls)) {
            failLayer(name, "a custom object (" + printableExcerpt(registered.empty() ? module + "." + cls : registered, 60) +
                                "), which only its own Python code defines");
        }
    }

    /// Adds the node for one Keras layer; returns its id.
    NodeId addLayer(const json& layer) {
        ModelGraph& g = m_result.project.graph;
        if (!layer.is_object()) fail("a layer is " + jsonExcerpt(layer) + ", not an object");
        const std::string cls = textMember(layer, "class_name");
        const json& cfg = layer.value("config", json::object());
        if (!cfg.is_object()) fail("a layer's config is " + jsonExcerpt(cfg) + ", not an object");
        const std::string name = layerName(layer);
        if (cls.empty()) fail("layer '" + printableExcerpt(name, 40) + "' does not say its class_name");
        if (name.empty()) fail("a " + printableExcerpt(cls) + " layer has no name");
        if (g.nodeByName(name)) failLayer(name, "two layers have this name");
        checkOrigin(layer, name, cls);
        m_result.layers.push_back({name, cls});
        if (cls == "InputLayer") {  // Keras's class name
            const char* key = cfg.contains("batch_input_shape") ? "batch_input_shape"
                              : cfg.contains("batch_shape")     ? "batch_shape"
                                                                : nullptr;
            if (!key) failLayer(name, "an InputLayer without its shape (batch_input_shape or batch_shape)");
            const NodeId id = loom::addLayer(g, kInputKind, {}, name);
            g.setParam(id, "shape", shapeOf(cfg[key], name));
            g.setParam(id, "dtype", inputDtypeOf(cfg, name));
            return id;
        }
        // A wrapped layer is checked as the outer one is.
        if (cfg.contains("layer") && cfg["layer"].is_object()) checkOrigin(cfg["layer"], name, textMember(cfg["layer"], "class_name"));
        const LayerSpec* spec = findLayer(cls);
        if (!spec) fail("layer '" + printableExcerpt(name, 40) + "' is a " + printableExcerpt(cls, 40) + ", which LayerLoom does not support");
        const NodeId id = loom::addLayer(g, cls, {}, name);
        ParamMap params = g.node(id)->params;
        if (const std::string problem = spec->readKeras(cfg, m_producer, params); !problem.empty()) failLayer(name, problem);
        // A wrapper's initialisers are its wrapped layer's (Bidirectional, TimeDistributed).
        const json& own = cfg.contains("layer") && cfg["layer"].is_object() && cfg["layer"].contains("config") ? cfg["layer"]["config"] : cfg;
        for (std::string& note : initializerNotes(*spec, own, printableExcerpt(name, 40))) m_result.notes.push_back(std::move(note));
        for (const auto& [key, value] : params) {
            const auto* text = std::get_if<std::string>(&value);
            if (m_producer == KerasProducer::Keras3 && text && *text == "hard_sigmoid") {
                failLayer(name, key + " hard_sigmoid: Keras 3's is relu6(x + 3) / 6, LayerLoom's is "
                                "Keras 2's clip(0.2x + 0.5, 0, 1); choose sigmoid in Keras, or save the model with Keras 2");
            }
            g.setParam(id, key, value);
        }
        const auto flag = [&](const char* key) { return cfg.contains(key) && cfg[key].is_boolean() && cfg[key].get<bool>(); };
        if (flag("stateful")) failLayer(name, "stateful=True is not supported");
        // Zeros in place of the last output at padded steps: Bidirectional's own choice, which
        // LayerLoom makes there, but not of a recurrent layer on its own.
        if (flag("zero_output_for_mask")) failLayer(name, "zero_output_for_mask=True is not supported");
        return id;
    }

    void sequential(const json& config) {
        ModelGraph& g = m_result.project.graph;
        const json& layers = config.is_array() ? config : config.value("layers", json::array());
        if (!layers.is_array()) fail("the Sequential's layers are " + jsonExcerpt(layers) + ", not a list");
        NodeId prev = 0;
        for (const json& l : layers) {
            if (!l.is_object()) fail("a layer is " + jsonExcerpt(l) + ", not a layer's description");
            const std::string cls = textMember(l, "class_name");
            if (prev == 0 && cls != "InputLayer") {
                // An implied Input: the first layer's batch_input_shape (Keras 2), or the
                // model's build_input_shape (Keras 3).
                const json& cfg = l.is_object() ? l.value("config", json::object()) : json::object();
                json shape = cfg.is_object() && cfg.contains("batch_input_shape") ? cfg["batch_input_shape"] : json();
                if (shape.is_null() && config.is_object() && config.contains("build_input_shape")) shape = config["build_input_shape"];
                if (shape.is_null()) fail("the first layer does not say its input shape");
                prev = loom::addLayer(g, kInputKind, {}, g.uniqueName("input"));
                g.setParam(prev, "shape", shapeOf(shape, layerName(l)));
                // Keras casts what an Embedding reads to ids; here its Input says so.
                if (const LayerSpec* first = findLayer(cls); first && !first->vocabularyParam().empty()) {
                    g.setParam(prev, "dtype", std::string("int32"));
                }
            }
            const NodeId id = addLayer(l);
            if (prev != 0) g.connect({prev, 0}, {id, 0});
            prev = id;
        }
    }

    /// A tensor a call reads: its layer's name and which of the layer's outputs (0, or a
    /// recurrent layer's state 1, 2, ...).
    struct Source {
        std::string layer;
        int tensor = 0;
        int call = 0;  ///< which call of the layer (Keras's node index): 0, or a shared layer's later ones
    };

    /// The tensors a call's arguments name, in order: Keras 2's ["layer", node, tensor, {}]
    /// and TF.js's objects, or Keras 3's {"class_name": "__keras_tensor__", "config":
    /// {"keras_history": ["layer", node, tensor]}} anywhere in the call's arguments.
    void sources(const json& value, const std::string& layer, std::vector<Source>& out, int depth = 0) const {
        if (depth > 8) failLayer(layer, "its inbound_nodes are nested too deeply");
        const auto named = [&](const json& history) {
            if (!history.is_array() || history.size() < 3 || !history[0].is_string()) return false;
            // A shared layer's later calls are its nodes 1, 2, ...
            if (!history[1].is_number_integer() || history[1].get<std::int64_t>() < 0 || history[1].get<std::int64_t>() > kMostCalls) {
                failLayer(layer, "it takes " + jsonExcerpt(history) + ", which names no call of that layer");
            }
            // A layer's own output, or one of the states a recurrent layer returns after it.
            if (!history[2].is_number_integer() || history[2].get<std::int64_t>() < 0 || history[2].get<std::int64_t>() > 2) {
                failLayer(layer, "it takes " + jsonExcerpt(history) + ": only a recurrent layer's states are read "
                                 "beyond a layer's output");
            }
            out.push_back({history[0].get<std::string>(), static_cast<int>(history[2].get<std::int64_t>()),
                           static_cast<int>(history[1].get<std::int64_t>())});
            return true;
        };
        if (value.is_object()) {
            if (textMember(value, "class_name") == "__keras_tensor__") {
                const json& config = value.value("config", json::object());
                if (!config.is_object() || !named(config.value("keras_history", json()))) {
                    failLayer(layer, "an input in inbound_nodes is " + jsonExcerpt(value) + ", which names no layer");
                }
                return;
            }
            if (value.contains("args")) {  // Keras 3: a call's arguments
                sources(value["args"], layer, out, depth + 1);
                return;
            }
            if (value.contains("name") && value["name"].is_string()) {  // TF.js
                out.push_back({value["name"].get<std::string>(), 0, 0});
                return;
            }
            failLayer(layer, "an input in inbound_nodes is " + jsonExcerpt(value) + ", which names no layer");
        }
        if (!value.is_array() || value.empty()) {
            failLayer(layer, "an input in inbound_nodes is " + jsonExcerpt(value) + ", which names no layer");
        }
        if (value[0].is_string()) {
            if (!named(json::array({value[0], value.size() > 1 ? value[1] : json(0), value.size() > 2 ? value[2] : json(0)}))) {
                failLayer(layer, "an input in inbound_nodes is " + jsonExcerpt(value) + ", which names no layer");
            }
            return;
        }
        for (const json& item : value) sources(item, layer, out, depth + 1);
    }

    /// The keyword arguments of a layer's call: Keras 3's "kwargs", or what tf.keras 2 and
    /// TF.js add to the call's first tensor ([layer, node, tensor, {kwargs}]).
    static json callKeywords(const json& call) {
        if (call.is_object()) {
            const json kwargs = call.value("kwargs", json::object());
            return kwargs.is_object() ? kwargs : json::object();
        }
        const json* first = &call;
        for (int depth = 0; depth < 4 && first->is_array() && !first->empty() && first->at(0).is_array(); ++depth) {
            first = &first->at(0);
        }
        if (first->is_array() && first->size() > 3 && first->at(3).is_object()) return first->at(3);
        return json::object();
    }

    void functional(const json& config) {
        ModelGraph& g = m_result.project.graph;
        std::map<std::string, NodeId> byName;
        const json& layers = config.is_object() ? config.value("layers", json::array()) : json::array();
        if (!layers.is_array()) fail("the model's layers are " + jsonExcerpt(layers) + ", not a list");
        for (const json& l : layers) byName[layerName(l)] = addLayer(l);
        // A layer called more than once (a shared layer) gets a node per later call, sharing
        // its weights: (layer, call) -> node.
        std::map<std::pair<std::string, int>, NodeId> calls;
        for (const json& l : layers) {
            const std::string name = layerName(l);
            const json& inbound = l.value("inbound_nodes", json::array());
            if (!inbound.is_array()) failLayer(name, "its inbound_nodes are " + jsonExcerpt(inbound) + ", not a list");
            if (inbound.size() > static_cast<std::size_t>(kMostCalls) + 1) {
                failLayer(name, "it is called " + std::to_string(inbound.size()) + " times; LayerLoom takes up to " +
                                    std::to_string(kMostCalls + 1) + " calls of one layer");
            }
            const NodeId owner = byName.at(name);
            calls[{name, 0}] = owner;
            for (std::size_t k = 1; k < inbound.size(); ++k) {
                if (g.node(owner)->isInput()) failLayer(name, "an Input called more than once");
                std::string callName = name + "_call_" + std::to_string(k + 1);
                if (g.nodeByName(callName)) callName = g.uniqueName(name + "_call");
                const NodeId id = loom::addLayer(g, g.node(owner)->kind, {}, callName);
                g.share(id, owner);
                calls[{name, static_cast<int>(k)}] = id;
            }
        }
        for (const json& l : layers) {
            const std::string name = layerName(l);
            const json& inbound = l.value("inbound_nodes", json::array());
            for (std::size_t k = 0; k < inbound.size(); ++k) readCall(name, inbound[k], calls.at({name, static_cast<int>(k)}), calls);
        }
        // The model's outputs are the layers nothing reads, and the attention scores a call
        // returns: a state given out as an output of its own has no place in that.
        std::set<PortRef> given;
        if (config.is_object() && config.contains("output_layers") && config["output_layers"].is_array()) {
            for (const json& out : config["output_layers"]) {
                if (!out.is_array() || out.size() < 3 || !out[0].is_string() || out[2] == 0) continue;
                const std::string layer = out[0].get<std::string>();
                const auto call = calls.find({layer, out[1].is_number_integer() ? out[1].get<int>() : -1});
                const Node* node = call == calls.end() ? nullptr : g.node(call->second);
                const LayerSpec* spec = node && !node->isInput() ? findLayer(node->kind) : nullptr;
                if (spec && out[2].is_number_integer() && spec->viewOnlyOutput(*node, out[2].get<int>())) {
                    given.insert(PortRef{node->id, out[2].get<int>()});
                    continue;
                }
                failLayer(layer, "the model gives out its state " + jsonExcerpt(out) +
                                     " as an output, which LayerLoom does not read; wire the state into a layer instead");
            }
        }
        // Attention scores a call returns but the model does not give out were thrown away
        // (`x, _ = attention(...)`): the layer returns its output only, as the model does.
        for (const Node& n : g.nodes()) {
            const LayerSpec* spec = n.isInput() ? nullptr : findLayer(n.kind);
            if (!spec || n.shares || !g.callsOf(n.id).empty() || !spec->viewOnlyOutput(n, 1) || given.contains(PortRef{n.id, 1})) continue;
            g.setParam(n.id, std::string(spec->moreOutputsParam()), false);
        }
    }

    /// One call of layer `name` (an inbound node), read into node `to`: its wires and the
    /// options it passes.
    void readCall(const std::string& name, const json& inbound, NodeId to, const std::map<std::pair<std::string, int>, NodeId>& calls) {
        ModelGraph& g = m_result.project.graph;
        std::vector<Source> from;
        sources(inbound, name, from);
        const auto connect = [&](const Source& source, int port) {
            auto it = calls.find({source.layer, source.call});
            if (it == calls.end()) {
                if (calls.contains({source.layer, 0})) {
                    failLayer(name, "it reads call " + std::to_string(source.call) + " of " + printableExcerpt(source.layer, 40) +
                                        ", which the model does not make");
                }
                fail("layer '" + printableExcerpt(source.layer, 40) + "' is used but not defined");
            }
            g.connect({it->second, source.tensor}, {to, port});
        };
        int port = 0;
        for (const Source& source : from) connect(source, port++);
        const Node& node = *g.node(to);
        const LayerSpec* spec = node.isInput() ? nullptr : findLayer(node.kind);
        if (spec && spec->maxInputs() > 1 && spec->callTensorNames().empty() && !spec->takesList()) {
            // A recurrent layer called with initial_state=[h, c]: its starting states follow
            // the sequence in the call (tf.keras 2, TF.js) or come as the keyword (Keras 3).
            const json kwargs = callKeywords(inbound);
            std::vector<Source> states(from.begin() + std::min<std::ptrdiff_t>(1, static_cast<std::ptrdiff_t>(from.size())), from.end());
            if (kwargs.contains("initial_state") && !kwargs["initial_state"].is_null()) {
                if (!states.empty()) failLayer(name, "its call gives starting states twice");
                sources(kwargs["initial_state"], name, states);
                for (const Source& state : states) connect(state, port++);
            }
            // A shared layer is called alike everywhere: with starting states at every call or at none.
            if (node.shares && states.empty() == node.param<bool>("initial_state")) {
                failLayer(name, "its calls differ: one passes initial_state and another does not; LayerLoom calls a "
                                "shared layer alike at every place");
            }
            if (states.empty()) return;
            if (static_cast<int>(states.size()) != spec->maxInputs() - 1) {
                failLayer(name, "its call gives " + std::to_string(states.size()) + " starting states; it keeps " +
                                    std::to_string(spec->maxInputs() - 1));
            }
            g.setParam(to, "initial_state", true);
            return;
        }
        if (!spec || spec->callTensorNames().empty()) return;
        // A layer whose call names its tensors (MultiHeadAttention): those passed by name
        // go to their ports; the other keyword arguments are options.
        const json kwargs = callKeywords(inbound);
        const std::vector<std::string_view> named = spec->callTensorNames();
        for (std::size_t i = 1; i < named.size(); ++i) {
            const std::string key(named[i]);
            if (!kwargs.contains(key) || kwargs[key].is_null()) continue;
            if (static_cast<int>(i) < port) failLayer(name, "its call passes " + key + " twice");
            std::vector<Source> tensor;
            sources(kwargs[key], name, tensor);
            if (tensor.size() != 1) failLayer(name, "its " + key + " is " + jsonExcerpt(kwargs[key]) + ", not one tensor");
            connect(tensor.front(), static_cast<int>(i));
        }
        // The call's own options, from their defaults: a later call of a shared layer must pass
        // the same as its first, since LayerLoom keeps one setting for all of its calls.
        ParamMap params = node.params;
        for (const ParamSpec& p : spec->params()) {
            if (p.callArgument) params[p.name] = p.defaultValue;
        }
        if (const std::string why = spec->readKerasCall(kwargs, params); !why.empty()) failLayer(name, why);
        if (node.shares) {
            for (const ParamSpec& p : spec->params()) {
                if (p.callArgument && params.at(p.name) != node.params.at(p.name)) {
                    failLayer(name, "its calls differ in " + p.name + "; LayerLoom calls a shared layer alike at every place");
                }
            }
            return;
        }
        for (auto& [key, value] : params) g.setParam(to, key, std::move(value));
    }
};

}  // namespace

/// Keras's naming.to_snake_case, which names a layer's place in a .keras weights file after
/// its class: "TimeDistributed" -> "time_distributed", "LSTM" -> "lstm". Its three regular
/// expressions, applied in turn: drop what is not a word character; "_" before an upper-case
/// letter that starts a lower-case run, after any character ("(.)([A-Z][a-z]+)"); "_" between
/// a lower-case and an upper-case letter ("([a-z])([A-Z])"); then lower case.
std::string kerasSnakeCase(const std::string& className) {
    const auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    const auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
    std::string word;
    for (char c : className) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') word += c;
    }
    std::string split;
    for (std::size_t i = 0; i < word.size();) {
        if (i + 2 < word.size() && word[i] != '\n' && upper(word[i + 1]) && lower(word[i + 2])) {
            std::size_t end = i + 2;
            while (end < word.size() && lower(word[end])) ++end;
            split += word[i];
            split += '_';
            split.append(word, i + 1, end - i - 1);
            i = end;
        } else {
            split += word[i++];
        }
    }
    std::string out;
    for (std::size_t i = 0; i < split.size();) {
        if (i + 1 < split.size() && lower(split[i]) && upper(split[i + 1])) {
            out += split[i];
            out += '_';
            out += split[i + 1];
            i += 2;
        } else {
            out += split[i++];
        }
    }
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::vector<NodeId> kerasLayerOrder(const ModelGraph& graph, const std::vector<NodeId>& outputs) {
    // The walk: each layer's first meeting (its index) and the finishing order.
    std::map<NodeId, std::size_t> index;
    std::vector<NodeId> finished;
    std::map<NodeId, bool> done;
    std::vector<std::pair<NodeId, std::size_t>> stack;  // a layer and how many inputs it has walked
    for (NodeId out : outputs) {
        if (done[out]) continue;
        index.try_emplace(out, index.size());
        stack.push_back({out, 0});
        while (!stack.empty()) {
            auto& [id, next] = stack.back();
            const std::vector<const Edge*> inputs = graph.inputEdges(id);
            if (next < inputs.size()) {
                const NodeId from = inputs[next++]->from.node;
                if (done[from]) continue;
                index.try_emplace(from, index.size());
                stack.push_back({from, 0});
                continue;
            }
            done[id] = true;
            finished.push_back(id);
            stack.pop_back();
        }
    }
    // Depths, from the outputs back: a call is one deeper than the deepest call it feeds, and
    // no shallower than the calls of its layer met before it; a shared layer stands at the
    // deepest of its calls, where it was first met (Keras's _map_graph_network).
    std::map<NodeId, std::size_t> depth, layerDepth, layerIndex;
    for (auto it = finished.rbegin(); it != finished.rend(); ++it) {
        const NodeId layer = graph.weightsOwner(*it);
        const std::size_t d = std::max(depth[*it], layerDepth[layer]);
        layerDepth[layer] = d;
        depth[*it] = d;
        for (const Edge* e : graph.inputEdges(*it)) depth[e->from.node] = std::max(depth[e->from.node], d + 1);
    }
    std::vector<NodeId> order;
    for (NodeId id : finished) {
        const NodeId layer = graph.weightsOwner(id);
        const auto [at, fresh] = layerIndex.try_emplace(layer, index[id]);
        if (fresh) order.push_back(layer);
        else at->second = std::min(at->second, index[id]);
    }
    std::stable_sort(order.begin(), order.end(), [&](NodeId a, NodeId b) {
        if (layerDepth[a] != layerDepth[b]) return layerDepth[a] > layerDepth[b];
        return layerIndex[a] < layerIndex[b];
    });
    return order;
}

KerasTopology readKerasTopology(const json& topology, KerasProducer producer, const std::string& where) {
    try {
        return TopologyReader(producer, where).run(topology);
    } catch (const json::exception&) {
        // A value of another kind than Keras writes where none was checked for by name.
        throw KerasImportError(where + ": not a Keras model description: a value in it is of another kind "
                                       "(text, number, list, object) than Keras writes there");
    }
}

std::string withoutCellScopes(std::string kerasName) {
    if (kerasName.ends_with(":0")) kerasName.resize(kerasName.size() - 2);
    std::string out;
    std::size_t at = 0;
    while (at <= kerasName.size()) {
        std::size_t slash = kerasName.find('/', at);
        if (slash == std::string::npos) slash = kerasName.size();
        const std::string part = kerasName.substr(at, slash - at);
        // A cell's scope: "lstm_cell", "gru_cell_3", "simple_rnn_cell".
        std::string bare = part;
        while (!bare.empty() && std::isdigit(static_cast<unsigned char>(bare.back()))) bare.pop_back();
        if (bare.ends_with("_")) bare.pop_back();
        if (slash == kerasName.size() || !bare.ends_with("_cell")) {
            if (!out.empty()) out += '/';
            out += part;
        }
        at = slash + 1;
    }
    return out;
}

std::string layerLoomWeightName(std::string kerasName) {
    const std::string plain = withoutCellScopes(std::move(kerasName));
    // A Bidirectional's two layers, "forward_lstm_3" and "backward_lstm_3", are LayerLoom's
    // forward_layer and backward_layer (Keras 3's names for them).
    const auto slash = plain.find('/');
    if (slash == std::string::npos) return plain;
    const std::string first = plain.substr(0, slash);
    if (first.starts_with("forward_")) return "forward_layer" + plain.substr(slash);
    if (first.starts_with("backward_")) return "backward_layer" + plain.substr(slash);
    return plain;
}

}  // namespace loom
