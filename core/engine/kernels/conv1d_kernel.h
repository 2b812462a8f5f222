#pragma once

#include "engine/activation.h"
#include "engine/kernel.h"
#include "layers/window1d.h"

namespace loom {

/// Keras Conv1D on (time, channels) as one matrix product: every output step's window of
/// `size` input steps is gathered into a row (im2col, zeros where the window reaches into the
/// padding), so that z = cols W + b with the kernel (size, in, filters) read as a
/// (size * in, filters) matrix, and y = act(z). Backward: dz = dy * act'(z); dW += cols^T dz;
/// db += the sum of dz's rows; dcols = dz W^T, added back onto the input steps each row came from.
template <class S>
class Conv1dKernel final : public Kernel<S> {
public:
    explicit Conv1dKernel(const KernelSetup& s)
        : m_steps(s.inputs.front()[0]),
          m_in(s.inputs.front()[1]),
          m_outSteps(s.output[0]),
          m_filters(s.output[1]),
          m_window{s.node.param<std::int64_t>("kernel_size"), s.node.param<std::int64_t>("strides"),
                   s.node.param<std::int64_t>("dilation_rate"),
                   Window1D::paddingOf(s.node.param<std::string>("padding"))},
          m_pad(m_window.padBefore(m_steps)),
          m_bias(s.node.param<bool>("use_bias")),
          m_act(parseActivation(s.node.param<std::string>("activation")).value_or(Activation::Linear)) {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index rows = io.batch * m_outSteps, width = m_window.size * m_in;
        ConstMatMap<S> x(io.in[0], io.batch * m_steps, m_in);
        m_cols.resize(rows, width);  // every tap is written below: no need to clear it first
        visit(io.batch, [&](Eigen::Index row, Eigen::Index tap, Eigen::Index src) {
            if (src < 0) {
                m_cols.row(row).segment(tap * m_in, m_in).setZero();
            } else {
                m_cols.row(row).segment(tap * m_in, m_in) = x.row(src);
            }
        });
        m_z.noalias() = m_cols * ConstMatMap<S>(io.params[0], width, m_filters);
        if (m_bias) m_z.rowwise() += ConstMatMap<S>(io.params[1], 1, m_filters).row(0);
        MatMap<S> y(io.out, rows, m_filters);
        act::apply<S>(m_act, m_z, y);
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index rows = io.batch * m_outSteps, width = m_window.size * m_in;
        ConstMatMap<S> y(io.out, rows, m_filters);
        ConstMatMap<S> dy(io.dOut, rows, m_filters);
        m_dz.resize(rows, m_filters);
        act::backward<S>(m_act, m_z, y, dy, m_dz);
        MatMap<S>(io.dParams[0], width, m_filters).noalias() += m_cols.transpose() * m_dz;
        if (m_bias) MatMap<S>(io.dParams[1], 1, m_filters) += m_dz.colwise().sum();
        if (!io.dIn[0]) return;
        m_dcols.noalias() = m_dz * ConstMatMap<S>(io.params[0], width, m_filters).transpose();
        MatMap<S> dx(io.dIn[0], io.batch * m_steps, m_in);
        visit(io.batch, [&](Eigen::Index row, Eigen::Index tap, Eigen::Index src) {
            if (src >= 0) dx.row(src) += m_dcols.row(row).segment(tap * m_in, m_in);
        });
    }

private:
    /// Calls fn(output row, tap, input row) for every tap of every window; the input row is -1
    /// for a tap in the padding.
    template <class Fn>
    void visit(Eigen::Index batch, Fn fn) const {
        for (Eigen::Index b = 0; b < batch; ++b) {
            for (Eigen::Index t = 0; t < m_outSteps; ++t) {
                for (Eigen::Index j = 0; j < m_window.size; ++j) {
                    const Eigen::Index src = t * m_window.stride - m_pad + j * m_window.dilation;
                    fn(b * m_outSteps + t, j, src >= 0 && src < m_steps ? b * m_steps + src : Eigen::Index{-1});
                }
            }
        }
    }

    std::int64_t m_steps, m_in, m_outSteps, m_filters;
    Window1D m_window;
    std::int64_t m_pad;
    bool m_bias;
    Activation m_act;
    Mat<S> m_cols, m_z, m_dz, m_dcols;
};

}  // namespace loom
