#pragma once

#include "engine/kernel.h"

namespace loom {

/// Keras Masking(mask_value): a step whose every feature equals mask_value is padding. Its
/// values become zero and the step mask it makes says so; the other steps pass unchanged. The
/// gradient flows back through the real steps only.
template <class S>
class MaskingKernel final : public Kernel<S> {
public:
    explicit MaskingKernel(const KernelSetup& s)
        : m_steps(s.inputs.front()[0]),
          m_features(s.inputs.front()[1]),
          m_value(static_cast<S>(s.node.param<double>("mask_value"))) {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index rows = io.batch * m_steps;
        ConstMatMap<S> x(io.in[0], rows, m_features);
        MatMap<S> y(io.out, rows, m_features);
        m_real.resize(rows);
        for (Eigen::Index r = 0; r < rows; ++r) {
            m_real[r] = (x.row(r).array() != m_value).any();
            if (m_real[r]) {
                y.row(r) = x.row(r);
            } else {
                y.row(r).setZero();
            }
            if (io.outMask) io.outMask[r] = m_real[r] ? 1 : 0;
        }
    }

    void backward(KernelIO<S>& io) override {
        if (!io.dIn[0]) return;
        const Eigen::Index rows = io.batch * m_steps;
        ConstMatMap<S> dy(io.dOut, rows, m_features);
        MatMap<S> dx(io.dIn[0], rows, m_features);
        for (Eigen::Index r = 0; r < rows; ++r) {
            if (m_real[r]) dx.row(r) += dy.row(r);
        }
    }

private:
    Eigen::Index m_steps, m_features;
    S m_value;
    Eigen::Matrix<bool, Eigen::Dynamic, 1> m_real;
};

}  // namespace loom
