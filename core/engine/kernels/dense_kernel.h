#pragma once

#include "engine/activation.h"
#include "engine/kernel.h"

namespace loom {

/// Dense and TimeDistributed(Dense): z = x W + b, y = act(z), on every row (sample, or sample
/// and step). Backward: dz = dy * act'(z); dW += x^T dz; db += sum of dz's rows; dx += dz W^T.
template <class S>
class DenseKernel final : public Kernel<S> {
public:
    explicit DenseKernel(const KernelSetup& s)
        : m_in(s.inputs.front().back()),
          m_units(s.node.param<std::int64_t>("units")),
          m_bias(s.node.param<bool>("use_bias")),
          m_act(parseActivation(s.node.param<std::string>("activation"))
                    .value_or(Activation::Linear)),
          m_inputDims(s.inputs.front()) {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index rows = rowsOf(io.batch, m_inputDims);
        ConstMatMap<S> x(io.in[0], rows, m_in);
        ConstMatMap<S> w(io.params[0], m_in, m_units);
        m_z.noalias() = x * w;
        if (m_bias) m_z.rowwise() += ConstMatMap<S>(io.params[1], 1, m_units).row(0);
        MatMap<S> y(io.out, rows, m_units);
        act::apply<S>(m_act, m_z, y);
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index rows = rowsOf(io.batch, m_inputDims);
        ConstMatMap<S> x(io.in[0], rows, m_in);
        ConstMatMap<S> y(io.out, rows, m_units);
        ConstMatMap<S> dy(io.dOut, rows, m_units);
        m_dz.resize(rows, m_units);
        act::backward<S>(m_act, m_z, y, dy, m_dz);
        MatMap<S>(io.dParams[0], m_in, m_units).noalias() += x.transpose() * m_dz;
        if (m_bias) MatMap<S>(io.dParams[1], 1, m_units) += m_dz.colwise().sum();
        if (io.dIn[0]) {
            ConstMatMap<S> w(io.params[0], m_in, m_units);
            MatMap<S>(io.dIn[0], rows, m_in).noalias() += m_dz * w.transpose();
        }
    }

private:
    std::int64_t m_in, m_units;
    bool m_bias;
    Activation m_act;
    Dims m_inputDims;
    Mat<S> m_z, m_dz;
};

}  // namespace loom
