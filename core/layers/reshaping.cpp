#include "layers/reshaping.h"

#include <nlohmann/json.hpp>

#include "io/json_input.h"
#include "layers/keras_config.h"
#include "layers/layer_registry.h"
#include "shape/explain.h"
#include "shape/fixes.h"
#include "layers/onnx_layer.h"

namespace loom {

using nlohmann::json;

namespace {

std::string num(std::int64_t v) { return v == kNone ? "None" : std::to_string(v); }

Diagnostic sizeProblem(const ShapeContext& ctx, std::string message) {
    Diagnostic d;
    d.code = DiagCode::ReshapeSize;
    d.node = ctx.node.id;
    d.port = ctx.inputs.front().edge->to.port;
    d.message = std::move(message);
    if (ctx.inputs.front().producer) d.related.push_back(ctx.inputs.front().producer->id);
    return d;
}

/// A Keras shape list ([4, -1], [8]) as LayerLoom's target_shape: -1 becomes None.
std::optional<Dims> shapeFromKeras(const json& j) {
    if (!j.is_array() || j.empty() || j.size() > 2) return std::nullopt;
    Dims dims;
    for (const json& v : j) {
        if (!v.is_number_integer()) return std::nullopt;
        dims.push_back(v.get<std::int64_t>() == -1 ? kNone : v.get<std::int64_t>());
    }
    return dims;
}

json shapeToKeras(const Dims& dims) {
    json j = json::array();
    for (std::int64_t d : dims) j.push_back(d == kNone ? -1 : d);
    return j;
}

std::string shapePython(const Dims& dims) {
    std::string s = "(";
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (i) s += ", ";
        s += dims[i] == kNone ? "-1" : std::to_string(dims[i]);
    }
    return s + (dims.size() == 1 ? ",)" : ")");
}

}  // namespace

bool ReshapingSpec::reportFreeLength(const ShapeContext& ctx) const {
    const TensorShape& in = *ctx.inputs.front().shape;
    if (!in.isSequence() || in.time().size != kNone) return false;
    ctx.diagnostics.push_back(sizeProblem(
        ctx, nodeLabel(ctx.node) + " reads " + describeInput(ctx.inputs.front()) +
                 ", a sequence of any length, but its output's sizes, which the next layers' weights depend on, "
                 "would follow the length. Give the Input a fixed number of steps (" +
                 explainDim(ctx.graph, in.time()) + ")."));
    return true;
}

const std::vector<ParamSpec>& FlattenSpec::params() const {
    static const std::vector<ParamSpec> none;
    return none;
}

std::optional<TensorShape> FlattenSpec::inferShape(const ShapeContext& ctx) const {
    const TensorShape& in = *ctx.inputs.front().shape;
    if (in.isVector()) return in;
    if (reportFreeLength(ctx)) return std::nullopt;
    const std::int64_t size = in.time().size * in.features().size;
    if (size > kMaxFeatures) {
        ctx.diagnostics.push_back(sizeProblem(
            ctx, nodeLabel(ctx.node) + " would make " + std::to_string(size) + " features of " +
                     describeInput(ctx.inputs.front()) + ", beyond the " + std::to_string(kMaxFeatures) +
                     " a layer may have. Shorten the sequence first, with pooling or a strided Conv1D."));
        return std::nullopt;
    }
    return TensorShape{{Dim{size, ctx.node.id}}};
}

std::string FlattenSpec::explainSize(const Node& node, const Dim& dim) const {
    return node.name + " lays the steps end to end (" + std::to_string(dim.size) + " values)";
}

json FlattenSpec::kerasConfig(const Node&, KerasFormat, std::span<const Dims>) const {
    return {{"data_format", "channels_last"}};
}

std::string FlattenSpec::readKeras(const json& config, KerasProducer producer, ParamMap& params) const {
    if (const std::string problem = channelsLastProblem(config); !problem.empty()) return problem;
    return LayerSpec::readKeras(config, producer, params);
}

PyTorchLayer FlattenSpec::pytorch(const Node&, std::span<const Dims>, const std::string&,
                                  std::span<const std::string> args) const {
    return {"", args.front() + ".flatten(1)"};
}

std::vector<std::string> FlattenSpec::onnx(const Node&, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    return {graph.op("Flatten", {in.values[0]}, {{"axis", std::int64_t{1}}})};
}

const std::vector<ParamSpec>& ReshapeSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "target_shape", .type = ParamType::Shape, .defaultValue = Dims{kNone, 1},
         .help = "The output's shape without the batch axis: (features,) or (time, features). One size may be "
                 "None, Keras's -1: the size that makes the number of values agree.",
         .onCard = true, .anyFreeAxis = true},
    };
    return schema;
}

std::optional<TensorShape> ReshapeSpec::inferShape(const ShapeContext& ctx) const {
    const TensorShape& in = *ctx.inputs.front().shape;
    if (reportFreeLength(ctx)) return std::nullopt;
    std::int64_t values = 1;
    for (const Dim& d : in.dims) values *= d.size;
    const Dims target = ctx.node.param<Dims>("target_shape");
    // The one None (Keras's -1), wherever it is, takes what the other sizes leave.
    std::int64_t known = 1;
    bool free = false;
    for (std::int64_t d : target) {
        if (d == kNone) {
            free = true;
        } else {
            known *= d;
        }
    }
    Dims sizes = target;
    const bool fits = free ? values % known == 0 : known == values;
    for (std::int64_t& d : sizes) d = d == kNone ? (fits ? values / known : kNone) : d;
    if (!fits) {
        std::string shown = "(";
        for (std::size_t i = 0; i < target.size(); ++i) shown += (i ? ", " : "") + num(target[i]);
        shown += target.size() == 1 ? ",)" : ")";
        Diagnostic d = sizeProblem(
            ctx, nodeLabel(ctx.node) + " cannot reshape " + describeInput(ctx.inputs.front()) + ", which holds " +
                     std::to_string(values) + " values per sample, to " + shown + ": " +
                     (free ? std::to_string(values) + " is not a multiple of " + std::to_string(known)
                           : "that holds " + std::to_string(known)) +
                     ". A reshape keeps every value; only their arrangement changes.");
        // A Dense (or any layer with units) that makes the vector can make a multiple instead.
        const Node* producer = ctx.inputs.front().producer;
        const LayerSpec* made = producer ? findLayer(producer->kind) : nullptr;
        if (in.isVector() && free && made && made->param("units") &&
            producer->param<std::int64_t>("units") == values) {
            const std::int64_t fit = (values + known - 1) / known * known;
            d.fixes.push_back(setParamFix(*producer, "units", fit,
                                          "Set units=" + std::to_string(fit) + " on " + producer->name));
        }
        d.fixes.push_back(setParamFix(ctx.node, "target_shape", Dims{values},
                                      "Reshape to (" + std::to_string(values) + ",)"));
        if (in.isSequence() && target.back() != in.features().size) {
            d.fixes.push_back(setParamFix(ctx.node, "target_shape", Dims{kNone, in.features().size},
                                          "Reshape to (None, " + std::to_string(in.features().size) + ")"));
        }
        ctx.diagnostics.push_back(std::move(d));
        return std::nullopt;
    }
    const std::int64_t f = sizes.back();
    if (f > kMaxFeatures) {
        ctx.diagnostics.push_back(sizeProblem(ctx, nodeLabel(ctx.node) + " would make " + std::to_string(f) +
                                                       " features, beyond the " + std::to_string(kMaxFeatures) +
                                                       " a layer may have."));
        return std::nullopt;
    }
    const std::int64_t t = sizes.front();
    if (target.size() == 1) return TensorShape{{Dim{f, ctx.node.id}}};
    if (t > kMaxSteps) {
        ctx.diagnostics.push_back(sizeProblem(ctx, nodeLabel(ctx.node) + " would make " + std::to_string(t) +
                                                       " steps, beyond the " + std::to_string(kMaxSteps) +
                                                       " a sequence may have."));
        return std::nullopt;
    }
    return TensorShape{{Dim{t, ctx.node.id}, Dim{f, ctx.node.id}}};
}

std::string ReshapeSpec::explainSize(const Node& node, const Dim&) const {
    return node.name + " has target_shape=" + formatParam(node.param<Dims>("target_shape"));
}

json ReshapeSpec::kerasConfig(const Node& node, KerasFormat, std::span<const Dims>) const {
    return {{"target_shape", shapeToKeras(node.param<Dims>("target_shape"))}};
}

std::string ReshapeSpec::readKeras(const json& config, KerasProducer, ParamMap& params) const {
    if (!config.is_object() || !config.contains("target_shape")) return "a Reshape without its target_shape";
    const std::optional<Dims> dims = shapeFromKeras(config["target_shape"]);
    if (!dims) {
        return "target_shape is " + jsonExcerpt(config["target_shape"]) +
               ", not (features,) or (time, features): LayerLoom's tensors are vectors and sequences";
    }
    if (const auto problem = checkParam(this->params().front(), *dims)) return "target_shape " + *problem;
    params["target_shape"] = *dims;
    return {};
}

std::string ReshapeSpec::kerasPython(const Node& node, const std::string&, const std::string& nameArg) const {
    return "layers.Reshape(" + shapePython(node.param<Dims>("target_shape")) + ", " + nameArg + ")";
}

PyTorchLayer ReshapeSpec::pytorch(const Node& node, std::span<const Dims>, const std::string&,
                                  std::span<const std::string> args) const {
    const std::string shape = shapePython(node.param<Dims>("target_shape"));
    return {"", args.front() + ".reshape(" + args.front() + ".shape[0], *" + shape + ")"};
}

std::vector<std::string> ReshapeSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    // 0 keeps the batch's size; Keras's None is ONNX's -1.
    std::vector<std::int64_t> shape{0};
    for (std::int64_t d : node.param<Dims>("target_shape")) shape.push_back(d == kNone ? -1 : d);
    return {graph.reshape(in.values[0], std::move(shape))};
}

const std::vector<ParamSpec>& PermuteSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "dims", .type = ParamType::Choice, .defaultValue = std::string("(2, 1)"),
         .help = "The new order of the axes after the batch: (2, 1) swaps time and features, each feature "
                 "becoming a step; (1, 2) keeps them as they are.",
         .choices = {"(2, 1)", "(1, 2)"}, .onCard = true, .cardOnlyIfChanged = true},
    };
    return schema;
}

namespace {

bool swapsAxes(const Node& node) { return node.param<std::string>("dims") == "(2, 1)"; }

}  // namespace

std::optional<TensorShape> PermuteSpec::inferShape(const ShapeContext& ctx) const {
    const TensorShape& in = *ctx.inputs.front().shape;
    if (!swapsAxes(ctx.node)) return in;
    if (reportFreeLength(ctx)) return std::nullopt;
    if (in.features().size > kMaxSteps) {
        ctx.diagnostics.push_back(sizeProblem(ctx, nodeLabel(ctx.node) + " would make " +
                                                       std::to_string(in.features().size) + " steps, beyond the " +
                                                       std::to_string(kMaxSteps) + " a sequence may have."));
        return std::nullopt;
    }
    return TensorShape{{in.features(), in.time()}};
}

json PermuteSpec::kerasConfig(const Node& node, KerasFormat, std::span<const Dims>) const {
    return {{"dims", swapsAxes(node) ? json::array({2, 1}) : json::array({1, 2})}};
}

std::string PermuteSpec::readKeras(const json& config, KerasProducer, ParamMap& params) const {
    const json dims = config.is_object() ? config.value("dims", json()) : config;
    if (dims == json::array({2, 1}) || dims == json::array({1, 2})) {
        params["dims"] = std::string(dims[0] == 2 ? "(2, 1)" : "(1, 2)");
        return {};
    }
    return "Permute with dims " + jsonExcerpt(dims) +
           "; a sequence's axes after the batch are time and features, in the order (2, 1) or (1, 2)";
}

std::string PermuteSpec::kerasPython(const Node& node, const std::string&, const std::string& nameArg) const {
    return "layers.Permute(" + node.param<std::string>("dims") + ", " + nameArg + ")";
}

PyTorchLayer PermuteSpec::pytorch(const Node& node, std::span<const Dims>, const std::string&,
                                  std::span<const std::string> args) const {
    return {"", swapsAxes(node) ? args.front() + ".transpose(1, 2)" : args.front()};
}

std::vector<std::string> PermuteSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    if (!swapsAxes(node)) return {graph.op("Identity", {in.values[0]})};
    return {graph.transpose(in.values[0], {0, 2, 1})};
}

}  // namespace loom
