#include "layers/conv1d_transpose.h"

#include <nlohmann/json.hpp>

#include "io/json_input.h"
#include "io/python_text.h"
#include "layers/activations.h"
#include "layers/keras_config.h"
#include "shape/explain.h"
#include "shape/fixes.h"
#include "layers/onnx_layer.h"

namespace loom {

using nlohmann::json;

namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

}  // namespace

TransposedWindow1D transposedWindow(const Node& node) {
    return {node.param<std::int64_t>("kernel_size"), node.param<std::int64_t>("strides"),
            node.param<std::int64_t>("dilation_rate"), node.param<std::string>("padding") == "same",
            node.param<std::int64_t>("output_padding")};
}

const std::vector<ParamSpec>& Conv1dTransposeSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "filters", .type = ParamType::Int, .defaultValue = std::int64_t{32},
         .help = "Number of filters: the features each output step has.", .minValue = 1, .maxValue = 1 << 20,
         .onCard = true},
        {.name = "kernel_size", .type = ParamType::Int, .defaultValue = std::int64_t{3},
         .help = "How many output steps each input step reaches.", .minValue = 1, .maxValue = 1 << 16, .onCard = true},
        {.name = "strides", .type = ParamType::Int, .defaultValue = std::int64_t{1},
         .help = "Output steps between the first taps of neighbouring input steps; 2 doubles the sequence.",
         .minValue = 1, .maxValue = 1 << 16, .onCard = true},
        {.name = "padding", .type = ParamType::Choice, .defaultValue = std::string("valid"),
         .help = "valid: every tap is kept, T * strides + max(kernel_size - strides, 0) steps; same: T * strides "
                 "steps, the taps past either end cut.",
         .choices = {"valid", "same"}, .onCard = true},
        {.name = "output_padding", .type = ParamType::Int, .defaultValue = std::int64_t{-1},
         .help = "None (-1): the length follows from the padding. 0 or more, below strides: the length is "
                 "(T - 1) * strides + kernel_size - 2 * pad + output_padding, pad being kernel_size / 2 for same.",
         .minValue = -1, .maxValue = 1 << 16, .onCard = true, .noneText = "None"},
        {.name = "dilation_rate", .type = ParamType::Int, .defaultValue = std::int64_t{1},
         .help = "Output steps between the taps of one input step.", .minValue = 1, .maxValue = 1 << 16},
        {.name = "activation", .type = ParamType::Choice, .defaultValue = std::string("linear"),
         .help = "Applied to the output.", .choices = activationNames(), .onCard = true},
        {.name = "use_bias", .type = ParamType::Bool, .defaultValue = true, .help = "Whether the layer adds a bias vector."},
        {.name = "kernel_regularizer", .type = ParamType::Regularization, .defaultValue = Regularizer{},
         .help = "Penalty on the kernel added to the loss."},
        initializerParam("kernel_initializer", Init::GlorotUniform, "kernel"),
        initializerParam("bias_initializer", Init::Zeros, "bias"),
    };
    return schema;
}

std::int64_t Conv1dTransposeSpec::timeAfter(const Node& node, std::int64_t steps) const {
    return transposedWindow(node).outLength(steps);
}

std::optional<TensorShape> Conv1dTransposeSpec::inferShape(const ShapeContext& ctx) const {
    const TensorShape& in = *ctx.inputs.front().shape;
    const TransposedWindow1D w = transposedWindow(ctx.node);
    if (reportStridesWithDilation(ctx, w.stride, w.dilation)) return std::nullopt;
    if (w.outputPadding >= w.stride) {
        Diagnostic d = paramDiagnostic(ctx, nodeLabel(ctx.node) + " has output_padding=" + num(w.outputPadding) +
                                             ", but it must be below strides=" + num(w.stride) +
                                             ": a longer output would have steps no input step reaches.");
        d.fixes.push_back(setParamFix(ctx.node, "output_padding", std::int64_t{-1}, "Set output_padding=None"));
        if (w.stride > 1) {
            d.fixes.push_back(setParamFix(ctx.node, "output_padding", w.stride - 1,
                                          "Set output_padding=" + num(w.stride - 1)));
        }
        ctx.diagnostics.push_back(std::move(d));
        return std::nullopt;
    }
    const std::int64_t steps = in.time().size;
    const std::int64_t out = w.outLength(steps);
    if (steps != kNone && out < 1) {
        Diagnostic d = paramDiagnostic(ctx, nodeLabel(ctx.node) + " would make " + num(out) + " steps of " + num(steps) +
                                             ": " + explainSize(ctx.node, changedDim(in.time(), out, ctx.node.id)) + ".");
        d.fixes.push_back(setParamFix(ctx.node, "output_padding", std::int64_t{-1}, "Set output_padding=None"));
        ctx.diagnostics.push_back(std::move(d));
        return std::nullopt;
    }
    const Dim time = out == steps ? in.time() : changedDim(in.time(), out, ctx.node.id);
    return TensorShape{{time, Dim{ctx.node.param<std::int64_t>("filters"), ctx.node.id}}};
}

std::string Conv1dTransposeSpec::explainSize(const Node& node, const Dim& dim) const {
    if (!dim.before) return node.name + " has filters=" + num(dim.size);
    const TransposedWindow1D w = transposedWindow(node);
    const std::int64_t t = dim.before->size;
    std::string k = num(w.span());
    if (w.dilation > 1) k.append(" (the dilated kernel)");
    // Built by appending: GCC 12 warns wrongly about chains of string additions here.
    std::string text = node.name;
    text.append(" (kernel_size=").append(num(w.size)).append(", strides=").append(num(w.stride));
    text.append(", padding=\"").append(w.same ? "same" : "valid").append("\"");
    if (w.outputPadding >= 0) text.append(", output_padding=").append(num(w.outputPadding));
    text.append(") makes ");
    if (w.outputPadding < 0) {
        text.append(num(t)).append(" x ").append(num(w.stride));
        if (!w.same) text.append(" + max(").append(k).append(" - ").append(num(w.stride)).append(", 0)");
    } else {
        text.append("(").append(num(t)).append(" - 1) x ").append(num(w.stride)).append(" + ").append(k);
        if (w.same) text.append(" - 2 x ").append(num(w.span() / 2));
        text.append(" + ").append(num(w.outputPadding));
    }
    text.append(" = ").append(num(dim.size)).append(" steps");
    return text;
}

std::vector<ParamShape> Conv1dTransposeSpec::weights(const Node& node, std::span<const Dims> inputs) const {
    const std::int64_t filters = node.param<std::int64_t>("filters");
    std::vector<ParamShape> w{
        {"kernel", {node.param<std::int64_t>("kernel_size"), filters, inputs.front().back()}, node.param<Initializer>("kernel_initializer")}};
    if (node.param<bool>("use_bias")) w.push_back({"bias", {filters}, node.param<Initializer>("bias_initializer")});
    return w;
}

std::int64_t Conv1dTransposeSpec::trainingCache(const Node& node, std::span<const Dims> inputs, const Dims& output) const {
    const long double values = static_cast<long double>(inputs.front()[0]) *
                                   static_cast<long double>(node.param<std::int64_t>("kernel_size")) *
                                   static_cast<long double>(output[1]) +
                               static_cast<long double>(output[0]) * static_cast<long double>(output[1]);
    return values > 1e18L ? std::int64_t{1} << 60 : static_cast<std::int64_t>(values);
}

json Conv1dTransposeSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims>) const {
    json c = kerasParams(*this, node, format);
    for (const char* key : {"kernel_size", "strides", "dilation_rate"}) c[key] = json::array({c[key]});
    const std::int64_t outputPadding = node.param<std::int64_t>("output_padding");
    c["output_padding"] = outputPadding < 0 ? json(nullptr) : json::array({outputPadding});
    c["data_format"] = "channels_last";
    nullKerasOptions(c, {"bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"});
    return c;
}

std::string Conv1dTransposeSpec::readKeras(const json& config, KerasProducer producer, ParamMap& params) const {
    if (!config.is_object()) return LayerSpec::readKeras(config, producer, params);
    json c = config;
    if (std::string problem = unlistSizes(c, {"kernel_size", "strides", "dilation_rate", "output_padding"});
        !problem.empty()) {
        return problem;
    }
    if (std::string problem = channelsLastProblem(c); !problem.empty()) return problem;
    if (c.contains("padding") && c["padding"] == "causal") return "padding=\"causal\" is not supported for Conv1DTranspose";
    if (!c.contains("output_padding") || c["output_padding"].is_null()) c["output_padding"] = -1;
    return LayerSpec::readKeras(c, producer, params);
}

std::string Conv1dTransposeSpec::kerasPython(const Node&, const std::string& args, const std::string& nameArg) const {
    // The schema's arguments, with output_padding -1 written as Keras's None.
    std::string text = args;
    const std::string minus = "output_padding=-1";
    if (const auto at = text.find(minus); at != std::string::npos) text.replace(at, minus.size(), "output_padding=None");
    return "layers.Conv1DTranspose(" + (text.empty() ? "" : text + ", ") + nameArg + ")";
}

PyTorchLayer Conv1dTransposeSpec::pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                                          std::span<const std::string> args) const {
    const TransposedWindow1D w = transposedWindow(node);
    const std::int64_t steps = inputs.front()[0];
    return {"KerasConv1DTranspose(" + num(inputs.front().back()) + ", " + num(node.param<std::int64_t>("filters")) +
                ", " + num(w.size) + ", " + num(w.stride) + ", " + num(w.dilation) + ", " + num(w.padBefore(steps)) + ", " +
                num(w.outLength(steps)) + ", " + python::quoted(node.param<std::string>("activation")) + ", " +
                (node.param<bool>("use_bias") ? "True" : "False") + ")",
            self_ + "(" + args.front() + ")"};
}

std::vector<std::string> Conv1dTransposeSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    // Keras's kernel (size, filters, in) is ONNX's (in, filters, size). Keras keeps `length` steps
    // from `pad` on of the full (T - 1) * stride + span: ONNX's pads cut them, and output_padding
    // adds the zero steps Keras has past the full output. Both are the same for every T.
    const TransposedWindow1D w = transposedWindow(node);
    const std::int64_t steps = in.dims[0].front() == kNone ? 1 : in.dims[0].front();
    const std::int64_t full = (steps - 1) * w.stride + w.span();
    const std::int64_t before = w.padBefore(steps), after = full - before - w.outLength(steps);
    std::vector<std::int64_t> dims;
    std::vector<float> kernel = permuted(*in.weights[0], {2, 1, 0}, dims);
    std::vector<std::string> args{graph.toChannelsFirst(in.values[0]), graph.floats("kernel", dims, std::move(kernel))};
    if (node.param<bool>("use_bias")) args.push_back(graph.floats("bias", in.weights[1]->shape, in.weights[1]->values));
    std::vector<OnnxAttribute> a{{"kernel_shape", std::vector<std::int64_t>{w.size}},
                                 {"strides", std::vector<std::int64_t>{w.stride}},
                                 {"dilations", std::vector<std::int64_t>{w.dilation}},
                                 {"pads", std::vector<std::int64_t>{before, std::max<std::int64_t>(after, 0)}}};
    if (after < 0) a.push_back({"output_padding", std::vector<std::int64_t>{-after}});
    const std::string y = graph.toChannelsLast(graph.op("ConvTranspose", std::move(args), std::move(a)));
    return {graph.activation(y, activationParam(node, "activation"))};
}

std::vector<std::string_view> Conv1dTransposeSpec::pytorchClasses() const {
    return {R"PY(class KerasConv1DTranspose(nn.Module):
    """Keras's Conv1DTranspose on (batch, time, channels): kernel (kernel_size, filters, in). PyTorch's
    transposed convolution keeps every tap; Keras's output is the `length` steps from `pad` on,
    zeros where it reaches past them."""

    def __init__(self, inputs, filters, kernel_size, strides, dilation, pad, length, act, use_bias):
        super().__init__()
        self.kernel = nn.Parameter(torch.empty(kernel_size, filters, inputs))
        self.bias = nn.Parameter(torch.zeros(filters)) if use_bias else None
        self.strides, self.dilation, self.pad, self.length = strides, dilation, pad, length
        self.act = activation(act)
        limit = (6.0 / ((inputs + filters) * kernel_size)) ** 0.5
        nn.init.uniform_(self.kernel, -limit, limit)

    def forward(self, x):
        y = F.conv_transpose1d(x.transpose(1, 2), self.kernel.permute(2, 1, 0), stride=self.strides,
                               dilation=self.dilation)
        y = y[:, :, self.pad:self.pad + self.length]
        y = F.pad(y, (0, self.length - y.shape[2]))
        if self.bias is not None:
            y = y + self.bias[None, :, None]
        return self.act(y.transpose(1, 2))
)PY"};
}

std::string Conv1dTransposeSpec::tfjsLimitation(const Node& node) const {
    return node.name + ": TF.js has no Conv1DTranspose (Keras, PyTorch and ONNX have).";
}

}  // namespace loom
