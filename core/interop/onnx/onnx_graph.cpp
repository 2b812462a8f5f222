#include "interop/onnx/onnx_graph.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace loom {

void OnnxGraph::beginLayer(const std::string& layer, std::string doc) {
    layer_ = layer;
    doc_ = std::move(doc);
}

std::string OnnxGraph::fresh(std::string_view what) {
    const std::string base = layer_ + "/" + std::string(what);
    std::string name = base;
    for (int k = 1;; ++k) {
        const auto at = std::lower_bound(used_.begin(), used_.end(), name);
        if (at == used_.end() || *at != name) {
            used_.insert(at, name);
            return name;
        }
        name = base + "_" + std::to_string(k);
    }
}

void OnnxGraph::take(const std::string& name) {
    const auto at = std::lower_bound(used_.begin(), used_.end(), name);
    if (at != used_.end() && *at == name) throw std::logic_error("ONNX value " + name + " named twice");
    used_.insert(at, name);
}

void OnnxGraph::addInput(OnnxValue value) {
    take(value.name);
    inputs_.push_back(std::move(value));
}

void OnnxGraph::addOutput(OnnxValue value, const std::string& from) {
    take(value.name);
    OnnxNode node;
    node.op = "Identity";
    node.name = fresh("output");
    node.inputs = {from};
    node.outputs = {value.name};
    node.doc = doc_;
    nodes_.push_back(std::move(node));
    outputs_.push_back(std::move(value));
}

std::vector<std::string> OnnxGraph::ops(std::string_view type, std::vector<std::string> inputs,
                                        std::vector<OnnxAttribute> attributes, int outputs) {
    OnnxNode node;
    node.op = std::string(type);
    node.name = fresh(type);
    node.inputs = std::move(inputs);
    node.attributes = std::move(attributes);
    node.doc = doc_;
    for (int k = 0; k < outputs; ++k) node.outputs.push_back(outputs == 1 ? node.name : node.name + ":" + std::to_string(k));
    // Output names are names too: none may come up again (one output goes by the node's name).
    if (outputs > 1) {
        for (const std::string& out : node.outputs) take(out);
    }
    nodes_.push_back(std::move(node));
    return nodes_.back().outputs;
}

std::string OnnxGraph::op(std::string_view type, std::vector<std::string> inputs, std::vector<OnnxAttribute> attributes) {
    return ops(type, std::move(inputs), std::move(attributes), 1).front();
}

std::string OnnxGraph::floats(std::string_view what, std::vector<std::int64_t> dims, std::vector<float> values) {
    std::int64_t count = 1;
    for (std::int64_t d : dims) count *= d;
    if (count != static_cast<std::int64_t>(values.size())) {
        throw std::logic_error("ONNX constant " + std::string(what) + " has " + std::to_string(values.size()) +
                               " values for " + std::to_string(count));
    }
    OnnxInitializer t;
    t.name = fresh(what);
    t.dims = std::move(dims);
    t.floats = std::move(values);
    initializers_.push_back(std::move(t));
    return initializers_.back().name;
}

std::string OnnxGraph::ints(std::vector<std::int64_t> values) {
    OnnxInitializer t;
    t.name = fresh("ints");
    t.type = OnnxType::Int64;
    t.dims = {static_cast<std::int64_t>(values.size())};
    t.ints = std::move(values);
    initializers_.push_back(std::move(t));
    return initializers_.back().name;
}

std::string OnnxGraph::scalar(float value) {
    OnnxInitializer t;
    t.name = fresh("scalar");
    t.floats = {value};
    initializers_.push_back(std::move(t));
    return initializers_.back().name;
}

std::string OnnxGraph::integer(std::int64_t value) {
    OnnxInitializer t;
    t.name = fresh("integer");
    t.type = OnnxType::Int64;
    t.ints = {value};
    initializers_.push_back(std::move(t));
    return initializers_.back().name;
}

std::string OnnxGraph::transpose(const std::string& x, std::vector<std::int64_t> perm) {
    return op("Transpose", {x}, {{"perm", std::move(perm)}});
}

std::string OnnxGraph::slice(const std::string& x, std::int64_t axis, std::int64_t start, std::int64_t end,
                             std::int64_t step) {
    std::vector<std::string> in{x, ints({start}), ints({end}), ints({axis})};
    if (step != 1) in.push_back(ints({step}));
    return op("Slice", std::move(in));
}

std::string OnnxGraph::unsqueeze(const std::string& x, std::vector<std::int64_t> axes) {
    return op("Unsqueeze", {x, ints(std::move(axes))});
}

std::string OnnxGraph::squeeze(const std::string& x, std::vector<std::int64_t> axes) {
    return op("Squeeze", {x, ints(std::move(axes))});
}

std::string OnnxGraph::reshape(const std::string& x, std::vector<std::int64_t> shape) {
    return op("Reshape", {x, ints(std::move(shape))});
}

std::string OnnxGraph::reduce(std::string_view type, const std::string& x, std::vector<std::int64_t> axes, bool keepDims) {
    // Up to opset 17 only ReduceSum takes its axes as an input; the others as an attribute.
    if (type == "ReduceSum") return op(type, {x, ints(std::move(axes))}, {{"keepdims", std::int64_t{keepDims}}});
    return op(type, {x}, {{"axes", std::move(axes)}, {"keepdims", std::int64_t{keepDims}}});
}

std::string OnnxGraph::dense(const std::string& x, std::string_view name, std::vector<std::int64_t> kernelDims,
                             std::vector<float> kernel, const std::vector<float>* bias) {
    const std::int64_t units = kernelDims.back();
    std::string y = op("MatMul", {x, floats(name, std::move(kernelDims), std::move(kernel))});
    if (bias) y = op("Add", {y, floats("bias", {units}, *bias)});
    return y;
}

std::string OnnxGraph::activation(const std::string& x, Activation a) {
    switch (a) {
        case Activation::Linear: return x;
        case Activation::Relu: return op("Relu", {x});
        case Activation::Selu:
            return op("Selu", {x}, {{"alpha", static_cast<float>(act::kSeluAlpha)},
                                    {"gamma", static_cast<float>(act::kSeluScale)}});
        case Activation::Elu: return op("Elu", {x}, {{"alpha", 1.0f}});
        case Activation::Tanh: return op("Tanh", {x});
        case Activation::Sigmoid: return op("Sigmoid", {x});
        case Activation::HardSigmoid: return op("HardSigmoid", {x}, {{"alpha", 0.2f}, {"beta", 0.5f}});
        case Activation::Softmax: return op("Softmax", {x}, {{"axis", std::int64_t{-1}}});
        case Activation::Softplus: return op("Softplus", {x});
        case Activation::Gelu: {
            // ONNX has Gelu from opset 20 only: 0.5 x (1 + erf(x / sqrt 2)).
            const std::string e = op("Erf", {op("Mul", {x, scalar(static_cast<float>(M_SQRT1_2))})});
            return op("Mul", {op("Mul", {x, scalar(0.5f)}), op("Add", {e, scalar(1.0f)})});
        }
        case Activation::Swish: return op("Mul", {x, op("Sigmoid", {x})});
        case Activation::Relu6: return op("Clip", {x, scalar(0.0f), scalar(6.0f)});
        case Activation::LeakyRelu: return op("LeakyRelu", {x}, {{"alpha", static_cast<float>(act::kLeakyReluSlope)}});
        case Activation::HardSilu:
            if (opset_ >= 14) return op("HardSwish", {x});
            return op("Mul", {x, op("HardSigmoid", {x}, {{"alpha", 1.0f / 6.0f}, {"beta", 0.5f}})});
        case Activation::Mish: return op("Mul", {x, op("Tanh", {op("Softplus", {x})})});
        case Activation::LogSoftmax: return op("LogSoftmax", {x}, {{"axis", std::int64_t{-1}}});
    }
    return x;
}

OnnxRecurrentActivation onnxRecurrentActivation(Activation a) {
    switch (a) {
        case Activation::Linear: return {"Affine", 1.0f, 0.0f, true, true};
        case Activation::Relu: return {"Relu"};
        case Activation::Elu: return {"Elu", 1.0f, 0.0f, true, false};
        case Activation::Tanh: return {"Tanh"};
        case Activation::Sigmoid: return {"Sigmoid"};
        case Activation::HardSigmoid: return {"HardSigmoid", 0.2f, 0.5f, true, true};
        case Activation::Softplus: return {"Softplus"};
        case Activation::LeakyRelu: return {"LeakyRelu", static_cast<float>(act::kLeakyReluSlope), 0.0f, true, false};
        default: return {};
    }
}

}  // namespace loom
