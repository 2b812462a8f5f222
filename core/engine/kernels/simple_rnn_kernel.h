#pragma once

#include "engine/kernels/packed_product.h"
#include "engine/kernels/recurrent_kernel.h"
#include "engine/kernels/row_chunks.h"

namespace loom {

/// Keras SimpleRNN: h_t = act(x_t W + b + h_{t-1} U), kernel (in, u), recurrent_kernel (u, u),
/// bias (u). Dropout masks the input and recurrent_dropout the previous state, one mask per
/// sample for every step, as Keras's cell does.
template <class S>
class SimpleRnnKernel final : public RecurrentKernel<S> {
    using Base = RecurrentKernel<S>;
    using Base::m_steps, Base::m_in, Base::m_u, Base::m_bias, Base::m_act, Base::m_xMask,
        Base::m_hMask, Base::step;

public:
    explicit SimpleRnnKernel(const KernelSetup& s) : Base(s, 1) {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index B = io.batch, T = m_steps, u = m_u, rows = B * T;
        ConstMatMap<S> w(io.params[0], m_in, u);
        ConstMatMap<S> rk(io.params[1], u, u);
        this->drawMasks(io);
        m_x = ConstMatMap<S>(io.in[0], rows, m_in);
        if (m_xMask.active()) m_xMask.applyPerStep(m_x, T);
        m_z.noalias() = m_x * w;  // pre-activations, the input part first
        if (m_bias) m_z.rowwise() += ConstMatMap<S>(io.params[2], 1, u).row(0);
        m_h.resize(rows, u);
        m_hp.setZero(rows, u);  // h_{t-1} as used, masked
        if (T > 1) m_rkPacked.pack(rk);
        const int threads = kernelThreads();
        for (Eigen::Index t = 0; t < T; ++t) {
            auto hp = step(m_hp, t), z = step(m_z, t);
            if (t > 0) {
                hp = step(m_h, t - 1);
                if (m_hMask.active()) hp.array() *= m_hMask.values().array();
                m_rkPacked.multiply(hp.data(), T * u, B, z.data(), T * u, true, threads);
            }
            act::apply<S>(m_act, z, step(m_h, t));
        }
        this->writeOutput(io, m_h);
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index B = io.batch, T = m_steps, u = m_u, rows = B * T;
        ConstMatMap<S> w(io.params[0], m_in, u);
        ConstMatMap<S> rk(io.params[1], u, u);
        m_dz.resize(rows, u);
        m_dh.setZero(B, u);
        if (T > 1) m_rkPacked.pack(rk.transpose());
        const int threads = kernelThreads();
        for (Eigen::Index t = T - 1; t >= 0; --t) {
            this->addOutputGradient(io, t, m_dh);
            auto dz = step(m_dz, t);
            act::backward<S>(m_act, step(m_z, t), step(m_h, t), m_dh, dz);
            if (t > 0) {
                m_rkPacked.multiply(dz.data(), T * u, B, m_dh.data(), u, false, threads);
                if (m_hMask.active()) m_dh.array() *= m_hMask.values().array();
            }
        }
        MatMap<S>(io.dParams[1], u, u).noalias() += m_hp.transpose() * m_dz;
        MatMap<S>(io.dParams[0], m_in, u).noalias() += m_x.transpose() * m_dz;
        if (m_bias) MatMap<S>(io.dParams[2], 1, u) += m_dz.colwise().sum();
        if (io.dIn[0]) {
            m_dx.noalias() = m_dz * w.transpose();
            if (m_xMask.active()) m_xMask.applyPerStep(m_dx, T);
            MatMap<S>(io.dIn[0], rows, m_in) += m_dx;
        }
    }

private:
    Mat<S> m_x, m_z, m_h, m_hp, m_dz, m_dh, m_dx;
    PackedRhs<S> m_rkPacked;  ///< the recurrent kernel (forward) or its transpose (backward)
};

}  // namespace loom
