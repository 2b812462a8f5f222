#pragma once

#include "engine/kernels/merge_kernels.h"
#include "engine/kernels/shape_kernels.h"
#include "layers/merge.h"

namespace loom {

/// How messages name what an element-wise merge does: "cannot add", "adds X to Y".
struct MergeWords {
    std::string_view infinitive;  ///< "add"
    std::string_view verb;        ///< "adds"
    std::string_view joiner;      ///< "to": "adds X to Y"
};

/// Keras's element-wise merges (Add, Subtract, Multiply, Average, Maximum): their inputs must
/// have one shape. Keras itself also broadcasts a vector over a sequence and stretches size-1
/// axes without a word; LayerLoom computes the same result shape but flags both as warnings
/// with explicit fixes.
class ElementwiseMergeSpec : public MergeSpec {
public:
    const std::vector<ParamSpec>& params() const override;
    std::optional<TensorShape> inferShape(const ShapeContext& ctx) const override;
    bool inputsInterchangeable() const override { return true; }
    PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                         std::span<const std::string> args) const override;
    std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const override;

protected:
    virtual MergeWords words() const = 0;
    /// The PyTorch expression of the operands (already shaped alike).
    virtual std::string pytorchOf(std::span<const std::string> operands) const = 0;
};

/// Keras Add: the element-wise sum, the residual (ResNet) skip.
class AddSpec final : public ElementwiseMergeSpec {
public:
    template <class S>
    using Kernel = AddKernel<S>;

    std::string_view kind() const override { return "Add"; }
    std::string_view nameBase() const override { return "add"; }
    std::string_view description() const override {
        return "Adds its inputs element by element: the residual (ResNet) skip.";
    }

protected:
    MergeWords words() const override { return {"add", "adds", "to"}; }
    std::string pytorchOf(std::span<const std::string> operands) const override;
};

/// Keras Subtract: the first input minus the second; exactly two inputs.
class SubtractSpec final : public ElementwiseMergeSpec {
public:
    template <class S>
    using Kernel = ElementwiseMergeKernel<S, MergeOp::Subtract>;

    std::string_view kind() const override { return "Subtract"; }
    bool inputsInterchangeable() const override { return false; }  // the first minus the second
    std::string_view nameBase() const override { return "subtract"; }
    std::string_view description() const override {
        return "Subtracts its second input from its first, element by element.";
    }
    int maxInputs() const override { return 2; }
    bool takesList() const override { return true; }
    std::string tfjsLimitation(const Node&) const override {
        return "TF.js has no Subtract layer";
    }

protected:
    MergeWords words() const override { return {"subtract", "subtracts", "and"}; }
    std::string pytorchOf(std::span<const std::string> operands) const override;
};

/// Keras Multiply: the element-wise product, a gate one branch applies to another.
class MultiplySpec final : public ElementwiseMergeSpec {
public:
    template <class S>
    using Kernel = ElementwiseMergeKernel<S, MergeOp::Multiply>;

    std::string_view kind() const override { return "Multiply"; }
    std::string_view nameBase() const override { return "multiply"; }
    std::string_view description() const override {
        return "Multiplies its inputs element by element: one branch gating another.";
    }

protected:
    MergeWords words() const override { return {"multiply", "multiplies", "by"}; }
    std::string pytorchOf(std::span<const std::string> operands) const override;
};

/// Keras Average: the element-wise mean of its inputs.
class AverageSpec final : public ElementwiseMergeSpec {
public:
    template <class S>
    using Kernel = ElementwiseMergeKernel<S, MergeOp::Average>;

    std::string_view kind() const override { return "Average"; }
    std::string_view nameBase() const override { return "average"; }
    std::string_view description() const override {
        return "Averages its inputs element by element.";
    }

protected:
    MergeWords words() const override { return {"average", "averages", "with"}; }
    std::string pytorchOf(std::span<const std::string> operands) const override;
};

/// Keras Maximum: the element-wise maximum of its inputs.
class MaximumSpec final : public ElementwiseMergeSpec {
public:
    template <class S>
    using Kernel = ElementwiseMergeKernel<S, MergeOp::Maximum>;

    std::string_view kind() const override { return "Maximum"; }
    std::string_view nameBase() const override { return "maximum"; }
    std::string_view description() const override {
        return "Takes the element-wise maximum of its inputs.";
    }

protected:
    MergeWords words() const override { return {"take the maximum of", "takes the maximum of", "and"}; }
    std::string pytorchOf(std::span<const std::string> operands) const override;
};

}  // namespace loom
