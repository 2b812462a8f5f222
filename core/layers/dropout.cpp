#include "layers/dropout.h"
#include <nlohmann/json.hpp>

#include "io/python_text.h"
#include "layers/keras_config.h"
#include "layers/onnx_layer.h"

namespace loom {

const std::vector<ParamSpec>& DropoutSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "rate", .type = ParamType::Float, .defaultValue = 0.2,
         .help = "Fraction of the values set to zero while training.", .minValue = 0,
         .maxValue = 1, .maxExclusive = true, .onCard = true},
    };
    return schema;
}

std::optional<TensorShape> DropoutSpec::inferShape(const ShapeContext& ctx) const {
    return *ctx.inputs.front().shape;
}

using nlohmann::json;

json DropoutSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims>) const {
    json c = kerasParams(*this, node, format);
    c["noise_shape"] = nullptr;
    c["seed"] = nullptr;
    return c;
}

std::string DropoutSpec::readKeras(const json& config, KerasProducer producer, ParamMap& params) const {
    if (config.contains("noise_shape") && !config["noise_shape"].is_null()) return "Dropout with a noise_shape is not supported";
    return LayerSpec::readKeras(config, producer, params);
}

PyTorchLayer DropoutSpec::pytorch(const Node& node, std::span<const Dims>, const std::string& self_,
                                  std::span<const std::string> args) const {
    return {"nn.Dropout(" + python::number(node.param<double>("rate")) + ")", self_ + "(" + args.front() + ")"};
}

std::vector<std::string> DropoutSpec::onnx(const Node&, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    // Inference: the identity.
    return {graph.op("Identity", {in.values[0]})};
}

}  // namespace loom
