#include "layers/noise_layers.h"

#include <nlohmann/json.hpp>

#include "io/python_text.h"
#include "layers/keras_config.h"
#include "layers/onnx_layer.h"

namespace loom {

using nlohmann::json;

namespace {

ParamSpec rateParam(std::string help) {
    return {.name = "rate", .type = ParamType::Float, .defaultValue = 0.1, .help = std::move(help), .minValue = 0,
            .maxValue = 1, .maxExclusive = true, .onCard = true};
}

}  // namespace

std::optional<TensorShape> NoiseLayerSpec::inferShape(const ShapeContext& ctx) const {
    return *ctx.inputs.front().shape;
}

json NoiseLayerSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims>) const {
    json c = kerasParams(*this, node, format);
    c["seed"] = nullptr;
    return c;
}

// SpatialDropout1D

const std::vector<ParamSpec>& SpatialDropout1dSpec::params() const {
    static const std::vector<ParamSpec> schema = {rateParam("Fraction of each sample's feature channels dropped while training.")};
    return schema;
}

json SpatialDropout1dSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims> inputs) const {
    json c = NoiseLayerSpec::kerasConfig(node, format, inputs);
    if (format == KerasFormat::TfKeras2) c["noise_shape"] = nullptr;  // tf.keras 2's Dropout base writes it
    return c;
}

PyTorchLayer SpatialDropout1dSpec::pytorch(const Node& node, std::span<const Dims>, const std::string& self_,
                                           std::span<const std::string> args) const {
    // PyTorch's Dropout1d drops channels of (batch, channels, steps).
    return {"nn.Dropout1d(" + python::number(node.param<double>("rate")) + ")",
            self_ + "(" + args.front() + ".transpose(1, 2)).transpose(1, 2)"};
}

// GaussianNoise

const std::vector<ParamSpec>& GaussianNoiseSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "stddev", .type = ParamType::Float, .defaultValue = 0.1,
         .help = "Standard deviation of the noise added while training.", .onCard = true},
    };
    return schema;
}

PyTorchLayer GaussianNoiseSpec::pytorch(const Node& node, std::span<const Dims>, const std::string&,
                                        std::span<const std::string> args) const {
    const std::string& x = args.front();
    return {"", "(" + x + " + torch.randn_like(" + x + ") * " + python::number(node.param<double>("stddev")) +
                    " if self.training else " + x + ")"};
}

// GaussianDropout

const std::vector<ParamSpec>& GaussianDropoutSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        rateParam("Sets the noise's deviation, sqrt(rate / (1 - rate)), as Dropout's rate would.")};
    return schema;
}

PyTorchLayer GaussianDropoutSpec::pytorch(const Node& node, std::span<const Dims>, const std::string&,
                                          std::span<const std::string> args) const {
    const std::string& x = args.front();
    const double rate = node.param<double>("rate");
    return {"", "(" + x + " * (1 + torch.randn_like(" + x + ") * " + python::number(std::sqrt(rate / (1.0 - rate))) +
                    ") if self.training else " + x + ")"};
}

// AlphaDropout

const std::vector<ParamSpec>& AlphaDropoutSpec::params() const {
    static const std::vector<ParamSpec> schema = {rateParam("Fraction of the values dropped while training.")};
    return schema;
}

json AlphaDropoutSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims> inputs) const {
    json c = NoiseLayerSpec::kerasConfig(node, format, inputs);
    c["noise_shape"] = nullptr;
    return c;
}

std::string AlphaDropoutSpec::readKeras(const json& config, KerasProducer producer, ParamMap& params) const {
    if (config.is_object() && config.contains("noise_shape") && !config["noise_shape"].is_null()) {
        return "AlphaDropout with a noise_shape is not supported";
    }
    return LayerSpec::readKeras(config, producer, params);
}

PyTorchLayer AlphaDropoutSpec::pytorch(const Node& node, std::span<const Dims>, const std::string& self_,
                                       std::span<const std::string> args) const {
    return {"nn.AlphaDropout(" + python::number(node.param<double>("rate")) + ")", self_ + "(" + args.front() + ")"};
}

std::vector<std::string> NoiseLayerSpec::onnx(const Node&, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    return {graph.op("Identity", {in.values[0]})};
}

}  // namespace loom
