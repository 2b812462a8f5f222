#include "layers/bidirectional.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "io/json_input.h"
#include "io/python_text.h"
#include "layers/keras_config.h"
#include "layers/gru.h"
#include "layers/layer_registry.h"
#include "layers/lstm.h"
#include "layers/simple_rnn.h"
#include "shape/explain.h"
#include "layers/onnx_layer.h"

namespace loom {

using nlohmann::json;

namespace {

constexpr const char* kDirections[] = {"forward_layer", "backward_layer"};

}  // namespace

const std::vector<ParamSpec>& BidirectionalSpec::params() const {
    static const std::vector<ParamSpec> schema = [] {
        std::vector<ParamSpec> p = {
            {.name = "layer", .type = ParamType::Choice, .defaultValue = std::string("LSTM"),
             .help = "The recurrent layer read in both directions.", .choices = {"LSTM", "GRU", "SimpleRNN"}},
            {.name = "merge_mode", .type = ParamType::Choice, .defaultValue = std::string("concat"),
             .help = "How the two readings are joined: concat (forward first, twice the units), or element by "
                     "element: sum, mul, ave.",
             .choices = {"concat", "sum", "mul", "ave"}, .onCard = true},
        };
        // Every wrapped kind's parameters, each once; paramApplies() picks the chosen kind's.
        const LstmSpec lstm;
        const GruSpec gru;
        const SimpleRnnSpec rnn;
        for (const LayerSpec* kind : std::initializer_list<const LayerSpec*>{&lstm, &gru, &rnn}) {
            for (const ParamSpec& s : kind->params()) {
                // The backward reading is the wrapper's own: the wrapped layer reads forward.
                const bool known = std::any_of(p.begin(), p.end(), [&](const ParamSpec& q) { return q.name == s.name; });
                // Nor does it pass states in or out.
                const bool own = s.name == "go_backwards" || s.name == "return_state" || s.name == "initial_state";
                if (!known && !own) p.push_back(s);
            }
        }
        return p;
    }();
    return schema;
}

bool BidirectionalSpec::paramApplies(const Node& node, std::string_view param) const {
    if (param == "layer" || param == "merge_mode") return true;
    const RecurrentSpec* inner = innerSpec(node);
    return inner && inner->param(param);
}

const RecurrentSpec* BidirectionalSpec::innerSpec(const Node& node) {
    return dynamic_cast<const RecurrentSpec*>(findLayer(node.param<std::string>("layer")));
}

Node BidirectionalSpec::innerNode(const Node& node, std::string name) {
    Node inner = node;
    inner.kind = node.param<std::string>("layer");
    inner.name = std::move(name);
    inner.params.clear();
    if (const RecurrentSpec* spec = innerSpec(node)) {
        for (const ParamSpec& p : spec->params()) {
            const auto it = node.params.find(p.name);
            inner.params[p.name] = it != node.params.end() ? it->second : p.defaultValue;
        }
    }
    return inner;
}

std::string BidirectionalSpec::wrapped(const Node& node) const { return node.param<std::string>("layer"); }

std::optional<TensorShape> BidirectionalSpec::inferShape(const ShapeContext& ctx) const {
    const RecurrentSpec* inner = innerSpec(ctx.node);
    if (!inner) return std::nullopt;  // the schema check has said why
    std::optional<TensorShape> out = inner->inferShape(ctx);
    if (out && ctx.node.param<std::string>("merge_mode") == "concat") {
        out->dims.back() = Dim{2 * ctx.node.param<std::int64_t>("units"), ctx.node.id};
    }
    return out;
}

std::vector<ParamShape> BidirectionalSpec::weights(const Node& node, std::span<const Dims> inputs) const {
    const RecurrentSpec* inner = innerSpec(node);
    if (!inner) return {};
    std::vector<ParamShape> all;
    const Node layer = innerNode(node, node.name);
    for (const char* direction : kDirections) {
        for (ParamShape w : inner->weights(layer, inputs)) {
            w.name = std::string(direction) + "/" + w.name;
            all.push_back(std::move(w));
        }
    }
    return all;
}

std::int64_t BidirectionalSpec::trainingCache(const Node& node, std::span<const Dims> inputs, const Dims& output) const {
    const RecurrentSpec* inner = innerSpec(node);
    if (!inner) return 0;
    const Dims& in = inputs.front();
    const std::int64_t steps = in.size() == 2 ? in[0] : 1;
    const std::int64_t u = node.param<std::int64_t>("units");
    const Dims one = output.size() == 2 ? Dims{output[0], u} : Dims{u};
    // Both layers' own, the reversed input and both readings before they are joined.
    return 2 * inner->trainingCache(innerNode(node, node.name), inputs, one) + steps * in.back() + 2 * steps * u;
}

std::string BidirectionalSpec::explainSize(const Node& node, const Dim& dim) const {
    if (node.param<std::string>("merge_mode") != "concat") return node.name + " has units=" + std::to_string(dim.size);
    return node.name + " joins both directions' units=" + std::to_string(dim.size / 2);
}

json BidirectionalSpec::kerasConfig(const Node& node, KerasFormat format, std::span<const Dims> inputs) const {
    const RecurrentSpec* inner = innerSpec(node);
    const Node layer = innerNode(node, std::string(inner->nameBase()));
    json c = kerasBaseConfig(layer.name, format);
    c.update(inner->kerasConfig(layer, format, inputs));
    json wrappedLayer = format == KerasFormat::Keras3 ? kerasObject("keras.layers", inner->kind(), std::move(c))
                                                      : json{{"class_name", inner->kind()}, {"config", std::move(c)}};
    return {{"layer", std::move(wrappedLayer)}, {"merge_mode", node.param<std::string>("merge_mode")}};
}

std::string BidirectionalSpec::readKeras(const json& config, KerasProducer producer, ParamMap& params) const {
    if (!config.is_object()) return "its config is " + jsonExcerpt(config) + ", not an object";
    const json inner = config.value("layer", json());
    if (!inner.is_object() || !inner.contains("class_name") || !inner["class_name"].is_string()) {
        return "a Bidirectional without the layer it wraps";
    }
    const std::string kind = inner["class_name"].get<std::string>();
    if (kind != "LSTM" && kind != "GRU" && kind != "SimpleRNN") {
        return "LayerLoom's Bidirectional wraps LSTM, GRU or SimpleRNN, not " + jsonExcerpt(inner["class_name"]);
    }
    if (!inner.contains("config") || !inner["config"].is_object()) return "the layer inside Bidirectional has no config";
    const json mode = config.value("merge_mode", json("concat"));
    if (mode.is_null()) return "Bidirectional with merge_mode None returns both readings apart, which LayerLoom does not";
    if (!mode.is_string()) return "merge_mode is " + jsonExcerpt(mode) + ", not one of concat, sum, mul, ave";
    if (const auto problem = checkParam(*param("merge_mode"), mode.get<std::string>())) {
        return "merge_mode " + jsonExcerpt(mode) + " " + *problem;
    }
    if (config.contains("backward_layer") && !config["backward_layer"].is_null()) {
        const json& back = config["backward_layer"];
        if (!back.is_object() || back.value("class_name", json()) != inner["class_name"]) {
            return "a Bidirectional whose backward layer is not the same kind as its forward one";
        }
    }
    // null is Keras's None: false.
    if (const json back = inner["config"].value("go_backwards", json(false)); !back.is_null() && back != json(false)) {
        return "a Bidirectional whose forward layer has go_backwards=" + (back.is_boolean() ? "True" : jsonExcerpt(back)) +
               " reads the sequence backwards twice over, which LayerLoom does not";
    }
    params["layer"] = kind;
    params["merge_mode"] = mode.get<std::string>();
    if (const json states = inner["config"].value("return_state", json(false)); states == json(true)) {
        return "a Bidirectional that returns its states is not supported";
    }
    std::string problem = findLayer(kind)->readKeras(inner["config"], producer, params);
    // The wrapper reads backwards itself, and passes no states in or out.
    for (const char* own : {"go_backwards", "return_state", "initial_state"}) params.erase(own);
    return problem;
}

KerasWeightPlace BidirectionalSpec::kerasWeightPlace(const Node& node, const ParamShape& weight) const {
    const auto slash = weight.name.find('/');
    const std::string direction = weight.name.substr(0, slash);
    const std::string own = slash == std::string::npos ? weight.name : weight.name.substr(slash + 1);
    const RecurrentSpec* inner = innerSpec(node);
    const std::string base = inner ? std::string(inner->nameBase()) : "rnn";
    const std::string side = direction == "backward_layer" ? "backward_" : "forward_";
    return {side + base + "/" + base + "_cell/" + own + ":0", direction + "/cell"};
}

std::string BidirectionalSpec::kerasPython(const Node& node, const std::string&, const std::string& nameArg) const {
    const RecurrentSpec* inner = innerSpec(node);
    const Node layer = innerNode(node, node.name);
    return "layers.Bidirectional(layers." + std::string(inner->kind()) + "(" + kerasPythonArguments(*inner, layer) +
           "), merge_mode=" + python::quoted(node.param<std::string>("merge_mode")) + ", " + nameArg + ")";
}

PyTorchLayer BidirectionalSpec::pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                                        std::span<const std::string> args) const {
    const RecurrentSpec* inner = innerSpec(node);
    const Node layer = innerNode(node, node.name);
    const std::string one = inner->pytorch(layer, inputs, self_, args).module;
    return {"KerasBidirectional(" + one + ", " + one + ", " + python::quoted(node.param<std::string>("merge_mode")) + ", " +
                (node.param<bool>("return_sequences") ? "True" : "False") + ")",
            self_ + "(" + args.front() + ")"};
}

std::vector<std::string> BidirectionalSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    // One operator reads both ways; ONNX keeps the backward outputs at their steps, as Keras
    // aligns them before merging.
    const RecurrentSpec& inner = *innerSpec(node);
    const Node layer = innerNode(node, node.name);
    const std::int64_t u = node.param<std::int64_t>("units");
    const std::vector<std::string> y = inner.onnxOperator(layer, graph, graph.transpose(in.values[0], {1, 0, 2}), in.weights,
                                                          "bidirectional", {});
    const std::string mode = node.param<std::string>("merge_mode");
    const bool sequences = node.param<bool>("return_sequences");
    // Y is (T, 2, batch, u), Y_h (2, batch, u): the direction axis is 1 or 0.
    const std::string& both = sequences ? y[0] : y[1];
    const std::int64_t axis = sequences ? 1 : 0;
    if (mode == "concat") {
        const std::string last = graph.transpose(both, sequences ? std::vector<std::int64_t>{2, 0, 1, 3} : std::vector<std::int64_t>{1, 0, 2});
        return {graph.reshape(last, sequences ? std::vector<std::int64_t>{0, -1, 2 * u} : std::vector<std::int64_t>{0, 2 * u})};
    }
    const std::string_view reduce = mode == "sum" ? "ReduceSum" : mode == "mul" ? "ReduceProd" : "ReduceMean";
    const std::string merged = graph.reduce(reduce, both, {axis}, false);
    return {sequences ? graph.transpose(merged, {1, 0, 2}) : merged};
}

std::string BidirectionalSpec::onnxLimitation(const Node& node) const {
    const RecurrentSpec* inner = innerSpec(node);
    return inner ? inner->onnxLimitation(innerNode(node, node.name)) : std::string();
}

std::vector<std::string_view> BidirectionalSpec::pytorchClasses() const {
    std::vector<std::string_view> classes;
    for (const char* kind : {"LSTM", "GRU", "SimpleRNN"}) {
        for (std::string_view c : findLayer(kind)->pytorchClasses()) classes.push_back(c);
    }
    classes.push_back(R"PY(class KerasBidirectional(nn.Module):
    """Keras's Bidirectional: one layer reads the sequence forward, the other reads it reversed;
    with return_sequences the backward outputs are reversed again before merge_mode joins them."""

    def __init__(self, forward_layer, backward_layer, merge_mode, return_sequences):
        super().__init__()
        self.forward_layer, self.backward_layer = forward_layer, backward_layer
        self.merge_mode, self.return_sequences = merge_mode, return_sequences

    def forward(self, x):
        y = self.forward_layer(x)
        y_rev = self.backward_layer(torch.flip(x, [1]))
        if self.return_sequences:
            y_rev = torch.flip(y_rev, [1])
        if self.merge_mode == "concat":
            return torch.cat([y, y_rev], dim=-1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "mul":
            return y * y_rev
        return (y + y_rev) / 2
)PY");
    return classes;
}

std::string BidirectionalSpec::tfjsLimitation(const Node& node) const {
    const RecurrentSpec* inner = innerSpec(node);
    return inner ? inner->tfjsLimitation(innerNode(node, node.name)) : std::string();
}

}  // namespace loom
