#pragma once

#include <algorithm>

#include "engine/activation.h"
#include "engine/kernel.h"
#include "engine/kernels/dropout_masks.h"
#include "engine/kernels/packed_product.h"
#include "engine/kernels/row_chunks.h"

namespace loom {

/// What the LSTM, GRU and SimpleRNN kernels share: their Keras parameters, dropout masks, the
/// per-step views of (batch * time) x n matrices, how threads share a pass, and where the input,
/// the output and their gradients go.
template <class S>
class RecurrentKernel : public Kernel<S> {
protected:
    RecurrentKernel(const KernelSetup& s, std::int64_t gates)
        : m_steps(s.inputs.front()[0]),
          m_in(s.inputs.front()[1]),
          m_u(s.node.param<std::int64_t>("units")),
          m_gates(gates),
          m_bias(s.node.param<bool>("use_bias")),
          m_sequences(s.node.param<bool>("return_sequences")),
          m_act(parseActivation(s.node.param<std::string>("activation")).value_or(Activation::Tanh)),
          m_rec(parseActivation(s.node.param<std::string>("recurrent_activation"))
                    .value_or(Activation::Sigmoid)),
          m_dropout(s.node.param<double>("dropout")),
          m_recurrentDropout(s.node.param<double>("recurrent_dropout")),
          m_initial(s.inputs.size() > 1) {}

    /// Starting state k (B x units) from the input port after the sequence's, or null when the
    /// layer starts from zeros (no initial_state).
    const S* initialState(const KernelIO<S>& io, std::size_t k) const {
        return m_initial && k + 1 < io.in.size() ? io.in[k + 1] : nullptr;
    }

    /// h_{-1} as step 0's recurrent product reads it: the starting h through the recurrent
    /// dropout mask, or zero.
    void startState(Mat<S>& hp, const KernelIO<S>& io) const {
        auto first = step(hp, 0);
        if (const S* h0 = initialState(io, 0)) {
            first = ConstMatMap<S>(h0, io.batch, m_u);
            if (m_hMask.active()) first.array() *= m_hMask.values().array();
        } else {
            first.setZero();
        }
    }

    /// With return_state: state k after the last step (`state` is (batch * time) x units).
    void writeState(KernelIO<S>& io, std::size_t k, Mat<S>& state) const {
        if (k < io.moreOut.size() && io.moreOut[k]) MatMap<S>(io.moreOut[k], io.batch, m_u) = step(state, m_steps - 1);
    }

    /// The gradient of the loss with respect to state k after the last step (B x units), or
    /// null when nothing reads it.
    const S* stateGradient(const KernelIO<S>& io, std::size_t k) const {
        return k < io.dMoreOut.size() ? io.dMoreOut[k] : nullptr;
    }

    /// Adds `d` (B x units) to the gradient of starting state k.
    void addInitialGradient(KernelIO<S>& io, std::size_t k, const Mat<S>& d) const {
        if (m_initial && k + 1 < io.dIn.size() && io.dIn[k + 1]) MatMap<S>(io.dIn[k + 1], io.batch, m_u) += d;
    }

    /// Rows of step t of a (batch * time) x n matrix.
    StridedMap<S> step(Mat<S>& m, Eigen::Index t) const {
        return StridedMap<S>(m.data() + t * m.cols(), m.rows() / m_steps, m.cols(),
                             Eigen::OuterStride<>(m_steps * m.cols()));
    }

    /// Rows [first, first + n) of step t of a (batch * time) x n matrix.
    auto rowsAt(Mat<S>& m, Eigen::Index t, Eigen::Index first, Eigen::Index n) const {
        return step(m, t).middleRows(first, n);
    }

    /// Rows [first, ...) of step t of a (batch * time) x n matrix, as a pointer for the packed
    /// products; the rows are m_steps * n apart.
    S* stepRows(Mat<S>& m, Eigen::Index t, Eigen::Index first) const {
        return m.data() + (first * m_steps + t) * m.cols();
    }

    /// Runs run(t, first, n, productThreads, elementwise) for every step, t = 0, 1, ... or, when
    /// `backward`, from the last step back; each call covers rows [first, first + n) of the
    /// batch, its step's products run on productThreads threads and its element-wise work goes
    /// through elementwise(f), which calls f(first, n) over rows. Samples never meet in the
    /// recurrence: while the packed recurrent kernels (`packedBytes`) fit in half a core's own
    /// cache, each thread runs every step for its share of the batch, with no hand-over between
    /// steps. A larger kernel would then be read whole by every thread at every step; instead
    /// each step's products are split by the kernel's columns and its element-wise work by rows.
    template <class Run>
    void everyStep(Eigen::Index batch, bool backward, std::size_t packedBytes, Run&& run) const {
        stepsIn(batch, 0, m_steps, backward, packedBytes, run);
    }

    /// everyStep for steps [from, to) only. With `manyRows`, the threads also share by samples
    /// when each has at least kManyRows rows: the kernel is then read from the shared cache at
    /// each step, but each of its panels serves that many rows, and no step hands over.
    template <class Run>
    void stepsIn(Eigen::Index batch, Eigen::Index from, Eigen::Index to, bool backward, std::size_t packedBytes,
                 Run&& run, bool manyRows = false) const {
        const int threads = kernelThreads();
        const Eigen::Index width = m_gates * m_u;
        const auto inOrder = [&](const auto& body) {
            for (Eigen::Index i = from; i < to; ++i) body(backward ? to - 1 - (i - from) : i);
        };
        if (threads <= 1 || packedBytes <= coreCacheBytes() / 2 || (manyRows && batch >= kManyRows * threads)) {
            inRowChunks(batch, (to - from) * width, threads, [&](Eigen::Index first, Eigen::Index n) {
                const auto mine = [&](const auto& f) { f(first, n); };
                inOrder([&](Eigen::Index t) { run(t, first, n, 1, mine); });
            });
        } else {
            const auto shared = [&](const auto& f) { inRowChunks(batch, width, threads, f); };
            inOrder([&](Eigen::Index t) { run(t, Eigen::Index{0}, batch, threads, shared); });
        }
    }

    /// The lean path's loop over the steps (see lean()). The input's part of the
    /// pre-activations, bias + x W (no bias when null), is computed a block of steps at a
    /// time, as many as keep the block within half a core's cache, time-major (the block's row
    /// (t - t0) * batch + b is sample b's step t), each thread for the rows it runs. Then, as
    /// everyStep does, for each step of the block step(t, z, first, n, productThreads,
    /// elementwise), where z points at the row of
    /// sample 0 of step t, rows w.cols() apart; the step adds its recurrent part and turns z
    /// into its gates in place. W stays packed from one prediction to the next while the
    /// weights stay the same (KernelIO::weightsVersion); so do the kernels' recurrent kernels.
    template <class Step>
    void leanSteps(const KernelIO<S>& io, const ConstMatMap<S>& w, const S* bias, std::size_t packedBytes, Step&& step) {
        const Eigen::Index B = io.batch, T = m_steps, width = w.cols();
        if (m_wPackedFor != io.weightsVersion) {
            m_wPacked.pack(w);
            m_wPackedFor = io.weightsVersion;
        }
        m_x.resize(T * B, m_in);
        for (Eigen::Index t = 0; t < T; ++t) {
            m_x.middleRows(t * B, B) = ConstStridedMap<S>(io.in[0] + t * m_in, B, m_in, Eigen::OuterStride<>(T * m_in));
        }
        const auto stepBytes = static_cast<std::size_t>(B * width) * sizeof(S);
        const Eigen::Index block = std::clamp<Eigen::Index>(
            static_cast<Eigen::Index>(coreCacheBytes() / 2 / std::max<std::size_t>(stepBytes, 1)), 1, T);
        m_zBlock.resize(block * B, width);
        for (Eigen::Index t0 = 0; t0 < T; t0 += block) {
            const Eigen::Index steps = std::min(block, T - t0);
            S* z = m_zBlock.data();
            // The block's input part, by whoever runs its first step for those rows: rows of
            // all its steps at once when they lie together (the whole batch), else step by step.
            const auto project = [&](Eigen::Index first, Eigen::Index n, int threads) {
                const bool together = n == B;
                for (Eigen::Index s = 0; s < (together ? 1 : steps); ++s) {
                    const Eigen::Index rows = together ? steps * B : n, at = s * B + first;
                    if (bias) {
                        for (Eigen::Index r = at; r < at + rows; ++r) std::copy_n(bias, width, z + r * width);
                    }
                    m_wPacked.multiply(m_x.data() + (t0 * B + at) * m_in, m_in, rows, z + at * width, width,
                                       bias != nullptr, threads);
                }
            };
            stepsIn(B, t0, t0 + steps, false, packedBytes,
                    [&](Eigen::Index t, Eigen::Index first, Eigen::Index n, int productThreads, const auto& rowsOf) {
                        if (t == t0) project(first, n, productThreads);
                        step(t, z + (t - t0) * B * width, first, n, productThreads, rowsOf);
                    },
                    true);
        }
    }

    /// Draws this batch's dropout masks (inactive outside training), and keeps its step mask.
    void drawMasks(KernelIO<S>& io) {
        m_stepMask = io.inMask;
        m_xMask.draw(io, io.batch, m_in, m_dropout);
        m_hMask.draw(io, io.batch, m_u, m_recurrentDropout);
    }

    /// The input as the kernel uses it: the layer's input, or with dropout a copy through this
    /// batch's mask. maskInput makes that copy (forward); maskedInput reads it again (backward).
    ConstMatMap<S> maskInput(const KernelIO<S>& io) {
        if (m_xMask.active()) {
            m_x = ConstMatMap<S>(io.in[0], io.batch * m_steps, m_in);
            m_xMask.applyPerStep(m_x, m_steps);
        }
        return maskedInput(io);
    }
    ConstMatMap<S> maskedInput(const KernelIO<S>& io) const {
        return ConstMatMap<S>(m_xMask.active() ? m_x.data() : io.in[0], io.batch * m_steps, m_in);
    }

    /// Adds the bias row to every row of z, the rows shared between the threads.
    void addBias(Mat<S>& z, const S* bias) const {
        const auto row = ConstMatMap<S>(bias, 1, z.cols()).row(0);
        inRowChunks(z.rows(), z.cols(), kernelThreads(),
                    [&](Eigen::Index first, Eigen::Index n) { z.middleRows(first, n).rowwise() += row; });
    }

    /// h_{t-1} as step t's recurrent product reads it: h's rows of step t - 1 through the
    /// recurrent dropout mask, into hp's rows of step t (rows [first, first + n), t > 0).
    void previousState(Mat<S>& hp, Mat<S>& h, Eigen::Index t, Eigen::Index first, Eigen::Index n) const {
        auto to = rowsAt(hp, t, first, n);
        to = rowsAt(h, t - 1, first, n);
        if (m_hMask.active()) to.array() *= m_hMask.values().middleRows(first, n).array();
    }

    /// Adds the input's gradient, dz W^T through the input's dropout mask, to the layer's.
    void addInputGradient(KernelIO<S>& io, const Mat<S>& dz, const ConstMatMap<S>& w) {
        if (!io.dIn[0]) return;
        MatMap<S> dIn(io.dIn[0], dz.rows(), m_in);
        if (m_xMask.active()) {
            m_dx.noalias() = dz * w.transpose();
            m_xMask.applyPerStep(m_dx, m_steps);
            dIn += m_dx;
        } else {
            dIn.noalias() += dz * w.transpose();
        }
    }

    /// The hidden states of every step, or of the last step only.
    void writeOutput(KernelIO<S>& io, Mat<S>& h) const {
        if (m_sequences) {
            MatMap<S>(io.out, h.rows(), m_u) = h;
        } else {
            MatMap<S>(io.out, io.batch, m_u) = step(h, m_steps - 1);
        }
    }

    /// Adds the gradient the output passes to step t's hidden state, for rows [first,
    /// first + dh.rows()) of the batch.
    void addOutputGradient(const KernelIO<S>& io, Eigen::Index t, Eigen::Index first, MatRef<S> dh) const {
        const Eigen::Index B = io.batch, n = dh.rows();
        if (const S* dState = stateGradient(io, 0); dState && t == m_steps - 1) {
            dh += ConstMatMap<S>(dState, B, m_u).middleRows(first, n);  // return_state's h
        }
        if (m_sequences) {
            dh += ConstStridedMap<S>(io.dOut + t * m_u, B, m_u, Eigen::OuterStride<>(m_steps * m_u))
                      .middleRows(first, n);
        } else if (t == m_steps - 1) {
            dh += ConstMatMap<S>(io.dOut, B, m_u).middleRows(first, n);
        }
    }

    /// Whether this pass takes the lean path: a prediction (nothing kept for a backward pass,
    /// so no dropout either) without a step mask. The lean path runs time-major: row
    /// t * batch + b of its matrices is sample b's step t, so that a step's rows lie side by
    /// side; its gates are computed in place, in a block of steps that stays in the cache, and
    /// only the current states are kept (leanSteps).
    bool lean(const KernelIO<S>& io) const { return !io.keep && !io.training && !io.inMask; }

    /// What a kernel's record of the weights' version it packed for holds when the keeping
    /// passes have packed into the same place since (the lean path then packs again).
    static constexpr std::uint64_t kNotPacked = ~std::uint64_t{0};
    static constexpr Eigen::Index kManyRows = 64;

    /// Where the lean path keeps its hidden states: straight in the output (batch-major) when
    /// the layer returns every step; else in two steps' rows of its own, taken in turn.
    struct LeanStates {
        S* data;
        Eigen::Index rowStride, stepStride;  ///< from one sample's row to the next's, and one step's
        bool twoSteps;
        S* at(Eigen::Index t, Eigen::Index b) const { return data + (twoSteps ? t % 2 : t) * stepStride + b * rowStride; }
        /// Rows [first, first + n) of step t.
        StridedMap<S> rows(Eigen::Index t, Eigen::Index first, Eigen::Index n, Eigen::Index units) const {
            return StridedMap<S>(at(t, first), n, units, Eigen::OuterStride<>(rowStride));
        }
    };
    LeanStates leanStates(KernelIO<S>& io, Mat<S>& own) const {
        if (m_sequences) return {io.out, m_steps * m_u, m_u, false};
        own.resize(2 * io.batch, m_u);
        return {own.data(), m_u, io.batch * m_u, true};
    }

    /// The lean path's h_{t-1} for step t's product, from row `first` of the batch, and the
    /// distance between its rows: the step before's, the starting state at step 0, or null
    /// (zero).
    std::pair<const S*, Eigen::Index> leanPrevious(const LeanStates& h, const S* h0, Eigen::Index t, Eigen::Index first) const {
        if (t > 0) return {h.at(t - 1, first), h.rowStride};
        return {h0 ? h0 + first * m_u : nullptr, m_u};
    }

    /// Packs the recurrent kernel into m_rkPacked, with pack() (which also fills any parts a
    /// kernel keeps of its own), when some step recurs: more than one step, or a starting
    /// state. A keeping pass (version kNotPacked) packs each time, in its own form (the
    /// backward pass packs the transpose); the lean path (the weights' version) only when the
    /// weights have changed, or a keeping pass has packed over them, since it last packed.
    template <class Pack>
    void packRecurrent(bool recurs, std::uint64_t version, Pack&& pack) {
        if (!recurs || (version != kNotPacked && m_rkPackedFor == version)) return;
        pack();
        m_rkPackedFor = version;
    }

    /// Step t's recurrent product on the lean path, for rows [first, first + n) of the batch:
    /// h_{t-1} m_rkPacked into (or with `add` onto) c's rows from `first`, ldc apart. False,
    /// c untouched, when h_{t-1} is zero (step 0 without a starting state).
    bool leanRecurrence(const LeanStates& h, const S* h0, Eigen::Index t, Eigen::Index first, Eigen::Index n, S* c,
                        Eigen::Index ldc, bool add, int threads) const {
        const auto [hp, lda] = leanPrevious(h, h0, t, first);
        if (!hp) return false;
        m_rkPacked.multiply(hp, lda, n, c + first * ldc, ldc, add, threads);
        return true;
    }

    /// The lean path's results from its hidden states: the last step's as the output (unless
    /// the output holds them already) and with return_state as state 0.
    void finishLean(KernelIO<S>& io, const LeanStates& h) const {
        const auto last = h.rows(m_steps - 1, 0, io.batch, m_u);
        if (!m_sequences) MatMap<S>(io.out, io.batch, m_u) = last;
        if (!io.moreOut.empty() && io.moreOut[0]) MatMap<S>(io.moreOut[0], io.batch, m_u) = last;
    }

    /// Whether step t of sample b is padding: Keras skips it, carrying the states over.
    bool padded(Eigen::Index b, Eigen::Index t) const { return m_stepMask && !m_stepMask[b * m_steps + t]; }

    /// Rows [first, first + n) of step t of a state (h, or an LSTM's c) that are padding take
    /// the state of the step before, or at the first step the starting state (`initial`, B x
    /// units) or zero.
    void carryState(Mat<S>& state, Eigen::Index t, Eigen::Index first, Eigen::Index n, const S* initial = nullptr) const {
        if (!m_stepMask) return;
        for (Eigen::Index b = first; b < first + n; ++b) {
            if (!padded(b, t)) continue;
            auto row = rowsAt(state, t, b, 1);
            if (t > 0) {
                row = rowsAt(state, t - 1, b, 1);
            } else if (initial) {
                row = ConstMatMap<S>(initial + b * m_u, 1, m_u);
            } else {
                row.setZero();
            }
        }
    }

    std::int64_t m_steps, m_in, m_u, m_gates;
    const std::uint8_t* m_stepMask = nullptr;  ///< this batch's step mask, or null
    bool m_bias, m_sequences;
    Activation m_act, m_rec;
    double m_dropout, m_recurrentDropout;
    bool m_initial;  ///< starts from states wired into its ports after the sequence's
    DropoutMask<S> m_xMask, m_hMask;
    PackedRhs<S> m_rkPacked;  ///< the recurrent kernel (its transpose in a backward pass)

private:
    /// The masked input and its gradient, with dropout only; the lean path's time-major input.
    Mat<S> m_x, m_dx;
    Mat<S> m_zBlock;  ///< the lean path's pre-activations of a block of steps
    PackedRhs<S> m_wPacked;  ///< the lean path's input kernel W
    std::uint64_t m_wPackedFor = kNotPacked;  ///< the weights' version m_wPacked holds
    std::uint64_t m_rkPackedFor = kNotPacked;  ///< the weights' version the lean path packed m_rkPacked for
};

}  // namespace loom
