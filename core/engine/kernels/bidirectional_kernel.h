#pragma once

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include "engine/kernels/gru_kernel.h"
#include "engine/kernels/lstm_kernel.h"
#include "engine/kernels/simple_rnn_kernel.h"
#include "engine/kernels/step_reversal.h"

namespace loom {

/// Keras Bidirectional: the wrapped recurrent layer once forward over the sequence and once,
/// with weights of its own, over the reversed sequence. With return_sequences the backward
/// layer's outputs are reversed again, so that step t of both describes step t of the input.
/// merge_mode joins the two: concat (forward first), sum, mul or ave. The weights are the
/// forward layer's, then the backward layer's. With a step mask both directions skip the
/// padding, and (as Keras's Bidirectional sets zero_output_for_mask with return_sequences)
/// the padded steps' outputs are zero.
template <class S>
class BidirectionalKernel final : public Kernel<S> {
public:
    explicit BidirectionalKernel(const KernelSetup& s)
        : m_inner(s.node),
          m_steps(s.inputs.front()[0]),
          m_in(s.inputs.front()[1]),
          m_u(s.node.param<std::int64_t>("units")),
          m_sequences(s.node.param<bool>("return_sequences")),
          m_mode(modeOf(s.node.param<std::string>("merge_mode"))) {
        m_inner.kind = s.node.param<std::string>("layer");
        Dims out = m_sequences ? Dims{m_steps, m_u} : Dims{m_u};
        const KernelSetup inner{m_inner, s.inputs, out};
        m_forward = make(inner);
        m_backward = make(inner);
        m_perDirection = s.node.param<bool>("use_bias") ? 3 : 2;  // kernel, recurrent_kernel, bias
    }

    void forward(KernelIO<S>& io) override {
        const Eigen::Index rows = rowsOf(io.batch, outDims());
        reverseSteps(io.in[0], io.batch, m_steps, m_in, m_xr);
        m_mask = io.inMask;
        reverseStepMask(m_mask, io.batch, m_steps, m_maskR);
        m_yf.resize(rows, m_u);
        m_yb.resize(rows, m_u);
        run(io, true, io.in[0], m_yf.data());
        run(io, false, m_xr.data(), m_yb.data());
        zeroPadding(m_yf, m_mask);
        zeroPadding(m_yb, maskR());
        if (m_sequences) {
            reverseSteps(m_yb.data(), io.batch, m_steps, m_u, m_tmp);
            m_yb.swap(m_tmp);
        }
        if (m_mode == Mode::Concat) {
            MatMap<S> y(io.out, rows, 2 * m_u);
            y.leftCols(m_u) = m_yf;
            y.rightCols(m_u) = m_yb;
            return;
        }
        MatMap<S> y(io.out, rows, m_u);
        if (m_mode == Mode::Sum) y = m_yf + m_yb;
        if (m_mode == Mode::Mul) y.array() = m_yf.array() * m_yb.array();
        if (m_mode == Mode::Ave) y = (m_yf + m_yb) * S(0.5);
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index rows = rowsOf(io.batch, outDims());
        if (m_mode == Mode::Concat) {
            ConstMatMap<S> dy(io.dOut, rows, 2 * m_u);
            m_dyf = dy.leftCols(m_u);
            m_dyb = dy.rightCols(m_u);
        } else {
            ConstMatMap<S> dy(io.dOut, rows, m_u);
            if (m_mode == Mode::Sum) m_dyf = m_dyb = dy;
            if (m_mode == Mode::Mul) {
                m_dyf = dy.cwiseProduct(m_yb);
                m_dyb = dy.cwiseProduct(m_yf);
            }
            if (m_mode == Mode::Ave) m_dyf = m_dyb = dy * S(0.5);
        }
        if (m_sequences) {
            reverseSteps(m_dyb.data(), io.batch, m_steps, m_u, m_tmp);
            m_dyb.swap(m_tmp);
        }
        zeroPadding(m_dyf, m_mask);
        zeroPadding(m_dyb, maskR());
        // The forward layer adds its input gradient in place; the backward layer's is that of
        // the reversed input, reversed back.
        runBackward(io, true, io.in[0], m_dyf.data(), io.dIn[0]);
        if (io.dIn[0]) m_dxr.setZero(io.batch * m_steps, m_in);
        runBackward(io, false, m_xr.data(), m_dyb.data(), io.dIn[0] ? m_dxr.data() : nullptr);
        if (io.dIn[0]) {
            reverseSteps(m_dxr.data(), io.batch, m_steps, m_in, m_tmp);
            MatMap<S>(io.dIn[0], io.batch * m_steps, m_in) += m_tmp;
        }
    }

private:
    Node m_inner;  ///< the wrapped layer, as both directions' kernels read it
    Eigen::Index m_steps, m_in, m_u;
    bool m_sequences;
    enum class Mode { Concat, Sum, Mul, Ave };
    Mode m_mode;
    std::size_t m_perDirection = 3;
    std::unique_ptr<Kernel<S>> m_forward, m_backward;
    Mat<S> m_xr, m_yf, m_yb, m_tmp, m_dyf, m_dyb, m_dxr;
    const std::uint8_t* m_mask = nullptr;  ///< this batch's step mask, or null
    std::vector<std::uint8_t> m_maskR;     ///< it reversed, for the backward direction

    const std::uint8_t* maskR() const { return m_mask ? m_maskR.data() : nullptr; }

    /// With return_sequences, zeroes the rows of padded steps of one direction's outputs (or
    /// their gradients), in that direction's order of steps.
    void zeroPadding(Mat<S>& y, const std::uint8_t* mask) const {
        if (!mask || !m_sequences) return;
        for (Eigen::Index r = 0; r < y.rows(); ++r) {
            if (!mask[r]) y.row(r).setZero();
        }
    }

    static Mode modeOf(const std::string& mode) {
        if (mode == "sum") return Mode::Sum;
        if (mode == "mul") return Mode::Mul;
        if (mode == "ave") return Mode::Ave;
        return Mode::Concat;
    }

    Dims outDims() const { return m_sequences ? Dims{m_steps, m_u} : Dims{m_u}; }

    static std::unique_ptr<Kernel<S>> make(const KernelSetup& s) {
        if (s.node.kind == "LSTM") return std::make_unique<LstmKernel<S>>(s);
        if (s.node.kind == "GRU") return std::make_unique<GruKernel<S>>(s);
        if (s.node.kind == "SimpleRNN") return std::make_unique<SimpleRnnKernel<S>>(s);
        throw std::invalid_argument("Bidirectional cannot wrap '" + s.node.kind + "'");
    }

    KernelIO<S> directionIO(const KernelIO<S>& io, bool forward) const {
        KernelIO<S> d;
        d.batch = io.batch;
        d.training = io.training;
        d.keep = io.keep;
        d.weightsVersion = io.weightsVersion;
        d.rng = io.rng;
        const std::size_t first = forward ? 0 : m_perDirection;
        d.params.assign(io.params.begin() + first, io.params.begin() + first + m_perDirection);
        if (!io.dParams.empty()) {
            d.dParams.assign(io.dParams.begin() + first, io.dParams.begin() + first + m_perDirection);
        }
        return d;
    }

    void run(const KernelIO<S>& io, bool forward, const S* x, S* y) {
        KernelIO<S> d = directionIO(io, forward);
        d.inMask = forward ? m_mask : maskR();
        d.in = {x};
        d.out = y;
        (forward ? m_forward : m_backward)->forward(d);
    }

    void runBackward(const KernelIO<S>& io, bool forward, const S* x, const S* dy, S* dx) {
        KernelIO<S> d = directionIO(io, forward);
        d.inMask = forward ? m_mask : maskR();
        d.in = {x};
        d.dIn = {dx};
        d.dOut = dy;
        (forward ? m_forward : m_backward)->backward(d);
    }
};

}  // namespace loom
