#include "layers/time_steps.h"

#include <nlohmann/json.hpp>

#include "io/json_input.h"
#include "shape/explain.h"
#include "shape/fixes.h"
#include "layers/onnx_layer.h"

namespace loom {

using nlohmann::json;

namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

ParamSpec stepsParam(std::string name, std::string help) {
    return {.name = std::move(name), .type = ParamType::Int, .defaultValue = std::int64_t{1}, .help = std::move(help),
            .minValue = 0, .maxValue = 1 << 20, .onCard = true};
}

/// Keras's (before, after) pair under `key`, given as one number or two, into two parameters.
std::string readPair(const json& config, const char* key, const char* before, const char* after, ParamMap& params) {
    if (!config.is_object() || !config.contains(key)) return {};
    const json& v = config[key];
    const auto size = [](const json& x) { return x.is_number_integer() && x.get<std::int64_t>() >= 0; };
    if (size(v)) {
        params[before] = v.get<std::int64_t>();
        params[after] = v.get<std::int64_t>();
        return {};
    }
    if (v.is_array() && v.size() == 2 && size(v[0]) && size(v[1])) {
        params[before] = v[0].get<std::int64_t>();
        params[after] = v[1].get<std::int64_t>();
        return {};
    }
    return std::string(key) + " is " + jsonExcerpt(v) + ", not a number of steps or a pair of them";
}

std::string pairText(const Node& node, const char* before, const char* after) {
    std::string text = "(";  // built in steps: GCC 12 warns falsely on "(" + a + ", " + b
    text += num(node.param<std::int64_t>(before));
    text += ", ";
    text += num(node.param<std::int64_t>(after));
    text += ")";
    return text;
}

}  // namespace

std::string TimeStepsSpec::tfjsLimitation(const Node& node) const {
    return node.name + ": TF.js has no " + std::string(kind()) + " (Keras, PyTorch and ONNX have).";
}

std::optional<TensorShape> TimeStepsSpec::inferShape(const ShapeContext& ctx) const {
    const TensorShape& in = *ctx.inputs.front().shape;
    const std::int64_t out = outLength(ctx.node, in.time().size);
    if (out > kMaxSteps) {
        Diagnostic d;
        d.code = DiagCode::InvalidParam;
        d.node = ctx.node.id;
        d.message = nodeLabel(ctx.node) + " would make a sequence of more than " + num(kMaxSteps) + " steps from " +
                    describeInput(ctx.inputs.front()) + ", far beyond any sequence LayerLoom trains.";
        ctx.diagnostics.push_back(std::move(d));
        return std::nullopt;
    }
    if (out == in.time().size) return in;
    return TensorShape{{changedDim(in.time(), out, ctx.node.id), in.features()}};
}

const std::vector<ParamSpec>& UpSampling1dSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "size", .type = ParamType::Int, .defaultValue = std::int64_t{2},
         .help = "How many times each step is repeated.", .minValue = 1, .maxValue = 1 << 16, .onCard = true},
    };
    return schema;
}

std::int64_t UpSampling1dSpec::outLength(const Node& node, std::int64_t steps) const {
    if (steps == kNone) return kNone;
    const std::int64_t size = node.param<std::int64_t>("size");
    // Past kMaxSteps the length is only reported as too long; the product could overflow.
    return steps > kMaxSteps / size ? kMaxSteps + 1 : steps * size;
}

std::string UpSampling1dSpec::explainSize(const Node& node, const Dim& dim) const {
    if (!dim.before) return LayerSpec::explainSize(node, dim);
    const std::int64_t size = node.param<std::int64_t>("size");
    if (size == 2) return node.name + " doubles " + num(dim.before->size) + " to " + num(dim.size);
    return node.name + " multiplies " + num(dim.before->size) + " by " + num(size) + " to " + num(dim.size);
}

PyTorchLayer UpSampling1dSpec::pytorch(const Node& node, std::span<const Dims>, const std::string&,
                                       std::span<const std::string> args) const {
    return {"", args.front() + ".repeat_interleave(" + num(node.param<std::int64_t>("size")) + ", dim=1)"};
}

std::vector<std::string> UpSampling1dSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    // Each step `size` times in a row: (batch, T, 1, C) tiled to (batch, T, size, C), then merged.
    const std::int64_t size = node.param<std::int64_t>("size");
    const std::string tiled = graph.op("Tile", {graph.unsqueeze(in.values[0], {2}), graph.ints({1, 1, size, 1})});
    return {graph.reshape(tiled, {0, -1, in.dims[0].back()})};
}

const std::vector<ParamSpec>& ZeroPadding1dSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        stepsParam("pad_before", "Steps of zeros added before the sequence (Keras's padding[0])."),
        stepsParam("pad_after", "Steps of zeros added after the sequence (Keras's padding[1])."),
    };
    return schema;
}

std::int64_t ZeroPadding1dSpec::outLength(const Node& node, std::int64_t steps) const {
    if (steps == kNone) return kNone;
    return steps + node.param<std::int64_t>("pad_before") + node.param<std::int64_t>("pad_after");
}

std::string ZeroPadding1dSpec::explainSize(const Node& node, const Dim& dim) const {
    if (!dim.before) return LayerSpec::explainSize(node, dim);
    return node.name + " pads " + num(dim.before->size) + " with " + pairText(node, "pad_before", "pad_after") +
           " to " + num(dim.size);
}

json ZeroPadding1dSpec::kerasConfig(const Node& node, KerasFormat, std::span<const Dims>) const {
    return {{"padding", json::array({node.param<std::int64_t>("pad_before"), node.param<std::int64_t>("pad_after")})}};
}

std::string ZeroPadding1dSpec::readKeras(const json& config, KerasProducer, ParamMap& params) const {
    return readPair(config, "padding", "pad_before", "pad_after", params);
}

std::string ZeroPadding1dSpec::kerasPython(const Node& node, const std::string&, const std::string& nameArg) const {
    return "layers.ZeroPadding1D(padding=" + pairText(node, "pad_before", "pad_after") + ", " + nameArg + ")";
}

PyTorchLayer ZeroPadding1dSpec::pytorch(const Node& node, std::span<const Dims>, const std::string&,
                                        std::span<const std::string> args) const {
    std::string pad = "F.pad(";
    pad += args.front();
    pad += ", (0, 0, ";
    pad += num(node.param<std::int64_t>("pad_before"));
    pad += ", ";
    pad += num(node.param<std::int64_t>("pad_after"));
    pad += "))";
    return {"", pad};
}

std::vector<std::string> ZeroPadding1dSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    const std::string pads = graph.ints({0, node.param<std::int64_t>("pad_before"), 0, 0, node.param<std::int64_t>("pad_after"), 0});
    return {graph.op("Pad", {in.values[0], pads})};
}

const std::vector<ParamSpec>& Cropping1dSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        stepsParam("crop_before", "Steps removed from the start of the sequence (Keras's cropping[0])."),
        stepsParam("crop_after", "Steps removed from the end of the sequence (Keras's cropping[1])."),
    };
    return schema;
}

std::int64_t Cropping1dSpec::outLength(const Node& node, std::int64_t steps) const {
    if (steps == kNone) return kNone;
    return steps - node.param<std::int64_t>("crop_before") - node.param<std::int64_t>("crop_after");
}

std::optional<TensorShape> Cropping1dSpec::inferShape(const ShapeContext& ctx) const {
    const std::int64_t steps = ctx.inputs.front().shape->time().size;
    if (steps != kNone && outLength(ctx.node, steps) < 1) {
        Diagnostic d;
        d.code = DiagCode::WindowTooLong;
        d.node = ctx.node.id;
        d.port = ctx.inputs.front().edge->to.port;
        d.message = nodeLabel(ctx.node) + " crops " + pairText(ctx.node, "crop_before", "crop_after") + " steps from " +
                    describeInput(ctx.inputs.front()) + ", which has only " + num(steps) + ": nothing would be left.";
        d.fixes.push_back(setParamFix(ctx.node, "crop_before", std::int64_t{0}, "Set crop_before=0"));
        d.fixes.push_back(setParamFix(ctx.node, "crop_after", std::int64_t{0}, "Set crop_after=0"));
        ctx.diagnostics.push_back(std::move(d));
        return std::nullopt;
    }
    return TimeStepsSpec::inferShape(ctx);
}

std::string Cropping1dSpec::explainSize(const Node& node, const Dim& dim) const {
    if (!dim.before) return LayerSpec::explainSize(node, dim);
    return node.name + " crops " + pairText(node, "crop_before", "crop_after") + " from " + num(dim.before->size) +
           " to " + num(dim.size);
}

json Cropping1dSpec::kerasConfig(const Node& node, KerasFormat, std::span<const Dims>) const {
    return {{"cropping", json::array({node.param<std::int64_t>("crop_before"), node.param<std::int64_t>("crop_after")})}};
}

std::string Cropping1dSpec::readKeras(const json& config, KerasProducer, ParamMap& params) const {
    return readPair(config, "cropping", "crop_before", "crop_after", params);
}

std::string Cropping1dSpec::kerasPython(const Node& node, const std::string&, const std::string& nameArg) const {
    return "layers.Cropping1D(cropping=" + pairText(node, "crop_before", "crop_after") + ", " + nameArg + ")";
}

PyTorchLayer Cropping1dSpec::pytorch(const Node& node, std::span<const Dims>, const std::string&,
                                     std::span<const std::string> args) const {
    const std::int64_t after = node.param<std::int64_t>("crop_after");
    std::string slice = args.front();
    slice += "[:, ";
    slice += num(node.param<std::int64_t>("crop_before"));
    slice += ":";
    if (after > 0) slice += num(-after);
    slice += "]";
    return {"", slice};
}

std::vector<std::string> Cropping1dSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    const std::int64_t after = node.param<std::int64_t>("crop_after");
    return {graph.slice(in.values[0], 1, node.param<std::int64_t>("crop_before"), after > 0 ? -after : OnnxGraph::kSliceToEnd)};
}

}  // namespace loom
