#pragma once

#include "engine/activation.h"
#include "engine/kernel.h"
#include "layers/window1d.h"

namespace loom {

/// Keras Conv1DTranspose on (time, channels): the gradient of a Conv1D, run forward. Every input
/// step t spreads over output steps o = t * stride - pad + j * dilation, tap j adding
/// x[t] K[j]^T with the kernel (size, filters, in) as Keras keeps it; taps that land outside the
/// output are dropped. As matrix products: P = X K^T with K read as a (size * filters, in)
/// matrix gives every tap's contribution, which is then added onto its output step; z = that +
/// bias, y = act(z). Backward: dz = dy * act'(z); dP gathers dz at every tap's step (0 outside);
/// dK += dP^T X; db += the sum of dz's rows; dX += dP K.
template <class S>
class Conv1dTransposeKernel final : public Kernel<S> {
public:
    explicit Conv1dTransposeKernel(const KernelSetup& s)
        : m_steps(s.inputs.front()[0]),
          m_in(s.inputs.front()[1]),
          m_outSteps(s.output[0]),
          m_filters(s.output[1]),
          m_window{s.node.param<std::int64_t>("kernel_size"), s.node.param<std::int64_t>("strides"),
                   s.node.param<std::int64_t>("dilation_rate"), s.node.param<std::string>("padding") == "same",
                   s.node.param<std::int64_t>("output_padding")},
          m_pad(m_window.padBefore(m_steps)),
          m_bias(s.node.param<bool>("use_bias")),
          m_act(parseActivation(s.node.param<std::string>("activation")).value_or(Activation::Linear)) {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index width = m_window.size * m_filters;
        ConstMatMap<S> x(io.in[0], io.batch * m_steps, m_in);
        ConstMatMap<S> k(io.params[0], width, m_in);
        m_p.noalias() = x * k.transpose();
        m_z.setZero(io.batch * m_outSteps, m_filters);
        visit(io.batch, [&](Eigen::Index row, Eigen::Index tap, Eigen::Index dst) {
            m_z.row(dst) += m_p.row(row).segment(tap * m_filters, m_filters);
        });
        if (m_bias) m_z.rowwise() += ConstMatMap<S>(io.params[1], 1, m_filters).row(0);
        MatMap<S> y(io.out, io.batch * m_outSteps, m_filters);
        act::apply<S>(m_act, m_z, y);
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index rows = io.batch * m_outSteps, width = m_window.size * m_filters;
        ConstMatMap<S> y(io.out, rows, m_filters);
        ConstMatMap<S> dy(io.dOut, rows, m_filters);
        m_dz.resize(rows, m_filters);
        act::backward<S>(m_act, m_z, y, dy, m_dz);
        if (m_bias) MatMap<S>(io.dParams[1], 1, m_filters) += m_dz.colwise().sum();
        m_dp.setZero(io.batch * m_steps, width);
        visit(io.batch, [&](Eigen::Index row, Eigen::Index tap, Eigen::Index dst) {
            m_dp.row(row).segment(tap * m_filters, m_filters) = m_dz.row(dst);
        });
        ConstMatMap<S> x(io.in[0], io.batch * m_steps, m_in);
        MatMap<S>(io.dParams[0], width, m_in).noalias() += m_dp.transpose() * x;
        if (io.dIn[0]) {
            MatMap<S>(io.dIn[0], io.batch * m_steps, m_in).noalias() += m_dp * ConstMatMap<S>(io.params[0], width, m_in);
        }
    }

private:
    /// Calls fn(input row, tap, output row) for every tap of every input step that lands
    /// inside the output.
    template <class Fn>
    void visit(Eigen::Index batch, Fn fn) const {
        for (Eigen::Index b = 0; b < batch; ++b) {
            for (Eigen::Index t = 0; t < m_steps; ++t) {
                for (Eigen::Index j = 0; j < m_window.size; ++j) {
                    const Eigen::Index o = t * m_window.stride - m_pad + j * m_window.dilation;
                    if (o >= 0 && o < m_outSteps) fn(b * m_steps + t, j, b * m_outSteps + o);
                }
            }
        }
    }

    std::int64_t m_steps, m_in, m_outSteps, m_filters;
    TransposedWindow1D m_window;
    std::int64_t m_pad;
    bool m_bias;
    Activation m_act;
    Mat<S> m_p, m_z, m_dz, m_dp;
};

}  // namespace loom
