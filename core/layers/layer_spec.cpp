#include "layers/layer_spec.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "layers/keras_config.h"
#include "shape/explain.h"
#include "shape/fixes.h"

namespace loom {

std::vector<ParamShape> LayerSpec::weights(const Node&, std::span<const Dims>) const { return {}; }

std::int64_t LayerSpec::trainingCache(const Node&, std::span<const Dims>, const Dims&) const {
    return 0;
}

ParamSpec initializerParam(const char* name, Initializer::Kind kind, const char* weight) {
    return {.name = name, .type = ParamType::Initialization, .defaultValue = Initializer(kind),
            .help = std::string("How the ") + weight + " starts before training (Keras's " + name + ")."};
}

std::int64_t LayerSpec::paramCount(const Node& node, std::span<const TensorShape> inputs, std::int64_t* frozen) const {
    if (frozen) *frozen = 0;
    std::vector<Dims> sizes;
    for (const TensorShape& s : inputs) {
        sizes.push_back(s.sizes());
        // Only the time axis may be free; weights never depend on it.
        for (std::size_t i = 0; i + 1 < sizes.back().size(); ++i) {
            if (sizes.back()[i] == kNone) sizes.back()[i] = 1;
        }
        if (sizes.back().empty()) return 0;
    }
    // A free last axis (token ids of any length) counts when the weights do not depend on it;
    // only then are they worked out more than once (validation counts every layer on each edit).
    if (std::any_of(sizes.begin(), sizes.end(), [](const Dims& d) { return d.back() == kNone; })) {
        const auto withLast = [&](std::int64_t size) {
            std::vector<Dims> s = sizes;
            for (Dims& d : s) {
                if (d.back() == kNone) d.back() = size;
            }
            std::vector<std::vector<std::int64_t>> shapes;
            for (const ParamShape& w : weights(node, s)) shapes.push_back(w.shape);
            return std::pair{s, shapes};
        };
        const auto [one, shapesOne] = withLast(1);
        if (shapesOne != withLast(2).second) return 0;
        sizes = one;
    }
    std::int64_t n = 0;
    for (const ParamShape& w : weights(node, sizes)) {
        for (std::int64_t d : w.shape) {
            if (d < 0) return 0;
        }
        n += w.size();
        if (frozen && !w.trainable) *frozen += w.size();
    }
    return n;
}

Diagnostic paramDiagnostic(const ShapeContext& ctx, std::string message) {
    Diagnostic d;
    d.code = DiagCode::InvalidParam;
    d.node = ctx.node.id;
    d.message = std::move(message);
    return d;
}

bool reportStridesWithDilation(const ShapeContext& ctx, std::int64_t strides, std::int64_t dilation) {
    if (strides <= 1 || dilation <= 1) return false;
    Diagnostic d = paramDiagnostic(ctx, nodeLabel(ctx.node) + " has strides=" + std::to_string(strides) +
                                            " and dilation_rate=" + std::to_string(dilation) +
                                            ": Keras takes one or the other above 1, not both.");
    d.fixes.push_back(setParamFix(ctx.node, "dilation_rate", std::int64_t{1}, "Set dilation_rate=1"));
    d.fixes.push_back(setParamFix(ctx.node, "strides", std::int64_t{1}, "Set strides=1"));
    ctx.diagnostics.push_back(std::move(d));
    return true;
}

std::string LayerSpec::explainSize(const Node& node, const Dim&) const {
    return node.name + " sets it";
}

std::vector<std::string> LayerSpec::weightNames(const Node& node) const {
    std::vector<Dims> inputs(static_cast<std::size_t>(std::max(1, minInputs())), Dims{1, 1});
    std::vector<std::string> names;
    for (const ParamShape& w : weights(node, inputs)) names.push_back(w.name);
    return names;
}

nlohmann::json LayerSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims>) const {
    return kerasParams(*this, node, format);
}

std::string LayerSpec::readKeras(const nlohmann::json& config, KerasProducer, ParamMap& params) const {
    return readKerasParams(*this, config, params);
}

KerasWeightPlace LayerSpec::kerasWeightPlace(const Node&, const ParamShape& weight) const { return {weight.name + ":0", ""}; }

nlohmann::json LayerSpec::kerasCallOptions(const Node&) const { return nlohmann::json::object(); }

std::string LayerSpec::readKerasCall(const nlohmann::json&, ParamMap&) const { return {}; }

std::string LayerSpec::kerasPython(const Node&, const std::string& args, const std::string& nameArg) const {
    const std::string_view package = kerasOrigin().package;
    return (package.empty() ? std::string("layers") : std::string(package) + ".layers") + "." + std::string(kind()) + "(" +
           (args.empty() ? "" : args + ", ") + nameArg + ")";
}

const ParamSpec* LayerSpec::param(std::string_view name) const {
    for (const ParamSpec& p : params()) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

ParamMap LayerSpec::defaults() const {
    ParamMap map;
    for (const ParamSpec& p : params()) map.emplace(p.name, p.defaultValue);
    return map;
}

namespace {

std::optional<std::string> checkRange(const ParamSpec& spec, double v) {
    if (!std::isfinite(v)) return "must be a finite number";
    if (v < spec.minValue) return "must be at least " + formatParam(spec.minValue);
    if (spec.maxValue != 0.0) {
        if (spec.maxExclusive && v >= spec.maxValue) {
            return "must be below " + formatParam(spec.maxValue);
        }
        if (!spec.maxExclusive && v > spec.maxValue) {
            return "must be at most " + formatParam(spec.maxValue);
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> checkParam(const ParamSpec& spec, const ParamValue& value) {
    switch (spec.type) {
        case ParamType::Bool:
            if (!std::holds_alternative<bool>(value)) return "must be True or False";
            return std::nullopt;
        case ParamType::Int:
            if (!std::holds_alternative<std::int64_t>(value)) return "must be a whole number";
            return checkRange(spec, static_cast<double>(std::get<std::int64_t>(value)));
        case ParamType::Float:
            if (!std::holds_alternative<double>(value)) return "must be a number";
            return checkRange(spec, std::get<double>(value));
        case ParamType::Choice: {
            if (!std::holds_alternative<std::string>(value)) return "must be a name";
            const auto& s = std::get<std::string>(value);
            if (std::find(spec.choices.begin(), spec.choices.end(), s) == spec.choices.end()) {
                std::string list;
                for (const auto& c : spec.choices) list += (list.empty() ? "" : ", ") + c;
                return "'" + s + "' is not one of: " + list;
            }
            return std::nullopt;
        }
        case ParamType::Initialization: {
            if (!std::holds_alternative<Initializer>(value)) return "must be an initialiser";
            const auto& init = std::get<Initializer>(value);
            if (!std::isfinite(init.a) || !std::isfinite(init.b) || std::abs(init.a) > 1e6 || std::abs(init.b) > 1e6) {
                return "must have finite numbers of at most a million";
            }
            const bool normal = init.kind == Initializer::Kind::RandomNormal || init.kind == Initializer::Kind::TruncatedNormal;
            if (normal && !(init.b > 0)) return "needs a stddev above 0";
            if (init.kind == Initializer::Kind::RandomUniform && init.a > init.b) return "needs minval at most maxval";
            return std::nullopt;
        }
        case ParamType::Regularization: {
            if (!std::holds_alternative<Regularizer>(value)) return "must be a regularizer";
            const auto& r = std::get<Regularizer>(value);
            if (!std::isfinite(r.l1) || !std::isfinite(r.l2) || r.l1 < 0 || r.l2 < 0) {
                return "factors must be finite and not negative";
            }
            return std::nullopt;
        }
        case ParamType::Shape: {
            if (!std::holds_alternative<Dims>(value)) return "must be a shape";
            const auto& dims = std::get<Dims>(value);
            if (dims.empty() || dims.size() > 2) {
                return "must be (features,) or (time, features)";
            }
            if (std::count(dims.begin(), dims.end(), kNone) > 1) return "may leave only one size None";
            for (std::size_t i = 0; i < dims.size(); ++i) {
                const bool last = i + 1 == dims.size();
                if (dims[i] == kNone && (!last || spec.anyFreeAxis)) continue;  // the free axis
                if (dims[i] < 1) {
                    return last ? "the feature size must be a positive number"
                                : "the time length must be positive or None";
                }
                // Sizes far beyond any sequence model, whose products would overflow.
                if (dims[i] > (last ? kMaxFeatures : kMaxSteps)) {
                    return last ? "the feature size must be at most " + formatParam(kMaxFeatures)
                                : "the time length must be at most " + formatParam(kMaxSteps);
                }
            }
            return std::nullopt;
        }
    }
    return std::nullopt;
}

}  // namespace loom
