#include "layers/position_embedding.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "graph/graph_edit.h"
#include "graph/layout.h"
#include "shape/explain.h"
#include "shape/fixes.h"
#include "layers/onnx_layer.h"

namespace loom {

ParamSpec PositionTableSpec::sequenceLengthParam() {
    return {.name = "sequence_length", .type = ParamType::Int, .defaultValue = std::int64_t{100},
            .help = "The longest sequence the layer has positions for: its table's rows. A shorter "
                    "sequence uses the first rows.",
            .minValue = 1, .maxValue = static_cast<double>(kMaxSteps), .onCard = true};
}

bool PositionTableSpec::fitsTable(const ShapeContext& ctx, const Dim& steps) const {
    const std::int64_t rows = ctx.node.param<std::int64_t>("sequence_length");
    if (steps.size == kNone || steps.size <= rows) return true;
    const LayerInput& in = ctx.inputs.front();
    Diagnostic d = paramDiagnostic(ctx, nodeLabel(ctx.node) + " has positions for sequence_length=" + std::to_string(rows) +
                                            " steps, but " + in.producer->name + " gives it " + std::to_string(steps.size) +
                                            ": each step needs its own row of the table. " +
                                            explainDim(ctx.graph, steps) + ".");
    d.port = in.edge->to.port;
    d.fixes.push_back(setParamFix(ctx.node, "sequence_length", steps.size,
                                  "Set sequence_length=" + std::to_string(steps.size) + " on " + ctx.node.name));
    ctx.diagnostics.push_back(std::move(d));
    return false;
}

std::string PositionTableSpec::explainSize(const Node& node, const Dim& dim) const {
    return node.name + " has embedding_dim=" + std::to_string(dim.size);
}

PyTorchLayer PositionTableSpec::pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                                        std::span<const std::string> args) const {
    return {"Keras" + std::string(kind()) + "(" + pytorchArguments(node, inputs) + ")", self_ + "(" + args.front() + ")"};
}

std::string PositionTableSpec::onnxPositions(OnnxGraph& graph, const OnnxLayerInputs& in, const NamedTensor& table) {
    // Rows 0 .. T-1 of the table, T the input's steps (known, or read from its shape).
    const std::int64_t steps = in.dims[0].front();
    const std::string end = steps != kNone ? graph.ints({steps}) : graph.slice(graph.op("Shape", {in.values[0]}), 0, 1, 2);
    return graph.op("Slice", {graph.floats("embeddings", table.shape, table.values), graph.ints({0}), end, graph.ints({0})});
}

std::vector<std::string> PositionEmbeddingSpec::onnx(const Node&, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    // The same rows for every sample: the input gives its shape only.
    return {graph.op("Expand", {onnxPositions(graph, in, *in.weights[0]), graph.op("Shape", {in.values[0]})})};
}

std::vector<std::string> TokenAndPositionEmbeddingSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    const NamedTensor& tokens = *in.weights[0];
    const NamedTensor& positions = *in.weights[node.param<bool>("tie_weights") ? 1 : 2];
    const std::string ids = graph.op("Cast", {in.values[0]}, {{"to", std::int64_t{7}}});
    const std::string rows = graph.op("Gather", {graph.floats("token_embeddings", tokens.shape, tokens.values), ids});
    return {graph.op("Add", {rows, onnxPositions(graph, in, positions)})};
}

std::string PositionTableSpec::tfjsLimitation(const Node& node) const {
    return node.name + ": TF.js has no " + std::string(kind()) + " layer: it is keras_hub's";
}

namespace {

constexpr std::string_view kPositionClass = R"PY(class KerasPositionEmbedding(nn.Module):
    """keras_hub's PositionEmbedding: rows 0 .. T-1 of `embeddings` (sequence_length, features),
    the same for every sample; the input gives its shape only."""

    def __init__(self, sequence_length, features, uniform=None):
        super().__init__()
        self.embeddings = nn.Parameter(torch.empty(sequence_length, features))
        if uniform is None:
            nn.init.xavier_uniform_(self.embeddings)
        else:
            nn.init.uniform_(self.embeddings, -uniform, uniform)

    def forward(self, x):
        return self.embeddings[: x.shape[1]].expand(x.shape[0], -1, -1)
)PY";

}  // namespace

// PositionEmbedding

const std::vector<ParamSpec>& PositionEmbeddingSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        sequenceLengthParam(),
        initializerParam("initializer", Init::GlorotUniform, "position table"),
    };
    return schema;
}

namespace {

/// Sums a PositionEmbedding with its own input in a new Add that takes over the embedding's
/// readers: the usual wiring, `x + PositionEmbedding(x)`.
Fix addToInputFix(const ModelGraph& graph, const Node& node, const Node& producer) {
    Fix fix;
    fix.title = "Add the positions to " + producer.name + "'s sequence (insert an Add)";
    GraphEdit& e = fix.edit;
    e.ops.push_back(edit::AddNode{"Add", {}, Point{node.position.x + 160, node.position.y + LayoutSpacing{}.row}});
    for (const Edge* out : graph.outputEdges(node.id)) {
        e.ops.push_back(edit::RemoveEdge{out->id});
        e.ops.push_back(edit::Connect{NewNode{0}, 0, out->to.node, out->to.port});
    }
    e.ops.push_back(edit::Connect{producer.id, 0, NewNode{0}, 0});
    e.ops.push_back(edit::Connect{node.id, 0, NewNode{0}, 1});
    return fix;
}

}  // namespace

std::optional<TensorShape> PositionEmbeddingSpec::inferShape(const ShapeContext& ctx) const {
    const LayerInput& input = ctx.inputs.front();
    const TensorShape& in = *input.shape;
    if (!fitsTable(ctx, in.time())) return std::nullopt;
    // Its output holds positions only: when nothing else reads the input, its values are lost.
    const auto readers = ctx.graph.outputEdges(input.producer->id);
    if (std::all_of(readers.begin(), readers.end(), [&](const Edge* e) { return e->to.node == ctx.node.id; })) {
        Diagnostic d;
        d.code = DiagCode::PositionsOnly;
        d.severity = Severity::Warning;
        d.node = ctx.node.id;
        d.related = {input.producer->id};
        d.message = nodeLabel(ctx.node) + " returns a learned vector per position, not " + input.producer->name +
                    "'s values, and nothing else reads " + input.producer->name +
                    ": the layers after it never see the data. Add the positions to the sequence, as "
                    "keras_hub's examples do: x + PositionEmbedding(x).";
        d.fixes.push_back(addToInputFix(ctx.graph, ctx.node, *input.producer));
        ctx.diagnostics.push_back(std::move(d));
    }
    return in;
}

std::vector<ParamShape> PositionEmbeddingSpec::weights(const Node& node, std::span<const Dims> inputs) const {
    return {{"embeddings", {node.param<std::int64_t>("sequence_length"), inputs.front().back()},
             node.param<Initializer>("initializer")}};
}

std::string PositionEmbeddingSpec::pytorchArguments(const Node& node, std::span<const Dims> inputs) const {
    return std::to_string(node.param<std::int64_t>("sequence_length")) + ", " + std::to_string(inputs.front().back());
}

std::vector<std::string_view> PositionEmbeddingSpec::pytorchClasses() const { return {kPositionClass}; }

// TokenAndPositionEmbedding

const std::vector<ParamSpec>& TokenAndPositionEmbeddingSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "vocabulary_size", .type = ParamType::Int, .defaultValue = std::int64_t{20000},
         .help = "How many different token ids there are: ids run from 0 to vocabulary_size - 1.",
         .minValue = 1, .maxValue = 1 << 24, .onCard = true},
        sequenceLengthParam(),
        {.name = "embedding_dim", .type = ParamType::Int, .defaultValue = std::int64_t{32},
         .help = "The length of the vector each step becomes: the output's features.", .minValue = 1,
         .maxValue = 1 << 20, .onCard = true},
        {.name = "tie_weights", .type = ParamType::Bool, .defaultValue = true,
         .help = "keras_hub's reverse projection (vectors back to ids) uses the token table itself; off, it "
                 "has a table of its own, kept and counted but not computed with here."},
        initializerParam("embeddings_initializer", Init::RandomUniform, "token and position tables"),
        {.name = "mask_zero", .type = ParamType::Bool, .defaultValue = false,
         .help = "Id 0 is padding: the steps that hold it are skipped by the layers that take a mask "
                 "(recurrent layers, attention, GlobalAveragePooling1D, the loss). Real ids then start at 1.",
         .onCard = true, .cardOnlyIfChanged = true},
    };
    return schema;
}

std::optional<TensorShape> TokenAndPositionEmbeddingSpec::inferShape(const ShapeContext& ctx) const {
    const TensorShape& in = *ctx.inputs.front().shape;
    if (!fitsTable(ctx, in.dims.front())) return std::nullopt;
    return TensorShape{{in.dims.front(), Dim{ctx.node.param<std::int64_t>("embedding_dim"), ctx.node.id}}};
}

std::vector<ParamShape> TokenAndPositionEmbeddingSpec::weights(const Node& node, std::span<const Dims>) const {
    const std::int64_t vocab = node.param<std::int64_t>("vocabulary_size"), width = node.param<std::int64_t>("embedding_dim");
    const Initializer init = node.param<Initializer>("embeddings_initializer");
    std::vector<ParamShape> w{{"token_embedding/embeddings", {vocab, width}, init}};
    if (!node.param<bool>("tie_weights")) w.push_back({"token_embedding/reverse_embeddings", {width, vocab}, init});
    w.push_back({"position_embedding/embeddings", {node.param<std::int64_t>("sequence_length"), width}, init});
    return w;
}

KerasWeightPlace TokenAndPositionEmbeddingSpec::kerasWeightPlace(const Node&, const ParamShape& weight) const {
    const auto slash = weight.name.find('/');
    return {weight.name + ":0", weight.name.substr(0, slash)};
}

std::string TokenAndPositionEmbeddingSpec::pytorchArguments(const Node& node, std::span<const Dims>) const {
    return std::to_string(node.param<std::int64_t>("vocabulary_size")) + ", " +
           std::to_string(node.param<std::int64_t>("sequence_length")) + ", " +
           std::to_string(node.param<std::int64_t>("embedding_dim")) +
           (node.param<bool>("tie_weights") ? "" : ", tie_weights=False");
}

std::vector<std::string_view> TokenAndPositionEmbeddingSpec::pytorchClasses() const {
    return {kPositionClass, R"PY(class KerasTokenAndPositionEmbedding(nn.Module):
    """keras_hub's TokenAndPositionEmbedding: each token id's row of token_embedding.embeddings
    plus row t of position_embedding.embeddings at step t; ids outside the table are an error."""

    def __init__(self, vocabulary_size, sequence_length, embedding_dim, tie_weights=True):
        super().__init__()
        self.token_embedding = nn.Module()
        self.token_embedding.embeddings = nn.Parameter(torch.empty(vocabulary_size, embedding_dim))
        nn.init.uniform_(self.token_embedding.embeddings, -0.05, 0.05)
        if not tie_weights:  # keras_hub's reverse projection, not used here
            self.token_embedding.reverse_embeddings = nn.Parameter(torch.empty(embedding_dim, vocabulary_size))
            nn.init.uniform_(self.token_embedding.reverse_embeddings, -0.05, 0.05)
        self.position_embedding = KerasPositionEmbedding(sequence_length, embedding_dim, uniform=0.05)

    def forward(self, ids):
        tokens = nn.functional.embedding(ids.long(), self.token_embedding.embeddings)
        return tokens + self.position_embedding.embeddings[: ids.shape[1]]
)PY"};
}

}  // namespace loom
