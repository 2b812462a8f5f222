#pragma once

#include "engine/kernels/simple_rnn_kernel.h"
#include "engine/kernels/step_reversal.h"
#include "layers/recurrent.h"

namespace loom {

/// Keras SimpleRNN: the plain (Elman) recurrent layer, h' = act(x W + h U + b), with kernel
/// (in, u), recurrent_kernel (u, u) and bias (u). No gates, hence no recurrent_activation.
class SimpleRnnSpec final : public RecurrentSpec {
public:
    template <class S>
    using Kernel = ReadingOrderKernel<SimpleRnnKernel<S>, S>;

    std::string_view kind() const override { return "SimpleRNN"; }
    std::string_view nameBase() const override { return "simple_rnn"; }
    std::string_view description() const override {
        return "The plain recurrent layer: one state updated at every step, no gates.";
    }
    const std::vector<ParamSpec>& params() const override;
    std::vector<ParamShape> weights(const Node& node, std::span<const Dims> inputs) const override;
    /// The pre-activations and states of every step: two values per unit and step.
    std::int64_t trainingCache(const Node& node, std::span<const Dims> inputs,
                               const Dims& output) const override;
    std::vector<std::string_view> pytorchClasses() const override;

protected:
    std::string_view activationRole() const override {
        return "Keras applies it to the state itself at every step";
    }
};

}  // namespace loom
