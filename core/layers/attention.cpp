#include "layers/attention.h"

#include <nlohmann/json.hpp>

#include "io/json_input.h"
#include "io/message_text.h"
#include "io/python_text.h"
#include "layers/keras_config.h"
#include "shape/explain.h"
#include "shape/fixes.h"
#include "layers/onnx_layer.h"

namespace loom {

using nlohmann::json;

namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

/// The key's sizes: its own port's, or the value's when the key port is free.
const Dims& keyDims(const Node& node, std::span<const Dims> inputs) {
    return attentionInputs(node, inputs.size()).key >= 0 ? inputs[2] : inputs[1];
}

/// The output's features: output_shape, or the query's when it is None.
std::int64_t outputWidth(const Node& node, const Dims& query) {
    const std::int64_t width = node.param<std::int64_t>("output_shape");
    return width > 0 ? width : query.back();
}

}  // namespace

const std::vector<ParamSpec>& MultiHeadAttentionSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "num_heads", .type = ParamType::Int, .defaultValue = std::int64_t{2},
         .help = "Number of attention heads, each with its own projections of query, key and value.",
         .minValue = 1, .maxValue = 1 << 10, .onCard = true},
        {.name = "key_dim", .type = ParamType::Int, .defaultValue = std::int64_t{32},
         .help = "Size of each head's query and key projections; the scores are divided by sqrt(key_dim).",
         .minValue = 1, .maxValue = 1 << 16, .onCard = true},
        {.name = "value_dim", .type = ParamType::Int, .defaultValue = std::int64_t{0},
         .help = "Size of each head's value projection; None takes key_dim.", .minValue = 0,
         .maxValue = 1 << 16, .onCard = true, .cardOnlyIfChanged = true, .noneText = "None (key_dim)"},
        {.name = "output_shape", .type = ParamType::Int, .defaultValue = std::int64_t{0},
         .help = "Features of the output; None gives the query's, so that a residual Add with the query fits.",
         .minValue = 0, .maxValue = 1 << 20, .onCard = true, .cardOnlyIfChanged = true,
         .noneText = "None (the query's features)"},
        {.name = "use_causal_mask", .type = ParamType::Bool, .defaultValue = false,
         .help = "Each query step reads the value's steps up to its own only, as a decoder must (Keras's "
                 "call argument use_causal_mask).",
         .onCard = true, .cardOnlyIfChanged = true, .callArgument = true},
        {.name = "attention_mask", .type = ParamType::Bool, .defaultValue = false,
         .help = "Reads an attention mask from a port of its own: (query steps, value steps), nonzero where "
                 "a query step may read a value step (Keras's call argument attention_mask). It is ANDed with "
                 "the causal mask and the inputs' step masks.",
         .onCard = true, .cardOnlyIfChanged = true, .callArgument = true},
        {.name = "return_attention_scores", .type = ParamType::Bool, .defaultValue = false,
         .help = "Also returns the attention scores, (heads, query steps, value steps): how much each query "
                 "step reads each value step. They leave the model beside its outputs for looking at (predict "
                 "gives them, and the Reconstruction dock draws them as a heat map); no layer reads them and no loss trains them (Keras's call "
                 "argument return_attention_scores).",
         .onCard = true, .cardOnlyIfChanged = true, .callArgument = true},
        {.name = "dropout", .type = ParamType::Float, .defaultValue = 0.0,
         .help = "Fraction of the attention weights dropped in training.", .minValue = 0.0, .maxValue = 1.0,
         .maxExclusive = true},
        {.name = "use_bias", .type = ParamType::Bool, .defaultValue = true,
         .help = "Whether the four projections add biases."},
        {.name = "kernel_regularizer", .type = ParamType::Regularization, .defaultValue = Regularizer{},
         .help = "Penalty on the four projection kernels added to the loss."},
        initializerParam("kernel_initializer", Init::GlorotUniform, "projection kernels"),
        initializerParam("bias_initializer", Init::Zeros, "projection biases"),
    };
    return schema;
}

int MultiHeadAttentionSpec::inputPorts(const Node& node) const { return node.param<bool>("attention_mask") ? 4 : 3; }

std::vector<std::pair<int, std::string>> MultiHeadAttentionSpec::requiredPorts(const Node& node) const {
    if (!node.param<bool>("attention_mask")) return {};
    return {{3, "attention_mask"}};
}

std::vector<std::string> MultiHeadAttentionSpec::moreOutputNames(const Node& node) const {
    if (!node.param<bool>("return_attention_scores")) return {};
    return {"scores"};
}

std::vector<TensorShape> MultiHeadAttentionSpec::moreOutputShapes(const ShapeContext& ctx, const TensorShape&) const {
    if (!ctx.node.param<bool>("return_attention_scores")) return {};
    // Per sample: (heads, query steps, value steps).
    return {TensorShape{{Dim{ctx.node.param<std::int64_t>("num_heads"), ctx.node.id}, ctx.inputs[0].shape->time(),
                         ctx.inputs[1].shape->time()}}};
}

std::optional<TensorShape> MultiHeadAttentionSpec::inferShape(const ShapeContext& ctx) const {
    const TensorShape& query = *ctx.inputs[0].shape;
    const TensorShape& value = *ctx.inputs[1].shape;
    // The key and the mask by the ports their wires enter (a count could take a key for the
    // mask while the mask's port is still free).
    AttentionInputs ports;
    for (std::size_t k = 0; k < ctx.inputs.size(); ++k) {
        const int port = ctx.inputs[k].edge->to.port;
        if (port == 2) ports.key = static_cast<int>(k);
        if (port == 3) ports.mask = static_cast<int>(k);
    }
    if (ctx.node.param<bool>("attention_mask") && ports.mask < 0) return std::nullopt;  // the port rules say so
    if (ports.mask >= 0) {
        // One row per query step, one column per value step.
        const LayerInput& mask = ctx.inputs[static_cast<std::size_t>(ports.mask)];
        const std::int64_t qt = query.time().size, vt = value.time().size;
        const Dims have = mask.shape->sizes();
        const bool rows = have.size() == 2 && (have[0] == qt || have[0] == kNone || qt == kNone);
        const bool cols = have.size() == 2 && (have[1] == vt || have[1] == kNone || vt == kNone);
        if (!rows || !cols) {
            const std::string want = "(None, " + (qt == kNone ? std::string("None") : num(qt)) + ", " +
                                     (vt == kNone ? std::string("None") : num(vt)) + ")";
            Diagnostic d = paramDiagnostic(
                ctx, "The attention mask of " + nodeLabel(ctx.node) + ", from " + mask.producer->name + ", is " +
                         mask.shape->str() + ", but it needs " + want + ": a row per query step (" + ctx.inputs[0].producer->name +
                         " has " + (qt == kNone ? std::string("a free number") : num(qt)) + ") and a column per value step (" +
                         ctx.inputs[1].producer->name + " has " + (vt == kNone ? std::string("a free number") : num(vt)) + ").");
            d.code = DiagCode::AttentionSteps;
            d.port = mask.edge->to.port;
            if (mask.producer->isInput() && qt != kNone && vt != kNone) {
                d.fixes.push_back(setParamFix(*mask.producer, "shape", Dims{qt, vt},
                                              "Set " + mask.producer->name + "'s shape to (" + num(qt) + ", " + num(vt) + ")"));
            }
            ctx.diagnostics.push_back(std::move(d));
            return std::nullopt;
        }
    }
    if (ports.key >= 0) {
        const TensorShape& key = *ctx.inputs[static_cast<std::size_t>(ports.key)].shape;
        const std::int64_t kt = key.time().size, vt = value.time().size;
        if (kt != kNone && vt != kNone && kt != vt) {
            Diagnostic d = paramDiagnostic(
                ctx, nodeLabel(ctx.node) + " reads " + num(vt) + " value steps (" + ctx.inputs[1].producer->name +
                         ") but " + num(kt) + " key steps (" + ctx.inputs[2].producer->name +
                         "): each key step scores the value step beside it, so both need the same length. " +
                         explainDim(ctx.graph, value.time()) + "; " + explainDim(ctx.graph, key.time()) + ".");
            d.code = DiagCode::AttentionSteps;
            d.port = 2;
            ctx.diagnostics.push_back(std::move(d));
            return std::nullopt;
        }
    }
    TensorShape out = query;
    const std::int64_t width = ctx.node.param<std::int64_t>("output_shape");
    if (width > 0) out.dims.back() = Dim{width, ctx.node.id};
    return out;
}

std::vector<ParamShape> MultiHeadAttentionSpec::weights(const Node& node, std::span<const Dims> inputs) const {
    const std::int64_t heads = node.param<std::int64_t>("num_heads"), key = node.param<std::int64_t>("key_dim");
    const std::int64_t value = attentionValueDim(node);
    const std::int64_t fq = inputs[0].back(), fv = inputs[1].back();
    const std::int64_t fk = keyDims(node, inputs).back();
    const std::int64_t out = outputWidth(node, inputs[0]);
    const Initializer kernel = node.param<Initializer>("kernel_initializer");
    const Initializer bias = node.param<Initializer>("bias_initializer");
    const bool useBias = node.param<bool>("use_bias");
    std::vector<ParamShape> w;
    const auto projection = [&](const char* name, std::vector<std::int64_t> kernelShape, std::vector<std::int64_t> biasShape) {
        w.push_back({std::string(name) + "/kernel", std::move(kernelShape), kernel});
        if (useBias) w.push_back({std::string(name) + "/bias", std::move(biasShape), bias});
    };
    projection("query", {fq, heads, key}, {heads, key});
    projection("key", {fk, heads, key}, {heads, key});
    projection("value", {fv, heads, value}, {heads, value});
    projection("attention_output", {heads, value, out}, {out});
    return w;
}

std::int64_t MultiHeadAttentionSpec::trainingCache(const Node& node, std::span<const Dims> inputs, const Dims&) const {
    const std::int64_t heads = node.param<std::int64_t>("num_heads"), key = node.param<std::int64_t>("key_dim");
    const std::int64_t t = inputs[0].front(), s = inputs[1].front();
    const std::int64_t weights = heads * t * s * (node.param<double>("dropout") > 0.0 ? 2 : 1);
    return t * heads * key + s * heads * (key + attentionValueDim(node)) + weights + t * heads * attentionValueDim(node);
}

std::string MultiHeadAttentionSpec::explainSize(const Node& node, const Dim& dim) const {
    return node.name + " has output_shape=" + num(dim.size);
}

json MultiHeadAttentionSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims> inputs) const {
    json c = kerasParams(*this, node, format);  // value_dim and output_shape None as null
    c["attention_axes"] = nullptr;
    if (format == KerasFormat::Keras3) c["seed"] = nullptr;  // tf.keras 2's layer takes no seed
    c["kernel_regularizer"] = kerasRegularizer(node.param<Regularizer>("kernel_regularizer"), format);
    nullKerasOptions(c, {"bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"});
    if (format == KerasFormat::TfKeras2) {
        // tf.keras 2 builds the layer from these when it reads the config.
        const auto shape = [](const Dims& d) { return json::array({nullptr, d[0] == kNone ? json(nullptr) : json(d[0]), d[1]}); };
        c["query_shape"] = shape(inputs[0]);
        c["value_shape"] = shape(inputs[1]);
        c["key_shape"] = shape(keyDims(node, inputs));
    }
    return c;
}

std::string MultiHeadAttentionSpec::readKeras(const json& config, KerasProducer, ParamMap& params) const {
    if (!config.is_object()) return "its config is " + jsonExcerpt(config) + ", not an object";
    json rest = config;
    // Keras writes a built layer's output_shape as a list of one.
    if (std::string why = unlistSizes(rest, {"output_shape", "value_dim"}); !why.empty()) {
        return why + ": LayerLoom's MultiHeadAttention takes one size (its tensors are sequences of features)";
    }
    if (rest.contains("attention_axes")) {
        json axes = rest["attention_axes"];
        if (axes.is_array() && axes.size() == 1) axes = axes[0];
        // The time axis: None, or 1 (what Keras writes once the layer is built). A negative
        // axis counts from different ranks in different Keras versions: refused.
        if (!axes.is_null() && !(axes.is_number_integer() && axes.get<std::int64_t>() == 1)) {
            return "attention_axes is " + jsonExcerpt(rest["attention_axes"]) +
                   "; LayerLoom's MultiHeadAttention attends over the time axis only (attention_axes None)";
        }
        rest.erase("attention_axes");
    }
    for (const char* unsupported : {"bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"}) {
        if (rest.contains(unsupported) && !rest[unsupported].is_null()) {
            return std::string(unsupported) + " is " + jsonExcerpt(rest[unsupported]) + ", which LayerLoom does not support";
        }
    }
    return readKerasParams(*this, rest, params);
}

KerasWeightPlace MultiHeadAttentionSpec::kerasWeightPlace(const Node&, const ParamShape& weight) const {
    const auto slash = weight.name.find('/');
    const std::string part = weight.name.substr(0, slash);
    const std::string own = weight.name.substr(slash + 1);
    // Keras 3 keeps each projection in its own EinsumDense, reached through the layer's
    // query_dense, key_dense, value_dense and output_dense.
    return {weight.name + ":0", (part == "attention_output" ? std::string("output") : part) + "_dense"};
}

json MultiHeadAttentionSpec::kerasCallOptions(const Node& node) const {
    json options = json::object();
    if (node.param<bool>("use_causal_mask")) options["use_causal_mask"] = true;
    if (node.param<bool>("return_attention_scores")) options["return_attention_scores"] = true;
    return options;
}

std::string MultiHeadAttentionSpec::readKerasCall(const json& options, ParamMap& params) const {
    if (!options.is_object()) return {};
    for (const auto& [key, value] : options.items()) {
        if (key == "use_causal_mask") {
            if (!value.is_null() && !value.is_boolean()) return "use_causal_mask is " + jsonExcerpt(value) + ", not true or false";
            params["use_causal_mask"] = value.is_boolean() && value.get<bool>();
        } else if (key == "return_attention_scores") {
            if (!value.is_null() && !value.is_boolean()) {
                return "return_attention_scores is " + jsonExcerpt(value) + ", not true or false";
            }
            params["return_attention_scores"] = value.is_boolean() && value.get<bool>();
        } else if (key == "attention_mask") {
            params["attention_mask"] = !value.is_null();  // the tensor is a wire into its own port
        } else if (key == "training" || key.ends_with("_mask") || key == "query" || key == "value" || key == "key") {
            continue;  // the tensors are wires; a training flag or a step mask is LayerLoom's own
        } else if (!value.is_null()) {
            return "its call passes " + printableExcerpt(key, 40) + "=" + jsonExcerpt(value) +
                   ", which LayerLoom does not support";
        }
    }
    return {};
}

PyTorchLayer MultiHeadAttentionSpec::pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                                             std::span<const std::string> args) const {
    const std::int64_t fq = inputs[0].back(), fv = inputs[1].back();
    const std::int64_t fk = keyDims(node, inputs).back();
    const std::int64_t out = outputWidth(node, inputs[0]);
    const AttentionInputs ports = attentionInputs(node, args.size());
    std::string call = self_ + "(" + args[0] + ", " + args[1] + ", " + (ports.key >= 0 ? args[2] : args[1]) +
                       (ports.mask >= 0 ? ", " + args[static_cast<std::size_t>(ports.mask)] : std::string()) + ")";
    return {"KerasMultiHeadAttention(" + num(fq) + ", " + num(fk) + ", " + num(fv) + ", " +
                num(node.param<std::int64_t>("num_heads")) + ", " + num(node.param<std::int64_t>("key_dim")) + ", " +
                num(attentionValueDim(node)) + ", " + num(out) + ", " + (node.param<bool>("use_bias") ? "True" : "False") +
                ", " + (node.param<bool>("use_causal_mask") ? "True" : "False") + ", " +
                python::number(node.param<double>("dropout")) +
                (node.param<bool>("return_attention_scores") ? ", return_scores=True" : "") + ")",
            call};
}

std::vector<std::string> MultiHeadAttentionSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    const std::int64_t heads = node.param<std::int64_t>("num_heads"), keyDim = node.param<std::int64_t>("key_dim");
    const std::int64_t valueDim = attentionValueDim(node);
    const bool useBias = node.param<bool>("use_bias");
    const AttentionInputs ports = attentionInputs(node, in.values.size());
    std::size_t w = 0;
    // A projection (batch, steps, features) to (batch, heads, steps, dim): Keras's kernel
    // (features, heads, dim) is a (features, heads * dim) matrix.
    const auto project = [&](const std::string& x, std::string_view name, std::int64_t dim) {
        const NamedTensor& kernel = *in.weights[w++];
        const NamedTensor* bias = useBias ? in.weights[w++] : nullptr;
        const std::string y = graph.dense(x, name, {kernel.shape[0], heads * dim}, kernel.values, bias ? &bias->values : nullptr);
        return graph.transpose(graph.reshape(y, {0, -1, heads, dim}), {0, 2, 1, 3});
    };
    const std::string& query = in.values[0];
    const std::string& value = in.values[1];
    const std::string& key = ports.key >= 0 ? in.values[static_cast<std::size_t>(ports.key)] : value;
    const std::string q = graph.op("Mul", {project(query, "query_kernel", keyDim), graph.scalar(static_cast<float>(1.0 / std::sqrt(static_cast<double>(keyDim))))});
    const std::string k = project(key, "key_kernel", keyDim);
    const std::string v = project(value, "value_kernel", valueDim);
    std::string scores = graph.op("MatMul", {q, graph.transpose(k, {0, 1, 3, 2})});  // (batch, heads, T, S)
    // -1e9 where a query step may not read a value step, as Keras's softmax adds it.
    std::string barred;
    if (node.param<bool>("use_causal_mask")) {
        const auto steps = [&](const std::string& x) {
            const std::string n = graph.squeeze(graph.slice(graph.op("Shape", {x}), 0, 1, 2), {0});
            return graph.op("Range", {graph.integer(0), n, graph.integer(1)});
        };
        const std::string rows = graph.unsqueeze(steps(query), {1}), cols = graph.unsqueeze(steps(value), {0});
        barred = graph.op("Greater", {cols, rows});  // (T, S)
    }
    if (ports.mask >= 0) {
        const std::string mask = graph.op("Cast", {in.values[static_cast<std::size_t>(ports.mask)]}, {{"to", std::int64_t{1}}});
        const std::string zero = graph.unsqueeze(graph.op("Equal", {mask, graph.scalar(0.0f)}), {1});  // (batch, 1, T, S)
        barred = barred.empty() ? zero : graph.op("Or", {barred, zero});
    }
    if (!barred.empty()) {
        scores = graph.op("Add", {scores, graph.op("Mul", {graph.op("Cast", {barred}, {{"to", std::int64_t{1}}}), graph.scalar(-1e9f)})});
    }
    const std::string weights = graph.op("Softmax", {scores}, {{"axis", std::int64_t{-1}}});
    const std::string joined = graph.reshape(graph.transpose(graph.op("MatMul", {weights, v}), {0, 2, 1, 3}), {0, -1, heads * valueDim});
    const NamedTensor& kernel = *in.weights[w++];
    const NamedTensor* bias = useBias ? in.weights[w] : nullptr;
    std::vector<std::string> out{graph.dense(joined, "output_kernel", {heads * valueDim, kernel.shape[2]}, kernel.values,
                                             bias ? &bias->values : nullptr)};
    if (node.param<bool>("return_attention_scores")) out.push_back(graph.op("Identity", {weights}));
    return out;
}

std::vector<std::string_view> MultiHeadAttentionSpec::pytorchClasses() const {
    return {R"PY(class KerasEinsumProjection(nn.Module):
    """One of Keras's EinsumDense projections: kernel (*in, *out) summed over `inputs` leading
    axes of the kernel, plus bias (*out); Keras's glorot_uniform fans for a kernel of rank 3."""

    def __init__(self, kernel_shape, bias_shape, use_bias):
        super().__init__()
        self.kernel = nn.Parameter(torch.empty(*kernel_shape))
        self.bias = nn.Parameter(torch.zeros(*bias_shape)) if use_bias else None
        receptive = 1
        for d in kernel_shape[:-2]:
            receptive *= d
        bound = (6.0 / (receptive * (kernel_shape[-2] + kernel_shape[-1]))) ** 0.5
        nn.init.uniform_(self.kernel, -bound, bound)

    def forward(self, x, equation):
        y = torch.einsum(equation, x, self.kernel)
        return y if self.bias is None else y + self.bias


class KerasMultiHeadAttention(nn.Module):
    """Keras's MultiHeadAttention over the time axis, with its weight layout: query, key and
    value kernels (features, heads, dim) with biases (heads, dim), the output kernel (heads,
    value_dim, out) and bias (out). Masked scores (causal, or where attention_mask is 0) get
    -1e9 added, as Keras's softmax does. With return_scores, the call also returns the attention
    scores (batch, heads, query steps, value steps), before dropout."""

    def __init__(self, fq, fk, fv, heads, key_dim, value_dim, out, use_bias, causal, dropout, return_scores=False):
        super().__init__()
        self.key_dim, self.causal, self.dropout, self.return_scores = key_dim, causal, dropout, return_scores
        self.query = KerasEinsumProjection((fq, heads, key_dim), (heads, key_dim), use_bias)
        self.key = KerasEinsumProjection((fk, heads, key_dim), (heads, key_dim), use_bias)
        self.value = KerasEinsumProjection((fv, heads, value_dim), (heads, value_dim), use_bias)
        self.attention_output = KerasEinsumProjection((heads, value_dim, out), (out,), use_bias)

    def forward(self, query, value, key, attention_mask=None):
        q = self.query(query, "btf,fhd->bthd") / math.sqrt(self.key_dim)
        k = self.key(key, "btf,fhd->bthd")
        v = self.value(value, "btf,fhd->bthd")
        scores = torch.einsum("bshd,bthd->bhts", k, q)
        t, s = scores.shape[-2], scores.shape[-1]
        allowed = torch.ones(1, t, s, dtype=torch.bool, device=scores.device)
        if self.causal:
            allowed = allowed.tril()
        if attention_mask is not None:  # nonzero where a query step may read a value step
            allowed = allowed & (attention_mask != 0)
        if self.causal or attention_mask is not None:
            scores = scores + (~allowed[:, None]).to(scores.dtype) * -1e9
        weights = torch.softmax(scores, dim=-1)
        dropped = nn.functional.dropout(weights, self.dropout, self.training)
        heads = torch.einsum("bhts,bshd->bthd", dropped, v)
        y = self.attention_output(heads, "bthd,hdo->bto")
        return (y, weights) if self.return_scores else y
)PY"};
}

std::string MultiHeadAttentionSpec::tfjsLimitation(const Node& node) const {
    return node.name + ": TF.js has no MultiHeadAttention layer it can load from a model file";
}

}  // namespace loom
