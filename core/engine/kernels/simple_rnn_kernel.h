#pragma once

#include "engine/kernels/packed_product.h"
#include "engine/kernels/recurrent_kernel.h"
#include "engine/kernels/row_chunks.h"

namespace loom {

/// Keras SimpleRNN: h_t = act(x_t W + b + h_{t-1} U), kernel (in, u), recurrent_kernel (u, u),
/// bias (u). Dropout masks the input and recurrent_dropout the previous state, one mask per
/// sample for every step, as Keras's cell does. With initial_state, h_{-1} comes from input
/// port 1 (else zero); with return_state, h after the last step goes to output port 1.
template <class S>
class SimpleRnnKernel final : public RecurrentKernel<S> {
    using Base = RecurrentKernel<S>;
    using Base::m_steps, Base::m_in, Base::m_u, Base::m_bias, Base::m_act,
        Base::m_hMask, Base::m_rkPacked, Base::step, Base::rowsAt;

public:
    explicit SimpleRnnKernel(const KernelSetup& s) : Base(s, 1) {}

    void forward(KernelIO<S>& io) override {
        if (this->lean(io)) return predict(io);
        const Eigen::Index B = io.batch, T = m_steps, u = m_u, rows = B * T;
        ConstMatMap<S> w(io.params[0], m_in, u);
        ConstMatMap<S> rk(io.params[1], u, u);
        this->drawMasks(io);
        m_z.noalias() = this->maskInput(io) * w;  // pre-activations, the input part first
        if (m_bias) this->addBias(m_z, io.params[2]);
        m_h.resize(rows, u);
        m_hp.resize(rows, u);  // h_{t-1} as used, masked; the starting state (or zero) before the first
        this->startState(m_hp, io);
        const S* h0 = this->initialState(io, 0);
        const bool initial = this->m_initial;
        this->packRecurrent(T > 1 || initial, Base::kNotPacked, [&] { m_rkPacked.pack(rk); });
        this->everyStep(B, false, m_rkPacked.bytes(),
                        [&](Eigen::Index t, Eigen::Index first, Eigen::Index n, int productThreads, const auto& rowsOf) {
                            if (t > 0 || initial) {
                                if (t > 0) {
                                    rowsOf([&](Eigen::Index f, Eigen::Index m) { this->previousState(m_hp, m_h, t, f, m); });
                                }
                                m_rkPacked.multiply(this->stepRows(m_hp, t, first), T * u, n, this->stepRows(m_z, t, first),
                                                    T * u, true, productThreads);
                            }
                            rowsOf([&](Eigen::Index f, Eigen::Index m) {
                                act::apply<S>(m_act, rowsAt(m_z, t, f, m), rowsAt(m_h, t, f, m));
                                this->carryState(m_h, t, f, m, h0);
                            });
                        });
        this->writeOutput(io, m_h);
        this->writeState(io, 0, m_h);
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index B = io.batch, T = m_steps, u = m_u, rows = B * T;
        ConstMatMap<S> w(io.params[0], m_in, u);
        ConstMatMap<S> rk(io.params[1], u, u);
        m_dz.resize(rows, u);
        m_dh.setZero(B, u);
        if (this->m_stepMask) m_dhCarry.setZero(B, u);
        const bool initial = this->m_initial;
        this->packRecurrent(T > 1 || initial, Base::kNotPacked, [&] { m_rkPacked.pack(rk.transpose()); });
        this->everyStep(B, true, m_rkPacked.bytes(),
                        [&](Eigen::Index t, Eigen::Index first, Eigen::Index n, int productThreads, const auto& rowsOf) {
                            rowsOf([&](Eigen::Index f, Eigen::Index m) {
                                auto dh = m_dh.middleRows(f, m);
                                this->addOutputGradient(io, t, f, dh);
                                act::backward<S>(m_act, rowsAt(m_z, t, f, m), rowsAt(m_h, t, f, m), dh, rowsAt(m_dz, t, f, m));
                                skipPadding(t, f, m);
                            });
                            if (t == 0 && !initial) return;
                            m_rkPacked.multiply(this->stepRows(m_dz, t, first), T * u, n, m_dh.data() + first * u, u,
                                                false, productThreads);
                            if (m_hMask.active()) {
                                rowsOf([&](Eigen::Index f, Eigen::Index m) {
                                    m_dh.middleRows(f, m).array() *= m_hMask.values().middleRows(f, m).array();
                                });
                            }
                            if (this->m_stepMask) {
                                rowsOf([&](Eigen::Index f, Eigen::Index m) { m_dh.middleRows(f, m) += m_dhCarry.middleRows(f, m); });
                            }
                        });
        // After step 0, m_dh holds what it passed back to h_{-1}: the starting state's gradient.
        if (initial) this->addInitialGradient(io, 0, m_dh);
        MatMap<S>(io.dParams[1], u, u).noalias() += m_hp.transpose() * m_dz;
        MatMap<S>(io.dParams[0], m_in, u).noalias() += this->maskedInput(io).transpose() * m_dz;
        if (m_bias) MatMap<S>(io.dParams[2], 1, u) += m_dz.colwise().sum();
        this->addInputGradient(io, m_dz, w);
    }

private:
    /// A prediction's forward pass (RecurrentKernel::lean): h_t = act(z_t) with z_t as the
    /// keeping pass adds it up, time-major.
    void predict(KernelIO<S>& io) {
        const Eigen::Index T = m_steps, u = m_u;
        ConstMatMap<S> w(io.params[0], m_in, u);
        ConstMatMap<S> rk(io.params[1], u, u);
        const auto h = this->leanStates(io, m_h);
        const S* h0 = this->initialState(io, 0);
        this->packRecurrent(T > 1 || h0, io.weightsVersion, [&] { m_rkPacked.pack(rk); });
        this->leanSteps(io, w, m_bias ? io.params[2] : nullptr, m_rkPacked.bytes(),
                        [&](Eigen::Index t, S* z, Eigen::Index first, Eigen::Index n, int productThreads,
                            const auto& rowsOf) {
                            this->leanRecurrence(h, h0, t, first, n, z, u, true, productThreads);
                            rowsOf([&](Eigen::Index f, Eigen::Index m) {
                                act::apply<S>(m_act, MatMap<S>(z + f * u, m, u), h.rows(t, f, m, u));
                            });
                        });
        this->finishLean(io, h);
    }

    /// A padded step passed h on unchanged: for its rows among [first, first + n), the
    /// gradient goes whole to the step before (m_dhCarry) and the pre-activations get none.
    void skipPadding(Eigen::Index t, Eigen::Index first, Eigen::Index n) {
        if (!this->m_stepMask) return;
        for (Eigen::Index b = first; b < first + n; ++b) {
            if (!this->padded(b, t)) {
                m_dhCarry.row(b).setZero();
                continue;
            }
            m_dhCarry.row(b) = m_dh.row(b);
            rowsAt(m_dz, t, b, 1).setZero();
        }
    }

    Mat<S> m_z, m_h, m_hp, m_dz, m_dh, m_dhCarry;
};

}  // namespace loom
