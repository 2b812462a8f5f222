#include "layers/activation_layers.h"

#include <nlohmann/json.hpp>

#include "io/json_input.h"
#include "io/python_text.h"
#include "layers/activations.h"
#include "layers/onnx_layer.h"
#include "layers/keras_config.h"
#include "shape/explain.h"
#include "shape/fixes.h"

namespace loom {

using nlohmann::json;

namespace {

/// The PReLU choices of shared axes and what Keras writes for each.
const std::vector<std::string>& sharedAxesChoices() {
    static const std::vector<std::string> choices = {"none", "[1]", "[2]", "[1, 2]"};
    return choices;
}

json sharedAxesToKeras(const std::string& choice) {
    if (choice == "[1]") return json::array({1});
    if (choice == "[2]") return json::array({2});
    if (choice == "[1, 2]") return json::array({1, 2});
    return nullptr;
}

std::string pythonCall(const std::string& head, const std::string& args, const std::string& nameArg) {
    return head + "(" + (args.empty() ? "" : args + ", ") + nameArg + ")";
}

}  // namespace

std::optional<TensorShape> ActivationLayerSpec::inferShape(const ShapeContext& ctx) const {
    return *ctx.inputs.front().shape;
}

// Activation

const std::vector<ParamSpec>& ActivationSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "activation", .type = ParamType::Choice, .defaultValue = std::string("relu"),
         .help = "The function applied to every value (softmax and log_softmax over the features).",
         .choices = activationNames(), .onCard = true},
    };
    return schema;
}

PyTorchLayer ActivationSpec::pytorch(const Node& node, std::span<const Dims>, const std::string&,
                                     std::span<const std::string> args) const {
    return {"", "activation(" + python::quoted(node.param<std::string>("activation")) + ")(" + args.front() + ")"};
}

std::vector<std::string> ActivationSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    const std::string y = graph.activation(in.values[0], activationParam(node, "activation"));
    // linear leaves the value as it is; the layer still needs a value of its own.
    return {y == in.values[0] ? graph.op("Identity", {y}) : y};
}

// ReLU

const std::vector<ParamSpec>& ReluSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "max_value", .type = ParamType::Float, .defaultValue = 0.0,
         .help = "The largest output; 0 means no cap (Keras's None).", .onCard = true, .noneText = "None (no cap)"},
        {.name = "negative_slope", .type = ParamType::Float, .defaultValue = 0.0,
         .help = "The slope below the threshold: an input x below it gives negative_slope * (x - threshold). "
                 "0 is the plain ReLU."},
        {.name = "threshold", .type = ParamType::Float, .defaultValue = 0.0,
         .help = "Inputs up to it give 0 (less the negative slope's part below it); inputs above it pass. "
                 "0 is the plain ReLU."},
    };
    return schema;
}

std::string ReluSpec::readKeras(const json& config, KerasProducer producer, ParamMap& params) const {
    if (config.is_object() && config.contains("max_value") && config["max_value"].is_number() &&
        config["max_value"].get<double>() <= 0.0) {
        return "max_value=" + jsonExcerpt(config["max_value"]) +
               " makes every output 0; LayerLoom reads a max_value of 0 as no cap";
    }
    return LayerSpec::readKeras(config, producer, params);
}

std::string ReluSpec::kerasPython(const Node& node, const std::string&, const std::string& nameArg) const {
    const double cap = node.param<double>("max_value");
    return pythonCall("layers.ReLU",
                      "max_value=" + (cap > 0.0 ? python::number(cap) : std::string("None")) +
                          ", negative_slope=" + python::number(node.param<double>("negative_slope")) +
                          ", threshold=" + python::number(node.param<double>("threshold")),
                      nameArg);
}

PyTorchLayer ReluSpec::pytorch(const Node& node, std::span<const Dims>, const std::string&,
                               std::span<const std::string> args) const {
    const double cap = node.param<double>("max_value");
    return {"", "keras_relu(" + args.front() + ", " + python::number(node.param<double>("negative_slope")) + ", " +
                    (cap > 0.0 ? python::number(cap) : std::string("None")) + ", " +
                    python::number(node.param<double>("threshold")) + ")"};
}

std::vector<std::string> ReluSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    const std::string& x = in.values[0];
    const auto threshold = static_cast<float>(node.param<double>("threshold"));
    const auto cap = static_cast<float>(node.param<double>("max_value"));
    const auto slope = static_cast<float>(node.param<double>("negative_slope"));
    std::string y = threshold == 0.0f
                        ? graph.op("Relu", {x})
                        : graph.op("Mul", {x, graph.op("Cast", {graph.op("Greater", {x, graph.scalar(threshold)})},
                                                       {{"to", std::int64_t{1}}})});
    if (cap > 0.0f) y = graph.op("Clip", {y, graph.scalar(0.0f), graph.scalar(cap)});
    if (slope != 0.0f) {
        const std::string below = graph.op("Relu", {graph.op("Sub", {graph.scalar(threshold), x})});
        y = graph.op("Sub", {y, graph.op("Mul", {below, graph.scalar(slope)})});
    }
    return {y};
}

std::vector<std::string_view> ReluSpec::pytorchClasses() const {
    return {R"PY(def keras_relu(x, negative_slope, max_value, threshold):
    """keras.activations.relu: x above the threshold (0 up to it), clipped to [0, max_value]
    when there is a cap, less negative_slope * (threshold - x) below the threshold."""
    y = x * (x > threshold).to(x.dtype) if threshold != 0 else torch.relu(x)
    if max_value is not None:
        y = torch.clamp(y, 0.0, max_value)
    if negative_slope != 0:
        y = y - negative_slope * torch.relu(threshold - x)
    return y
)PY"};
}

std::string ReluSpec::tfjsLimitation(const Node& node) const {
    if (node.param<double>("negative_slope") == 0.0 && node.param<double>("threshold") == 0.0) return {};
    return node.name + ": TF.js's ReLU has max_value only, not negative_slope or threshold (Keras and PyTorch "
                       "compute them). For TF.js, use LeakyReLU for a slope, or leave both at 0.";
}

// LeakyReLU

const std::vector<ParamSpec>& LeakyReluSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "negative_slope", .type = ParamType::Float, .defaultValue = 0.3,
         .help = "The slope for negative values (Keras 2 and TF.js call it alpha).", .onCard = true},
    };
    return schema;
}

json LeakyReluSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims>) const {
    const double slope = node.param<double>("negative_slope");
    if (format == KerasFormat::Keras3) return {{"negative_slope", slope}};
    return {{"alpha", slope}};
}

std::string LeakyReluSpec::readKeras(const json& config, KerasProducer producer, ParamMap& params) const {
    json c = config;
    if (c.is_object() && c.contains("alpha") && !c.contains("negative_slope")) c["negative_slope"] = c["alpha"];
    return LayerSpec::readKeras(c, producer, params);
}

std::string LeakyReluSpec::kerasPython(const Node& node, const std::string&, const std::string& nameArg) const {
    // The slope goes first: Keras 3 calls it negative_slope, tf.keras 2 alpha.
    return pythonCall("layers.LeakyReLU", python::number(node.param<double>("negative_slope")), nameArg);
}

PyTorchLayer LeakyReluSpec::pytorch(const Node& node, std::span<const Dims>, const std::string&,
                                    std::span<const std::string> args) const {
    return {"", "F.leaky_relu(" + args.front() + ", " + python::number(node.param<double>("negative_slope")) + ")"};
}

std::vector<std::string> LeakyReluSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    return {graph.op("LeakyRelu", {in.values[0]}, {{"alpha", static_cast<float>(node.param<double>("negative_slope"))}})};
}

// ELU

const std::vector<ParamSpec>& EluSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "alpha", .type = ParamType::Float, .defaultValue = 1.0,
         .help = "The value negative inputs approach: alpha * (exp(x) - 1).", .onCard = true},
    };
    return schema;
}

PyTorchLayer EluSpec::pytorch(const Node& node, std::span<const Dims>, const std::string&,
                              std::span<const std::string> args) const {
    return {"", "F.elu(" + args.front() + ", " + python::number(node.param<double>("alpha")) + ")"};
}

std::vector<std::string> EluSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    return {graph.op("Elu", {in.values[0]}, {{"alpha", static_cast<float>(node.param<double>("alpha"))}})};
}

std::string EluSpec::tfjsLimitation(const Node& node) const {
    if (node.param<double>("alpha") == 1.0) return {};
    return node.name + ": TF.js's ELU computes alpha=1 only (Keras and PyTorch take any). For TF.js, set alpha=1 "
                       "and train again.";
}

// Softmax

const std::vector<ParamSpec>& SoftmaxSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "axis", .type = ParamType::Int, .defaultValue = std::int64_t{-1},
         .help = "-1 (or 2): over the features of each step; 1 (or -2): over the steps of a sequence, for each "
                 "feature. Axis 0 is the batch.",
         .minValue = -2, .maxValue = 2, .onCard = true},
    };
    return schema;
}

bool softmaxOverTime(const Dims& in, std::int64_t axis) { return in.size() == 2 && (axis == 1 || axis == -2); }

std::optional<TensorShape> SoftmaxSpec::inferShape(const ShapeContext& ctx) const {
    const TensorShape& in = *ctx.inputs.front().shape;
    const std::int64_t axis = ctx.node.param<std::int64_t>("axis");
    // Axes as Keras counts them, the batch included: 0 (or -2 of a vector) is the batch.
    if (axis == 0 || (axis == -2 && in.isVector())) {
        Diagnostic d = paramDiagnostic(ctx, nodeLabel(ctx.node) + " has axis=" + std::to_string(axis) +
                                                ", the batch: a softmax over the samples of a batch. Use -1 (the "
                                                "features)" + std::string(in.isSequence() ? " or 1 (the steps)." : "."));
        d.fixes.push_back(setParamFix(ctx.node, "axis", std::int64_t{-1}, "Set axis=-1 on " + ctx.node.name + " (the features)"));
        if (in.isSequence()) {
            d.fixes.push_back(setParamFix(ctx.node, "axis", std::int64_t{1}, "Set axis=1 on " + ctx.node.name + " (the steps)"));
        }
        ctx.diagnostics.push_back(std::move(d));
        return std::nullopt;
    }
    if (axis == 2 && !in.isSequence()) {
        Diagnostic d = paramDiagnostic(ctx, nodeLabel(ctx.node) + " has axis=2, but reads " + describeInput(ctx.inputs.front()) +
                                                ", a vector, whose only axis is 1 (or -1).");
        d.fixes.push_back(setParamFix(ctx.node, "axis", std::int64_t{-1}, "Set axis=-1 on " + ctx.node.name));
        ctx.diagnostics.push_back(std::move(d));
        return std::nullopt;
    }
    // A softmax over one value gives 1 whatever it is: nothing reaches the next layer.
    const Dim& over = softmaxOverTime(in.sizes(), axis) ? in.time() : in.features();
    if (over.size == 1) {
        Diagnostic d = paramDiagnostic(ctx, nodeLabel(ctx.node) + " takes its softmax over an axis of 1 value (" +
                                                explainDim(ctx.graph, over) + "), so it always gives 1.");
        d.severity = Severity::Warning;
        if (in.isSequence() && !softmaxOverTime(in.sizes(), axis) && in.time().size != 1) {
            d.fixes.push_back(setParamFix(ctx.node, "axis", std::int64_t{1}, "Set axis=1 on " + ctx.node.name + " (the steps)"));
        }
        ctx.diagnostics.push_back(std::move(d));
    }
    return in;
}

std::string SoftmaxSpec::readKeras(const json& config, KerasProducer producer, ParamMap& params) const {
    json c = config;
    if (std::string problem = c.is_object() ? unlistSizes(c, {"axis"}) : ""; !problem.empty()) return problem;
    return LayerSpec::readKeras(c, producer, params);
}

PyTorchLayer SoftmaxSpec::pytorch(const Node& node, std::span<const Dims> inputs, const std::string&,
                                  std::span<const std::string> args) const {
    const bool overTime = softmaxOverTime(inputs.front(), node.param<std::int64_t>("axis"));
    return {"", "torch.softmax(" + args.front() + ", dim=" + (overTime ? "1" : "-1") + ")"};
}

std::vector<std::string> SoftmaxSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    const bool overTime = softmaxOverTime(in.dims[0], node.param<std::int64_t>("axis"));
    return {graph.op("Softmax", {in.values[0]}, {{"axis", std::int64_t{overTime ? 1 : -1}}})};
}

// PReLU

const std::vector<ParamSpec>& PReluSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "shared_axes", .type = ParamType::Choice, .defaultValue = std::string("none"),
         .help = "Axes that share one alpha: [1] is time for a sequence (one alpha per feature), [2] the "
                 "features; none gives every step and feature its own.",
         .choices = sharedAxesChoices(), .onCard = true, .cardOnlyIfChanged = true},
    };
    return schema;
}

Dims preluAlphaShape(const std::string& sharedAxes, const Dims& in) {
    Dims shape = in;
    const PReluSharing shared = preluSharing(sharedAxes);
    if (shared.axis1 && !shape.empty()) shape[0] = 1;
    if (shared.axis2 && shape.size() == 2) shape[1] = 1;
    return shape;
}

std::optional<TensorShape> PReluSpec::inferShape(const ShapeContext& ctx) const {
    const TensorShape& in = *ctx.inputs.front().shape;
    const PReluSharing shared = preluSharing(ctx.node.param<std::string>("shared_axes"));
    if (in.isVector() && shared.axis2) {
        Diagnostic d = paramDiagnostic(ctx, nodeLabel(ctx.node) + " shares alpha along axis 2, but reads " +
                                             describeInput(ctx.inputs.front()) + ", a vector, whose only axis is 1.");
        d.fixes.push_back(setParamFix(ctx.node, "shared_axes", std::string("[1]"), "Share along axis 1 on " + ctx.node.name));
        d.fixes.push_back(setParamFix(ctx.node, "shared_axes", std::string("none"), "Share along no axis on " + ctx.node.name));
        ctx.diagnostics.push_back(std::move(d));
        return std::nullopt;
    }
    if (in.isSequence() && in.time().size == kNone && !shared.axis1) {
        Diagnostic d = paramDiagnostic(
            ctx, nodeLabel(ctx.node) + " learns an alpha for every step, but reads " + describeInput(ctx.inputs.front()) +
                     ", a sequence of any length (" + explainDim(ctx.graph, in.time()) +
                     "). Share alpha along time (axis 1), or give the Input a fixed number of steps.");
        d.fixes.push_back(setParamFix(ctx.node, "shared_axes", std::string("[1]"),
                                      "Share alpha along time on " + ctx.node.name + " (one per feature)"));
        ctx.diagnostics.push_back(std::move(d));
        return std::nullopt;
    }
    return in;
}

std::vector<ParamShape> PReluSpec::weights(const Node& node, std::span<const Dims> inputs) const {
    return {{"alpha", preluAlphaShape(node.param<std::string>("shared_axes"), inputs.front()), Init::Zeros}};
}

json PReluSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims>) const {
    json c = {{"alpha_initializer", kerasInitializer(Init::Zeros, format)},
              {"shared_axes", sharedAxesToKeras(node.param<std::string>("shared_axes"))}};
    nullKerasOptions(c, {"alpha_regularizer", "alpha_constraint"});
    return c;
}

std::string PReluSpec::readKeras(const json& config, KerasProducer, ParamMap& params) const {
    if (!config.is_object()) return "its config is " + jsonExcerpt(config) + ", not an object";
    for (const char* key : {"alpha_regularizer", "alpha_constraint"}) {
        if (config.contains(key) && !config[key].is_null()) return std::string(key) + " is not supported";
    }
    const json axes = kerasValue(config, "shared_axes", json());
    if (axes.is_null()) {
        params["shared_axes"] = std::string("none");
        return {};
    }
    json list = axes.is_array() ? axes : json::array({axes});
    for (const std::string& choice : sharedAxesChoices()) {
        if (sharedAxesToKeras(choice) == list) {
            params["shared_axes"] = choice;
            return {};
        }
    }
    return "shared_axes=" + jsonExcerpt(axes) + " is not one of None, [1], [2], [1, 2]";
}

std::string PReluSpec::kerasPython(const Node& node, const std::string&, const std::string& nameArg) const {
    const std::string shared = node.param<std::string>("shared_axes");
    return pythonCall("layers.PReLU", "shared_axes=" + (shared == "none" ? std::string("None") : shared), nameArg);
}

PyTorchLayer PReluSpec::pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                                std::span<const std::string> args) const {
    const Dims shape = preluAlphaShape(node.param<std::string>("shared_axes"), inputs.front());
    std::string dims;
    for (std::size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
    return {"KerasPReLU((" + dims + (shape.size() == 1 ? ",))" : "))"), self_ + "(" + args.front() + ")"};
}

std::vector<std::string> PReluSpec::onnx(const Node&, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    const NamedTensor& alpha = *in.weights[0];
    return {graph.op("PRelu", {in.values[0], graph.floats("alpha", alpha.shape, alpha.values)})};
}

std::vector<std::string_view> PReluSpec::pytorchClasses() const {
    return {R"PY(class KerasPReLU(nn.Module):
    """Keras's PReLU: x for x >= 0, alpha * x below; alpha is shaped as a sample, 1 along the
    shared axes, and broadcasts along them."""

    def __init__(self, shape):
        super().__init__()
        self.alpha = nn.Parameter(torch.zeros(shape))

    def forward(self, x):
        return torch.relu(x) - self.alpha * torch.relu(-x)
)PY"};
}

}  // namespace loom
