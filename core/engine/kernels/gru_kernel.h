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
/// With initial_state, h_{-1} comes from input port 1 (else zero); with return_state, h after
/// the last step goes to output port 1.
template <class S>
class GruKernel final : public RecurrentKernel<S> {
    using Base = RecurrentKernel<S>;
    using Base::m_steps, Base::m_in, Base::m_u, Base::m_bias, Base::m_act, Base::m_rec,
        Base::m_hMask, Base::m_rkPacked, Base::step, Base::rowsAt;

public:
    explicit GruKernel(const KernelSetup& s)
        : Base(s, 3), m_resetAfter(s.node.param<bool>("reset_after")) {}

    void forward(KernelIO<S>& io) override {
        if (this->lean(io)) return predict(io);
        const Eigen::Index B = io.batch, T = m_steps, u = m_u, rows = B * T;
        ConstMatMap<S> w(io.params[0], m_in, 3 * u);
        ConstMatMap<S> rk(io.params[1], u, 3 * u);
        this->drawMasks(io);
        m_z.noalias() = this->maskInput(io) * w;  // pre-activations, the input part x W + b_in first
        if (m_bias) this->addBias(m_z, io.params[2]);
        m_g.resize(rows, 3 * u);  // activations
        m_a.resize(rows, 3 * u);  // recurrent part: h U + b_rec (reset_after) or (r * h) U_h
        m_h.resize(rows, u);
        m_hp.resize(rows, u);  // h_{t-1} as used, masked; the starting state (or zero) before the first
        this->startState(m_hp, io);
        m_h0 = this->initialState(io, 0);
        const bool initial = this->m_initial;
        this->packRecurrent(T > 1 || initial, Base::kNotPacked, [&] { packParts(rk); });
        this->everyStep(
            B, false, m_rkPacked.bytes() + m_rkhPacked.bytes(),
            [&](Eigen::Index t, Eigen::Index first, Eigen::Index n, int productThreads, const auto& rowsOf) {
                const auto product = [&](const PackedRhs<S>& packed, Mat<S>& a, Eigen::Index aCol, Mat<S>& c,
                                         Eigen::Index cCol, bool add) {
                    packed.multiply(this->stepRows(a, t, first) + aCol, T * a.cols(), n,
                                    this->stepRows(c, t, first) + cCol, T * c.cols(), add, productThreads);
                };
                // Before the first step the state is zero (unless given), and so is what the
                // products add.
                const bool recurs = t > 0 || initial;
                if (t > 0) rowsOf([&](Eigen::Index f, Eigen::Index m) { this->previousState(m_hp, m_h, t, f, m); });
                if (m_resetAfter) {
                    if (recurs) {
                        product(m_rkPacked, m_hp, 0, m_a, 0, false);
                    } else {
                        rowsOf([&](Eigen::Index f, Eigen::Index m) { rowsAt(m_a, t, f, m).setZero(); });
                    }
                    rowsOf([&](Eigen::Index f, Eigen::Index m) { gatesResetAfter(io, t, f, m); });
                } else {
                    if (recurs) product(m_rkPacked, m_hp, 0, m_z, 0, true);
                    rowsOf([&](Eigen::Index f, Eigen::Index m) { resetGate(t, f, m); });
                    if (recurs) product(m_rkhPacked, m_a, 0, m_z, 2 * u, true);
                    rowsOf([&](Eigen::Index f, Eigen::Index m) { candidate(t, f, m); });
                }
            });
        this->writeOutput(io, m_h);
        this->writeState(io, 0, m_h);
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index B = io.batch, T = m_steps, u = m_u, rows = B * T;
        ConstMatMap<S> w(io.params[0], m_in, 3 * u);
        ConstMatMap<S> rk(io.params[1], u, 3 * u);
        MatMap<S> drk(io.dParams[1], u, 3 * u);
        m_dz.resize(rows, 3 * u);
        m_dhNext.setZero(B, u);
        m_dh.resize(B, u);
        m_tmp.resize(B, u);
        if (m_resetAfter) {
            m_da.resize(rows, 3 * u);
        } else {
            m_drh.resize(B, u);
        }
        const bool initial = this->m_initial;
        this->packRecurrent(T > 1 || initial, Base::kNotPacked, [&] { packParts(rk, true); });
        this->everyStep(
            B, true, m_rkPacked.bytes() + m_rkhPacked.bytes(),
            [&](Eigen::Index t, Eigen::Index first, Eigen::Index n, int productThreads, const auto& rowsOf) {
                const auto product = [&](const PackedRhs<S>& packed, Mat<S>& a, Eigen::Index aCol, Mat<S>& c) {
                    packed.multiply(this->stepRows(a, t, first) + aCol, T * a.cols(), n, c.data() + first * u, u,
                                    false, productThreads);
                };
                rowsOf([&](Eigen::Index f, Eigen::Index m) { outputGradients(io, t, f, m); });
                if (!m_resetAfter) {
                    product(m_rkhPacked, m_dz, 2 * u, m_drh);  // d (r * h) from the candidate's product
                    rowsOf([&](Eigen::Index f, Eigen::Index m) { resetGradient(t, f, m); });
                }
                if (t == 0 && !initial) return;  // no h_{-1} to pass a gradient to
                // d h_{t-1} through the recurrent products, in m_tmp.
                product(m_rkPacked, m_resetAfter ? m_da : m_dz, 0, m_tmp);
                rowsOf([&](Eigen::Index f, Eigen::Index m) { previousStateGradient(t, f, m); });
            });
        // After step 0, m_dhNext holds the starting state's gradient.
        if (initial) this->addInitialGradient(io, 0, m_dhNext);
        // The recurrent kernel's gradient as products over every step at once.
        if (m_resetAfter) {
            drk.noalias() += m_hp.transpose() * m_da;
        } else {
            drk.leftCols(2 * u).noalias() += m_hp.transpose() * m_dz.leftCols(2 * u);
            drk.rightCols(u).noalias() += m_a.leftCols(u).transpose() * m_dz.rightCols(u);
        }
        MatMap<S>(io.dParams[0], m_in, 3 * u).noalias() += this->maskedInput(io).transpose() * m_dz;
        if (m_bias) {
            MatMap<S>(io.dParams[2], 1, 3 * u) += m_dz.colwise().sum();
            if (m_resetAfter) MatMap<S>(io.dParams[2] + 3 * u, 1, 3 * u) += m_da.colwise().sum();
        }
        this->addInputGradient(io, m_dz, w);
    }

private:
    /// A prediction's forward pass (RecurrentKernel::lean): the keeping pass's arithmetic,
    /// time-major, with the gates in place of the pre-activations. m_a holds one step: h U +
    /// b_rec (reset_after), or r * h.
    void predict(KernelIO<S>& io) {
        const Eigen::Index B = io.batch, T = m_steps, u = m_u;
        ConstMatMap<S> w(io.params[0], m_in, 3 * u);
        ConstMatMap<S> rk(io.params[1], u, 3 * u);
        const auto h = this->leanStates(io, m_h);
        m_a.resize(B, m_resetAfter ? 3 * u : u);
        const S* h0 = this->initialState(io, 0);
        this->packRecurrent(T > 1 || h0, io.weightsVersion, [&] { packParts(rk); });
        const S* recurrentBias = m_bias && m_resetAfter ? io.params[2] + 3 * u : nullptr;
        this->leanSteps(
            io, w, m_bias ? io.params[2] : nullptr, m_rkPacked.bytes() + m_rkhPacked.bytes(),
            [&](Eigen::Index t, S* z, Eigen::Index first, Eigen::Index n, int productThreads, const auto& rowsOf) {
                const auto zRows = [&](Eigen::Index f, Eigen::Index m) { return MatMap<S>(z + f * 3 * u, m, 3 * u); };
                const auto state = [&](Eigen::Index f, Eigen::Index m) {
                    auto g = zRows(f, m);
                    auto next = h.rows(t, f, m, u);
                    const auto zg = g.leftCols(u).array();
                    if (const auto [hp, lda] = this->leanPrevious(h, h0, t, f); hp) {
                        const auto prev = ConstStridedMap<S>(hp, m, u, Eigen::OuterStride<>(lda)).array();
                        next.array() = zg * prev + (S(1) - zg) * g.rightCols(u).array();
                    } else {
                        next.array() = (S(1) - zg) * g.rightCols(u).array();
                    }
                };
                if (m_resetAfter) {
                    const bool recurs = this->leanRecurrence(h, h0, t, first, n, m_a.data(), 3 * u, false, productThreads);
                    rowsOf([&](Eigen::Index f, Eigen::Index m) {
                        auto g = zRows(f, m);
                        auto a = m_a.middleRows(f, m);
                        if (!recurs) a.setZero();
                        if (recurrentBias) a.rowwise() += ConstMatMap<S>(recurrentBias, 1, 3 * u).row(0);
                        g.leftCols(2 * u) += a.leftCols(2 * u);
                        act::apply<S>(m_rec, g.leftCols(2 * u), g.leftCols(2 * u));
                        g.rightCols(u).array() += g.middleCols(u, u).array() * a.rightCols(u).array();
                        act::apply<S>(m_act, g.rightCols(u), g.rightCols(u));
                        state(f, m);
                    });
                    return;
                }
                const bool recurs = this->leanRecurrence(h, h0, t, first, n, z, 3 * u, true, productThreads);
                rowsOf([&](Eigen::Index f, Eigen::Index m) {
                    auto g = zRows(f, m);
                    act::apply<S>(m_rec, g.leftCols(2 * u), g.leftCols(2 * u));
                    if (const auto [p, pStride] = this->leanPrevious(h, h0, t, f); p) {
                        m_a.middleRows(f, m).array() =
                            g.middleCols(u, u).array() * ConstStridedMap<S>(p, m, u, Eigen::OuterStride<>(pStride)).array();
                    }
                });
                if (recurs) m_rkhPacked.multiply(m_a.data() + first * u, u, n, z + first * 3 * u + 2 * u, 3 * u, true, productThreads);
                rowsOf([&](Eigen::Index f, Eigen::Index m) {
                    auto g = zRows(f, m);
                    act::apply<S>(m_act, g.rightCols(u), g.rightCols(u));
                    state(f, m);
                });
            });
        this->finishLean(io, h);
    }

    /// h_t = z * h_{t-1} + (1 - z) * hh, from the update gate and the candidate in m_g.
    void newState(Eigen::Index t, Eigen::Index first, Eigen::Index n) {
        const Eigen::Index u = m_u;
        auto g = rowsAt(m_g, t, first, n);
        auto h = rowsAt(m_h, t, first, n);
        const auto zg = g.leftCols(u).array();
        if (t > 0) {
            h.array() = zg * rowsAt(m_h, t - 1, first, n).array() + (S(1) - zg) * g.rightCols(u).array();
        } else if (m_h0) {
            h.array() = zg * startRows(first, n).array() + (S(1) - zg) * g.rightCols(u).array();
        } else {
            h.array() = (S(1) - zg) * g.rightCols(u).array();
        }
        this->carryState(m_h, t, first, n, m_h0);
    }

    /// reset_after: the gates from a = h U (+ b_rec), then the new state.
    void gatesResetAfter(const KernelIO<S>& io, Eigen::Index t, Eigen::Index first, Eigen::Index n) {
        const Eigen::Index u = m_u;
        auto z = rowsAt(m_z, t, first, n), g = rowsAt(m_g, t, first, n), a = rowsAt(m_a, t, first, n);
        if (m_bias) a.rowwise() += ConstMatMap<S>(io.params[2] + 3 * u, 1, 3 * u).row(0);
        z.leftCols(2 * u) += a.leftCols(2 * u);
        act::apply<S>(m_rec, z.leftCols(2 * u), g.leftCols(2 * u));
        z.rightCols(u).array() += g.middleCols(u, u).array() * a.rightCols(u).array();
        act::apply<S>(m_act, z.rightCols(u), g.rightCols(u));
        newState(t, first, n);
    }

    /// reset_after=False: the update and reset gates, and r * h for the candidate's product.
    void resetGate(Eigen::Index t, Eigen::Index first, Eigen::Index n) {
        const Eigen::Index u = m_u;
        auto z = rowsAt(m_z, t, first, n), g = rowsAt(m_g, t, first, n), a = rowsAt(m_a, t, first, n);
        act::apply<S>(m_rec, z.leftCols(2 * u), g.leftCols(2 * u));
        a.leftCols(u).array() = g.middleCols(u, u).array() * rowsAt(m_hp, t, first, n).array();  // r * h
    }

    /// reset_after=False: the candidate from x W_h + (r * h) U_h, then the new state.
    void candidate(Eigen::Index t, Eigen::Index first, Eigen::Index n) {
        const Eigen::Index u = m_u;
        auto z = rowsAt(m_z, t, first, n), g = rowsAt(m_g, t, first, n);
        act::apply<S>(m_act, z.rightCols(u), g.rightCols(u));
        newState(t, first, n);
    }

    /// Backward through h = z * prev + (1 - z) * hh: the candidate's and the update gate's dz,
    /// the part of d h_{t-1} through z * prev, and (reset_after) the reset gate's dz and da.
    void outputGradients(const KernelIO<S>& io, Eigen::Index t, Eigen::Index first, Eigen::Index n) {
        const Eigen::Index u = m_u;
        auto dh = m_dh.middleRows(first, n), tmp = m_tmp.middleRows(first, n), dhNext = m_dhNext.middleRows(first, n);
        dh = dhNext;
        this->addOutputGradient(io, t, first, dh);
        auto z = rowsAt(m_z, t, first, n), g = rowsAt(m_g, t, first, n), dz = rowsAt(m_dz, t, first, n);
        tmp.array() = dh.array() * (S(1) - g.leftCols(u).array());  // d hh
        act::backward<S>(m_act, z.rightCols(u), g.rightCols(u), tmp, dz.rightCols(u));
        if (t > 0) {  // d z
            tmp.array() = dh.array() * (rowsAt(m_h, t - 1, first, n).array() - g.rightCols(u).array());
        } else if (m_h0) {
            tmp.array() = dh.array() * (startRows(first, n).array() - g.rightCols(u).array());
        } else {
            tmp.array() = -dh.array() * g.rightCols(u).array();
        }
        act::backward<S>(m_rec, z.leftCols(u), g.leftCols(u), tmp, dz.leftCols(u));
        dhNext.array() = dh.array() * g.leftCols(u).array();  // through z * prev
        if (m_resetAfter) {
            auto a = rowsAt(m_a, t, first, n), da = rowsAt(m_da, t, first, n);
            tmp.array() = dz.rightCols(u).array() * a.rightCols(u).array();  // d r
            act::backward<S>(m_rec, z.middleCols(u, u), g.middleCols(u, u), tmp, dz.middleCols(u, u));
            da.leftCols(2 * u) = dz.leftCols(2 * u);
            da.rightCols(u).array() = dz.rightCols(u).array() * g.middleCols(u, u).array();
        }
        // A padded step passed h on unchanged: its gradient goes whole to the step before, and
        // the gates have none (so neither do the products that follow).
        for (Eigen::Index i = 0; i < n && this->m_stepMask; ++i) {
            if (!this->padded(first + i, t)) continue;
            dz.row(i).setZero();
            if (m_resetAfter) rowsAt(m_da, t, first, n).row(i).setZero();
            dhNext.row(i) = dh.row(i);
        }
    }

    /// reset_after=False: the reset gate's dz from d (r * h), which m_drh holds.
    void resetGradient(Eigen::Index t, Eigen::Index first, Eigen::Index n) {
        const Eigen::Index u = m_u;
        auto tmp = m_tmp.middleRows(first, n);
        auto z = rowsAt(m_z, t, first, n), g = rowsAt(m_g, t, first, n), dz = rowsAt(m_dz, t, first, n);
        tmp.array() = m_drh.middleRows(first, n).array() * rowsAt(m_hp, t, first, n).array();  // d r
        act::backward<S>(m_rec, z.middleCols(u, u), g.middleCols(u, u), tmp, dz.middleCols(u, u));
    }

    /// Adds what the recurrent products pass back (in m_tmp) to d h_{t-1}, through the mask.
    void previousStateGradient(Eigen::Index t, Eigen::Index first, Eigen::Index n) {
        auto tmp = m_tmp.middleRows(first, n);
        if (!m_resetAfter) {  // and through r * h_{t-1}
            tmp.array() += m_drh.middleRows(first, n).array() * rowsAt(m_g, t, first, n).middleCols(m_u, m_u).array();
        }
        if (m_hMask.active()) tmp.array() *= m_hMask.values().middleRows(first, n).array();
        m_dhNext.middleRows(first, n) += tmp;
    }

    /// Packs the recurrent kernel for the steps' products (transposed for the backward pass):
    /// all of it into m_rkPacked with reset_after, else its update and reset columns there
    /// and its candidate columns into m_rkhPacked, since r * h_{t-1} comes before them.
    void packParts(const ConstMatMap<S>& rk, bool transposed = false) {
        const auto gates = rk.leftCols(m_resetAfter ? 3 * m_u : 2 * m_u);
        if (transposed) {
            m_rkPacked.pack(gates.transpose());
            if (!m_resetAfter) m_rkhPacked.pack(rk.rightCols(m_u).transpose());
        } else {
            m_rkPacked.pack(gates);
            if (!m_resetAfter) m_rkhPacked.pack(rk.rightCols(m_u));
        }
    }

    /// Rows [first, first + n) of this batch's starting state h_{-1}, as given (unmasked).
    auto startRows(Eigen::Index first, Eigen::Index n) const {
        return ConstMatMap<S>(m_h0, m_h.rows() / m_steps, m_u).middleRows(first, n);
    }

    bool m_resetAfter;
    const S* m_h0 = nullptr;  ///< this batch's starting state (B x units), or null: zero
    Mat<S> m_z, m_g, m_a, m_h, m_hp, m_dz, m_dh, m_dhNext, m_tmp, m_da, m_drh;
    /// The recurrent kernel's candidate columns, packed apart without reset_after (transposed
    /// in the backward pass); see packParts.
    PackedRhs<S> m_rkhPacked;
};

}  // namespace loom
