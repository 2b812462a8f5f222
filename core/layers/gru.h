#pragma once

#include "engine/kernels/gru_kernel.h"
#include "engine/kernels/step_reversal.h"
#include "layers/recurrent.h"

namespace loom {

/// Keras GRU. Gates in order z, r, h; kernel (in, 3u), recurrent_kernel (u, 3u):
///   z = rec_act(x Wz + h Uz + b)       r = rec_act(x Wr + h Ur + b)
///   reset_after=True:  hh = act(x Wh + bx + r * (h Uh + bh)), bias (2, 3u)
///   reset_after=False: hh = act(x Wh + (r * h) Uh + b),       bias (3u)
///   h' = z * h + (1 - z) * hh
class GruSpec final : public RecurrentSpec {
public:
    template <class S>
    using Kernel = ReadingOrderKernel<GruKernel<S>, S>;

    std::string_view kind() const override { return "GRU"; }
    std::string_view nameBase() const override { return "gru"; }
    std::string_view description() const override {
        return "Gated recurrent unit: a lighter recurrent layer with two gates.";
    }
    const std::vector<ParamSpec>& params() const override;
    std::vector<ParamShape> weights(const Node& node, std::span<const Dims> inputs) const override;
    /// TF.js has only reset_after=False and leaves it out; Keras defaults it to True.
    std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                          ParamMap& params) const override;
    std::vector<std::string_view> pytorchClasses() const override;
    /// TF.js implements only reset_after=False.
    std::string tfjsLimitation(const Node& node) const override;

protected:
    std::string pytorchExtraArgs(const Node& node) const override;
    std::string_view activationRole() const override {
        return "Keras applies it to the candidate state, which the layer blends into its state "
               "at every step";
    }
};

}  // namespace loom
