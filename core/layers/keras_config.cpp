#include "layers/keras_config.h"

#include "io/json_input.h"
#include "io/python_text.h"
#include "layers/activations.h"

namespace loom {

using nlohmann::json;

json kerasObject(std::string_view module, std::string_view className, json config) {
    return {{"module", module}, {"class_name", className}, {"config", std::move(config)}, {"registered_name", nullptr}};
}

json kerasBaseConfig(const std::string& name, KerasFormat format) {
    json c = {{"name", name}, {"trainable", true}};
    if (format == KerasFormat::Keras3) c["dtype"] = kerasObject("keras", "DTypePolicy", {{"name", "float32"}});
    return c;
}

json kerasInitializer(Init init, KerasFormat format) {
    const bool k3 = format == KerasFormat::Keras3;
    const auto object = [&](const char* cls, json config) {
        return k3 ? kerasObject("keras.initializers", cls, std::move(config))
                  : json{{"class_name", cls}, {"config", std::move(config)}};
    };
    switch (init) {
        case Init::GlorotUniform:
            if (k3) return object("GlorotUniform", {{"seed", nullptr}});
            return object("VarianceScaling", {{"scale", 1.0}, {"mode", "fan_avg"}, {"distribution", "uniform"}, {"seed", nullptr}});
        case Init::Orthogonal: return object("Orthogonal", {{"gain", 1.0}, {"seed", nullptr}});
        case Init::Ones: return object("Ones", json::object());
        case Init::Uniform: return object("RandomUniform", {{"minval", -0.05}, {"maxval", 0.05}, {"seed", nullptr}});
        case Init::Zeros:
        case Init::LstmBias: break;  // unit_forget_bias says the rest
    }
    return object("Zeros", json::object());
}

json kerasRegularizer(const Regularizer& r, KerasFormat format) {
    if (r.kind == Regularizer::Kind::None) return nullptr;
    if (format == KerasFormat::TfKeras2) return {{"class_name", "L1L2"}, {"config", {{"l1", r.l1}, {"l2", r.l2}}}};
    switch (r.kind) {
        case Regularizer::Kind::L1: return kerasObject("keras.regularizers", "L1", {{"l1", r.l1}});
        case Regularizer::Kind::L2: return kerasObject("keras.regularizers", "L2", {{"l2", r.l2}});
        case Regularizer::Kind::None:
        case Regularizer::Kind::L1L2: break;
    }
    return kerasObject("keras.regularizers", "L1L2", {{"l1", r.l1}, {"l2", r.l2}});
}

json kerasParams(const LayerSpec& spec, const Node& node, KerasFormat format) {
    json c = json::object();
    for (const ParamSpec& p : spec.params()) {
        auto it = node.params.find(p.name);
        if (it == node.params.end()) continue;
        const ParamValue& v = it->second;
        if (const auto* b = std::get_if<bool>(&v)) c[p.name] = *b;
        if (const auto* i = std::get_if<std::int64_t>(&v)) c[p.name] = *i;
        if (const auto* d = std::get_if<double>(&v)) c[p.name] = *d;
        if (const auto* s = std::get_if<std::string>(&v)) c[p.name] = *s;
        if (const auto* r = std::get_if<Regularizer>(&v)) c[p.name] = kerasRegularizer(*r, format);
    }
    return c;
}

namespace {

Regularizer regularizerOf(const json& j) {
    if (j.is_null()) return {};
    const json& c = j.value("config", json::object());
    const double l1 = kerasValue(c, "l1", 0.0), l2 = kerasValue(c, "l2", 0.0);
    Regularizer r{Regularizer::Kind::L1L2, l1, l2};
    if (l1 == 0.0 && l2 == 0.0) return {};
    if (l1 == 0.0) r.kind = Regularizer::Kind::L2;
    if (l2 == 0.0) r.kind = Regularizer::Kind::L1;
    return r;
}

}  // namespace

std::string readKerasParams(const LayerSpec& spec, const json& config, ParamMap& params) {
    if (!config.is_object()) return "its config is " + jsonExcerpt(config) + ", not an object";
    for (const ParamSpec& p : spec.params()) {
        if (!config.contains(p.name)) continue;
        const json& v = config[p.name];
        if (v.is_null()) {
            // Python's None, as Keras's constructors read it: false where they test the option's
            // truth, linear for an activation, no regulariser, a rate's default; a size is needed.
            switch (p.type) {
                case ParamType::Bool: params[p.name] = false; break;
                case ParamType::Choice:
                    if (p.name.ends_with("activation")) params[p.name] = std::string("linear");
                    break;
                case ParamType::Regularization: params[p.name] = Regularizer{}; break;
                case ParamType::Int: return p.name + " is None, where " + std::string(spec.kind()) + " needs a whole number";
                case ParamType::Float:
                case ParamType::Shape: break;
            }
            continue;
        }
        try {
            switch (p.type) {
                case ParamType::Bool: params[p.name] = v.get<bool>(); break;
                case ParamType::Int: params[p.name] = v.get<std::int64_t>(); break;
                case ParamType::Float: params[p.name] = v.get<double>(); break;
                case ParamType::Choice:
                    params[p.name] = p.name.ends_with("activation") ? canonicalActivation(v.get<std::string>())
                                                                     : v.get<std::string>();
                    break;
                case ParamType::Regularization: params[p.name] = regularizerOf(v); break;
                case ParamType::Shape: break;
            }
        } catch (const json::exception&) {
            return p.name + " is " + jsonExcerpt(v) + ", which " + std::string(spec.kind()) + " cannot take";
        }
    }
    return {};
}

std::string unlistSizes(json& config, std::initializer_list<const char*> keys) {
    for (const char* key : keys) {
        if (!config.contains(key) || !config[key].is_array()) continue;
        if (config[key].size() != 1) return std::string(key) + " is " + jsonExcerpt(config[key]) + ", not one size";
        config[key] = json(config[key][0]);
    }
    return {};
}

std::string channelsLastProblem(const json& config) {
    if (kerasValue(config, "data_format", std::string("channels_last")) == "channels_last") return {};
    return "data_format=" + jsonExcerpt(config["data_format"]) + " is not supported: LayerLoom's sequences are (time, channels)";
}

void nullKerasOptions(json& config, std::initializer_list<const char*> keys) {
    for (const char* key : keys) config[key] = nullptr;
}

namespace {

std::string pythonValue(const ParamSpec& p, const ParamValue& v) {
    if (const auto* b = std::get_if<bool>(&v)) return *b ? "True" : "False";
    if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) return python::number(*d);
    if (const auto* s = std::get_if<std::string>(&v)) {
        // LayerLoom's hard_sigmoid is tf.keras 2's and TF.js's; the code defines it.
        if (*s == "hard_sigmoid" && p.type == ParamType::Choice) return "hard_sigmoid";
        return python::quoted(*s);
    }
    if (const auto* r = std::get_if<Regularizer>(&v)) {
        if (r->kind == Regularizer::Kind::None) return "None";
        return "regularizers.L1L2(l1=" + python::number(r->l1) + ", l2=" + python::number(r->l2) + ")";
    }
    return "None";
}

}  // namespace

std::string kerasPythonArguments(const LayerSpec& spec, const Node& node) {
    std::string out;
    for (const ParamSpec& p : spec.params()) {
        auto it = node.params.find(p.name);
        if (it == node.params.end() || p.type == ParamType::Shape || !spec.paramApplies(node, p.name)) continue;
        if (!out.empty()) out += ", ";
        out += p.name + "=" + pythonValue(p, it->second);
    }
    return out;
}

}  // namespace loom
