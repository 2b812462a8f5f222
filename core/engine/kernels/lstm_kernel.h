#pragma once

#include "engine/kernels/packed_product.h"
#include "engine/kernels/recurrent_kernel.h"

namespace loom {

/// Keras LSTM, gates i, f, c, o in blocks of `units` columns:
///   z_t = x_t W + h_{t-1} U + b;  i, f, o = rec_act(z); g = act(z_c)
///   c_t = f * c_{t-1} + i * g;    h_t = o * act(c_t)
/// Backward is backpropagation through time over the kept gates and cell states. dropout and
/// recurrent_dropout use one mask per sample for the whole sequence, as Keras does.
template <class S>
class LstmKernel final : public RecurrentKernel<S> {
    using Base = RecurrentKernel<S>;
    using Base::m_steps, Base::m_in, Base::m_u, Base::m_bias, Base::m_act, Base::m_rec,
        Base::m_xMask, Base::m_hMask, Base::step;

public:
    explicit LstmKernel(const KernelSetup& s)
        : Base(s, 4) {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index B = io.batch, T = m_steps, u = m_u, rows = B * T;
        ConstMatMap<S> x(io.in[0], rows, m_in);
        ConstMatMap<S> w(io.params[0], m_in, 4 * u);
        ConstMatMap<S> rk(io.params[1], u, 4 * u);
        this->drawMasks(io);
        if (m_xMask.active()) {
            m_x = x;
            m_xMask.applyPerStep(m_x, T);
            m_z.noalias() = m_x * w;
        } else {
            m_z.noalias() = x * w;
        }
        if (m_bias) m_z.rowwise() += ConstMatMap<S>(io.params[2], 1, 4 * u).row(0);
        m_g.resize(rows, 4 * u);
        m_c.resize(rows, u);
        m_ac.resize(rows, u);
        m_h.resize(rows, u);
        m_hp.setZero(rows, u);  // h_{t-1} as the recurrent product uses it (masked), per step
        if (T > 1) m_rkPacked.pack(rk);
        const int threads = Eigen::nbThreads();
        for (Eigen::Index t = 0; t < T; ++t) {
            StridedMap<S> z(m_z.data() + t * 4 * u, B, 4 * u, Eigen::OuterStride<>(T * 4 * u));
            if (t > 0) {
                m_hPrev = step(m_h, t - 1);
                if (m_hMask.active()) m_hPrev.array() *= m_hMask.values().array();
                step(m_hp, t) = m_hPrev;
                m_rkPacked.multiply(m_hPrev.data(), u, B, z.data(), T * 4 * u, true, threads);
            }
            StridedMap<S> g(m_g.data() + t * 4 * u, B, 4 * u, Eigen::OuterStride<>(T * 4 * u));
            act::apply<S>(m_rec, z.leftCols(2 * u), g.leftCols(2 * u));
            act::apply<S>(m_act, z.middleCols(2 * u, u), g.middleCols(2 * u, u));
            act::apply<S>(m_rec, z.rightCols(u), g.rightCols(u));
            auto c = step(m_c, t);
            c.array() = g.leftCols(u).array() * g.middleCols(2 * u, u).array();
            if (t > 0) c.array() += g.middleCols(u, u).array() * step(m_c, t - 1).array();
            auto ac = step(m_ac, t);
            act::apply<S>(m_act, c, ac);
            step(m_h, t).array() = g.rightCols(u).array() * ac.array();
        }
        this->writeOutput(io, m_h);
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index B = io.batch, T = m_steps, u = m_u, rows = B * T;
        ConstMatMap<S> w(io.params[0], m_in, 4 * u);
        ConstMatMap<S> rk(io.params[1], u, 4 * u);
        MatMap<S> drk(io.dParams[1], u, 4 * u);
        m_dz.resize(rows, 4 * u);
        m_dhNext.setZero(B, u);
        m_dcNext.setZero(B, u);
        m_dh.resize(B, u);
        m_dc.resize(B, u);
        m_tmp.resize(B, u);
        if (T > 1) m_rkPacked.pack(rk.transpose());
        const int threads = Eigen::nbThreads();
        for (Eigen::Index t = T - 1; t >= 0; --t) {
            m_dh = m_dhNext;
            this->addOutputGradient(io, t, m_dh);
            StridedMap<S> g(m_g.data() + t * 4 * u, B, 4 * u, Eigen::OuterStride<>(T * 4 * u));
            StridedMap<S> z(m_z.data() + t * 4 * u, B, 4 * u, Eigen::OuterStride<>(T * 4 * u));
            StridedMap<S> dz(m_dz.data() + t * 4 * u, B, 4 * u, Eigen::OuterStride<>(T * 4 * u));
            // Output gate and cell.
            m_tmp.array() = m_dh.array() * step(m_ac, t).array();  // d o
            act::backward<S>(m_rec, z.rightCols(u), g.rightCols(u), m_tmp, dz.rightCols(u));
            m_tmp.array() = m_dh.array() * g.rightCols(u).array();  // d act(c)
            act::backward<S>(m_act, step(m_c, t), step(m_ac, t), m_tmp, m_dc);
            m_dc += m_dcNext;
            // Input, forget and candidate gates.
            m_tmp.array() = m_dc.array() * g.middleCols(2 * u, u).array();
            act::backward<S>(m_rec, z.leftCols(u), g.leftCols(u), m_tmp, dz.leftCols(u));
            if (t > 0) {
                m_tmp.array() = m_dc.array() * step(m_c, t - 1).array();
                act::backward<S>(m_rec, z.middleCols(u, u), g.middleCols(u, u), m_tmp,
                                 dz.middleCols(u, u));
            } else {
                dz.middleCols(u, u).setZero();
            }
            m_tmp.array() = m_dc.array() * g.leftCols(u).array();
            act::backward<S>(m_act, z.middleCols(2 * u, u), g.middleCols(2 * u, u), m_tmp,
                             dz.middleCols(2 * u, u));
            m_dcNext.array() = m_dc.array() * g.middleCols(u, u).array();
            if (t > 0) {
                m_rkPacked.multiply(dz.data(), T * 4 * u, B, m_dhNext.data(), u, false, threads);
                if (m_hMask.active()) m_dhNext.array() *= m_hMask.values().array();
            }
        }
        // One product over every step for the recurrent kernel's gradient (h_{-1} rows are 0).
        drk.noalias() += m_hp.transpose() * m_dz;
        MatMap<S> dw(io.dParams[0], m_in, 4 * u);
        if (m_xMask.active()) {
            dw.noalias() += m_x.transpose() * m_dz;
        } else {
            dw.noalias() += ConstMatMap<S>(io.in[0], rows, m_in).transpose() * m_dz;
        }
        if (m_bias) MatMap<S>(io.dParams[2], 1, 4 * u) += m_dz.colwise().sum();
        if (io.dIn[0]) {
            m_dx.noalias() = m_dz * w.transpose();
            if (m_xMask.active()) m_xMask.applyPerStep(m_dx, T);
            MatMap<S>(io.dIn[0], rows, m_in) += m_dx;
        }
    }

private:
    Mat<S> m_x, m_z, m_g, m_c, m_ac, m_h, m_hp, m_hPrev, m_dz, m_dh, m_dc, m_dhNext, m_dcNext, m_tmp,
        m_dx;
    PackedRhs<S> m_rkPacked;  ///< the recurrent kernel (forward) or its transpose (backward)
};

}  // namespace loom
