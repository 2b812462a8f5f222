#include "layers/recurrent.h"

#include <nlohmann/json.hpp>

#include "layers/activations.h"
#include "io/python_text.h"
#include "layers/keras_config.h"
#include "shape/explain.h"
#include "shape/fixes.h"
#include "layers/onnx_layer.h"

namespace loom {

std::vector<ParamSpec> RecurrentSpec::commonParams() {
    std::vector<ParamSpec> p;
    p.push_back({.name = "units", .type = ParamType::Int, .defaultValue = std::int64_t{32},
                 .help = "Size of the hidden state: the number of features each step outputs.",
                 .minValue = 1, .maxValue = 65536, .onCard = true});
    p.push_back({.name = "activation", .type = ParamType::Choice,
                 .defaultValue = std::string("tanh"),
                 .help = "Applied to the candidate state and to the cell output.",
                 .choices = activationNames(), .onCard = true});
    p.push_back({.name = "recurrent_activation", .type = ParamType::Choice,
                 .defaultValue = std::string("sigmoid"), .help = "Applied to the gates.",
                 .choices = activationNames()});
    p.push_back({.name = "use_bias", .type = ParamType::Bool, .defaultValue = true,
                 .help = "Whether the layer adds a bias vector."});
    p.push_back({.name = "return_sequences", .type = ParamType::Bool, .defaultValue = false,
                 .help = "Output the whole sequence (None, T, units) instead of the last step "
                         "(None, units). Needed when the next layer reads a sequence.",
                 .onCard = true});
    p.push_back({.name = "go_backwards", .type = ParamType::Bool, .defaultValue = false,
                 .help = "Read the sequence from its last step to its first. With return_sequences the "
                         "outputs stay in that order, as Keras returns them: the first is the reading of the "
                         "last step.",
                 .onCard = true});
    p.push_back({.name = "return_state", .type = ParamType::Bool, .defaultValue = false,
                 .help = "Also return the states after the last step, each (None, units): h, and c for an LSTM. "
                         "They leave from ports of their own under the card; wire them into another recurrent "
                         "layer's starting states (an encoder's states start its decoder).",
                 .onCard = true});
    p.push_back({.name = "initial_state", .type = ParamType::Bool, .defaultValue = false,
                 .help = "Start from states wired into the initial h (and c) ports instead of zeros: Keras's "
                         "initial_state=[...] in the layer's call.",
                 .onCard = true, .callArgument = true});
    p.push_back({.name = "dropout", .type = ParamType::Float, .defaultValue = 0.0,
                 .help = "Fraction of the inputs dropped while training.", .minValue = 0,
                 .maxValue = 1, .maxExclusive = true});
    p.push_back({.name = "recurrent_dropout", .type = ParamType::Float, .defaultValue = 0.0,
                 .help = "Fraction of the recurrent state dropped while training.",
                 .minValue = 0, .maxValue = 1, .maxExclusive = true});
    p.push_back({.name = "kernel_regularizer", .type = ParamType::Regularization,
                 .defaultValue = Regularizer{},
                 .help = "Penalty on the input kernel added to the loss."});
    p.push_back(initializerParam("kernel_initializer", Init::GlorotUniform, "input kernel"));
    p.push_back(initializerParam("recurrent_initializer", Init::Orthogonal, "recurrent kernel"));
    p.push_back(initializerParam("bias_initializer", Init::Zeros, "bias"));
    return p;
}

namespace {

/// Activations whose output stays within a fixed range whatever their input.
bool bounded(std::string_view activation) {
    return activation == "tanh" || activation == "sigmoid" || activation == "hard_sigmoid" ||
           activation == "softmax";
}

}  // namespace

void RecurrentSpec::warnUnboundedActivation(const ShapeContext& ctx) const {
    const std::string act = ctx.node.param<std::string>("activation");
    if (bounded(act)) return;
    Diagnostic d;
    d.code = DiagCode::UnboundedActivation;
    d.severity = Severity::Warning;
    d.node = ctx.node.id;
    d.message = nodeLabel(ctx.node) + " uses activation=" + act + ", which has no upper bound. " +
                std::string(activationRole()) +
                ", so nothing keeps the state in range: it can grow from step to step until the "
                "loss rises or turns NaN. tanh, Keras's default, keeps it within -1 and 1.";
    d.fixes.push_back(setParamFix(ctx.node, "activation", std::string("tanh"), "Use tanh"));
    ctx.diagnostics.push_back(std::move(d));
}

namespace {

const char* const kStateNames[] = {"h", "c"};

}  // namespace

int RecurrentSpec::inputPorts(const Node& node) const {
    return node.param<bool>("initial_state") ? maxInputs() : 1;
}

std::vector<std::string> RecurrentSpec::inputPortNames(const Node& node) const {
    if (!node.param<bool>("initial_state")) return {};
    std::vector<std::string> names{"sequence"};
    for (int k = 0; k < stateCount(); ++k) names.push_back(std::string("initial ") + kStateNames[k]);
    return names;
}

std::vector<std::string> RecurrentSpec::moreOutputNames(const Node& node) const {
    if (!node.param<bool>("return_state")) return {};
    std::vector<std::string> names;
    for (int k = 0; k < stateCount(); ++k) names.emplace_back(kStateNames[k]);
    return names;
}

std::vector<TensorShape> RecurrentSpec::moreOutputShapes(const ShapeContext& ctx, const TensorShape&) const {
    const std::size_t n = moreOutputNames(ctx.node).size();
    return std::vector<TensorShape>(n, TensorShape{{Dim{ctx.node.param<std::int64_t>("units"), ctx.node.id}}});
}

std::optional<TensorShape> RecurrentSpec::inferShape(const ShapeContext& ctx) const {
    warnUnboundedActivation(ctx);
    const TensorShape& in = *ctx.inputs.front().shape;
    const std::int64_t units = ctx.node.param<std::int64_t>("units");
    // Each starting state is a vector of the layer's units, as the state it replaces.
    for (const LayerInput& state : ctx.inputs.subspan(1)) {
        const int port = state.edge ? state.edge->to.port : 0;
        if (port < 1 || port > stateCount()) continue;
        const TensorShape& s = *state.shape;
        const std::int64_t given = s.isVector() ? s.features().size : 0;
        if (s.isVector() && (given == units || given == kNone)) continue;
        Diagnostic d = paramDiagnostic(
            ctx, nodeLabel(ctx.node) + " starts from the state " + kStateNames[port - 1] + " that " +
                     (state.producer ? state.producer->name : std::string("its input")) + " gives, " + s.str() +
                     ", but its own state is a vector of its units=" + std::to_string(units) + ", (None, " +
                     std::to_string(units) + ")" +
                     (s.isVector() ? "; the two need the same size." : "; a state is one vector per sample."));
        d.port = port;
        if (given > 0) {
            d.fixes.push_back(setParamFix(ctx.node, "units", given, "Set units=" + std::to_string(given) + " on " + ctx.node.name));
        }
        ctx.diagnostics.push_back(std::move(d));
        return std::nullopt;
    }
    Dim features{units, ctx.node.id};
    if (ctx.node.param<bool>("return_sequences")) return TensorShape{{in.time(), features}};
    return TensorShape{{features}};
}

std::vector<ParamShape> RecurrentSpec::gateWeights(const Node& node, std::int64_t in, int gates,
                                                  ParamShape bias) {
    const std::int64_t u = node.param<std::int64_t>("units");
    std::vector<ParamShape> w{{"kernel", {in, gates * u}, node.param<Initializer>("kernel_initializer")},
                              {"recurrent_kernel", {u, gates * u}, node.param<Initializer>("recurrent_initializer")}};
    bias.init = node.param<Initializer>("bias_initializer");
    if (node.param<bool>("use_bias")) w.push_back(std::move(bias));
    return w;
}

std::int64_t RecurrentSpec::trainingCache(const Node& node, std::span<const Dims> inputs,
                                          const Dims& output) const {
    const Dims& in = inputs.front();
    const std::int64_t steps = in.size() == 2 ? in[0] : 1;
    // go_backwards: the reversed input, its gradient and one more of the input's size.
    const std::int64_t reversal = node.param<bool>("go_backwards") ? 3 * steps * in.back() : 0;
    return 6 * steps * output.back() + reversal;
}

std::string RecurrentSpec::explainSize(const Node& node, const Dim& dim) const {
    return node.name + " has units=" + std::to_string(dim.size);
}

using nlohmann::json;

json RecurrentSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims>) const {
    json c = kerasParams(*this, node, format);
    nullKerasOptions(c, {"recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
                         "recurrent_constraint", "bias_constraint"});
    c["return_state"] = node.param<bool>("return_state");
    c["go_backwards"] = node.param<bool>("go_backwards");
    c["stateful"] = false;
    c["unroll"] = false;
    if (format == KerasFormat::TfKeras2) {
        c["implementation"] = 2;
    } else {
        c["zero_output_for_mask"] = false;
        c["seed"] = nullptr;
    }
    return c;
}

std::string RecurrentSpec::readKeras(const json& config, KerasProducer producer, ParamMap& params) const {
    if (param("recurrent_activation") && !config.contains("recurrent_activation")) {
        params["recurrent_activation"] = std::string(producer == KerasProducer::TfJs ? "hard_sigmoid" : "sigmoid");
    }
    return readKerasParams(*this, config, params);
}

std::string RecurrentSpec::tfjsLimitation(const Node& node) const {
    if (node.param<bool>("return_state") || node.param<bool>("initial_state")) {
        return node.name + " passes its states to another layer (return_state, initial_state), which LayerLoom does "
                           "not write to TF.js folders";
    }
    return {};
}

KerasWeightPlace RecurrentSpec::kerasWeightPlace(const Node&, const ParamShape& weight) const {
    return {std::string(nameBase()) + "_cell/" + weight.name + ":0", "cell"};
}

PyTorchLayer RecurrentSpec::pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                                    std::span<const std::string> args) const {
    const auto flag = [&](const char* key) { return std::string(node.param<bool>(key) ? "True" : "False"); };
    std::string module = "Keras" + std::string(kind()) + "(" + std::to_string(inputs.front().back()) + ", " +
                         std::to_string(node.param<std::int64_t>("units")) + ", " +
                         python::quoted(node.param<std::string>("activation")) + ", ";
    if (param("recurrent_activation")) module += python::quoted(node.param<std::string>("recurrent_activation")) + ", ";
    module += flag("use_bias") + ", " + flag("return_sequences") + pytorchExtraArgs(node);
    for (const char* rate : {"dropout", "recurrent_dropout"}) {
        if (node.param<double>(rate) > 0.0) module += std::string(", ") + rate + "=" + python::number(node.param<double>(rate));
    }
    if (node.param<bool>("go_backwards")) module += ", go_backwards=True";
    if (node.param<bool>("return_state")) module += ", return_state=True";
    module += ")";
    // The sequence, then the starting states in their ports' order.
    std::string call;
    for (const std::string& arg : args) call += (call.empty() ? "" : ", ") + arg;
    return {std::move(module), self_ + "(" + call + ")"};
}

std::string RecurrentSpec::onnxLimitation(const Node& node) const {
    for (const char* role : {"activation", "recurrent_activation"}) {
        if (!param(role)) continue;
        const std::string name = node.param<std::string>(role);
        if (onnxRecurrentActivation(activationParam(node, role)).name.empty()) {
            return node.name + ": ONNX's " + std::string(kind() == "SimpleRNN" ? "RNN" : kind()) + " operator has no " + name +
                   " (its " + role + "); it takes tanh, sigmoid, hard_sigmoid, relu, elu, softplus, leaky_relu or "
                   "linear. Choose one of those, or export to Keras or PyTorch, which compute " + name + ".";
        }
    }
    return {};
}

std::vector<std::string> RecurrentSpec::onnxOperator(const Node& node, OnnxGraph& graph, const std::string& timeMajor,
                                                     std::span<const NamedTensor* const> weights,
                                                     const std::string& direction,
                                                     std::span<const std::string> initialStates) const {
    const std::int64_t u = node.param<std::int64_t>("units");
    const int gates = static_cast<int>(weights[0]->shape[1] / u);
    const std::int64_t in = weights[0]->shape[0];
    const bool bias = node.param<bool>("use_bias");
    const std::size_t perDirection = bias ? 3 : 2;
    const int directions = static_cast<int>(weights.size() / perDirection);
    // ONNX's gate order by Keras's gate numbers: an LSTM's (i, o, f, c) from Keras's (i, f, c, o);
    // GRU's (z, r, h) and the RNN's single gate are Keras's own.
    std::vector<std::int64_t> order(static_cast<std::size_t>(gates));
    for (int g = 0; g < gates; ++g) order[static_cast<std::size_t>(g)] = g;
    if (gates == 4) order = {0, 3, 1, 2};
    std::vector<float> w, r, b;
    for (int d = 0; d < directions; ++d) {
        const NamedTensor& kernel = *weights[static_cast<std::size_t>(d) * perDirection];
        const NamedTensor& recurrent = *weights[static_cast<std::size_t>(d) * perDirection + 1];
        // Keras's kernel (in, gates * u) column by column is ONNX's W (gates * u, in) row by row.
        for (const auto& [source, rows, out] : {std::tuple{&kernel, in, &w}, std::tuple{&recurrent, u, &r}}) {
            for (std::int64_t g : order) {
                for (std::int64_t j = 0; j < u; ++j) {
                    for (std::int64_t i = 0; i < rows; ++i) {
                        out->push_back(source->values[static_cast<std::size_t>(i * gates * u + g * u + j)]);
                    }
                }
            }
        }
        // ONNX adds an input bias and a recurrent bias: Keras's one bias and zeros, or GRU's two rows.
        std::vector<float> wb(static_cast<std::size_t>(gates * u), 0.0f), rb(wb.size(), 0.0f);
        if (bias) {
            const NamedTensor& kb = *weights[static_cast<std::size_t>(d) * perDirection + 2];
            const bool twoRows = kb.shape.size() == 2;
            for (std::size_t k = 0; k < order.size(); ++k) {
                for (std::int64_t j = 0; j < u; ++j) {
                    const auto at = static_cast<std::size_t>(order[k] * u + j), to = static_cast<std::size_t>(static_cast<std::int64_t>(k) * u + j);
                    wb[to] = kb.values[at];
                    if (twoRows) rb[to] = kb.values[static_cast<std::size_t>(gates * u) + at];
                }
            }
        }
        b.insert(b.end(), wb.begin(), wb.end());
        b.insert(b.end(), rb.begin(), rb.end());
    }
    const std::int64_t dirs = directions;
    std::vector<std::string> args{timeMajor, graph.floats("W", {dirs, gates * u, in}, std::move(w)),
                                  graph.floats("R", {dirs, gates * u, u}, std::move(r)),
                                  graph.floats("B", {dirs, 2 * gates * u}, std::move(b)), ""};
    for (const std::string& state : initialStates) args.push_back(graph.unsqueeze(state, {0}));
    // The activations in ONNX's order, once per direction: the gates', then the candidate's (and
    // for an LSTM the cell output's), with the alphas and betas of those that take them.
    std::vector<Activation> acts;
    if (param("recurrent_activation")) acts.push_back(activationParam(node, "recurrent_activation"));
    acts.push_back(activationParam(node, "activation"));
    if (stateCount() == 2) acts.push_back(activationParam(node, "activation"));
    std::vector<std::string> names;
    std::vector<float> alphas, betas;
    for (int d = 0; d < directions; ++d) {
        for (Activation a : acts) {
            const OnnxRecurrentActivation o = onnxRecurrentActivation(a);
            names.push_back(o.name);
            if (o.hasAlpha) alphas.push_back(o.alpha);
            if (o.hasBeta) betas.push_back(o.beta);
        }
    }
    std::vector<OnnxAttribute> attributes{{"hidden_size", u}, {"direction", direction}, {"activations", names}};
    if (!alphas.empty()) attributes.push_back({"activation_alpha", alphas});
    if (!betas.empty()) attributes.push_back({"activation_beta", betas});
    if (param("reset_after")) attributes.push_back({"linear_before_reset", std::int64_t{node.param<bool>("reset_after")}});
    const std::string_view op = kind() == "SimpleRNN" ? "RNN" : kind();
    return graph.ops(op, std::move(args), std::move(attributes), 1 + stateCount());
}

std::vector<std::string> RecurrentSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    // ONNX's recurrent operators read (T, batch, features); go_backwards reads from the last step.
    const bool backwards = node.param<bool>("go_backwards");
    const std::span<const std::string> states = in.values.subspan(1);
    const std::vector<std::string> y = onnxOperator(node, graph, graph.transpose(in.values[0], {1, 0, 2}), in.weights,
                                                    backwards ? "reverse" : "forward", states);
    std::vector<std::string> out;
    if (node.param<bool>("return_sequences")) {
        std::string seq = graph.transpose(graph.squeeze(y[0], {1}), {1, 0, 2});
        // Keras returns a backward reading's outputs in the order it made them: ONNX's reversed.
        if (backwards) seq = graph.slice(seq, 1, -1, INT64_MIN, -1);
        out.push_back(seq);
    } else {
        out.push_back(graph.squeeze(y[1], {0}));
    }
    if (node.param<bool>("return_state")) {
        for (int s = 0; s < stateCount(); ++s) out.push_back(graph.squeeze(y[static_cast<std::size_t>(1 + s)], {0}));
    }
    return out;
}

}  // namespace loom
