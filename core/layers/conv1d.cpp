#include "layers/conv1d.h"

#include <nlohmann/json.hpp>

#include "io/json_input.h"
#include "io/python_text.h"
#include "layers/activations.h"
#include "layers/keras_config.h"
#include "layers/onnx_layer.h"

namespace loom {

using nlohmann::json;

const std::vector<ParamSpec>& Conv1dSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "filters", .type = ParamType::Int, .defaultValue = std::int64_t{32},
         .help = "Number of filters: the features each output step has.", .minValue = 1, .maxValue = 1 << 20,
         .onCard = true},
        {.name = "kernel_size", .type = ParamType::Int, .defaultValue = std::int64_t{3},
         .help = "How many steps each filter reads.", .minValue = 1, .maxValue = 1 << 16, .onCard = true},
        {.name = "strides", .type = ParamType::Int, .defaultValue = std::int64_t{1},
         .help = "How far the window moves per output step; 2 halves the sequence.", .minValue = 1,
         .maxValue = 1 << 16},
        {.name = "padding", .type = ParamType::Choice, .defaultValue = std::string("valid"),
         .help = "valid: the window stays inside and the sequence shrinks by kernel_size - 1; same: zeros "
                 "around it keep the length (divided by strides); causal: zeros before it only, so no step "
                 "sees the future.",
         .choices = {"valid", "same", "causal"}, .onCard = true},
        {.name = "dilation_rate", .type = ParamType::Int, .defaultValue = std::int64_t{1},
         .help = "Steps between the taps of the window: 2 reads every other step.", .minValue = 1,
         .maxValue = 1 << 16},
        {.name = "activation", .type = ParamType::Choice, .defaultValue = std::string("linear"),
         .help = "Applied to the output.", .choices = activationNames(), .onCard = true},
        {.name = "use_bias", .type = ParamType::Bool, .defaultValue = true,
         .help = "Whether the layer adds a bias vector."},
        {.name = "kernel_regularizer", .type = ParamType::Regularization, .defaultValue = Regularizer{},
         .help = "Penalty on the kernel added to the loss."},
        initializerParam("kernel_initializer", Init::GlorotUniform, "kernel"),
        initializerParam("bias_initializer", Init::Zeros, "bias"),
    };
    return schema;
}

Window1D Conv1dSpec::window(const Node& node) const {
    return {node.param<std::int64_t>("kernel_size"), node.param<std::int64_t>("strides"),
            node.param<std::int64_t>("dilation_rate"), Window1D::paddingOf(node.param<std::string>("padding"))};
}

std::optional<TensorShape> Conv1dSpec::inferShape(const ShapeContext& ctx) const {
    std::optional<Dim> time = inferTime(ctx);
    if (!time) return std::nullopt;
    return TensorShape{{*time, Dim{ctx.node.param<std::int64_t>("filters"), ctx.node.id}}};
}

std::string Conv1dSpec::explainSize(const Node& node, const Dim& dim) const {
    if (!dim.before) return node.name + " has filters=" + std::to_string(dim.size);
    return WindowedSpec::explainSize(node, dim);
}

std::vector<ParamShape> Conv1dSpec::weights(const Node& node, std::span<const Dims> inputs) const {
    const std::int64_t filters = node.param<std::int64_t>("filters");
    std::vector<ParamShape> w{
        {"kernel", {node.param<std::int64_t>("kernel_size"), inputs.front().back(), filters}, node.param<Initializer>("kernel_initializer")}};
    if (node.param<bool>("use_bias")) w.push_back({"bias", {filters}, node.param<Initializer>("bias_initializer")});
    return w;
}

std::int64_t Conv1dSpec::trainingCache(const Node& node, std::span<const Dims> inputs, const Dims& output) const {
    // In floating point: for sizes far beyond any model the product would overflow; the
    // memory check refuses those by this estimate.
    const long double values = static_cast<long double>(output[0]) *
                               (static_cast<long double>(node.param<std::int64_t>("kernel_size")) *
                                    static_cast<long double>(inputs.front().back()) +
                                static_cast<long double>(output[1]));
    return values > 1e18L ? std::int64_t{1} << 60 : static_cast<std::int64_t>(values);
}

json Conv1dSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims>) const {
    json c = kerasParams(*this, node, format);
    for (const char* key : {"kernel_size", "strides", "dilation_rate"}) c[key] = json::array({c[key]});
    c["data_format"] = "channels_last";
    c["groups"] = 1;
    nullKerasOptions(c, {"bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"});
    return c;
}

std::string Conv1dSpec::readKeras(const json& config, KerasProducer producer, ParamMap& params) const {
    if (!config.is_object()) return LayerSpec::readKeras(config, producer, params);
    json c = config;
    if (std::string problem = unlistSizes(c, {"kernel_size", "strides", "dilation_rate"}); !problem.empty()) return problem;
    if (std::string problem = channelsLastProblem(c); !problem.empty()) return problem;
    if (kerasValue(c, "groups", json(1)) != 1) return "groups=" + jsonExcerpt(c["groups"]) + " is not supported";
    return LayerSpec::readKeras(c, producer, params);
}

PyTorchLayer Conv1dSpec::pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                                 std::span<const std::string> args) const {
    const auto i = [&](const char* key) { return std::to_string(node.param<std::int64_t>(key)); };
    return {"KerasConv1D(" + std::to_string(inputs.front().back()) + ", " + i("filters") + ", " + i("kernel_size") +
                ", " + i("strides") + ", " + python::quoted(node.param<std::string>("padding")) + ", " +
                i("dilation_rate") + ", " + python::quoted(node.param<std::string>("activation")) + ", " +
                (node.param<bool>("use_bias") ? "True" : "False") + ")",
            self_ + "(" + args.front() + ")"};
}

std::vector<std::string> Conv1dSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    // Keras's kernel (size, in, filters) is ONNX's (filters, in, size), over (batch, channels, time).
    const Window1D w = window(node);
    std::vector<std::int64_t> dims;
    std::vector<float> kernel = permuted(*in.weights[0], {2, 1, 0}, dims);
    std::vector<std::string> args{graph.toChannelsFirst(in.values[0]), graph.floats("kernel", dims, std::move(kernel))};
    if (node.param<bool>("use_bias")) args.push_back(graph.floats("bias", in.weights[1]->shape, in.weights[1]->values));
    std::vector<OnnxAttribute> a = onnxPadding(w, in.dims[0].front());
    a.push_back({"kernel_shape", std::vector<std::int64_t>{w.size}});
    a.push_back({"strides", std::vector<std::int64_t>{w.stride}});
    a.push_back({"dilations", std::vector<std::int64_t>{w.dilation}});
    const std::string y = graph.toChannelsLast(graph.op("Conv", std::move(args), std::move(a)));
    return {graph.activation(y, activationParam(node, "activation"))};
}

std::vector<std::string_view> Conv1dSpec::pytorchClasses() const {
    return {kPadTimePython, R"PY(class KerasConv1D(nn.Module):
    """Keras's Conv1D on (batch, time, channels): kernel (kernel_size, in, filters)."""

    def __init__(self, inputs, filters, kernel_size, strides, padding, dilation, act, use_bias):
        super().__init__()
        self.kernel = nn.Parameter(torch.empty(kernel_size, inputs, filters))
        self.bias = nn.Parameter(torch.zeros(filters)) if use_bias else None
        self.size, self.strides, self.padding, self.dilation = kernel_size, strides, padding, dilation
        self.act = activation(act)
        limit = (6.0 / ((inputs + filters) * kernel_size)) ** 0.5
        nn.init.uniform_(self.kernel, -limit, limit)

    def forward(self, x):
        x = pad_time(x.transpose(1, 2), self.size, self.strides, self.padding, self.dilation)
        y = F.conv1d(x, self.kernel.permute(2, 1, 0), self.bias, stride=self.strides, dilation=self.dilation)
        return self.act(y.transpose(1, 2))
)PY"};
}

std::string Conv1dSpec::tfjsLimitation(const Node& node) const {
    if (node.param<std::string>("padding") != "causal") return {};
    return node.name + ": TF.js cannot run a Conv1D with padding=\"causal\" (Keras and PyTorch can). For TF.js, "
                       "put a ZeroPadding1D of (kernel_size - 1) * dilation_rate steps before it and use "
                       "padding=\"valid\": the numerics are the same.";
}

}  // namespace loom
