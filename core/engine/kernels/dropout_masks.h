#pragma once

#include <random>

#include "engine/kernel.h"

namespace loom {

/// A Keras dropout mask for one batch: each value kept with probability 1 - rate and scaled by
/// 1 / (1 - rate), or zeroed. Inactive outside training and at rate 0.
template <class S>
class DropoutMask {
public:
    void draw(KernelIO<S>& io, Eigen::Index rows, Eigen::Index cols, double rate) {
        m_active = io.training && rate > 0.0 && io.rng != nullptr;
        if (!m_active) return;
        std::bernoulli_distribution keep(1.0 - rate);
        const S scale = static_cast<S>(1.0 / (1.0 - rate));
        m_values.resize(rows, cols);
        for (Eigen::Index i = 0; i < m_values.size(); ++i) {
            m_values.data()[i] = keep(*io.rng) ? scale : S(0);
        }
    }
    bool active() const { return m_active; }
    const Mat<S>& values() const { return m_values; }

    /// Multiplies each step's rows of a (B * T) x n matrix by the per-sample mask.
    void applyPerStep(Mat<S>& m, Eigen::Index steps) const {
        for (Eigen::Index r = 0; r < m.rows(); ++r) {
            m.row(r).array() *= m_values.row(r / steps).array();
        }
    }

private:
    bool m_active = false;
    Mat<S> m_values;
};

}  // namespace loom
