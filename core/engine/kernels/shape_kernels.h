#pragma once

#include "engine/kernel.h"

namespace loom {

/// Keras RepeatVector(n): row b of the input becomes rows b * n ... b * n + n - 1.
template <class S>
class RepeatVectorKernel final : public Kernel<S> {
public:
    explicit RepeatVectorKernel(const KernelSetup& s)
        : m_n(s.output[0]), m_f(s.output[1]) {}

    void forward(KernelIO<S>& io) override {
        ConstMatMap<S> x(io.in[0], io.batch, m_f);
        MatMap<S> y(io.out, io.batch * m_n, m_f);
        for (Eigen::Index b = 0; b < io.batch; ++b) y.middleRows(b * m_n, m_n).rowwise() = x.row(b);
    }
    void backward(KernelIO<S>& io) override {
        if (!io.dIn[0]) return;
        ConstMatMap<S> dy(io.dOut, io.batch * m_n, m_f);
        MatMap<S> dx(io.dIn[0], io.batch, m_f);
        for (Eigen::Index b = 0; b < io.batch; ++b) {
            dx.row(b) += dy.middleRows(b * m_n, m_n).colwise().sum();
        }
    }

private:
    Eigen::Index m_n, m_f;
};

/// Keras Add with Keras's broadcasting: an operand without a time axis, or with a time or
/// feature axis of size 1, is repeated along it (validation warns about both).
template <class S>
class AddKernel final : public Kernel<S> {
public:
    explicit AddKernel(const KernelSetup& s) : m_inputs(s.inputs), m_out(s.output) {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index steps = outSteps(), f = m_out.back();
        MatMap<S> y(io.out, io.batch * steps, f);
        y.setZero();
        for (std::size_t k = 0; k < m_inputs.size(); ++k) {
            if (m_inputs[k] == m_out) {  // the common case: one vectorised sum
                y += ConstMatMap<S>(io.in[k], io.batch * steps, f);
                continue;
            }
            visit(io, k, [&](Eigen::Index outRow, Eigen::Index inRow, bool wide) {
                const S* src = io.in[k] + inRow * m_inputs[k].back();
                if (wide) {
                    y.row(outRow) += ConstMatMap<S>(src, 1, f).row(0);
                } else {
                    y.row(outRow).array() += src[0];
                }
            });
        }
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index f = m_out.back();
        ConstMatMap<S> dy(io.dOut, io.batch * outSteps(), f);
        for (std::size_t k = 0; k < m_inputs.size(); ++k) {
            if (!io.dIn[k]) continue;
            if (m_inputs[k] == m_out) {
                MatMap<S>(io.dIn[k], io.batch * outSteps(), f) += dy;
                continue;
            }
            visit(io, k, [&](Eigen::Index outRow, Eigen::Index inRow, bool wide) {
                S* dst = io.dIn[k] + inRow * m_inputs[k].back();
                if (wide) {
                    MatMap<S>(dst, 1, f).row(0) += dy.row(outRow);
                } else {
                    dst[0] += dy.row(outRow).sum();
                }
            });
        }
    }

private:
    std::vector<Dims> m_inputs;
    Dims m_out;

    Eigen::Index outSteps() const { return m_out.size() == 2 ? m_out[0] : 1; }

    /// Calls fn(output row, input row, whether the input has all features) for every output
    /// row and the input row that feeds it.
    template <class Fn>
    void visit(const KernelIO<S>& io, std::size_t k, Fn&& fn) const {
        const Dims& d = m_inputs[k];
        const Eigen::Index steps = outSteps();
        const Eigen::Index inSteps = d.size() == 2 ? d[0] : 1;
        const bool wide = d.back() == m_out.back();
        for (Eigen::Index b = 0; b < io.batch; ++b) {
            for (Eigen::Index t = 0; t < steps; ++t) {
                fn(b * steps + t, b * inSteps + (inSteps == 1 ? 0 : t), wide);
            }
        }
    }
};

/// Keras Concatenate along the features (columns) or, for sequences, along time (rows of each
/// sample), in operand order.
template <class S>
class ConcatenateKernel final : public Kernel<S> {
public:
    explicit ConcatenateKernel(const KernelSetup& s) : m_inputs(s.inputs), m_out(s.output) {
        const auto rank = static_cast<std::int64_t>(m_out.size()) + 1;
        const std::int64_t axis = s.node.param<std::int64_t>("axis");
        m_alongTime = m_out.size() == 2 && (axis < 0 ? axis + rank : axis) == 1;
    }

    void forward(KernelIO<S>& io) override { copy(io, true); }
    void backward(KernelIO<S>& io) override { copy(io, false); }

private:
    std::vector<Dims> m_inputs;
    Dims m_out;
    bool m_alongTime = false;

    /// Forward copies inputs into their place in the output; backward adds the matching part of
    /// the output gradient to each input gradient.
    void copy(KernelIO<S>& io, bool forward) {
        const Eigen::Index f = m_out.back();
        const Eigen::Index steps = m_out.size() == 2 ? m_out[0] : 1;
        Eigen::Index offset = 0;  // first column, or first step, of operand k
        for (std::size_t k = 0; k < m_inputs.size(); ++k) {
            const Dims& d = m_inputs[k];
            const Eigen::Index kSteps = d.size() == 2 ? d[0] : 1, kf = d.back();
            const Eigen::Index rows = io.batch * kSteps;
            if (!forward && !io.dIn[k]) {
                offset += m_alongTime ? kSteps : kf;
                continue;
            }
            if (!m_alongTime) {  // every row at once: a block of columns
                MatMap<S> y(io.out, rows, f);
                if (forward) {
                    y.middleCols(offset, kf) = ConstMatMap<S>(io.in[k], rows, kf);
                } else {
                    MatMap<S>(io.dIn[k], rows, kf) += ConstMatMap<S>(io.dOut, rows, f).middleCols(offset, kf);
                }
                offset += kf;
                continue;
            }
            for (Eigen::Index b = 0; b < io.batch; ++b) {
                for (Eigen::Index t = 0; t < kSteps; ++t) {
                    const Eigen::Index inRow = b * kSteps + t;
                    const Eigen::Index outRow = b * steps + (m_alongTime ? offset + t : t);
                    const Eigen::Index col = m_alongTime ? 0 : offset;
                    if (forward) {
                        MatMap<S>(io.out, io.batch * steps, f).row(outRow).segment(col, kf) =
                            ConstMatMap<S>(io.in[k], rows, kf).row(inRow);
                    } else {
                        MatMap<S>(io.dIn[k], rows, kf).row(inRow) +=
                            ConstMatMap<S>(io.dOut, io.batch * steps, f).row(outRow).segment(col, kf);
                    }
                }
            }
            offset += m_alongTime ? kSteps : kf;
        }
    }
};

}  // namespace loom
