#include "layers/normalization.h"

#include <nlohmann/json.hpp>

#include "io/python_text.h"
#include "layers/keras_config.h"
#include "shape/explain.h"
#include "shape/fixes.h"
#include "layers/onnx_layer.h"

namespace loom {

using nlohmann::json;

std::vector<ParamSpec> NormalizationSpec::commonParams(std::string epsilonHelp) {
    return {
        {.name = "axis", .type = ParamType::Int, .defaultValue = std::int64_t{-1},
         .help = "The axis normalised: -1, the features (LayerLoom normalises no other).",
         .minValue = -2, .maxValue = 3, .maxExclusive = true},
        {.name = "epsilon", .type = ParamType::Float, .defaultValue = 1e-3,
         .help = std::move(epsilonHelp), .minValue = 1e-10, .maxValue = 1},
        {.name = "center", .type = ParamType::Bool, .defaultValue = true,
         .help = "Add a learned offset (beta) after normalising."},
        {.name = "scale", .type = ParamType::Bool, .defaultValue = true,
         .help = "Multiply by a learned scale (gamma) after normalising."},
    };
}

std::optional<TensorShape> NormalizationSpec::inferShape(const ShapeContext& ctx) const {
    const TensorShape& in = *ctx.inputs.front().shape;
    const std::int64_t axis = ctx.node.param<std::int64_t>("axis");
    const std::int64_t rank = in.rank();  // with the batch axis
    if ((axis < 0 ? axis + rank : axis) != rank - 1) {
        Diagnostic d;
        d.code = DiagCode::InvalidParam;
        d.node = ctx.node.id;
        d.message = nodeLabel(ctx.node) + " has axis=" + std::to_string(axis) + ", but LayerLoom normalises only " +
                    "the feature axis, the last of " + (in.isSequence() ? "a sequence's three" : "a vector's two") +
                    " (axis=-1).";
        d.fixes.push_back(setParamFix(ctx.node, "axis", std::int64_t{-1}, "Set axis=-1"));
        ctx.diagnostics.push_back(std::move(d));
        return std::nullopt;
    }
    return in;
}

std::vector<ParamShape> NormalizationSpec::weights(const Node& node, std::span<const Dims> inputs) const {
    const std::int64_t f = inputs.front().back();
    std::vector<ParamShape> w;
    if (node.param<bool>("scale")) w.push_back({"gamma", {f}, Init::Ones});
    if (node.param<bool>("center")) w.push_back({"beta", {f}, Init::Zeros});
    return w;
}

json NormalizationSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims>) const {
    json c = kerasParams(*this, node, format);
    c["beta_initializer"] = kerasInitializer(Init::Zeros, format);
    c["gamma_initializer"] = kerasInitializer(Init::Ones, format);
    nullKerasOptions(c, {"beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"});
    return c;
}

std::string NormalizationSpec::readKeras(const json& config, KerasProducer producer, ParamMap& params) const {
    json c = config;
    if (c.is_object()) {
        if (const std::string problem = unlistSizes(c, {"axis"}); !problem.empty()) return problem;
        for (const char* key : {"beta_regularizer", "gamma_regularizer"}) {
            if (c.contains(key) && !c[key].is_null()) return std::string(key) + " is not supported";
        }
        // Keras 3's root-mean-square variant divides by another statistic.
        if (kerasValue(c, "rms_scaling", json(false)) != json(false)) return "rms_scaling is not supported";
    }
    return LayerSpec::readKeras(c, producer, params);
}

const std::vector<ParamSpec>& LayerNormalizationSpec::params() const {
    static const std::vector<ParamSpec> schema =
        commonParams("Added to each step's variance before dividing by its square root.");
    return schema;
}

PyTorchLayer LayerNormalizationSpec::pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                                             std::span<const std::string> args) const {
    const auto flag = [&](const char* key) { return std::string(node.param<bool>(key) ? "True" : "False"); };
    return {"KerasLayerNormalization(" + std::to_string(inputs.front().back()) + ", " +
                python::number(node.param<double>("epsilon")) + ", " + flag("center") + ", " + flag("scale") + ")",
            self_ + "(" + args.front() + ")"};
}

std::vector<std::string> LayerNormalizationSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    const std::string& x = in.values[0];
    const std::int64_t f = in.dims[0].back();
    const auto epsilon = static_cast<float>(node.param<double>("epsilon"));
    const bool scale = node.param<bool>("scale"), center = node.param<bool>("center");
    const NamedTensor* gamma = scale ? in.weights[0] : nullptr;
    const NamedTensor* beta = center ? in.weights[scale ? 1 : 0] : nullptr;
    if (graph.opset() >= 17) {
        std::vector<std::string> args{x, gamma ? graph.floats("gamma", {f}, gamma->values)
                                               : graph.floats("gamma", {f}, std::vector<float>(static_cast<std::size_t>(f), 1.0f))};
        if (beta) args.push_back(graph.floats("beta", {f}, beta->values));
        return {graph.op("LayerNormalization", std::move(args), {{"axis", std::int64_t{-1}}, {"epsilon", epsilon}})};
    }
    // Before opset 17: the mean and the (biased) variance of each step's features, by hand.
    const std::string centred = graph.op("Sub", {x, graph.reduce("ReduceMean", x, {-1}, true)});
    const std::string variance = graph.reduce("ReduceMean", graph.op("Mul", {centred, centred}), {-1}, true);
    std::string y = graph.op("Div", {centred, graph.op("Sqrt", {graph.op("Add", {variance, graph.scalar(epsilon)})})});
    if (gamma) y = graph.op("Mul", {y, graph.floats("gamma", {f}, gamma->values)});
    if (beta) y = graph.op("Add", {y, graph.floats("beta", {f}, beta->values)});
    return {y};
}

std::vector<std::string_view> LayerNormalizationSpec::pytorchClasses() const {
    return {R"PY(class KerasLayerNormalization(nn.Module):
    """Keras's LayerNormalization on the last axis: (x - mean) / sqrt(var + epsilon) per step,
    then * gamma + beta."""

    def __init__(self, features, epsilon, center, scale):
        super().__init__()
        self.epsilon = epsilon
        self.gamma = nn.Parameter(torch.ones(features)) if scale else None
        self.beta = nn.Parameter(torch.zeros(features)) if center else None

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
        y = (x - mean) * torch.rsqrt(var + self.epsilon)
        if self.gamma is not None:
            y = y * self.gamma
        return y if self.beta is None else y + self.beta
)PY"};
}

const std::vector<ParamSpec>& BatchNormalizationSpec::params() const {
    static const std::vector<ParamSpec> schema = [] {
        auto p = commonParams("Added to each feature's variance before dividing by its square root.");
        p.insert(p.begin() + 1,
                 {.name = "momentum", .type = ParamType::Float, .defaultValue = 0.99,
                  .help = "How much of the moving statistics each training batch keeps: "
                          "moving = moving * momentum + batch * (1 - momentum).",
                  .minValue = 0, .maxValue = 1});
        return p;
    }();
    return schema;
}

std::vector<ParamShape> BatchNormalizationSpec::weights(const Node& node, std::span<const Dims> inputs) const {
    std::vector<ParamShape> w = NormalizationSpec::weights(node, inputs);
    const std::int64_t f = inputs.front().back();
    w.push_back({"moving_mean", {f}, Init::Zeros, false});
    w.push_back({"moving_variance", {f}, Init::Ones, false});
    return w;
}

json BatchNormalizationSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims> inputs) const {
    json c = NormalizationSpec::kerasConfig(node, format, inputs);
    c["moving_mean_initializer"] = kerasInitializer(Init::Zeros, format);
    c["moving_variance_initializer"] = kerasInitializer(Init::Ones, format);
    if (format == KerasFormat::Keras3) c["synchronized"] = false;
    return c;
}

PyTorchLayer BatchNormalizationSpec::pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                                             std::span<const std::string> args) const {
    const auto flag = [&](const char* key) { return std::string(node.param<bool>(key) ? "True" : "False"); };
    return {"KerasBatchNormalization(" + std::to_string(inputs.front().back()) + ", " +
                python::number(node.param<double>("momentum")) + ", " + python::number(node.param<double>("epsilon")) +
                ", " + flag("center") + ", " + flag("scale") + ")",
            self_ + "(" + args.front() + ")"};
}

std::vector<std::string> BatchNormalizationSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    // Inference with the moving statistics, in ONNX's operator (features second), which keeps the
    // four vectors as they are.
    const std::int64_t f = in.dims[0].back();
    const bool scale = node.param<bool>("scale"), center = node.param<bool>("center");
    const std::size_t stats = (scale ? 1 : 0) + (center ? 1 : 0);
    const auto vector = [&](const char* name, const NamedTensor* t, float fill) {
        return graph.floats(name, {f}, t ? t->values : std::vector<float>(static_cast<std::size_t>(f), fill));
    };
    const bool sequence = in.dims[0].size() == 2;
    const std::string x = sequence ? graph.toChannelsFirst(in.values[0]) : in.values[0];
    const std::string y = graph.op("BatchNormalization",
                                   {x, vector("gamma", scale ? in.weights[0] : nullptr, 1.0f),
                                    vector("beta", center ? in.weights[scale ? 1 : 0] : nullptr, 0.0f),
                                    vector("moving_mean", in.weights[stats], 0.0f), vector("moving_variance", in.weights[stats + 1], 1.0f)},
                                   {{"epsilon", static_cast<float>(node.param<double>("epsilon"))}});
    return {sequence ? graph.toChannelsLast(y) : y};
}

std::vector<std::string_view> BatchNormalizationSpec::pytorchClasses() const {
    return {R"PY(class KerasBatchNormalization(nn.Module):
    """Keras's BatchNormalization on the last axis: in training, the batch's mean and (biased)
    variance over every other axis, which also move the moving statistics; in evaluation, the
    moving statistics."""

    def __init__(self, features, momentum, epsilon, center, scale):
        super().__init__()
        self.momentum, self.epsilon = momentum, epsilon
        self.gamma = nn.Parameter(torch.ones(features)) if scale else None
        self.beta = nn.Parameter(torch.zeros(features)) if center else None
        self.register_buffer("moving_mean", torch.zeros(features))
        self.register_buffer("moving_variance", torch.ones(features))

    def forward(self, x):
        if self.training:
            dims = tuple(range(x.dim() - 1))
            mean = x.mean(dim=dims)
            var = ((x - mean) ** 2).mean(dim=dims)
            with torch.no_grad():
                self.moving_mean.mul_(self.momentum).add_((1 - self.momentum) * mean)
                self.moving_variance.mul_(self.momentum).add_((1 - self.momentum) * var)
        else:
            mean, var = self.moving_mean, self.moving_variance
        y = (x - mean) * torch.rsqrt(var + self.epsilon)
        if self.gamma is not None:
            y = y * self.gamma
        return y if self.beta is None else y + self.beta
)PY"};
}

}  // namespace loom
