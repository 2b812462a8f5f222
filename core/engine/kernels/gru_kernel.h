#pragma once

#include "engine/kernels/packed_product.h"
#include "engine/kernels/recurrent_kernel.h"
#include "engine/kernels/row_chunks.h"

namespace loom {

/// Keras GRU, gates z, r, h in blocks of `units` columns; x' = x W + b_in:
///   reset_after=True  (bias (2, 3u)): a = h U + b_rec
///     z = rec(x'_z + a_z); r = rec(x'_r + a_r); hh = act(x'_h + r * a_h)
///   reset_after=False (bias (3u)):
///     z = rec(x'_z + h U_z); r = rec(x'_r + h U_r); hh = act(x'_h + (r * h) U_h)
///   h_t = z * h_{t-1} + (1 - z) * hh
template <class S>
class GruKernel final : public RecurrentKernel<S> {
    using Base = RecurrentKernel<S>;
    using Base::m_steps, Base::m_in, Base::m_u, Base::m_bias, Base::m_act, Base::m_rec,
        Base::m_xMask, Base::m_hMask, Base::step;

public:
    explicit GruKernel(const KernelSetup& s)
        : Base(s, 3), m_resetAfter(s.node.param<bool>("reset_after")) {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index B = io.batch, T = m_steps, u = m_u, rows = B * T;
        ConstMatMap<S> w(io.params[0], m_in, 3 * u);
        ConstMatMap<S> rk(io.params[1], u, 3 * u);
        this->drawMasks(io);
        m_x = ConstMatMap<S>(io.in[0], rows, m_in);
        if (m_xMask.active()) m_xMask.applyPerStep(m_x, T);
        m_xw.noalias() = m_x * w;
        if (m_bias) m_xw.rowwise() += ConstMatMap<S>(io.params[2], 1, 3 * u).row(0);
        m_z.resize(rows, 3 * u);  // pre-activations
        m_g.resize(rows, 3 * u);  // activations
        m_a.resize(rows, 3 * u);  // recurrent part: h U + b_rec (reset_after) or (r * h) U_h
        m_h.resize(rows, u);
        m_hp.setZero(rows, u);  // h_{t-1} as used, masked
        m_rkPacked.pack(rk.leftCols(m_resetAfter ? 3 * u : 2 * u));
        if (!m_resetAfter) m_rkhPacked.pack(rk.rightCols(u));
        const int threads = kernelThreads();
        for (Eigen::Index t = 0; t < T; ++t) {
            auto hp = step(m_hp, t);
            if (t > 0) {
                hp = step(m_h, t - 1);
                if (m_hMask.active()) hp.array() *= m_hMask.values().array();
            }
            auto z = step(m_z, t), g = step(m_g, t), a = step(m_a, t);
            z = step(m_xw, t);
            if (m_resetAfter) {
                m_rkPacked.multiply(hp.data(), T * u, B, a.data(), T * 3 * u, false, threads);
                if (m_bias) a.rowwise() += ConstMatMap<S>(io.params[2] + 3 * u, 1, 3 * u).row(0);
                z.leftCols(2 * u) += a.leftCols(2 * u);
                act::apply<S>(m_rec, z.leftCols(2 * u), g.leftCols(2 * u));
                z.rightCols(u).array() += g.middleCols(u, u).array() * a.rightCols(u).array();
            } else {
                m_rkPacked.multiply(hp.data(), T * u, B, z.data(), T * 3 * u, true, threads);
                act::apply<S>(m_rec, z.leftCols(2 * u), g.leftCols(2 * u));
                a.leftCols(u).array() = g.middleCols(u, u).array() * hp.array();  // r * h
                m_rkhPacked.multiply(a.data(), T * 3 * u, B, z.data() + 2 * u, T * 3 * u, true, threads);
            }
            act::apply<S>(m_act, z.rightCols(u), g.rightCols(u));
            const auto zg = g.leftCols(u).array();
            auto prev = t > 0 ? step(m_h, t - 1) : step(m_hp, t);  // zeros at t = 0
            step(m_h, t).array() = zg * prev.array() + (S(1) - zg) * g.rightCols(u).array();
        }
        this->writeOutput(io, m_h);
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index B = io.batch, T = m_steps, u = m_u, rows = B * T;
        ConstMatMap<S> w(io.params[0], m_in, 3 * u);
        ConstMatMap<S> rk(io.params[1], u, 3 * u);
        MatMap<S> drk(io.dParams[1], u, 3 * u);
        m_dxw.resize(rows, 3 * u);
        m_dhNext.setZero(B, u);
        m_dh.resize(B, u);
        m_tmp.resize(B, u);
        if (m_resetAfter) m_da.resize(rows, 3 * u);
        m_rkPacked.pack(rk.leftCols(m_resetAfter ? 3 * u : 2 * u).transpose());
        if (!m_resetAfter) m_rkhPacked.pack(rk.rightCols(u).transpose());
        const int threads = kernelThreads();
        for (Eigen::Index t = T - 1; t >= 0; --t) {
            m_dh = m_dhNext;
            this->addOutputGradient(io, t, m_dh);
            auto z = step(m_z, t), g = step(m_g, t), a = step(m_a, t), dz = step(m_dxw, t);
            auto hp = step(m_hp, t);
            const Mat<S> prev = t > 0 ? Mat<S>(step(m_h, t - 1)) : Mat<S>::Zero(B, u);
            // h = z * prev + (1 - z) * hh
            m_tmp.array() = m_dh.array() * (S(1) - g.leftCols(u).array());  // d hh
            act::backward<S>(m_act, z.rightCols(u), g.rightCols(u), m_tmp, dz.rightCols(u));
            m_tmp.array() = m_dh.array() * (prev.array() - g.rightCols(u).array());  // d z
            act::backward<S>(m_rec, z.leftCols(u), g.leftCols(u), m_tmp, dz.leftCols(u));
            m_dhNext.array() = m_dh.array() * g.leftCols(u).array();  // through z * prev
            if (m_resetAfter) {
                m_tmp.array() = dz.rightCols(u).array() * a.rightCols(u).array();  // d r
                act::backward<S>(m_rec, z.middleCols(u, u), g.middleCols(u, u), m_tmp,
                                 dz.middleCols(u, u));
                auto da = step(m_da, t);
                da.leftCols(2 * u) = dz.leftCols(2 * u);
                da.rightCols(u).array() = dz.rightCols(u).array() * g.middleCols(u, u).array();
                m_rkPacked.multiply(da.data(), T * 3 * u, B, m_tmp.data(), u, false, threads);
            } else {
                // d (r * h) from the candidate's recurrent product.
                m_drh.resize(B, u);
                m_rkhPacked.multiply(dz.data() + 2 * u, T * 3 * u, B, m_drh.data(), u, false, threads);
                m_tmp.array() = m_drh.array() * hp.array();  // d r
                act::backward<S>(m_rec, z.middleCols(u, u), g.middleCols(u, u), m_tmp,
                                 dz.middleCols(u, u));
                m_rkPacked.multiply(dz.data(), T * 3 * u, B, m_tmp.data(), u, false, threads);
                m_tmp.array() += m_drh.array() * g.middleCols(u, u).array();
            }
            if (t > 0) {
                if (m_hMask.active()) m_tmp.array() *= m_hMask.values().array();
                m_dhNext += m_tmp;
            }
        }
        // The recurrent kernel's gradient as products over every step at once.
        if (m_resetAfter) {
            drk.noalias() += m_hp.transpose() * m_da;
        } else {
            drk.leftCols(2 * u).noalias() += m_hp.transpose() * m_dxw.leftCols(2 * u);
            drk.rightCols(u).noalias() += m_a.leftCols(u).transpose() * m_dxw.rightCols(u);
        }
        MatMap<S>(io.dParams[0], m_in, 3 * u).noalias() += m_x.transpose() * m_dxw;
        if (m_bias) {
            MatMap<S>(io.dParams[2], 1, 3 * u) += m_dxw.colwise().sum();
            if (m_resetAfter) MatMap<S>(io.dParams[2] + 3 * u, 1, 3 * u) += m_da.colwise().sum();
        }
        if (io.dIn[0]) {
            m_dx.noalias() = m_dxw * w.transpose();
            if (m_xMask.active()) m_xMask.applyPerStep(m_dx, T);
            MatMap<S>(io.dIn[0], rows, m_in) += m_dx;
        }
    }

private:
    bool m_resetAfter;
    Mat<S> m_x, m_xw, m_z, m_g, m_a, m_h, m_hp, m_dxw, m_dh, m_dhNext, m_tmp, m_da, m_drh, m_dx;
    /// The recurrent kernel packed for the steps' products: all of it with reset_after, else
    /// its update and reset columns here and its candidate columns in m_rkhPacked (transposed
    /// in the backward pass).
    PackedRhs<S> m_rkPacked, m_rkhPacked;
};

}  // namespace loom
