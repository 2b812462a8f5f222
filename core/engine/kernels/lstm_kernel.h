#pragma once

#include "engine/kernels/packed_product.h"
#include "engine/kernels/recurrent_kernel.h"
#include "engine/kernels/row_chunks.h"

namespace loom {

/// Keras LSTM, gates i, f, c, o in blocks of `units` columns:
///   z_t = x_t W + h_{t-1} U + b;  i, f, o = rec_act(z); g = act(z_c)
///   c_t = f * c_{t-1} + i * g;    h_t = o * act(c_t)
/// Backward is backpropagation through time over the kept gates and cell states. dropout and
/// recurrent_dropout use one mask per sample for the whole sequence, as Keras does. With
/// initial_state, h_{-1} and c_{-1} come from input ports 1 and 2 (else zeros); with
/// return_state, h and c after the last step go to output ports 1 and 2.
template <class S>
class LstmKernel final : public RecurrentKernel<S> {
    using Base = RecurrentKernel<S>;
    using Base::m_steps, Base::m_in, Base::m_u, Base::m_bias, Base::m_act, Base::m_rec,
        Base::m_hMask, Base::m_rkPacked, Base::step, Base::rowsAt;

public:
    explicit LstmKernel(const KernelSetup& s)
        : Base(s, 4) {}

    void forward(KernelIO<S>& io) override {
        if (this->lean(io)) return predict(io);
        const Eigen::Index B = io.batch, T = m_steps, u = m_u, rows = B * T;
        ConstMatMap<S> w(io.params[0], m_in, 4 * u);
        ConstMatMap<S> rk(io.params[1], u, 4 * u);
        this->drawMasks(io);
        m_z.noalias() = this->maskInput(io) * w;
        if (m_bias) this->addBias(m_z, io.params[2]);
        m_g.resize(rows, 4 * u);
        m_c.resize(rows, u);
        m_ac.resize(rows, u);
        m_h.resize(rows, u);
        // h_{t-1} as the recurrent product uses it (masked), per step: the starting state (or
        // zero) before the first, the others written by the step before.
        m_hp.resize(rows, u);
        this->startState(m_hp, io);
        m_h0 = this->initialState(io, 0);
        m_c0 = this->initialState(io, 1);
        const bool initial = this->m_initial;
        this->packRecurrent(T > 1 || initial, Base::kNotPacked, [&] { m_rkPacked.pack(rk); });
        this->everyStep(B, false, m_rkPacked.bytes(),
                        [&](Eigen::Index t, Eigen::Index first, Eigen::Index n, int productThreads, const auto& rowsOf) {
                            // h_{t-1}, masked, is in m_hp: the last step's gate math put it there.
                            if (t > 0 || initial) {
                                m_rkPacked.multiply(this->stepRows(m_hp, t, first), T * u, n,
                                                    this->stepRows(m_z, t, first), T * 4 * u, true, productThreads);
                            }
                            rowsOf([&](Eigen::Index f, Eigen::Index m) { gates(t, f, m); });
                        });
        this->writeOutput(io, m_h);
        this->writeState(io, 0, m_h);
        this->writeState(io, 1, m_c);
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index B = io.batch, T = m_steps, u = m_u, rows = B * T;
        ConstMatMap<S> w(io.params[0], m_in, 4 * u);
        ConstMatMap<S> rk(io.params[1], u, 4 * u);
        MatMap<S> drk(io.dParams[1], u, 4 * u);
        m_dz.resize(rows, 4 * u);
        m_dhNext.setZero(B, u);
        m_dcNext.setZero(B, u);
        if (const S* dcState = this->stateGradient(io, 1)) m_dcNext = ConstMatMap<S>(dcState, B, u);  // return_state's c
        const bool initial = this->m_initial;
        m_dh.resize(B, u);
        m_dc.resize(B, u);
        m_tmp.resize(B, u);
        if (this->m_stepMask) {
            m_dhCarry.setZero(B, u);
            m_dcKeep.resize(B, u);
        }
        this->packRecurrent(T > 1 || initial, Base::kNotPacked, [&] { m_rkPacked.pack(rk.transpose()); });
        this->everyStep(B, true, m_rkPacked.bytes(),
                        [&](Eigen::Index t, Eigen::Index first, Eigen::Index n, int productThreads, const auto& rowsOf) {
                            rowsOf([&](Eigen::Index f, Eigen::Index m) { gateGradients(io, t, f, m); });
                            // The mask on h_{t-1} applies when the step before reads the gradient.
                            if (t > 0 || initial) {
                                m_rkPacked.multiply(this->stepRows(m_dz, t, first), T * 4 * u, n,
                                                    m_dhNext.data() + first * u, u, false, productThreads);
                            }
                        });
        // One product over every step for the recurrent kernel's gradient (h_{-1} rows are the
        // starting state, or 0).
        drk.noalias() += m_hp.transpose() * m_dz;
        if (initial) {
            // What step 0 passed back: to h_{-1} through the recurrent dropout mask, plus what
            // padded first steps carried whole; to c_{-1} through the forget gate.
            if (m_hMask.active()) m_dhNext.array() *= m_hMask.values().array();
            if (this->m_stepMask) m_dhNext += m_dhCarry;
            this->addInitialGradient(io, 0, m_dhNext);
            this->addInitialGradient(io, 1, m_dcNext);
        }
        MatMap<S>(io.dParams[0], m_in, 4 * u).noalias() += this->maskedInput(io).transpose() * m_dz;
        if (m_bias) MatMap<S>(io.dParams[2], 1, 4 * u) += m_dz.colwise().sum();
        this->addInputGradient(io, m_dz, w);
    }

private:
    /// A prediction's forward pass (RecurrentKernel::lean): the same arithmetic, time-major,
    /// with the gates in place of the pre-activations and only the current cell state.
    void predict(KernelIO<S>& io) {
        const Eigen::Index B = io.batch, T = m_steps, u = m_u;
        ConstMatMap<S> w(io.params[0], m_in, 4 * u);
        ConstMatMap<S> rk(io.params[1], u, 4 * u);
        const auto h = this->leanStates(io, m_h);
        const S* h0 = this->initialState(io, 0);
        const S* c0 = this->initialState(io, 1);
        if (c0) {
            m_c = ConstMatMap<S>(c0, B, u);
        } else {
            m_c.resize(B, u);
        }
        this->packRecurrent(T > 1 || h0, io.weightsVersion, [&] { m_rkPacked.pack(rk); });
        this->leanSteps(io, w, m_bias ? io.params[2] : nullptr, m_rkPacked.bytes(),
                        [&](Eigen::Index t, S* z, Eigen::Index first, Eigen::Index n, int productThreads,
                            const auto& rowsOf) {
                            this->leanRecurrence(h, h0, t, first, n, z, 4 * u, true, productThreads);
                            rowsOf([&](Eigen::Index f, Eigen::Index m) {
                                leanGates(MatMap<S>(z + f * 4 * u, m, 4 * u), m_c.middleRows(f, m), h.rows(t, f, m, u),
                                          t > 0 || c0);
                            });
                        });
        this->finishLean(io, h);
        if (io.moreOut.size() > 1 && io.moreOut[1]) MatMap<S>(io.moreOut[1], B, u) = m_c;
    }

    /// One step of the lean path for some rows: z turns into the gates i, f, c, o in place,
    /// then the cell state c (carried over unless this is the first step without a starting
    /// state) and h = o * act(c), act(c) taking i's place.
    void leanGates(MatRef<S> z, MatRef<S> c, MatRef<S> h, bool carry) const {
        const Eigen::Index u = m_u;
        act::apply<S>(m_rec, z.leftCols(2 * u), z.leftCols(2 * u));
        act::apply<S>(m_act, z.middleCols(2 * u, u), z.middleCols(2 * u, u));
        act::apply<S>(m_rec, z.rightCols(u), z.rightCols(u));
        // c = i * g, then + f * c_{t-1}, in the order the keeping pass adds them (h holds the sum).
        h.array() = z.leftCols(u).array() * z.middleCols(2 * u, u).array();
        if (carry) h.array() += z.middleCols(u, u).array() * c.array();
        c = h;
        act::apply<S>(m_act, c, z.leftCols(u));
        h.array() = z.rightCols(u).array() * z.leftCols(u).array();
    }

    /// Step t's gates, cell and hidden state from its pre-activations z, for rows
    /// [first, first + n) of the batch.
    void gates(Eigen::Index t, Eigen::Index first, Eigen::Index n) {
        const Eigen::Index u = m_u;
        const auto z = rowsAt(m_z, t, first, n);
        auto g = rowsAt(m_g, t, first, n);
        act::apply<S>(m_rec, z.leftCols(2 * u), g.leftCols(2 * u));
        act::apply<S>(m_act, z.middleCols(2 * u, u), g.middleCols(2 * u, u));
        act::apply<S>(m_rec, z.rightCols(u), g.rightCols(u));
        auto c = rowsAt(m_c, t, first, n);
        c.array() = g.leftCols(u).array() * g.middleCols(2 * u, u).array();
        if (t > 0) {
            c.array() += g.middleCols(u, u).array() * rowsAt(m_c, t - 1, first, n).array();
        } else if (m_c0) {
            c.array() += g.middleCols(u, u).array() * ConstMatMap<S>(m_c0, m_h.rows() / m_steps, u).middleRows(first, n).array();
        }
        auto ac = rowsAt(m_ac, t, first, n);
        act::apply<S>(m_act, c, ac);
        rowsAt(m_h, t, first, n).array() = g.rightCols(u).array() * ac.array();
        this->carryState(m_c, t, first, n, m_c0);
        this->carryState(m_h, t, first, n, m_h0);
        if (t + 1 < m_steps) this->previousState(m_hp, m_h, t + 1, first, n);  // for the next step's product
    }

    /// Backward through step t's gates for rows [first, first + n): from the hidden state's
    /// gradient (the next step's and the output's) and the cell's, the pre-activations'
    /// gradient dz and the cell gradient the step before receives.
    void gateGradients(const KernelIO<S>& io, Eigen::Index t, Eigen::Index first, Eigen::Index n) {
        const Eigen::Index u = m_u;
        const auto part = [&](Mat<S>& m) { return m.middleRows(first, n); };
        auto dh = part(m_dh), dc = part(m_dc), tmp = part(m_tmp), dcNext = part(m_dcNext);
        if (m_hMask.active()) {
            dh.array() = part(m_dhNext).array() * m_hMask.values().middleRows(first, n).array();
        } else {
            dh = part(m_dhNext);
        }
        if (this->m_stepMask) {
            dh += part(m_dhCarry);
            part(m_dcKeep) = dcNext;
        }
        this->addOutputGradient(io, t, first, dh);
        const auto g = rowsAt(m_g, t, first, n), z = rowsAt(m_z, t, first, n);
        const auto c = rowsAt(m_c, t, first, n), ac = rowsAt(m_ac, t, first, n);
        auto dz = rowsAt(m_dz, t, first, n);
        // Output gate and cell.
        tmp.array() = dh.array() * ac.array();  // d o
        act::backward<S>(m_rec, z.rightCols(u), g.rightCols(u), tmp, dz.rightCols(u));
        tmp.array() = dh.array() * g.rightCols(u).array();  // d act(c)
        act::backward<S>(m_act, c, ac, tmp, dc);
        dc += dcNext;
        // Input, forget and candidate gates.
        tmp.array() = dc.array() * g.middleCols(2 * u, u).array();
        act::backward<S>(m_rec, z.leftCols(u), g.leftCols(u), tmp, dz.leftCols(u));
        if (t > 0) {
            tmp.array() = dc.array() * rowsAt(m_c, t - 1, first, n).array();
            act::backward<S>(m_rec, z.middleCols(u, u), g.middleCols(u, u), tmp, dz.middleCols(u, u));
        } else if (m_c0) {
            tmp.array() = dc.array() * ConstMatMap<S>(m_c0, m_dh.rows(), u).middleRows(first, n).array();
            act::backward<S>(m_rec, z.middleCols(u, u), g.middleCols(u, u), tmp, dz.middleCols(u, u));
        } else {
            dz.middleCols(u, u).setZero();
        }
        tmp.array() = dc.array() * g.leftCols(u).array();
        act::backward<S>(m_act, z.middleCols(2 * u, u), g.middleCols(2 * u, u), tmp, dz.middleCols(2 * u, u));
        dcNext.array() = dc.array() * g.middleCols(u, u).array();
        if (!this->m_stepMask) return;
        // A padded step passed h and c on unchanged: their gradients go whole to the step
        // before, and its gates have none.
        for (Eigen::Index i = 0; i < n; ++i) {
            if (!this->padded(first + i, t)) {
                m_dhCarry.row(first + i).setZero();
                continue;
            }
            m_dhCarry.row(first + i) = dh.row(i);
            dz.row(i).setZero();
            dcNext.row(i) = m_dcKeep.row(first + i);
        }
    }

    Mat<S> m_z, m_g, m_c, m_ac, m_h, m_hp, m_dz, m_dh, m_dc, m_dhNext, m_dcNext, m_tmp;
    Mat<S> m_dhCarry, m_dcKeep;  ///< with a step mask: what padding passes back, and the c gradient it keeps
    const S* m_h0 = nullptr;  ///< this batch's starting states (B x units), or null: zeros
    const S* m_c0 = nullptr;
};

}  // namespace loom
