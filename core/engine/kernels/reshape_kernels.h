#pragma once

#include "engine/kernel.h"

namespace loom {

/// Keras Flatten and Reshape: a sample's values keep their row-major order, so the output is
/// the input's memory, copied; the gradient goes back the same way.
template <class S>
class ReshapeKernel final : public Kernel<S> {
public:
    explicit ReshapeKernel(const KernelSetup& s) : m_size(1) {
        for (std::int64_t d : s.output) m_size *= d;
    }

    void forward(KernelIO<S>& io) override {
        MatMap<S>(io.out, io.batch, m_size) = ConstMatMap<S>(io.in[0], io.batch, m_size);
    }
    void backward(KernelIO<S>& io) override {
        if (io.dIn[0]) MatMap<S>(io.dIn[0], io.batch, m_size) += ConstMatMap<S>(io.dOut, io.batch, m_size);
    }

private:
    Eigen::Index m_size;
};

/// Keras Permute((2, 1)): each sample's (steps, features) matrix transposed; (1, 2) copies it.
template <class S>
class PermuteKernel final : public Kernel<S> {
public:
    explicit PermuteKernel(const KernelSetup& s)
        : m_rows(s.inputs.front()[0]), m_cols(s.inputs.front()[1]),
          m_swap(s.node.param<std::string>("dims") == "(2, 1)") {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index n = m_rows * m_cols;
        if (!m_swap) {
            MatMap<S>(io.out, io.batch, n) = ConstMatMap<S>(io.in[0], io.batch, n);
            return;
        }
        for (Eigen::Index b = 0; b < io.batch; ++b) {
            MatMap<S>(io.out + b * n, m_cols, m_rows) = ConstMatMap<S>(io.in[0] + b * n, m_rows, m_cols).transpose();
        }
    }
    void backward(KernelIO<S>& io) override {
        if (!io.dIn[0]) return;
        const Eigen::Index n = m_rows * m_cols;
        if (!m_swap) {
            MatMap<S>(io.dIn[0], io.batch, n) += ConstMatMap<S>(io.dOut, io.batch, n);
            return;
        }
        for (Eigen::Index b = 0; b < io.batch; ++b) {
            MatMap<S>(io.dIn[0] + b * n, m_rows, m_cols) += ConstMatMap<S>(io.dOut + b * n, m_cols, m_rows).transpose();
        }
    }

private:
    Eigen::Index m_rows, m_cols;  ///< of the input: steps and features
    bool m_swap;
};

}  // namespace loom
