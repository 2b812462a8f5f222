#pragma once

#include "engine/kernels/lstm_kernel.h"
#include "engine/kernels/step_reversal.h"
#include "layers/recurrent.h"

namespace loom {

/// Keras LSTM. Gates in order i, f, c, o; kernel (in, 4u), recurrent_kernel (u, 4u), bias (4u):
///   i = rec_act(x Wi + h Ui + bi)      f = rec_act(x Wf + h Uf + bf)
///   z = act(x Wc + h Uc + bc)          o = rec_act(x Wo + h Uo + bo)
///   c' = f * c + i * z                 h' = o * act(c')
class LstmSpec final : public RecurrentSpec {
public:
    template <class S>
    using Kernel = ReadingOrderKernel<LstmKernel<S>, S>;

    std::string_view kind() const override { return "LSTM"; }
    std::string_view nameBase() const override { return "lstm"; }
    std::string_view description() const override {
        return "Long short-term memory: reads a sequence, keeps a cell state across steps.";
    }
    int stateCount() const override { return 2; }
    const std::vector<ParamSpec>& params() const override;
    std::vector<ParamShape> weights(const Node& node, std::span<const Dims> inputs) const override;
    std::vector<std::string_view> pytorchClasses() const override;

protected:
    std::string_view activationRole() const override {
        return "Keras applies it to the candidate state and to the cell output";
    }
};

}  // namespace loom
