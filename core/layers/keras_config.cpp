#include "layers/keras_config.h"

#include <cctype>
#include <cmath>

#include "io/json_input.h"
#include "io/message_text.h"
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

namespace {

/// Glorot, He and LeCun as Keras's VarianceScaling: scale, mode, and whether normal.
struct Scaling {
    Initializer::Kind kind;
    double scale;
    const char* mode;
    bool normal;
};
constexpr Scaling kScalings[] = {
    {Initializer::Kind::GlorotUniform, 1.0, "fan_avg", false}, {Initializer::Kind::GlorotNormal, 1.0, "fan_avg", true},
    {Initializer::Kind::HeUniform, 2.0, "fan_in", false},      {Initializer::Kind::HeNormal, 2.0, "fan_in", true},
    {Initializer::Kind::LecunUniform, 1.0, "fan_in", false},   {Initializer::Kind::LecunNormal, 1.0, "fan_in", true},
};

/// Keras's class name: GlorotUniform, RandomNormal, ...
std::string className(Initializer::Kind kind) {
    std::string snake = initializerName(kind), camel;
    bool upper = true;
    for (char c : snake) {
        if (c == '_') {
            upper = true;
            continue;
        }
        camel += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        upper = false;
    }
    return camel;
}

}  // namespace

json kerasInitializer(const Initializer& init, KerasFormat format) {
    const bool k3 = format == KerasFormat::Keras3;
    const auto object = [&](const std::string& cls, json config) {
        return k3 ? kerasObject("keras.initializers", cls, std::move(config))
                  : json{{"class_name", cls}, {"config", std::move(config)}};
    };
    for (const Scaling& s : kScalings) {
        if (s.kind != init.kind) continue;
        if (k3) return object(className(init.kind), {{"seed", nullptr}});
        return object("VarianceScaling", {{"scale", s.scale}, {"mode", s.mode},
                                          {"distribution", s.normal ? "truncated_normal" : "uniform"}, {"seed", nullptr}});
    }
    json config = json::object();
    const auto [first, second] = initializerArguments(init.kind);
    if (*first) config[first] = init.a;
    if (*second) config[second] = init.b;
    const bool random = init.kind == Initializer::Kind::Orthogonal || init.kind == Initializer::Kind::RandomNormal ||
                        init.kind == Initializer::Kind::RandomUniform || init.kind == Initializer::Kind::TruncatedNormal;
    if (random) config["seed"] = nullptr;
    return object(className(init.kind), std::move(config));
}

Initializer initializerFromKeras(const json& value, std::string& why) {
    why.clear();
    Initializer::Kind kind{};
    if (value.is_string()) {
        if (parseInitializer(value.get<std::string>(), kind)) return Initializer(kind);
        // Keras also resolves class names given as text: "GlorotUniform", "HeNormal".
        return initializerFromKeras(json{{"class_name", value}, {"config", json::object()}}, why);
    }
    if (!value.is_object() || !value.contains("class_name") || !value["class_name"].is_string()) {
        why = "the initialiser " + jsonExcerpt(value, 40) + " is neither a name nor an initialiser object";
        return {};
    }
    std::string cls = value["class_name"].get<std::string>();
    // Keras 3 serialises some under their full class names: OrthogonalInitializer,
    // IdentityInitializer.
    if (cls.size() > 11 && cls.ends_with("Initializer")) cls.resize(cls.size() - 11);
    const json config = value.contains("config") && value["config"].is_object() ? value["config"] : json::object();
    if (cls == "VarianceScaling") {
        const double scale = kerasValue(config, "scale", 1.0);
        const std::string mode = kerasValue(config, "mode", std::string("fan_in"));
        std::string distribution = kerasValue(config, "distribution", std::string("truncated_normal"));
        if (distribution == "normal") distribution = "truncated_normal";  // Keras 2's older name
        for (const Scaling& s : kScalings) {
            if (s.scale == scale && mode == s.mode && distribution == (s.normal ? "truncated_normal" : "uniform")) return Initializer(s.kind);
        }
        why = "the initialiser VarianceScaling(scale=" + jsonExcerpt(config.value("scale", json(1.0)), 20) + ", mode=" + mode +
              ", distribution=" + distribution + ") is not one LayerLoom has (it has Glorot, He and LeCun's)";
        return {};
    }
    for (Initializer::Kind k : allInitializers()) {
        if (className(k) != cls) continue;
        Initializer init(k);
        const auto [first, second] = initializerArguments(k);
        try {
            if (*first) init.a = kerasValue(config, first, init.a);
            if (*second) init.b = kerasValue(config, second, init.b);
        } catch (const json::exception&) {
            why = "the initialiser " + cls + "'s config " + jsonExcerpt(config, 40) + " does not hold numbers";
            return {};
        }
        return init;
    }
    // Keras's other spellings of the same classes.
    if (cls == "Zeros" || cls == "Zero") return Initializer(Initializer::Kind::Zeros);
    if (cls == "Ones" || cls == "One") return Initializer(Initializer::Kind::Ones);
    why = "the initialiser " + printableExcerpt(cls, 40) + " is not one LayerLoom has";
    return {};
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

namespace {

/// An Int or Float parameter's value as a number; NaN for the other types.
double numericValue(const ParamValue& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&v)) return *d;
    return std::nan("");
}

/// Whether a parameter holds the lowest value of a size that stands for Keras's None.
bool isNone(const ParamSpec& p, const ParamValue& v) { return !p.noneText.empty() && numericValue(v) == p.minValue; }

}  // namespace

json kerasParams(const LayerSpec& spec, const Node& node, KerasFormat format) {
    json c = json::object();
    for (const ParamSpec& p : spec.params()) {
        auto it = node.params.find(p.name);
        if (it == node.params.end() || p.callArgument) continue;
        const ParamValue& v = it->second;
        if (isNone(p, v)) {
            c[p.name] = nullptr;
            continue;
        }
        if (const auto* b = std::get_if<bool>(&v)) c[p.name] = *b;
        if (const auto* i = std::get_if<std::int64_t>(&v)) c[p.name] = *i;
        if (const auto* d = std::get_if<double>(&v)) c[p.name] = *d;
        if (const auto* s = std::get_if<std::string>(&v)) c[p.name] = *s;
        if (const auto* r = std::get_if<Regularizer>(&v)) c[p.name] = kerasRegularizer(*r, format);
        if (const auto* init = std::get_if<Initializer>(&v)) c[p.name] = kerasInitializer(*init, format);
    }
    // Initialisers are written whether or not the layer sets them: Keras's defaults differ by layer.
    for (const ParamSpec& p : spec.params()) {
        if (p.type == ParamType::Initialization && !c.contains(p.name)) {
            c[p.name] = kerasInitializer(std::get<Initializer>(p.defaultValue), format);
        }
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
                case ParamType::Initialization: break;  // None: the layer's default
                case ParamType::Int:
                    if (p.noneText.empty()) return p.name + " is None, where " + std::string(spec.kind()) + " needs a whole number";
                    params[p.name] = static_cast<std::int64_t>(p.minValue);  // the value that stands for None
                    break;
                case ParamType::Float:
                    if (!p.noneText.empty()) params[p.name] = p.minValue;
                    break;
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
                case ParamType::Initialization: {
                    // One LayerLoom does not have keeps the layer's default: the weights that
                    // come with the model matter more; the import names it (initializerNotes).
                    std::string why;
                    const Initializer init = initializerFromKeras(v, why);
                    if (why.empty()) params[p.name] = init;
                    break;
                }
                case ParamType::Shape: break;
            }
        } catch (const json::exception&) {
            return p.name + " is " + jsonExcerpt(v) + ", which " + std::string(spec.kind()) + " cannot take";
        }
    }
    return {};
}

std::vector<std::string> initializerNotes(const LayerSpec& spec, const json& config, const std::string& layer) {
    std::vector<std::string> notes;
    if (!config.is_object()) return notes;
    for (const ParamSpec& p : spec.params()) {
        if (p.type != ParamType::Initialization || !config.contains(p.name) || config[p.name].is_null()) continue;
        std::string why;
        initializerFromKeras(config[p.name], why);
        if (!why.empty()) {
            notes.push_back(layer + ": " + p.name + ": " + why + "; it starts from " + formatParam(p.defaultValue) +
                            " when trained afresh");
        }
    }
    return notes;
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
    if (const auto* init = std::get_if<Initializer>(&v)) {
        const auto [first, second] = initializerArguments(init->kind);
        if (*first == '\0') return python::quoted(initializerName(init->kind));
        std::string args = std::string(first) + "=" + python::number(init->a);
        if (*second) args += std::string(", ") + second + "=" + python::number(init->b);
        return "keras.initializers." + className(init->kind) + "(" + args + ")";
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
        if (it == node.params.end() || p.type == ParamType::Shape || p.callArgument || !spec.paramApplies(node, p.name)) {
            continue;
        }
        if (isNone(p, it->second)) {
            if (!out.empty()) out += ", ";
            out += p.name + "=None";
            continue;
        }
        // An initialiser at the layer's default is Keras's default too: not written.
        if (p.type == ParamType::Initialization && it->second == p.defaultValue) continue;
        if (!out.empty()) out += ", ";
        out += p.name + "=" + pythonValue(p, it->second);
    }
    return out;
}

}  // namespace loom
