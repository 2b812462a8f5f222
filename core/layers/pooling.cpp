#include "layers/pooling.h"

#include <nlohmann/json.hpp>

#include "io/json_input.h"
#include "io/python_text.h"
#include "layers/keras_config.h"
#include "shape/explain.h"
#include "shape/fixes.h"
#include "layers/onnx_layer.h"

namespace loom {

using nlohmann::json;

const std::vector<ParamSpec>& Pooling1dSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "pool_size", .type = ParamType::Int, .defaultValue = std::int64_t{2},
         .help = "How many steps each window covers.", .minValue = 1, .maxValue = 1 << 16, .onCard = true},
        {.name = "strides", .type = ParamType::Int, .defaultValue = std::int64_t{0},
         .help = "How far the window moves per output step; 0 (Keras's None) moves it by pool_size.",
         .minValue = 0, .maxValue = 1 << 16, .noneText = "None (pool_size)"},
        {.name = "padding", .type = ParamType::Choice, .defaultValue = std::string("valid"),
         .help = "valid: a last window that does not fit is dropped (25 steps pool to 12); same: it is kept "
                 "(25 pool to 13).",
         .choices = {"valid", "same"}, .onCard = true},
    };
    return schema;
}

std::optional<TensorShape> Pooling1dSpec::inferShape(const ShapeContext& ctx) const {
    std::optional<Dim> time = inferTime(ctx);
    if (!time) return std::nullopt;
    return TensorShape{{*time, ctx.inputs.front().shape->features()}};
}

json Pooling1dSpec::kerasConfig(const Node& node, KerasFormat, std::span<const Dims>) const {
    const Window1D w = window(node);
    return {{"pool_size", json::array({w.size})},
            {"strides", json::array({w.stride})},
            {"padding", node.param<std::string>("padding")},
            {"data_format", "channels_last"}};
}

std::string Pooling1dSpec::readKeras(const json& config, KerasProducer producer, ParamMap& params) const {
    if (!config.is_object()) return LayerSpec::readKeras(config, producer, params);
    json c = config;
    if (std::string problem = unlistSizes(c, {"pool_size", "strides"}); !problem.empty()) return problem;
    if (std::string problem = channelsLastProblem(c); !problem.empty()) return problem;
    // Keras writes its None resolved to pool_size; LayerLoom keeps following pool_size then.
    if (c.contains("strides") && (c["strides"].is_null() || c["strides"] == c.value("pool_size", json(2)))) c["strides"] = 0;
    return LayerSpec::readKeras(c, producer, params);
}

std::string Pooling1dSpec::kerasPython(const Node& node, const std::string&, const std::string& nameArg) const {
    const std::int64_t strides = node.param<std::int64_t>("strides");
    std::string text = "layers." + std::string(kind()) + "(pool_size=";
    text += std::to_string(node.param<std::int64_t>("pool_size"));
    text += ", strides=";
    text += strides > 0 ? std::to_string(strides) : std::string("None");
    text += ", padding=" + python::quoted(node.param<std::string>("padding"));
    text += ", " + nameArg + ")";
    return text;
}

PyTorchLayer Pooling1dSpec::pytorch(const Node& node, std::span<const Dims>, const std::string& self_,
                                    std::span<const std::string> args) const {
    const Window1D w = window(node);
    return {std::string(takesMax() ? "KerasMaxPooling1D(" : "KerasAveragePooling1D(") + std::to_string(w.size) + ", " +
                std::to_string(w.stride) + ", " + python::quoted(node.param<std::string>("padding")) + ")",
            self_ + "(" + args.front() + ")"};
}

std::vector<std::string> Pooling1dSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    // ONNX pools (batch, channels, time). Padding takes no part: MaxPool ignores it, and
    // AveragePool leaves it out of the count, as Keras does.
    const Window1D w = window(node);
    std::vector<OnnxAttribute> a = onnxPadding(w, in.dims[0].front());
    a.push_back({"kernel_shape", std::vector<std::int64_t>{w.size}});
    a.push_back({"strides", std::vector<std::int64_t>{w.stride}});
    if (!takesMax()) a.push_back({"count_include_pad", std::int64_t{0}});
    const std::string y = graph.op(takesMax() ? "MaxPool" : "AveragePool", {graph.toChannelsFirst(in.values[0])}, std::move(a));
    return {graph.toChannelsLast(y)};
}

std::vector<std::string_view> Pooling1dSpec::pytorchClasses() const {
    return {kPadTimePython, R"PY(class KerasMaxPooling1D(nn.Module):
    """Keras's MaxPooling1D on (batch, time, features); padding takes no part."""

    def __init__(self, size, strides, padding):
        super().__init__()
        self.size, self.strides, self.padding = size, strides, padding

    def forward(self, x):
        x = pad_time(x.transpose(1, 2), self.size, self.strides, self.padding, value=float("-inf"))
        return F.max_pool1d(x, self.size, self.strides).transpose(1, 2)


class KerasAveragePooling1D(nn.Module):
    """Keras's AveragePooling1D on (batch, time, features); padding takes no part in a mean."""

    def __init__(self, size, strides, padding):
        super().__init__()
        self.size, self.strides, self.padding = size, strides, padding

    def forward(self, x):
        x = x.transpose(1, 2)
        total = F.avg_pool1d(pad_time(x, self.size, self.strides, self.padding), self.size, self.strides) * self.size
        ones = pad_time(torch.ones_like(x[:, :1]), self.size, self.strides, self.padding)
        count = F.avg_pool1d(ones, self.size, self.strides) * self.size
        return (total / count).transpose(1, 2)
)PY"};
}

const std::vector<ParamSpec>& GlobalPooling1dSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "data_format", .type = ParamType::Choice, .defaultValue = std::string("channels_last"),
         .help = "channels_last: over the steps, one value per feature. channels_first: Keras reads the sequence as "
                 "(features, steps) and pools over the features, one value per step (the Keras Transformer "
                 "examples' head).",
         .choices = {"channels_last", "channels_first"}, .onCard = true, .cardOnlyIfChanged = true},
    };
    return schema;
}

namespace {

bool overFeatures(const Node& node) { return node.param<std::string>("data_format") == "channels_first"; }

}  // namespace

std::optional<TensorShape> GlobalPooling1dSpec::inferShape(const ShapeContext& ctx) const {
    const TensorShape& in = *ctx.inputs.front().shape;
    if (overFeatures(ctx.node) && in.time().size == kNone) {
        Diagnostic d = paramDiagnostic(ctx, nodeLabel(ctx.node) + " has data_format=\"channels_first\": it gives one value "
                                            "per step, and the sequence it reads has no fixed length, so its output "
                                            "would have no fixed width. Give the Input a length, or pool over the steps.");
        d.fixes.push_back(setParamFix(ctx.node, "data_format", std::string("channels_last"), "Set data_format=\"channels_last\""));
        ctx.diagnostics.push_back(std::move(d));
        return std::nullopt;
    }
    return TensorShape{{overFeatures(ctx.node) ? in.time() : in.features()}};
}

json GlobalPooling1dSpec::kerasConfig(const Node& node, KerasFormat, std::span<const Dims>) const {
    return {{"data_format", node.param<std::string>("data_format")}, {"keepdims", false}};
}

std::string GlobalPooling1dSpec::readKeras(const json& config, KerasProducer producer, ParamMap& params) const {
    if (config.is_object() && kerasValue(config, "keepdims", json(false)) == true) {
        return "keepdims=True is not supported: the output is a vector";
    }
    return LayerSpec::readKeras(config, producer, params);
}

PyTorchLayer GlobalPooling1dSpec::pytorch(const Node& node, std::span<const Dims>, const std::string&,
                                          std::span<const std::string> args) const {
    const std::string dim = overFeatures(node) ? "2" : "1";
    return {"", args.front() + (takesMax() ? ".amax(dim=" : ".mean(dim=") + dim + ")"};
}

std::vector<std::string> GlobalPooling1dSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    return {graph.reduce(takesMax() ? "ReduceMax" : "ReduceMean", in.values[0], {overFeatures(node) ? 2 : 1}, false)};
}

std::string GlobalPooling1dSpec::tfjsLimitation(const Node& node) const {
    if (!overFeatures(node)) return {};
    return node.name + ": TF.js's " + std::string(kind()) + " pools over the steps only, not data_format=\"channels_first\"";
}

}  // namespace loom
