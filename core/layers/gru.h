#pragma once

#include "layers/recurrent.h"

namespace loom {

/// Keras GRU. Gates in order z, r, h; kernel (in, 3u), recurrent_kernel (u, 3u):
///   z = rec_act(x Wz + h Uz + b)       r = rec_act(x Wr + h Ur + b)
///   reset_after=True:  hh = act(x Wh + bx + r * (h Uh + bh)), bias (2, 3u)
///   reset_after=False: hh = act(x Wh + (r * h) Uh + b),       bias (3u)
///   h' = z * h + (1 - z) * hh
/// Parameters: 3 * ((in + u) * u + 2u) with reset_after, 3 * ((in + u) * u + u) without.
class GruSpec final : public RecurrentSpec {
public:
    std::string_view kind() const override { return "GRU"; }
    std::string_view nameBase() const override { return "gru"; }
    std::string_view description() const override {
        return "Gated recurrent unit: a lighter recurrent layer with two gates.";
    }
    const std::vector<ParamSpec>& params() const override;
    std::int64_t paramCount(const Node& node, const TensorShape& input) const override;

protected:
    std::string_view activationRole() const override {
        return "Keras applies it to the candidate state, which the layer blends into its state "
               "at every step";
    }
};

}  // namespace loom
