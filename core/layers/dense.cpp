#include "layers/dense.h"

#include <nlohmann/json.hpp>

#include "layers/activations.h"
#include "layers/onnx_layer.h"
#include "layers/keras_config.h"
#include "io/json_input.h"
#include "io/python_text.h"

namespace loom {

const std::vector<ParamSpec>& DenseSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "units", .type = ParamType::Int, .defaultValue = std::int64_t{32},
         .help = "Number of output features.", .minValue = 1, .maxValue = 1 << 20,
         .onCard = true},
        {.name = "activation", .type = ParamType::Choice, .defaultValue = std::string("linear"),
         .help = "Applied to the output.", .choices = activationNames(), .onCard = true},
        {.name = "use_bias", .type = ParamType::Bool, .defaultValue = true,
         .help = "Whether the layer adds a bias vector."},
        {.name = "kernel_regularizer", .type = ParamType::Regularization,
         .defaultValue = Regularizer{}, .help = "Penalty on the kernel added to the loss."},
        initializerParam("kernel_initializer", Init::GlorotUniform, "kernel"),
        initializerParam("bias_initializer", Init::Zeros, "bias"),
    };
    return schema;
}

std::optional<TensorShape> DenseSpec::inferShape(const ShapeContext& ctx) const {
    TensorShape out = *ctx.inputs.front().shape;
    out.dims.back() = Dim{ctx.node.param<std::int64_t>("units"), ctx.node.id};
    return out;
}

std::vector<ParamShape> DenseSpec::weights(const Node& node, std::span<const Dims> inputs) const {
    const std::int64_t u = node.param<std::int64_t>("units");
    std::vector<ParamShape> w{{"kernel", {inputs.front().back(), u}, node.param<Initializer>("kernel_initializer")}};
    if (node.param<bool>("use_bias")) w.push_back({"bias", {u}, node.param<Initializer>("bias_initializer")});
    return w;
}

std::string DenseSpec::explainSize(const Node& node, const Dim& dim) const {
    return node.name + " has units=" + std::to_string(dim.size);
}

using nlohmann::json;

json DenseSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims>) const {
    json c = kerasParams(*this, node, format);
    nullKerasOptions(c, {"bias_regularizer", "kernel_constraint", "bias_constraint"});
    if (format == KerasFormat::TfKeras2) c["activity_regularizer"] = nullptr;
    return c;
}

PyTorchLayer DenseSpec::pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                                std::span<const std::string> args) const {
    return {"KerasDense(" + std::to_string(inputs.front().back()) + ", " +
                std::to_string(node.param<std::int64_t>("units")) + ", " +
                python::quoted(node.param<std::string>("activation")) + ", " +
                (node.param<bool>("use_bias") ? "True" : "False") + ")",
            self_ + "(" + args.front() + ")"};
}

std::vector<std::string> DenseSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    const NamedTensor& kernel = *in.weights[0];
    const std::vector<float>* bias = node.param<bool>("use_bias") ? &in.weights[1]->values : nullptr;
    const std::string y = graph.dense(in.values[0], "kernel", kernel.shape, kernel.values, bias);
    return {graph.activation(y, activationParam(node, "activation"))};
}

std::vector<std::string_view> DenseSpec::pytorchClasses() const {
    return {R"PY(class KerasDense(nn.Module):
    """Keras's Dense on the last axis: y = act(x @ kernel + bias), kernel (in, units)."""

    def __init__(self, inputs, units, act, use_bias):
        super().__init__()
        self.kernel = nn.Parameter(torch.empty(inputs, units))
        self.bias = nn.Parameter(torch.zeros(units)) if use_bias else None
        self.act = activation(act)
        nn.init.xavier_uniform_(self.kernel)

    def forward(self, x):
        y = x @ self.kernel
        return self.act(y if self.bias is None else y + self.bias)
)PY"};
}

json TimeDistributedSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims> inputs) const {
    json dense = kerasBaseConfig(node.name + "_dense", format);
    dense.update(DenseSpec::kerasConfig(node, format, inputs));
    if (format == KerasFormat::TfKeras2) return {{"layer", {{"class_name", "Dense"}, {"config", dense}}}};
    // Keras 3 builds the wrapped Dense on one step: the input's shape without its time axis.
    json inner = kerasObject("keras.layers", "Dense", std::move(dense));
    inner["build_config"] = {{"input_shape", json::array({nullptr, inputs.front().back()})}};
    return {{"layer", std::move(inner)}};
}

std::string TimeDistributedSpec::readKeras(const json& config, KerasProducer producer, ParamMap& params) const {
    const json inner = config.is_object() ? config.value("layer", json()) : json();
    if (!inner.is_object() || !inner.contains("class_name")) return "a TimeDistributed without the layer it wraps";
    if (inner["class_name"] != "Dense") {
        return "LayerLoom's TimeDistributed wraps Dense only, not " + jsonExcerpt(inner["class_name"]);
    }
    if (!inner.contains("config") || !inner["config"].is_object()) return "the Dense inside TimeDistributed has no config";
    return DenseSpec::readKeras(inner["config"], producer, params);
}

KerasWeightPlace TimeDistributedSpec::kerasWeightPlace(const Node&, const ParamShape& weight) const {
    return {weight.name + ":0", "layer"};
}

std::string TimeDistributedSpec::kerasPython(const Node&, const std::string& args, const std::string& nameArg) const {
    return "layers.TimeDistributed(layers.Dense(" + args + "), " + nameArg + ")";
}

}  // namespace loom
