#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/activation.h"

namespace loom {

/// The ONNX operator sets the export writes: 13 (the oldest ONNX Runtime still serves widely)
/// to 17 (LayerNormalization as one operator).
inline constexpr int kOnnxOldestOpset = 13;
inline constexpr int kOnnxNewestOpset = 17;

/// One attribute of an ONNX node: an integer, a float, a string, or a list of one of them.
struct OnnxAttribute {
    std::string name;
    std::variant<std::int64_t, float, std::string, std::vector<std::int64_t>, std::vector<float>,
                 std::vector<std::string>>
        value;
};

struct OnnxNode {
    std::string op;
    std::vector<std::string> inputs;  ///< "" leaves an optional input out
    std::vector<std::string> outputs;
    std::vector<OnnxAttribute> attributes;
    std::string name;
    std::string doc;  ///< the LayerLoom layer the node computes a part of
};

enum class OnnxType { Float, Int32, Int64 };

/// A constant of the graph: weights, and the shapes, axes and numbers operators take as inputs.
struct OnnxInitializer {
    std::string name;
    OnnxType type = OnnxType::Float;
    std::vector<std::int64_t> dims;
    std::vector<float> floats;
    std::vector<std::int64_t> ints;
};

/// A graph input or output. A size of -1 is named by `symbols` at its axis ("batch", "steps").
struct OnnxValue {
    std::string name;
    OnnxType type = OnnxType::Float;
    std::vector<std::int64_t> dims;
    std::vector<std::string> symbols;
    std::string doc;
};

/// An ONNX graph as LayerLoom builds it, free of protobuf's types: the layer kinds add their
/// operators through it (LayerSpec::onnx), and interop/onnx/onnx_file.h writes it out. Value
/// names are made unique from the layer being added ("lstm_1/Transpose_2").
class OnnxGraph {
public:
    explicit OnnxGraph(int opset) : opset_(opset) {}
    int opset() const { return opset_; }

    /// From here on, nodes and constants are named after `layer` and say in their doc string
    /// that they compute it.
    void beginLayer(const std::string& layer, std::string doc);

    /// Adds an operator with one output and returns the output's name.
    std::string op(std::string_view type, std::vector<std::string> inputs, std::vector<OnnxAttribute> attributes = {});
    /// Adds an operator with `outputs` outputs and returns their names.
    std::vector<std::string> ops(std::string_view type, std::vector<std::string> inputs,
                                 std::vector<OnnxAttribute> attributes, int outputs);

    /// A float constant of these dims (row-major values), named after what it is ("kernel").
    std::string floats(std::string_view what, std::vector<std::int64_t> dims, std::vector<float> values);
    /// A one-dimensional int64 constant: shapes, axes, starts and ends.
    std::string ints(std::vector<std::int64_t> values);
    /// A float scalar constant.
    std::string scalar(float value);
    /// An int64 scalar constant.
    std::string integer(std::int64_t value);

    /// A graph input; its name is taken for good.
    void addInput(OnnxValue value);
    /// A graph output: an Identity that gives `value.name` the value `from`.
    void addOutput(OnnxValue value, const std::string& from);

    /// What a file read back holds as it is (interop/onnx/onnx_import.h): nodes, constants (its
    /// Constant nodes among them), inputs and outputs under their own names.
    void addRead(OnnxNode node) { nodes_.push_back(std::move(node)); }
    void addRead(OnnxInitializer constant) { initializers_.push_back(std::move(constant)); }
    void addReadInput(OnnxValue value) { inputs_.push_back(std::move(value)); }
    void addReadOutput(OnnxValue value) { outputs_.push_back(std::move(value)); }
    /// The producer, the graph's name and the model's doc string of a file read back.
    std::string producer, graphName, modelDoc;
    /// The model's metadata_props: LayerLoom writes its project there ("layerloom.project").
    std::vector<std::pair<std::string, std::string>> metadata;

    const std::vector<OnnxNode>& nodes() const { return nodes_; }
    const std::vector<OnnxInitializer>& initializers() const { return initializers_; }
    const std::vector<OnnxValue>& inputs() const { return inputs_; }
    const std::vector<OnnxValue>& outputs() const { return outputs_; }

    // The operators layers share, with the opset's forms.
    std::string transpose(const std::string& x, std::vector<std::int64_t> perm);
    /// Keras's (batch, time, channels) to ONNX's (batch, channels, time), and back.
    std::string toChannelsFirst(const std::string& x) { return transpose(x, {0, 2, 1}); }
    std::string toChannelsLast(const std::string& x) { return transpose(x, {0, 2, 1}); }
    /// x[..., start:end, ...] along `axis`; `end` may be negative (from the end) or kSliceToEnd.
    std::string slice(const std::string& x, std::int64_t axis, std::int64_t start, std::int64_t end,
                      std::int64_t step = 1);
    std::string unsqueeze(const std::string& x, std::vector<std::int64_t> axes);
    std::string squeeze(const std::string& x, std::vector<std::int64_t> axes);
    std::string reshape(const std::string& x, std::vector<std::int64_t> shape);
    std::string reduce(std::string_view op, const std::string& x, std::vector<std::int64_t> axes, bool keepDims);
    /// x @ kernel (+ bias): a Dense layer's product over the last axis.
    std::string dense(const std::string& x, std::string_view name, std::vector<std::int64_t> kernelDims,
                      std::vector<float> kernel, const std::vector<float>* bias);
    /// A Keras activation, element-wise (softmax and log_softmax over the last axis).
    std::string activation(const std::string& x, Activation a);

    static constexpr std::int64_t kSliceToEnd = INT64_MAX;

private:
    std::string fresh(std::string_view what);
    void take(const std::string& name);

    int opset_;
    std::string layer_ = "graph";
    std::string doc_;
    std::vector<OnnxNode> nodes_;
    std::vector<OnnxInitializer> initializers_;
    std::vector<OnnxValue> inputs_, outputs_;
    std::vector<std::string> used_;  // every name given out, sorted
};

/// The name of an activation's operator in the recurrent operators' `activations` attribute,
/// with its alpha and beta where it takes them; empty when those operators have none for it.
struct OnnxRecurrentActivation {
    std::string name;
    float alpha = 0.0f, beta = 0.0f;
    bool hasAlpha = false, hasBeta = false;
};
OnnxRecurrentActivation onnxRecurrentActivation(Activation a);

}  // namespace loom
