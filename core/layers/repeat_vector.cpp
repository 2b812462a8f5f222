#include "layers/repeat_vector.h"
#include "layers/onnx_layer.h"

namespace loom {

const std::vector<ParamSpec>& RepeatVectorSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "n", .type = ParamType::Int, .defaultValue = std::int64_t{10},
         .help = "How many steps the output sequence has; for an autoencoder, the input's "
                 "length.",
         .minValue = 1, .maxValue = 1 << 20, .onCard = true},
    };
    return schema;
}

std::optional<TensorShape> RepeatVectorSpec::inferShape(const ShapeContext& ctx) const {
    const TensorShape& in = *ctx.inputs.front().shape;
    return TensorShape{{Dim{ctx.node.param<std::int64_t>("n"), ctx.node.id}, in.features()}};
}

std::string RepeatVectorSpec::explainSize(const Node& node, const Dim& dim) const {
    return node.name + " repeats its input n=" + std::to_string(dim.size) + " times";
}

PyTorchLayer RepeatVectorSpec::pytorch(const Node& node, std::span<const Dims>, const std::string& self_,
                                       std::span<const std::string> args) const {
    return {"RepeatVector(" + std::to_string(node.param<std::int64_t>("n")) + ")", self_ + "(" + args.front() + ")"};
}

std::vector<std::string> RepeatVectorSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    const std::string steps = graph.unsqueeze(in.values[0], {1});
    return {graph.op("Tile", {steps, graph.ints({1, node.param<std::int64_t>("n"), 1})})};
}

std::vector<std::string_view> RepeatVectorSpec::pytorchClasses() const {
    return {R"PY(class RepeatVector(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.n = n

    def forward(self, x):
        return x.unsqueeze(1).repeat(1, self.n, 1)

)PY"};
}

}  // namespace loom
