#include "layers/embedding.h"

#include <nlohmann/json.hpp>

#include "layers/keras_config.h"
#include "io/json_input.h"
#include "layers/onnx_layer.h"

namespace loom {

const std::vector<ParamSpec>& EmbeddingSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "input_dim", .type = ParamType::Int, .defaultValue = std::int64_t{1000},
         .help = "How many different token ids there are (the vocabulary's size): ids run from "
                 "0 to input_dim - 1.",
         .minValue = 1, .maxValue = 1 << 24, .onCard = true},
        {.name = "output_dim", .type = ParamType::Int, .defaultValue = std::int64_t{64},
         .help = "The length of the vector each id becomes: the output's features.",
         .minValue = 1, .maxValue = 1 << 20, .onCard = true},
        {.name = "mask_zero", .type = ParamType::Bool, .defaultValue = false,
         .help = "Id 0 is padding: the steps that hold it are skipped by the layers that take a mask "
                 "(recurrent layers, GlobalAveragePooling1D, the loss). Real ids then start at 1.",
         .onCard = true, .cardOnlyIfChanged = true},
        {.name = "embeddings_regularizer", .type = ParamType::Regularization,
         .defaultValue = Regularizer{}, .help = "Penalty on the embedding table added to the loss."},
        initializerParam("embeddings_initializer", Init::RandomUniform, "embedding table"),
    };
    return schema;
}

std::optional<TensorShape> EmbeddingSpec::inferShape(const ShapeContext& ctx) const {
    const LayerInput& in = ctx.inputs.front();
    if (!in.shape->isVector()) {
        Diagnostic d{DiagCode::NeedsVector, Severity::Error, ctx.node.id, in.edge->to.port,
                     ctx.node.name + " reads token ids shaped (None, time), one id per step, but " +
                         in.producer->name + " gives " + in.shape->str() +
                         ". Give the ids an Input of shape (time,) with dtype int32.",
                     {}, {in.producer->id}};
        ctx.diagnostics.push_back(std::move(d));
        return std::nullopt;
    }
    return TensorShape{{in.shape->dims.front(), Dim{ctx.node.param<std::int64_t>("output_dim"), ctx.node.id}}};
}

std::vector<ParamShape> EmbeddingSpec::weights(const Node& node, std::span<const Dims>) const {
    return {{"embeddings", {node.param<std::int64_t>("input_dim"), node.param<std::int64_t>("output_dim")},
             node.param<Initializer>("embeddings_initializer")}};
}

std::string EmbeddingSpec::explainSize(const Node& node, const Dim& dim) const {
    return node.name + " has output_dim=" + std::to_string(dim.size);
}

using nlohmann::json;

json EmbeddingSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims>) const {
    json c = kerasParams(*this, node, format);
    nullKerasOptions(c, {"activity_regularizer", "embeddings_constraint"});
    if (format == KerasFormat::TfKeras2) c["input_length"] = nullptr;
    return c;
}

std::string EmbeddingSpec::readKeras(const json& config, KerasProducer, ParamMap& params) const {
    if (std::string problem = readKerasParams(*this, config, params); !problem.empty()) return problem;
    try {
        if (kerasValue(config, "sparse", false)) return "sparse=True, which LayerLoom does not support";
        if (!kerasValue(config, "lora_rank", json()).is_null()) return "lora_rank, which LayerLoom does not support";
    } catch (const json::exception&) {
        return "its sparse or lora_rank is not what Keras writes";
    }
    if (config.contains("input_dim") && config["input_dim"].is_null()) return "input_dim is None";
    return {};
}

PyTorchLayer EmbeddingSpec::pytorch(const Node& node, std::span<const Dims>, const std::string& self_,
                                    std::span<const std::string> args) const {
    return {"KerasEmbedding(" + std::to_string(node.param<std::int64_t>("input_dim")) + ", " +
                std::to_string(node.param<std::int64_t>("output_dim")) + ")",
            self_ + "(" + args.front() + ")"};
}

std::vector<std::string> EmbeddingSpec::onnx(const Node&, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    // Each id (cast toward zero, as Keras casts it) picks a row of the table.
    const NamedTensor& table = *in.weights[0];
    const std::string ids = graph.op("Cast", {in.values[0]}, {{"to", std::int64_t{7}}});
    return {graph.op("Gather", {graph.floats("embeddings", table.shape, table.values), ids})};
}

std::vector<std::string_view> EmbeddingSpec::pytorchClasses() const {
    return {R"PY(class KerasEmbedding(nn.Module):
    """Keras's Embedding: each token id (a number, cast toward zero as Keras casts it) picks a
    row of `embeddings` (input_dim, output_dim); ids outside [0, input_dim) are an error."""

    def __init__(self, input_dim, output_dim):
        super().__init__()
        self.embeddings = nn.Parameter(torch.empty(input_dim, output_dim))
        nn.init.uniform_(self.embeddings, -0.05, 0.05)

    def forward(self, ids):
        return nn.functional.embedding(ids.long(), self.embeddings)
)PY"};
}

}  // namespace loom
