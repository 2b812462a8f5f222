#pragma once

#include <cmath>

#include "engine/plan.h"

namespace loom {

/// The penalty of every kernel_regularizer, l1 * sum|w| + l2 * sum w^2 over each regularised
/// `kernel`, as Keras adds it to the loss; with `addGradients`, also adds its gradient
/// (l1 * sign(w) + 2 * l2 * w) to the parameters' gradients.
template <class S>
double applyRegularizers(Plan<S>& plan, bool addGradients) {
    double penalty = 0.0;
    for (auto& p : plan.params()) {
        const Regularizer& r = p.regularizer;
        if (r.kind == Regularizer::Kind::None) continue;
        for (std::size_t i = 0; i < p.value.size(); ++i) {
            const double w = p.value[i];
            penalty += r.l1 * std::abs(w) + r.l2 * w * w;
            if (addGradients) {
                p.grad[i] += static_cast<S>(r.l1 * ((w > 0) - (w < 0)) + 2.0 * r.l2 * w);
            }
        }
    }
    return penalty;
}

}  // namespace loom
