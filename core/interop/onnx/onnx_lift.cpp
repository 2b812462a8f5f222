// Layers from the operators of an ONNX model that LayerLoom did not write (PyTorch's
// torch.onnx.export, other tools): each node is read in order, and every ONNX value becomes a
// LayerLoom layer's output or a view of one (time-major for a recurrent operator, channels
// first for a convolution), a constant, or the glue exporters compute shapes and zero states
// with. What cannot be mapped is refused by node, before anything is kept.
#include <algorithm>
#include <deque>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "graph/layout.h"
#include "interop/onnx/onnx_import.h"
#include "layers/layer_nodes.h"
#include "layers/layer_spec.h"
#include "layers/onnx_layer.h"
#include "layers/window1d.h"
#include "shape/validator.h"

namespace loom {

namespace {

constexpr const char* kReads =
    "LayerLoom reads LSTM, GRU, RNN, Gemm, MatMul, Conv, ConvTranspose, Resize (nearest), MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, "
    "ReduceMean, ReduceMax, BatchNormalization, LayerNormalization, Add, Sub, Mul, Max, Mean, Sum, Concat, Flatten, Reshape, "
    "Transpose, Squeeze, Unsqueeze, Tile (a vector repeated over steps), Pad, Slice, Gather, Identity, Dropout, Cast, the activations (Relu, Tanh, "
    "Sigmoid, Softmax, LogSoftmax, Elu, Selu, LeakyRelu, HardSigmoid, Softplus), a layer normalisation written out "
    "(ReduceMean, Sub, Pow, Sqrt, Div) and the shape glue exporters write around recurrent layers (Shape, "
    "ConstantOfShape, Expand)";

/// What an ONNX value is to the import.
struct Value {
    enum class Kind {
        Port,           ///< a layer's output, in Keras's layout (batch, time, features) or (batch, features)
        TimeMajor,      ///< a sequence port's (time, batch, features)
        ChannelsFirst,  ///< a sequence port's (batch, features, time)
        Constant,
        Shape,          ///< sizes computed from a tensor's shape
        Zeros,          ///< zeros of a shape computed so (a recurrent operator's initial state)
        RecurrentY,     ///< a recurrent operator's Y (time, directions, batch, units)
        RecurrentYT,    ///< Y with its directions after the batch (time, batch, directions, units)
        States,         ///< a recurrent operator's Y_h or Y_c (directions, batch, units), or several stacked
        Normalizing,    ///< a stage of a layer normalisation written out (PyTorch's before opset 17)
        OneStep,        ///< a vector port with a time axis of one step: (batch, 1, features)
    };
    enum class Stage { Mean, Centred, Squared, Variance, VarianceEpsilon, Deviation };
    Kind kind = Kind::Port;
    PortRef port;
    const OnnxInitializer* constant = nullptr;
    /// States: each stacked operator's state as the port it is, one per direction.
    std::vector<PortRef> states;
    bool trailingOne = false;  ///< a vector with a trailing axis of 1 (GlobalAveragePool's)
    bool batchFirst = false;   ///< RecurrentYT: (batch, time, directions, units), as LayerLoom orders it
    int direction = -1;        ///< States: one direction of a bidirectional operator's
    /// Normalizing: how far the statistics of `port`'s features have come.
    Stage stage = Stage::Mean;
    float epsilon = 0.0f;
};

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// A node's name as messages show it: printable, and not endless.
std::string nodeName(const OnnxNode& n) {
    std::string s = !n.name.empty() ? n.name : !n.outputs.empty() ? n.outputs.front() : std::string("(unnamed)");
    if (s.size() > 80) s = s.substr(0, 80) + "...";
    for (char& c : s) {
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
    }
    return s;
}

/// The attribute of that name, null when the node has none; one of another type is refused.
template <class T>
const T* attribute(const OnnxNode& n, std::string_view name) {
    for (const OnnxAttribute& a : n.attributes) {
        if (a.name != name) continue;
        if (const T* v = std::get_if<T>(&a.value)) return v;
        throw OnnxReadError("node " + nodeName(n) + " (" + n.op + "): its attribute " + std::string(name) + " has another type than ONNX gives it");
    }
    return nullptr;
}

std::int64_t intAttribute(const OnnxNode& n, std::string_view name, std::int64_t fallback) {
    const auto* v = attribute<std::int64_t>(n, name);
    return v ? *v : fallback;
}

float floatAttribute(const OnnxNode& n, std::string_view name, float fallback) {
    const auto* v = attribute<float>(n, name);
    return v ? *v : fallback;
}

class Lifter {
public:
    explicit Lifter(const OnnxGraph& g) : g_(g) {}
    OnnxImport run();

private:
    [[noreturn]] void refuse(const OnnxNode& n, const std::string& why) const {
        throw OnnxReadError("node " + nodeName(n) + " (" + n.op + "): " + why);
    }
    const Value& in(const OnnxNode& n, std::size_t k) const;
    bool has(const OnnxNode& n, std::size_t k) const { return k < n.inputs.size() && !n.inputs[k].empty(); }
    const OnnxInitializer* constant(const OnnxNode& n, std::size_t k) const;
    std::vector<std::int64_t> ints(const OnnxNode& n, std::size_t k) const;
    void set(const OnnxNode& n, std::size_t k, Value v) { values_[n.outputs.at(k)] = std::move(v); }
    static Value port(PortRef p) { return {Value::Kind::Port, p}; }
    bool used(const std::string& value) const { return !value.empty() && uses_.contains(value); }
    /// Whether the node is the only reader of the value, which is no graph output.
    bool onlyReader(const std::string& value) const {
        const auto found = uses_.find(value);
        return found != uses_.end() && found->second == 1;
    }

    /// A new layer named after the ONNX node's scope ("/encoder/lstm/LSTM" is encoder_lstm).
    NodeId layer(const OnnxNode& n, std::string_view kind, ParamMap params, std::vector<PortRef> inputs);
    void weight(NodeId id, const std::string& name, std::vector<std::int64_t> shape, std::vector<float> values);
    /// A convolution's kernel in Keras's layout, (size, ...) from ONNX's (..., size) reversed,
    /// and its bias.
    void convolutionWeights(NodeId id, const OnnxInitializer& w, const OnnxInitializer* bias) {
        std::vector<std::int64_t> dims;
        std::vector<float> kernel = permuted({"", w.dims, w.floats}, {2, 1, 0}, dims);
        weight(id, "kernel", dims, std::move(kernel));
        if (bias) weight(id, "bias", {static_cast<std::int64_t>(bias->floats.size())}, bias->floats);
    }
    /// The first value of a list attribute, `fallback` without one.
    static std::int64_t firstOf(const OnnxNode& n, const char* name, std::int64_t fallback) {
        const auto* v = attribute<std::vector<std::int64_t>>(n, name);
        return v && !v->empty() ? v->front() : fallback;
    }
    Dims dimsOf(PortRef p) const;
    /// The value as a port in Keras's layout: a view becomes a Permute layer.
    PortRef asPort(const OnnxNode& n, const Value& v);
    /// The value as a sequence port whose channels-first view the node reads.
    PortRef asChannelsFirst(const OnnxNode& n, const Value& v);

    void recurrent(const OnnxNode& n);
    void dense(const OnnxNode& n);
    void convolution(const OnnxNode& n);
    void transposedConvolution(const OnnxNode& n);
    /// Refuses a window beyond any LayerLoom takes (and the arithmetic on it).
    void windowFits(const OnnxNode& n, std::int64_t size, std::int64_t stride, std::int64_t dilation) const {
        for (std::int64_t v : {size, stride, dilation}) {
            if (v < 1 || v > 65536) refuse(n, "its kernel, strides or dilations are outside 1 to 65536");
        }
    }
    /// A 1-D window's pads, before and after; none given is no padding.
    std::pair<std::int64_t, std::int64_t> pads(const OnnxNode& n) const {
        const auto* p = attribute<std::vector<std::int64_t>>(n, "pads");
        if (!p) return {0, 0};
        if (p->size() != 2 || (*p)[0] < 0 || (*p)[1] < 0 || (*p)[0] > 65536 || (*p)[1] > 65536) {
            refuse(n, "only two pads of 0 to 65536 steps (one time axis) are supported");
        }
        return {(*p)[0], (*p)[1]};
    }
    void resize(const OnnxNode& n);
    /// The steps of a layer normalisation written out, stage by stage; false when the node is
    /// not one of them.
    bool normalizing(const OnnxNode& n);
    void pooling(const OnnxNode& n);
    void merge(const OnnxNode& n);
    void activation(const OnnxNode& n);
    void normalization(const OnnxNode& n);
    void transpose(const OnnxNode& n);
    void reshape(const OnnxNode& n);
    void glue(const OnnxNode& n);
    void timeSteps(const OnnxNode& n);
    void lift(const OnnxNode& n);

    const OnnxGraph& g_;
    ModelGraph graph_;
    std::vector<NamedTensor> weights_;
    std::vector<std::string> notes_;
    std::map<std::string, Value> values_;
    std::deque<OnnxInitializer> made_;  ///< constants the file computes from constants (ConstantOfShape)
    std::map<std::string, int> uses_;  ///< readers of each value, a graph output counting as one
};

const Value& Lifter::in(const OnnxNode& n, std::size_t k) const {
    if (!has(n, k)) refuse(n, "input " + std::to_string(k) + " is missing");
    const auto found = values_.find(n.inputs[k]);
    if (found == values_.end()) refuse(n, "its input " + n.inputs[k] + " comes from no node before it");
    return found->second;
}

const OnnxInitializer* Lifter::constant(const OnnxNode& n, std::size_t k) const {
    if (!has(n, k)) return nullptr;
    const Value& v = in(n, k);
    return v.kind == Value::Kind::Constant ? v.constant : nullptr;
}

std::vector<std::int64_t> Lifter::ints(const OnnxNode& n, std::size_t k) const {
    const OnnxInitializer* c = constant(n, k);
    if (!c || c->type == OnnxType::Float) refuse(n, "input " + std::to_string(k) + " must be a constant list of integers");
    return c->ints;
}

NodeId Lifter::layer(const OnnxNode& n, std::string_view kind, ParamMap params, std::vector<PortRef> inputs) {
    std::string scope = n.name;
    if (const auto slash = scope.rfind('/'); slash != std::string::npos) scope = scope.substr(0, slash);
    std::string name;
    for (char c : scope) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
            name += c;
        } else if (!name.empty() && name.back() != '_') {
            name += '_';
        }
    }
    while (!name.empty() && name.back() == '_') name.pop_back();
    while (!name.empty() && (name.front() == '_' || std::isdigit(static_cast<unsigned char>(name.front())))) name.erase(0, 1);
    if (!name.empty() && graph_.nodeByName(name)) name = graph_.uniqueName(name);
    const NodeId id = addLayer(graph_, kind, {}, name);
    for (auto& [key, value] : params) graph_.setParam(id, key, std::move(value));
    for (std::size_t k = 0; k < inputs.size(); ++k) graph_.connect(inputs[k], {id, static_cast<int>(k)});
    return id;
}

void Lifter::weight(NodeId id, const std::string& name, std::vector<std::int64_t> shape, std::vector<float> values) {
    weights_.push_back({graph_.node(id)->name + "/" + name, std::move(shape), std::move(values)});
}

Dims Lifter::dimsOf(PortRef p) const {
    const Validation v = validate(graph_);
    const TensorShape* s = v.shapeAt(graph_, p);
    if (!s) throw OnnxReadError("the layers read so far do not fit together: " +
                                (v.diagnostics.empty() ? std::string("a shape is unknown") : v.diagnostics.front().message));
    return s->sizes();
}

PortRef Lifter::asPort(const OnnxNode& n, const Value& v) {
    switch (v.kind) {
        case Value::Kind::Port: return v.port;
        case Value::Kind::ChannelsFirst: {
            // The tensor as ONNX holds it, (batch, features, time): Keras's Permute((2, 1)).
            return {layer(n, "Permute", {}, {v.port}), 0};
        }
        case Value::Kind::TimeMajor: refuse(n, "it reads a sequence time step first, which no LayerLoom layer but a recurrent one does");
        case Value::Kind::OneStep: return {layer(n, "RepeatVector", {{"n", std::int64_t{1}}}, {v.port}), 0};
        default: refuse(n, "it computes with a constant or a shape where LayerLoom needs a layer's output");
    }
}

PortRef Lifter::asChannelsFirst(const OnnxNode& n, const Value& v) {
    if (v.kind == Value::Kind::ChannelsFirst) return v.port;
    // A tensor ONNX already holds channels first: Keras's layout is its transpose.
    const PortRef p = asPort(n, v);
    if (dimsOf(p).size() != 2) refuse(n, "it reads a tensor of other than three axes");
    return {layer(n, "Permute", {}, {p}), 0};
}

// Recurrent operators: LSTM, GRU and RNN over (time, batch, features).
void Lifter::recurrent(const OnnxNode& n) {
    const Value& x = in(n, 0);
    if (x.kind != Value::Kind::TimeMajor) refuse(n, "its sequence is not one LayerLoom's layers give time step first");
    if (has(n, 4)) refuse(n, "sequence_lens (padded sequences) are not supported");
    if (has(n, 7)) refuse(n, "peepholes are not supported: Keras's LSTM has none");
    for (std::size_t k : {std::size_t{5}, std::size_t{6}}) {
        if (has(n, k) && in(n, k).kind != Value::Kind::Zeros) refuse(n, "initial states other than zeros are not supported");
    }
    if (intAttribute(n, "layout", 0) != 0) refuse(n, "layout=1 is not supported");
    if (attribute<float>(n, "clip")) refuse(n, "clip is not supported: LayerLoom's recurrent layers do not clip");
    if (intAttribute(n, "input_forget", 0) != 0) refuse(n, "input_forget is not supported");
    const OnnxInitializer* w = constant(n, 1);
    const OnnxInitializer* r = constant(n, 2);
    const OnnxInitializer* b = has(n, 3) ? constant(n, 3) : nullptr;
    if (!w || !r || (has(n, 3) && !b) || w->type != OnnxType::Float || r->type != OnnxType::Float ||
        (b && b->type != OnnxType::Float)) {
        refuse(n, "its weights are not constants");
    }
    const std::string kind = n.op == "RNN" ? "SimpleRNN" : n.op;
    const int gates = n.op == "LSTM" ? 4 : n.op == "GRU" ? 3 : 1;
    const std::string direction = attribute<std::string>(n, "direction") ? *attribute<std::string>(n, "direction") : "forward";
    if (direction != "forward" && direction != "reverse" && direction != "bidirectional") refuse(n, "its direction " + direction + " is not ONNX's");
    const std::int64_t dirs = direction == "bidirectional" ? 2 : 1;
    if (w->dims.size() != 3 || w->dims[0] != dirs || w->dims[1] % gates != 0) refuse(n, "W is not (directions, gates * units, inputs)");
    const std::int64_t u = w->dims[1] / gates, inputs = w->dims[2];
    if (const auto* h = attribute<std::int64_t>(n, "hidden_size"); h && *h != u) refuse(n, "hidden_size disagrees with W");
    if (r->dims != std::vector<std::int64_t>{dirs, gates * u, u}) refuse(n, "R is not (directions, gates * units, units)");
    if (b && b->dims != std::vector<std::int64_t>{dirs, 2 * gates * u}) refuse(n, "B is not (directions, 2 * gates * units)");
    if (dimsOf(x.port).back() != inputs) refuse(n, "W reads " + std::to_string(inputs) + " features, but its input has others");

    // The activations: ONNX's defaults, or those named, the same both ways.
    std::vector<std::string> acts = n.op == "LSTM" ? std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"}
                                    : n.op == "GRU" ? std::vector<std::string>{"Sigmoid", "Tanh"}
                                                    : std::vector<std::string>{"Tanh"};
    if (const auto* named = attribute<std::vector<std::string>>(n, "activations")) {
        if (named->size() != acts.size() * static_cast<std::size_t>(dirs)) refuse(n, "it names another number of activations");
        if (dirs == 2 && !std::equal(named->begin(), named->begin() + static_cast<std::ptrdiff_t>(acts.size()),
                                     named->begin() + static_cast<std::ptrdiff_t>(acts.size()))) {
            refuse(n, "its two directions use other activations, which Bidirectional does not");
        }
        acts.assign(named->begin(), named->begin() + static_cast<std::ptrdiff_t>(acts.size()));
    }
    if (attribute<std::vector<float>>(n, "activation_alpha") || attribute<std::vector<float>>(n, "activation_beta")) {
        refuse(n, "activations with their own alpha or beta are not supported");
    }
    const auto keras = [&](const std::string& onnxName) {
        const std::string a = lower(onnxName);
        if (a == "sigmoid" || a == "tanh" || a == "relu" || a == "softplus") return a;
        refuse(n, "its activation " + onnxName + " has no LayerLoom counterpart here");
    };
    if (n.op == "LSTM" && acts[1] != acts[2]) refuse(n, "its cell and output activations differ, which Keras's LSTM does not allow");

    const bool sequences = used(n.outputs.at(0));
    const bool h = n.outputs.size() > 1 && used(n.outputs[1]);
    const bool c = n.outputs.size() > 2 && used(n.outputs[2]);
    if (direction == "reverse" && sequences) refuse(n, "a reverse-only operator whose every step is read is not supported");
    if (dirs == 2 && c) refuse(n, "a bidirectional LSTM's cell states are not supported (Bidirectional merges its outputs)");
    if (dirs == 2 && (h || c) && sequences) refuse(n, "a bidirectional operator whose states and steps are both read is not supported");
    ParamMap params{{"units", u}, {"return_sequences", sequences}, {"activation", keras(acts.back())}};
    if (n.op != "RNN") params["recurrent_activation"] = keras(acts.front());
    if (n.op == "GRU") params["reset_after"] = intAttribute(n, "linear_before_reset", 0) != 0;
    params["use_bias"] = b != nullptr;
    if (direction == "reverse") params["go_backwards"] = true;
    if (dirs == 1 && ((sequences && (h || c)) || c)) params["return_state"] = true;
    if (dirs == 2) {
        params["layer"] = kind;
        params["merge_mode"] = std::string("concat");
    }
    const NodeId id = layer(n, dirs == 2 ? "Bidirectional" : kind, params, {x.port});

    // Keras's kernel (inputs, gates * units) in its gate order; ONNX's LSTM gates are i, o, f, c.
    const std::vector<std::int64_t> order = gates == 4 ? std::vector<std::int64_t>{0, 3, 1, 2} : std::vector<std::int64_t>{0, 1, 2};
    bool folded = false;
    for (std::int64_t d = 0; d < dirs; ++d) {
        const std::string prefix = dirs == 2 ? (d == 0 ? "forward_layer/" : "backward_layer/") : "";
        std::vector<float> kernel(static_cast<std::size_t>(inputs * gates * u)), rec(static_cast<std::size_t>(u * gates * u));
        for (std::int64_t k = 0; k < gates; ++k) {
            const std::int64_t g = order[static_cast<std::size_t>(k)];
            for (std::int64_t j = 0; j < u; ++j) {
                for (std::int64_t i = 0; i < inputs; ++i) {
                    kernel[static_cast<std::size_t>(i * gates * u + g * u + j)] = w->floats[static_cast<std::size_t>((d * gates * u + k * u + j) * inputs + i)];
                }
                for (std::int64_t i = 0; i < u; ++i) {
                    rec[static_cast<std::size_t>(i * gates * u + g * u + j)] = r->floats[static_cast<std::size_t>((d * gates * u + k * u + j) * u + i)];
                }
            }
        }
        weight(id, prefix + "kernel", {inputs, gates * u}, std::move(kernel));
        weight(id, prefix + "recurrent_kernel", {u, gates * u}, std::move(rec));
        if (!b) continue;
        const bool twoRows = n.op == "GRU" && intAttribute(n, "linear_before_reset", 0) != 0;
        std::vector<float> bias(static_cast<std::size_t>((twoRows ? 2 : 1) * gates * u));
        for (std::int64_t k = 0; k < gates; ++k) {
            const std::int64_t g = order[static_cast<std::size_t>(k)];
            for (std::int64_t j = 0; j < u; ++j) {
                const float wb = b->floats[static_cast<std::size_t>(d * 2 * gates * u + k * u + j)];
                const float rb = b->floats[static_cast<std::size_t>(d * 2 * gates * u + gates * u + k * u + j)];
                if (twoRows) {
                    bias[static_cast<std::size_t>(g * u + j)] = wb;
                    bias[static_cast<std::size_t>(gates * u + g * u + j)] = rb;
                } else {
                    bias[static_cast<std::size_t>(g * u + j)] = wb + rb;
                    folded = folded || rb != 0.0f;
                }
            }
        }
        weight(id, prefix + "bias", twoRows ? std::vector<std::int64_t>{2, gates * u} : std::vector<std::int64_t>{gates * u}, std::move(bias));
    }
    if (folded) {
        notes_.push_back("the ONNX operator of " + graph_.node(id)->name + " adds two bias vectors, which LayerLoom's " + kind +
                         " keeps as one (their sum): the same outputs with " + std::to_string(dirs * gates * u) +
                         " parameters fewer than PyTorch counts");
    }
    set(n, 0, {Value::Kind::RecurrentY, {id, 0}});
    Value states{Value::Kind::States};
    const int hPort = sequences ? 1 : 0;
    if (n.outputs.size() > 1) {
        states.states = {PortRef{id, hPort}};
        set(n, 1, states);
    }
    if (n.outputs.size() > 2) {
        states.states = {PortRef{id, 2}};
        set(n, 2, states);
    }
    // A bidirectional operator's merged states are its output, (forward, backward) by direction.
    if (dirs == 2 && n.outputs.size() > 1) set(n, 1, {Value::Kind::States, {}, nullptr, {PortRef{id, 0}, PortRef{id, 0}}});
}

// Gemm and MatMul with a constant: Dense. A bias Add after a MatMul becomes the Dense's bias.
void Lifter::dense(const OnnxNode& n) {
    const OnnxInitializer* w = constant(n, 1);
    if (!w || w->type != OnnxType::Float || w->dims.size() != 2) {
        if (n.op == "MatMul") refuse(n, "a product of two layers' outputs (attention) is not supported");
        refuse(n, "its weights are not a constant matrix");
    }
    const PortRef x = asPort(n, in(n, 0));
    const bool transB = n.op == "Gemm" && intAttribute(n, "transB", 0) != 0;
    if (n.op == "Gemm" && (intAttribute(n, "transA", 0) != 0 || floatAttribute(n, "alpha", 1.0f) != 1.0f ||
                           floatAttribute(n, "beta", 1.0f) != 1.0f)) {
        refuse(n, "transA, alpha or beta other than Linear's are not supported");
    }
    const std::int64_t rows = transB ? w->dims[1] : w->dims[0], units = transB ? w->dims[0] : w->dims[1];
    if (dimsOf(x).back() != rows) refuse(n, "its weights read " + std::to_string(rows) + " features, its input has others");
    const OnnxInitializer* bias = n.op == "Gemm" ? constant(n, 2) : nullptr;
    if (n.op == "Gemm" && has(n, 2) && (!bias || bias->floats.size() != static_cast<std::size_t>(units))) {
        refuse(n, "its bias is not a constant vector of its units");
    }
    const NodeId id = layer(n, "Dense", {{"units", units}, {"use_bias", bias != nullptr}}, {x});
    std::vector<float> kernel(w->floats);
    if (transB) {
        std::vector<std::int64_t> dims;
        kernel = permuted({"", w->dims, w->floats}, {1, 0}, dims);
    }
    weight(id, "kernel", {rows, units}, std::move(kernel));
    if (bias) weight(id, "bias", {units}, bias->floats);
    set(n, 0, port({id, 0}));
}

void Lifter::convolution(const OnnxNode& n) {
    const OnnxInitializer* w = constant(n, 1);
    if (!w || w->type != OnnxType::Float || w->dims.size() != 3) refuse(n, "only 1-D convolutions with constant weights are supported");
    if (intAttribute(n, "group", 1) != 1) refuse(n, "grouped convolutions are not supported");
    const PortRef x = asChannelsFirst(n, in(n, 0));
    const std::int64_t size = w->dims[2], stride = firstOf(n, "strides", 1), dilation = firstOf(n, "dilations", 1);
    windowFits(n, size, stride, dilation);
    const std::int64_t span = dilation * (size - 1) + 1;
    const auto [before, after] = pads(n);
    const std::string autoPad = attribute<std::string>(n, "auto_pad") ? *attribute<std::string>(n, "auto_pad") : "NOTSET";
    std::string padding = "valid";
    PortRef from = x;
    if (autoPad == "SAME_UPPER") {
        padding = "same";
    } else if (autoPad != "NOTSET" && autoPad != "VALID") {
        refuse(n, "auto_pad " + autoPad + " is not supported");
    } else if (before == span - 1 && after == 0 && before > 0) {
        padding = "causal";
    } else if (stride == 1 && before == after && before * 2 == span - 1 && before > 0) {
        padding = "same";
    } else if (before > 0 || after > 0) {
        // Other padding: zero steps before a valid convolution.
        from = {layer(n, "ZeroPadding1D", {{"pad_before", before}, {"pad_after", after}}, {x}), 0};
    }
    if (dimsOf(x).back() != w->dims[1]) refuse(n, "its weights read other channels than its input has");
    const OnnxInitializer* bias = constant(n, 2);
    if (has(n, 2) && (!bias || bias->floats.size() != static_cast<std::size_t>(w->dims[0]))) refuse(n, "its bias is not a constant vector of its filters");
    const NodeId id = layer(n, "Conv1D",
                            {{"filters", w->dims[0]}, {"kernel_size", size}, {"strides", stride}, {"dilation_rate", dilation},
                             {"padding", padding}, {"use_bias", bias != nullptr}},
                            {from});
    convolutionWeights(id, *w, bias);
    set(n, 0, {Value::Kind::ChannelsFirst, {id, 0}});
}

void Lifter::transposedConvolution(const OnnxNode& n) {
    const OnnxInitializer* w = constant(n, 1);
    if (!w || w->type != OnnxType::Float || w->dims.size() != 3) refuse(n, "only 1-D transposed convolutions with constant weights are supported");
    if (intAttribute(n, "group", 1) != 1) refuse(n, "grouped convolutions are not supported");
    if (attribute<std::vector<std::int64_t>>(n, "output_shape")) refuse(n, "output_shape is not supported; give pads");
    const std::string autoPad = attribute<std::string>(n, "auto_pad") ? *attribute<std::string>(n, "auto_pad") : "NOTSET";
    if (autoPad != "NOTSET" && autoPad != "VALID") refuse(n, "auto_pad " + autoPad + " is not supported; give pads");
    const std::int64_t size = w->dims[2], stride = firstOf(n, "strides", 1), dilation = firstOf(n, "dilations", 1), extra = firstOf(n, "output_padding", 0);
    windowFits(n, size, stride, dilation);
    const auto [before, after] = pads(n);
    // The Keras padding and output_padding whose steps these are: the export's own mapping,
    // which is the same for every length.
    std::optional<std::pair<bool, std::int64_t>> found;
    for (const bool same : {false, true}) {
        for (std::int64_t op = -1; op < std::max<std::int64_t>(stride, dilation) && !found; ++op) {
            const TransposedWindow1D t{size, stride, dilation, same, op};
            const std::int64_t full = (8 - 1) * stride + t.span();
            const std::int64_t b = t.padBefore(8), a = full - b - t.outLength(8);
            if (b == before && std::max<std::int64_t>(a, 0) == after && std::max<std::int64_t>(-a, 0) == extra) found = {same, op};
        }
    }
    if (!found) refuse(n, "its pads and output_padding match no padding of Keras's Conv1DTranspose");
    const PortRef x = asChannelsFirst(n, in(n, 0));
    if (dimsOf(x).back() != w->dims[0]) refuse(n, "its weights read other channels than its input has");
    const OnnxInitializer* bias = constant(n, 2);
    if (has(n, 2) && (!bias || bias->floats.size() != static_cast<std::size_t>(w->dims[1]))) refuse(n, "its bias is not a constant vector of its filters");
    const NodeId id = layer(n, "Conv1DTranspose",
                            {{"filters", w->dims[1]}, {"kernel_size", size}, {"strides", stride}, {"dilation_rate", dilation},
                             {"padding", std::string(found->first ? "same" : "valid")}, {"output_padding", found->second},
                             {"use_bias", bias != nullptr}},
                            {x});
    convolutionWeights(id, *w, bias);
    set(n, 0, {Value::Kind::ChannelsFirst, {id, 0}});
}

void Lifter::resize(const OnnxNode& n) {
    // Nearest-neighbour resizing of the time axis by a whole factor: each step repeated.
    const auto* mode = attribute<std::string>(n, "mode");
    if (!mode || *mode != "nearest") refuse(n, "only nearest-neighbour resizing (UpSampling1D) is supported");
    // The coordinates that repeat each step a whole number of times: PyTorch's asymmetric with
    // floor, and half_pixel with rounding.
    const auto* coordinates = attribute<std::string>(n, "coordinate_transformation_mode");
    const auto* rounding = attribute<std::string>(n, "nearest_mode");
    const std::string c = coordinates ? *coordinates : "half_pixel", r = rounding ? *rounding : "round_prefer_floor";
    const bool repeats = (c == "asymmetric" && r == "floor") ||
                         ((c == "half_pixel" || c == "pytorch_half_pixel") && (r == "round_prefer_floor" || r == "round_prefer_ceil"));
    if (!repeats) refuse(n, "coordinate_transformation_mode " + c + " with nearest_mode " + r + " does not repeat each step");
    const OnnxInitializer* scales = has(n, 2) ? constant(n, 2) : nullptr;
    if (!scales || scales->floats.size() != 3 || scales->floats[0] != 1.0f) refuse(n, "only resizing by constant scales is supported");
    const bool channelsFirst = in(n, 0).kind == Value::Kind::ChannelsFirst;
    const float time = scales->floats[channelsFirst ? 2 : 1], other = scales->floats[channelsFirst ? 1 : 2];
    if (other != 1.0f || !(time >= 1.0f && time <= 65536.0f) || time != std::floor(time)) {
        refuse(n, "only repeating each time step a whole number of times (up to 65536) is supported");
    }
    const PortRef p = channelsFirst ? in(n, 0).port : asPort(n, in(n, 0));
    const NodeId id = layer(n, "UpSampling1D", {{"size", static_cast<std::int64_t>(time)}}, {p});
    set(n, 0, {channelsFirst ? Value::Kind::ChannelsFirst : Value::Kind::Port, {id, 0}});
}

bool Lifter::normalizing(const OnnxNode& n) {
    using Stage = Value::Stage;
    const auto stage = [&](std::size_t k, Stage s) {
        return has(n, k) && in(n, k).kind == Value::Kind::Normalizing && in(n, k).stage == s;
    };
    const auto next = [&](const Value& from, Stage s) {
        Value v = from;
        v.stage = s;
        set(n, 0, v);
        return true;
    };
    const auto lastAxis = [&] {
        const auto* axes = attribute<std::vector<std::int64_t>>(n, "axes");
        std::vector<std::int64_t> a = axes ? *axes : (has(n, 1) && constant(n, 1) ? constant(n, 1)->ints : std::vector<std::int64_t>{});
        return a == std::vector<std::int64_t>{-1} && intAttribute(n, "keepdims", 1) == 1;
    };
    if (n.op == "ReduceMean" && lastAxis()) {
        if (in(n, 0).kind == Value::Kind::Port) {
            Value v{Value::Kind::Normalizing, in(n, 0).port};
            v.stage = Stage::Mean;
            set(n, 0, v);
            return true;
        }
        if (stage(0, Stage::Squared)) return next(in(n, 0), Stage::Variance);
    }
    if (n.op == "Sub" && stage(1, Stage::Mean) && in(n, 0).kind == Value::Kind::Port && in(n, 0).port == in(n, 1).port) {
        return next(in(n, 1), Stage::Centred);
    }
    if (n.op == "Pow" && stage(0, Stage::Centred) && constant(n, 1) && constant(n, 1)->floats == std::vector<float>{2.0f}) {
        return next(in(n, 0), Stage::Squared);
    }
    if (n.op == "Mul" && has(n, 1) && stage(0, Stage::Centred) && n.inputs[0] == n.inputs[1]) return next(in(n, 0), Stage::Squared);
    if (n.op == "Add" && stage(0, Stage::Variance) && constant(n, 1) && constant(n, 1)->floats.size() == 1) {
        Value v = in(n, 0);
        v.epsilon = constant(n, 1)->floats[0];
        return next(v, Stage::VarianceEpsilon);
    }
    if (n.op == "Sqrt" && stage(0, Stage::VarianceEpsilon)) return next(in(n, 0), Stage::Deviation);
    if (n.op == "Div" && stage(0, Stage::Centred) && stage(1, Stage::Deviation) && in(n, 0).port == in(n, 1).port) {
        const NodeId id = layer(n, "LayerNormalization",
                                {{"epsilon", static_cast<double>(in(n, 1).epsilon)}, {"scale", false}, {"center", false}}, {in(n, 0).port});
        set(n, 0, port({id, 0}));
        return true;
    }
    // The scale and the offset after it: the normalisation's gamma and beta.
    if ((n.op == "Mul" || n.op == "Add") && n.inputs.size() == 2) {
        for (std::size_t k : {std::size_t{0}, std::size_t{1}}) {
            const OnnxInitializer* c = constant(n, k);
            const Value& other = in(n, 1 - k);
            Node* norm = c && other.kind == Value::Kind::Port ? graph_.node(other.port.node) : nullptr;
            if (!norm || norm->kind != "LayerNormalization" || !onlyReader(n.inputs[1 - k])) continue;
            const char* param = n.op == "Mul" ? "scale" : "center";
            if (norm->param<bool>(param) || (n.op == "Mul" && norm->param<bool>("center"))) continue;
            if (c->floats.size() != static_cast<std::size_t>(dimsOf(other.port).back())) continue;
            graph_.setParam(norm->id, param, true);
            weight(norm->id, n.op == "Mul" ? "gamma" : "beta", {static_cast<std::int64_t>(c->floats.size())}, c->floats);
            set(n, 0, other);
            return true;
        }
    }
    return false;
}

void Lifter::pooling(const OnnxNode& n) {
    const Value& x = in(n, 0);
    if (n.op == "GlobalAveragePool" || n.op == "GlobalMaxPool") {
        const PortRef p = asChannelsFirst(n, x);
        const NodeId id = layer(n, n.op == "GlobalAveragePool" ? "GlobalAveragePooling1D" : "GlobalMaxPooling1D", {}, {p});
        Value v = port({id, 0});
        v.trailingOne = true;
        set(n, 0, v);
        return;
    }
    if (intAttribute(n, "ceil_mode", 0) != 0) refuse(n, "ceil_mode is not supported");
    const auto* kernel = attribute<std::vector<std::int64_t>>(n, "kernel_shape");
    if (!kernel || kernel->size() != 1) refuse(n, "only 1-D pooling is supported");
    if (const auto* d = attribute<std::vector<std::int64_t>>(n, "dilations"); d && *d != std::vector<std::int64_t>{1}) {
        refuse(n, "dilated pooling is not supported");
    }
    const auto* strides = attribute<std::vector<std::int64_t>>(n, "strides");
    windowFits(n, kernel->front(), strides && !strides->empty() ? strides->front() : 1, 1);
    const auto* pads = attribute<std::vector<std::int64_t>>(n, "pads");
    const bool padded = pads && std::any_of(pads->begin(), pads->end(), [](std::int64_t p) { return p != 0; });
    const std::string autoPad = attribute<std::string>(n, "auto_pad") ? *attribute<std::string>(n, "auto_pad") : "NOTSET";
    if (padded || (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER")) refuse(n, "padded pooling is not supported");
    if (n.op == "AveragePool" && autoPad == "SAME_UPPER" && intAttribute(n, "count_include_pad", 0) != 0) {
        refuse(n, "average pooling that counts its padding is not supported");
    }
    const PortRef p = asChannelsFirst(n, x);
    const NodeId id = layer(n, n.op == "MaxPool" ? "MaxPooling1D" : "AveragePooling1D",
                            {{"pool_size", kernel->front()},
                             {"strides", strides && !strides->empty() ? strides->front() : std::int64_t{1}},
                             {"padding", std::string(autoPad == "SAME_UPPER" ? "same" : "valid")}},
                            {p});
    set(n, 0, {Value::Kind::ChannelsFirst, {id, 0}});
}

void Lifter::merge(const OnnxNode& n) {
    // A bias added after a MatMul's Dense is that Dense's.
    if (n.op == "Add" && n.inputs.size() == 2) {
        for (std::size_t k : {std::size_t{0}, std::size_t{1}}) {
            const OnnxInitializer* bias = constant(n, k);
            if (!bias) continue;
            const Value& other = in(n, 1 - k);
            Node* dense = other.kind == Value::Kind::Port ? graph_.node(other.port.node) : nullptr;
            if (!dense || dense->kind != "Dense" || dense->param<bool>("use_bias") || !onlyReader(n.inputs[1 - k]) ||
                bias->floats.size() != static_cast<std::size_t>(dense->param<std::int64_t>("units"))) {
                refuse(n, "it adds a constant, which LayerLoom does only as a Dense layer's bias");
            }
            graph_.setParam(dense->id, "use_bias", true);
            weight(dense->id, "bias", {static_cast<std::int64_t>(bias->floats.size())}, bias->floats);
            set(n, 0, other);
            return;
        }
    }
    const std::string kind = n.op == "Add" || n.op == "Sum" ? "Add"
                             : n.op == "Sub"                ? "Subtract"
                             : n.op == "Mul"                ? "Multiply"
                             : n.op == "Max"                ? "Maximum"
                                                            : "Average";
    // Views of the same kind merge as they are; others as Keras's layout.
    bool views = true;
    for (std::size_t k = 0; k < n.inputs.size(); ++k) views = views && in(n, k).kind == in(n, 0).kind;
    const Value::Kind view = views && (in(n, 0).kind == Value::Kind::ChannelsFirst || in(n, 0).kind == Value::Kind::TimeMajor)
                                 ? in(n, 0).kind
                                 : Value::Kind::Port;
    std::vector<PortRef> ports;
    for (std::size_t k = 0; k < n.inputs.size(); ++k) {
        if (constant(n, k)) refuse(n, "it computes with a constant, which LayerLoom's merges do not");
        ports.push_back(view == Value::Kind::Port ? asPort(n, in(n, k)) : in(n, k).port);
    }
    const NodeId id = layer(n, kind, {}, ports);
    set(n, 0, {view, {id, 0}});
}

void Lifter::activation(const OnnxNode& n) {
    // Element by element, a view stays the view it was (a convolution's channels-first output).
    const Value& v = in(n, 0);
    const bool view = (v.kind == Value::Kind::ChannelsFirst || v.kind == Value::Kind::TimeMajor) && n.op != "Softmax" &&
                      n.op != "LogSoftmax";
    const PortRef x = view ? v.port : asPort(n, v);
    const auto set = [&](const OnnxNode& node, std::size_t k, Value out) {
        if (view) out.kind = v.kind;
        Lifter::set(node, k, out);
    };
    std::string name = lower(n.op);
    if (n.op == "LeakyRelu") {
        set(n, 0, port({layer(n, "LeakyReLU", {{"negative_slope", static_cast<double>(floatAttribute(n, "alpha", 0.01f))}}, {x}), 0}));
        return;
    }
    if (n.op == "Elu") {
        set(n, 0, port({layer(n, "ELU", {{"alpha", static_cast<double>(floatAttribute(n, "alpha", 1.0f))}}, {x}), 0}));
        return;
    }
    if (n.op == "Softmax" || n.op == "LogSoftmax") {
        const std::int64_t axis = intAttribute(n, "axis", g_.opset() >= 13 ? -1 : 1);
        const std::int64_t rank = static_cast<std::int64_t>(dimsOf(x).size()) + 1;
        if (axis != -1 && axis != rank - 1) refuse(n, "a softmax over another axis than the features is not supported");
        name = n.op == "Softmax" ? "softmax" : "log_softmax";
    }
    if (n.op == "HardSigmoid" && (floatAttribute(n, "alpha", 0.2f) != 0.2f || floatAttribute(n, "beta", 0.5f) != 0.5f)) {
        refuse(n, "only alpha=0.2, beta=0.5 (Keras's hard_sigmoid) is supported");
    }
    if (n.op == "HardSigmoid") name = "hard_sigmoid";
    if (n.op == "Selu" && (std::abs(floatAttribute(n, "alpha", 1.67326f) - 1.67326f) > 1e-4f ||
                           std::abs(floatAttribute(n, "gamma", 1.0507f) - 1.0507f) > 1e-4f)) {
        refuse(n, "only selu's standard alpha and gamma are supported");
    }
    set(n, 0, port({layer(n, "Activation", {{"activation", name}}, {x}), 0}));
}

void Lifter::normalization(const OnnxNode& n) {
    if (n.op == "LayerNormalization") {
        const PortRef x = asPort(n, in(n, 0));
        const std::int64_t rank = static_cast<std::int64_t>(dimsOf(x).size()) + 1;
        const std::int64_t axis = intAttribute(n, "axis", -1);
        if (axis != -1 && axis != rank - 1) refuse(n, "normalising other axes than the features is not supported");
        const OnnxInitializer* scale = constant(n, 1);
        const OnnxInitializer* bias = constant(n, 2);
        const auto features = static_cast<std::size_t>(dimsOf(x).back());
        if (!scale || scale->floats.size() != features || (has(n, 2) && (!bias || bias->floats.size() != features))) {
            refuse(n, "its scale and bias are not constant vectors of its features");
        }
        const NodeId id = layer(n, "LayerNormalization",
                                {{"epsilon", static_cast<double>(floatAttribute(n, "epsilon", 1e-5f))}, {"center", bias != nullptr}}, {x});
        weight(id, "gamma", {static_cast<std::int64_t>(scale->floats.size())}, scale->floats);
        if (bias) weight(id, "beta", {static_cast<std::int64_t>(bias->floats.size())}, bias->floats);
        set(n, 0, port({id, 0}));
        return;
    }
    // BatchNormalization over (batch, features, time) or (batch, features).
    const Value& x = in(n, 0);
    PortRef p;
    bool sequence = false;
    if (x.kind == Value::Kind::Port && dimsOf(x.port).size() == 1) {
        p = x.port;
    } else {
        p = asChannelsFirst(n, x);
        sequence = true;
    }
    std::vector<const OnnxInitializer*> stats;
    for (std::size_t k = 1; k <= 4; ++k) {
        const OnnxInitializer* c = constant(n, k);
        if (!c || c->floats.size() != static_cast<std::size_t>(dimsOf(p).back())) refuse(n, "its statistics are not constant vectors of its features");
        stats.push_back(c);
    }
    const NodeId id = layer(n, "BatchNormalization",
                            {{"epsilon", static_cast<double>(floatAttribute(n, "epsilon", 1e-5f))},
                             {"momentum", static_cast<double>(floatAttribute(n, "momentum", 0.9f))}},
                            {p});
    const std::int64_t f = dimsOf(p).back();
    weight(id, "gamma", {f}, stats[0]->floats);
    weight(id, "beta", {f}, stats[1]->floats);
    weight(id, "moving_mean", {f}, stats[2]->floats);
    weight(id, "moving_variance", {f}, stats[3]->floats);
    set(n, 0, {sequence ? Value::Kind::ChannelsFirst : Value::Kind::Port, {id, 0}});
}

void Lifter::transpose(const OnnxNode& n) {
    const Value& x = in(n, 0);
    const auto* perm = attribute<std::vector<std::int64_t>>(n, "perm");
    const std::vector<std::int64_t> p = perm ? *perm : std::vector<std::int64_t>{};
    const std::vector<std::int64_t> swapLast{0, 2, 1}, swapFirst{1, 0, 2};
    if (x.kind == Value::Kind::RecurrentY) {
        if (p == std::vector<std::int64_t>{0, 2, 1, 3}) return set(n, 0, {Value::Kind::RecurrentYT, x.port});
        if (p == std::vector<std::int64_t>{2, 0, 1, 3}) {
            Value v{Value::Kind::RecurrentYT, x.port};
            v.batchFirst = true;
            return set(n, 0, v);
        }
        refuse(n, "this order of a recurrent operator's outputs is not supported");
    }
    if (x.kind == Value::Kind::States && x.states.size() == 2 && x.states[0] == x.states[1] && x.direction < 0 && p == swapFirst) {
        Value v = x;
        v.batchFirst = true;
        return set(n, 0, v);
    }
    if (x.kind == Value::Kind::Port && p == swapLast) return set(n, 0, {Value::Kind::ChannelsFirst, x.port});
    if (x.kind == Value::Kind::ChannelsFirst && p == swapLast) return set(n, 0, port(x.port));
    if (x.kind == Value::Kind::Port && p == swapFirst) return set(n, 0, {Value::Kind::TimeMajor, x.port});
    if (x.kind == Value::Kind::TimeMajor && p == swapFirst) return set(n, 0, port(x.port));
    refuse(n, "only swapping time and features, or batch and time, is supported");
}

void Lifter::reshape(const OnnxNode& n) {
    const Value& x = in(n, 0);
    if (x.kind == Value::Kind::RecurrentYT) {
        // Both directions' units side by side: Bidirectional's concat. PyTorch's order keeps
        // time first; LayerLoom's own puts the batch first.
        return set(n, 0, {x.batchFirst ? Value::Kind::Port : Value::Kind::TimeMajor, x.port});
    }
    // A bidirectional operator's final states, batch first, side by side: its concat output.
    if (x.kind == Value::Kind::States && x.batchFirst) return set(n, 0, port(x.states[0]));
    const PortRef p = asPort(n, x);
    const Dims dims = dimsOf(p);
    std::vector<std::int64_t> target;
    if (n.op == "Flatten") {
        if (intAttribute(n, "axis", 1) != 1) refuse(n, "only flattening everything after the batch is supported");
        target = {-1};
    } else {
        target = ints(n, 1);
        if (target.empty()) refuse(n, "an empty shape");
        target.erase(target.begin());  // the batch (0 or its size)
        if (target.empty()) refuse(n, "a shape of the batch alone is not supported");
    }
    if (x.trailingOne || (dims.size() == 1 && target.size() == 1)) return set(n, 0, port(p));
    if (target == std::vector<std::int64_t>{-1} || (target.size() == 1 && dims.size() == 2 && dims[0] != kNone &&
                                                     target[0] == dims[0] * dims[1])) {
        return set(n, 0, port({layer(n, "Flatten", {}, {p}), 0}));
    }
    Dims shape;
    for (std::size_t k = 0; k < target.size(); ++k) {
        if (target[k] == 0) {
            if (k >= dims.size()) refuse(n, "it copies an axis its input does not have");
            shape.push_back(dims[k]);
        } else {
            shape.push_back(target[k] < 0 ? kNone : target[k]);
        }
    }
    if (shape.size() > 2) refuse(n, "LayerLoom's tensors have at most a time and a feature axis after the batch");
    set(n, 0, port({layer(n, "Reshape", {{"target_shape", shape}}, {p}), 0}));
}

void Lifter::timeSteps(const OnnxNode& n) {
    const Value& x = in(n, 0);
    if (n.op == "Pad") {
        const std::vector<std::int64_t> pads = ints(n, 1);
        const auto* mode = attribute<std::string>(n, "mode");
        const OnnxInitializer* fill = constant(n, 2);
        const bool zeros = !has(n, 2) || (fill && std::all_of(fill->floats.begin(), fill->floats.end(), [](float v) { return v == 0.0f; }));
        if ((mode && *mode != "constant") || !zeros) {
            refuse(n, "only padding with zeros is supported");
        }
        if (pads.size() != 6) refuse(n, "only a sequence's padding is supported");
        const bool channelsFirst = x.kind == Value::Kind::ChannelsFirst;
        const std::size_t time = channelsFirst ? 2 : 1;
        for (std::size_t k = 0; k < 3; ++k) {
            if (k != time && (pads[k] != 0 || pads[k + 3] != 0)) refuse(n, "only padding the time axis is supported");
        }
        const PortRef p = channelsFirst ? x.port : asPort(n, x);
        const NodeId id = layer(n, "ZeroPadding1D", {{"pad_before", pads[time]}, {"pad_after", pads[time + 3]}}, {p});
        return set(n, 0, {channelsFirst ? Value::Kind::ChannelsFirst : Value::Kind::Port, {id, 0}});
    }
    // Slice and Gather along the time axis: Cropping1D (and Flatten for one step).
    const bool channelsFirst = x.kind == Value::Kind::ChannelsFirst;
    const PortRef p = channelsFirst ? x.port : asPort(n, x);
    const Dims dims = dimsOf(p);
    if (dims.size() != 2) refuse(n, "only slicing a sequence's time axis is supported");
    const std::int64_t timeAxis = channelsFirst ? 2 : 1;
    const std::int64_t steps = dims[0];
    std::int64_t start = 0, end = 0;
    if (n.op == "Gather") {
        const OnnxInitializer* index = constant(n, 1);
        std::int64_t axis = intAttribute(n, "axis", 0);
        if (axis < 0) axis += 3;
        if (axis != timeAxis || !index || index->ints.size() != 1 || !index->dims.empty()) refuse(n, "only picking one time step is supported");
        if (steps == kNone) refuse(n, "picking a step of a sequence of free length is not supported");
        start = index->ints[0] < 0 ? index->ints[0] + steps : index->ints[0];
        if (start < 0 || start >= steps) refuse(n, "the step it picks is outside the sequence");
        end = start + 1;
    } else {
        const std::vector<std::int64_t> starts = ints(n, 1), ends = ints(n, 2);
        if (starts.size() == 1 && ends.size() == 1 && (starts[0] < -kMaxSteps || ends[0] < -kMaxSteps)) refuse(n, "it slices from before the sequence");
        const std::vector<std::int64_t> axes = has(n, 3) ? ints(n, 3) : std::vector<std::int64_t>{0};
        if (has(n, 4) && ints(n, 4) != std::vector<std::int64_t>{1}) refuse(n, "slices with steps are not supported");
        if (starts.size() != 1 || ends.size() != 1 || axes.size() != 1 || (axes[0] != timeAxis && axes[0] != timeAxis - 3)) {
            refuse(n, "only slicing the time axis is supported");
        }
        if (steps == kNone && (starts[0] < 0 || ends[0] < INT32_MAX)) {
            if (starts[0] < 0 || ends[0] >= 0) refuse(n, "slicing a sequence of free length other than from its ends is not supported");
        }
        start = starts[0] < 0 ? starts[0] + steps : starts[0];
        end = ends[0] >= INT32_MAX ? steps : ends[0] < 0 ? ends[0] + (steps == kNone ? 0 : steps) : std::min(ends[0], steps);
        if (steps == kNone) {
            const NodeId id = layer(n, "Cropping1D", {{"crop_before", start}, {"crop_after", ends[0] >= INT32_MAX ? 0 : -ends[0]}}, {p});
            return set(n, 0, {channelsFirst ? Value::Kind::ChannelsFirst : Value::Kind::Port, {id, 0}});
        }
        if (start < 0 || end <= start) refuse(n, "the slice holds no step");
    }
    const NodeId id = layer(n, "Cropping1D", {{"crop_before", start}, {"crop_after", steps - end}}, {p});
    if (n.op == "Gather") {
        // One step without its time axis: (batch, features).
        const PortRef cropped = channelsFirst ? PortRef{layer(n, "Permute", {}, {{id, 0}}), 0} : PortRef{id, 0};
        return set(n, 0, port({layer(n, "Flatten", {}, {cropped}), 0}));
    }
    set(n, 0, {channelsFirst ? Value::Kind::ChannelsFirst : Value::Kind::Port, {id, 0}});
}

// The glue around recurrent operators: shapes, zero states, and squeezing their axes away.
void Lifter::glue(const OnnxNode& n) {
    const Value& x = in(n, 0);
    if (n.op == "Shape" || ((n.op == "Gather" || n.op == "Unsqueeze" || n.op == "Slice" || n.op == "Cast") && x.kind == Value::Kind::Shape)) {
        return set(n, 0, {Value::Kind::Shape});
    }
    if (n.op == "Concat") return set(n, 0, {Value::Kind::Shape});  // of shapes and constants (lift() checks)
    const auto* fill = n.op == "ConstantOfShape" ? attribute<std::vector<float>>(n, "value") : nullptr;
    if (n.op == "ConstantOfShape" && x.kind == Value::Kind::Constant && fill && fill->size() == 1 && fill->front() != 0.0f) {
        // Other numbers than zeros of a constant shape (PyTorch's repeat writes ones to expand
        // by); zeros, of any shape, are the zero states below.
        const OnnxInitializer& shape = *x.constant;
        const auto* value = fill;
        if (shape.type == OnnxType::Float || shape.dims.size() != 1) {
            refuse(n, "its shape must be a list of integers and its value one number");
        }
        std::int64_t count = 1;
        for (std::int64_t d : shape.ints) {
            if (d < 0 || d > 65536 || (count *= d) > 65536) refuse(n, "only constants of up to 65536 values are supported");
        }
        const float v = value->front();
        OnnxInitializer& c = made_.emplace_back();
        c.name = n.outputs[0];
        c.dims = shape.ints;
        if (v == std::floor(v) && std::abs(v) <= 65536.0f) {
            c.type = OnnxType::Int64;
            c.ints.assign(static_cast<std::size_t>(count), static_cast<std::int64_t>(v));
        } else {
            c.floats.assign(static_cast<std::size_t>(count), v);
        }
        return set(n, 0, {Value::Kind::Constant, {}, &c});
    }
    if (n.op == "ConstantOfShape") {
        const auto* value = attribute<std::vector<float>>(n, "value");  // a small tensor reads as its values
        if (value && std::any_of(value->begin(), value->end(), [](float v) { return v != 0.0f; })) {
            refuse(n, "only zeros of a computed shape are supported");
        }
        return set(n, 0, {Value::Kind::Zeros});
    }
    if (n.op == "Expand" && (x.kind == Value::Kind::OneStep || x.kind == Value::Kind::Port)) {
        // Expanding by ones of no more axes than the tensor has changes nothing (PyTorch's repeat).
        const std::vector<std::int64_t> shape = ints(n, 1);
        const auto rank = static_cast<std::size_t>(x.kind == Value::Kind::OneStep ? 3 : dimsOf(x.port).size() + 1);
        if (shape.size() > rank || std::any_of(shape.begin(), shape.end(), [](std::int64_t d) { return d != 1; })) {
            refuse(n, "only expanding by ones (which changes nothing) or to zero states is supported");
        }
        return set(n, 0, x);
    }
    if (n.op == "Expand") {
        const OnnxInitializer* c = constant(n, 0);
        if (!c || std::any_of(c->floats.begin(), c->floats.end(), [](float v) { return v != 0.0f; })) {
            refuse(n, "only zeros of a computed shape are supported");
        }
        return set(n, 0, {Value::Kind::Zeros});
    }
    if (n.op == "Squeeze" || n.op == "Unsqueeze") {
        std::vector<std::int64_t> axes = has(n, 1) ? ints(n, 1) : std::vector<std::int64_t>{};
        if (const auto* a = attribute<std::vector<std::int64_t>>(n, "axes")) axes = *a;
        if (n.op == "Unsqueeze" && x.kind == Value::Kind::Port && dimsOf(x.port).size() == 1 &&
            (axes == std::vector<std::int64_t>{1} || axes == std::vector<std::int64_t>{-2})) {
            return set(n, 0, {Value::Kind::OneStep, x.port});  // a vector about to be repeated over steps
        }
        if (n.op == "Squeeze" && x.kind == Value::Kind::RecurrentY && axes == std::vector<std::int64_t>{1}) {
            return set(n, 0, {Value::Kind::TimeMajor, x.port});
        }
        if (n.op == "Squeeze" && x.kind == Value::Kind::States && x.states.size() == 1 && axes == std::vector<std::int64_t>{0}) {
            return set(n, 0, port(x.states[0]));
        }
        if (n.op == "Squeeze" && x.kind == Value::Kind::Port && x.trailingOne && (axes == std::vector<std::int64_t>{2} ||
                                                                                  axes == std::vector<std::int64_t>{-1})) {
            return set(n, 0, port(x.port));
        }
        refuse(n, "only the axes exporters add around recurrent operators, pooling and repeated vectors can be squeezed");
    }
    // Gather on the states: one layer's of a stack (h_n[-1]).
    if (n.op == "Gather" && x.kind == Value::Kind::States) {
        const OnnxInitializer* index = constant(n, 1);
        if (intAttribute(n, "axis", 0) != 0 || !index || index->ints.size() != 1) refuse(n, "only picking one layer's state is supported");
        const std::int64_t count = static_cast<std::int64_t>(x.states.size());
        const std::int64_t k = index->ints[0] < 0 ? index->ints[0] + count : index->ints[0];
        if (k < 0 || k >= count) refuse(n, "it picks a state that is not there");
        if (count == 2 && x.states[0] == x.states[1] && graph_.node(x.states[0].node)->kind == "Bidirectional") {
            // One direction's final state: only joined with the other, in order, is it Keras's.
            Value one{Value::Kind::States, {}, nullptr, {x.states[0]}};
            one.direction = static_cast<int>(k);
            return set(n, 0, one);
        }
        if (count > 2) refuse(n, "the states of stacked bidirectional operators are not supported");
        return set(n, 0, port(x.states[static_cast<std::size_t>(k)]));
    }
    refuse(n, "not supported here");
}

void Lifter::lift(const OnnxNode& n) {
    const std::string& op = n.op;
    if (n.outputs.empty()) refuse(n, "it has no output");
    if (normalizing(n)) return;
    if ((op == "Slice" || op == "Gather" || op == "Squeeze" || op == "Unsqueeze" || op == "Cast") && has(n, 0) &&
        in(n, 0).kind == Value::Kind::Zeros) {
        return set(n, 0, {Value::Kind::Zeros});  // one layer's zero initial states of a stack's
    }
    if (op == "LSTM" || op == "GRU" || op == "RNN") return recurrent(n);
    if (op == "Gemm" || op == "MatMul") return dense(n);
    if (op == "Conv") return convolution(n);
    if (op == "ConvTranspose") return transposedConvolution(n);
    if (op == "Resize") return resize(n);
    if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" || op == "GlobalMaxPool") return pooling(n);
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Max" || op == "Mean" || op == "Sum") return merge(n);
    if (op == "Relu" || op == "Tanh" || op == "Sigmoid" || op == "Softmax" || op == "LogSoftmax" || op == "Elu" ||
        op == "Selu" || op == "LeakyRelu" || op == "HardSigmoid" || op == "Softplus") {
        return activation(n);
    }
    if (op == "LayerNormalization" || op == "BatchNormalization") return normalization(n);
    if (op == "Transpose") return transpose(n);
    if (op == "Reshape" || op == "Flatten") return reshape(n);
    if (op == "Gather" && in(n, 0).kind == Value::Kind::Constant) {
        // A table looked up by ids: Embedding (PyTorch's nn.Embedding).
        const OnnxInitializer* table = in(n, 0).constant;
        if (table->type != OnnxType::Float || table->dims.size() != 2 || intAttribute(n, "axis", 0) != 0) {
            refuse(n, "only looking up rows of a constant table (an embedding) is supported");
        }
        const PortRef ids = asPort(n, in(n, 1));
        const NodeId id = layer(n, "Embedding", {{"input_dim", table->dims[0]}, {"output_dim", table->dims[1]}}, {ids});
        weight(id, "embeddings", table->dims, table->floats);
        return set(n, 0, port({id, 0}));
    }
    if (op == "Cast" && in(n, 0).kind != Value::Kind::Shape) {
        set(n, 0, in(n, 0));  // ids as numbers or integers alike: Embedding casts toward zero
        return;
    }
    if (op == "Tile") {
        // A vector repeated over steps (PyTorch's x.unsqueeze(1).repeat(1, n, 1)): RepeatVector.
        const std::vector<std::int64_t> repeats = ints(n, 1);
        if (in(n, 0).kind != Value::Kind::OneStep || repeats.size() != 3 || repeats[0] != 1 || repeats[2] != 1 ||
            repeats[1] < 1 || repeats[1] > (std::int64_t{1} << 20)) {
            refuse(n, "only repeating a vector over 1 to 1048576 time steps (Keras's RepeatVector) is supported");
        }
        return set(n, 0, port({layer(n, "RepeatVector", {{"n", repeats[1]}}, {in(n, 0).port}), 0}));
    }
    if (op == "Identity" || op == "Dropout") {
        set(n, 0, in(n, 0));
        return;
    }
    if (op == "Concat") {
        bool shapes = true;
        for (std::size_t k = 0; k < n.inputs.size(); ++k) {
            const Value& v = in(n, k);
            shapes = shapes && (v.kind == Value::Kind::Shape || v.kind == Value::Kind::Constant);
        }
        if (shapes) return glue(n);
        // A bidirectional operator's two final states side by side: its concat output.
        if (n.inputs.size() == 2 && in(n, 0).kind == Value::Kind::States && in(n, 1).kind == Value::Kind::States &&
            in(n, 0).direction == 0 && in(n, 1).direction == 1 && in(n, 0).states == in(n, 1).states) {
            const std::int64_t axis = intAttribute(n, "axis", 0);
            if (axis != 1 && axis != -1) refuse(n, "only joining a bidirectional operator's states along their units is supported");
            return set(n, 0, port(in(n, 0).states[0]));
        }
        // States of stacked recurrent operators (PyTorch's h_n of num_layers > 1).
        bool states = true;
        for (std::size_t k = 0; k < n.inputs.size(); ++k) states = states && in(n, k).kind == Value::Kind::States && in(n, k).direction < 0;
        if (states && intAttribute(n, "axis", 0) == 0) {
            Value all{Value::Kind::States};
            for (std::size_t k = 0; k < n.inputs.size(); ++k) {
                for (PortRef s : in(n, k).states) all.states.push_back(s);
            }
            return set(n, 0, all);
        }
        const bool channelsFirst = in(n, 0).kind == Value::Kind::ChannelsFirst;
        std::vector<PortRef> ports;
        for (std::size_t k = 0; k < n.inputs.size(); ++k) ports.push_back(channelsFirst ? asChannelsFirst(n, in(n, k)) : asPort(n, in(n, k)));
        const std::int64_t rank = static_cast<std::int64_t>(dimsOf(ports[0]).size()) + 1;
        std::int64_t axis = intAttribute(n, "axis", -1);
        if (axis < 0) axis += rank;
        if (channelsFirst) axis = axis == 1 ? rank - 1 : axis == 2 ? 1 : axis;
        if (axis != rank - 1 && !(rank == 3 && axis == 1)) refuse(n, "only joining features or time steps is supported");
        const NodeId id = layer(n, "Concatenate", {{"axis", axis == rank - 1 ? std::int64_t{-1} : std::int64_t{1}}}, ports);
        return set(n, 0, {channelsFirst ? Value::Kind::ChannelsFirst : Value::Kind::Port, {id, 0}});
    }
    if (op == "ReduceMean" || op == "ReduceMax") {
        const Value& x = in(n, 0);
        const auto* axes = attribute<std::vector<std::int64_t>>(n, "axes");
        const std::int64_t timeAxis = x.kind == Value::Kind::ChannelsFirst ? 2 : 1;
        if (!axes || axes->size() != 1 || ((*axes)[0] != timeAxis && (*axes)[0] != timeAxis - 3) ||
            intAttribute(n, "keepdims", 1) != 0) {
            refuse(n, "only averaging or taking the largest over the time axis is supported");
        }
        const PortRef p = x.kind == Value::Kind::ChannelsFirst ? x.port : asPort(n, x);
        return set(n, 0, port({layer(n, op == "ReduceMean" ? "GlobalAveragePooling1D" : "GlobalMaxPooling1D", {}, {p}), 0}));
    }
    if (op == "Pad" || ((op == "Slice" || op == "Gather") && in(n, 0).kind != Value::Kind::Shape && in(n, 0).kind != Value::Kind::States)) {
        return timeSteps(n);
    }
    if (op == "Shape" || op == "Gather" || op == "Unsqueeze" || op == "Squeeze" || op == "Slice" || op == "ConstantOfShape" ||
        op == "Expand" || op == "Cast") {
        return glue(n);
    }
    refuse(n, "not supported; " + std::string(kReads));
}

OnnxImport Lifter::run() {
    // Far beyond a sequence model's operators; each is checked against the layers before it.
    if (g_.nodes().size() > 10000) throw OnnxReadError("the graph has " + std::to_string(g_.nodes().size()) + " operators; LayerLoom reads models of up to 10,000");
    for (const OnnxNode& n : g_.nodes()) {
        for (const std::string& i : n.inputs) ++uses_[i];
    }
    for (const OnnxValue& o : g_.outputs()) ++uses_[o.name];
    for (const OnnxInitializer& c : g_.initializers()) values_[c.name] = {Value::Kind::Constant, {}, &c};
    for (const OnnxValue& v : g_.inputs()) {
        if (v.dims.size() < 2 || v.dims.size() > 3) {
            throw OnnxReadError("input " + v.name + " has " + std::to_string(v.dims.size()) +
                                " axes; LayerLoom's Inputs are (batch, time, features) or (batch, features)");
        }
        Dims shape;
        for (std::size_t k = 1; k < v.dims.size(); ++k) shape.push_back(v.dims[k] < 0 ? kNone : v.dims[k]);
        // Token ids (batch, steps) may have a free length; numbers need a fixed number of features.
        if (shape.back() == kNone && !(v.type != OnnxType::Float && shape.size() == 1)) {
            throw OnnxReadError("input " + v.name + " has no fixed number of features");
        }
        OnnxNode named;
        named.name = v.name + "/Input";
        const NodeId id = layer(named, "InputLayer", {{"shape", shape}}, {});
        if (v.type != OnnxType::Float) graph_.setParam(id, "dtype", std::string("int32"));
        values_[v.name] = port({id, 0});
    }
    for (const OnnxNode& n : g_.nodes()) lift(n);
    // The graph's outputs are the layers whose values leave it: as Keras's layout.
    for (const OnnxValue& o : g_.outputs()) {
        const auto found = values_.find(o.name);
        if (found == values_.end()) throw OnnxReadError("output " + o.name + " comes from no node");
        const Value& v = found->second;
        if (v.kind != Value::Kind::Port || (graph_.node(v.port.node)->isInput())) {
            throw OnnxReadError("output " + o.name + " is not a layer's output in (batch, time, features) or (batch, features)");
        }
    }
    const Validation v = validate(graph_);
    if (v.hasErrors()) {
        const auto e = std::find_if(v.diagnostics.begin(), v.diagnostics.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; });
        throw OnnxReadError("the layers read do not make a valid model: " + e->message);
    }
    OnnxImport out;
    out.project.graph = std::move(graph_);
    layOut(out.project.graph);
    out.project.weights = std::move(weights_);
    out.project.weightsFrom = "the ONNX file";
    out.project.name = g_.graphName;
    out.notes = std::move(notes_);
    return out;
}

}  // namespace

OnnxImport liftOnnxGraph(const OnnxGraph& graph) { return Lifter(graph).run(); }

}  // namespace loom
