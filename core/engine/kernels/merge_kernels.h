#pragma once

#include <vector>

#include "engine/kernel.h"

namespace loom {

/// The element-wise merges besides Add (which has its own, faster kernel in shape_kernels.h).
enum class MergeOp { Subtract, Multiply, Average, Maximum };

/// Keras Subtract (first minus second), Multiply, Average and Maximum, with Keras's
/// broadcasting as Add has it: an operand without a time axis, or with a time or feature axis
/// of size 1, is repeated along it. Each operand is spread to the output's shape once per
/// batch; backward sums each spread gradient back onto its operand. Maximum's gradient goes to
/// the first operand holding the maximum, as Keras's pairwise maximum sends it.
template <class S, MergeOp Op>
class ElementwiseMergeKernel final : public Kernel<S> {
public:
    explicit ElementwiseMergeKernel(const KernelSetup& s) : m_inputs(s.inputs), m_out(s.output) {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index rows = io.batch * steps(), f = m_out.back();
        m_x.resize(m_inputs.size());
        for (std::size_t k = 0; k < m_inputs.size(); ++k) spread(io, k, m_x[k]);
        MatMap<S> y(io.out, rows, f);
        if constexpr (Op == MergeOp::Subtract) {
            y = m_x[0] - m_x[1];
        } else if constexpr (Op == MergeOp::Multiply) {
            y = m_x[0];
            for (std::size_t k = 1; k < m_x.size(); ++k) y.array() *= m_x[k].array();
        } else if constexpr (Op == MergeOp::Average) {
            y = m_x[0];
            for (std::size_t k = 1; k < m_x.size(); ++k) y += m_x[k];
            y /= static_cast<S>(m_x.size());
        } else {
            y = m_x[0];
            m_winner.setZero(rows, f);
            for (std::size_t k = 1; k < m_x.size(); ++k) {
                const S* x = m_x[k].data();
                S* best = y.data();
                int* winner = m_winner.data();
                for (Eigen::Index i = 0; i < rows * f; ++i) {
                    if (x[i] > best[i]) {  // a tie stays with the earlier operand
                        best[i] = x[i];
                        winner[i] = static_cast<int>(k);
                    }
                }
            }
        }
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index rows = io.batch * steps(), f = m_out.back();
        ConstMatMap<S> dy(io.dOut, rows, f);
        for (std::size_t k = 0; k < m_inputs.size(); ++k) {
            if (!io.dIn[k]) continue;
            if constexpr (Op == MergeOp::Subtract) {
                m_grad = k == 0 ? Mat<S>(dy) : Mat<S>(-dy);
            } else if constexpr (Op == MergeOp::Multiply) {
                m_grad = dy;
                for (std::size_t j = 0; j < m_x.size(); ++j) {
                    if (j != k) m_grad.array() *= m_x[j].array();
                }
            } else if constexpr (Op == MergeOp::Average) {
                m_grad = dy / static_cast<S>(m_x.size());
            } else {
                m_grad = (m_winner.array() == static_cast<int>(k)).select(dy, S(0));
            }
            gather(io, k, m_grad);
        }
    }

private:
    std::vector<Dims> m_inputs;
    Dims m_out;
    std::vector<Mat<S>> m_x;  ///< each operand spread to the output's shape
    Eigen::Matrix<int, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> m_winner;
    Mat<S> m_grad;

    Eigen::Index steps() const { return m_out.size() == 2 ? m_out[0] : 1; }

    /// Calls fn(output row, input row) for every output row and the row of operand k that
    /// feeds it.
    template <class Fn>
    void eachRow(int batch, std::size_t k, Fn&& fn) const {
        const Dims& d = m_inputs[k];
        const Eigen::Index out = steps();
        const Eigen::Index in = d.size() == 2 ? d[0] : 1;
        for (Eigen::Index b = 0; b < batch; ++b) {
            for (Eigen::Index t = 0; t < out; ++t) fn(b * out + t, b * in + (in == 1 ? 0 : t));
        }
    }

    void spread(const KernelIO<S>& io, std::size_t k, Mat<S>& x) const {
        const Eigen::Index rows = io.batch * steps(), f = m_out.back();
        if (m_inputs[k] == m_out) {
            x = ConstMatMap<S>(io.in[k], rows, f);
            return;
        }
        x.resize(rows, f);
        const Eigen::Index kf = m_inputs[k].back();
        eachRow(io.batch, k, [&](Eigen::Index o, Eigen::Index i) {
            const S* src = io.in[k] + i * kf;
            if (kf == f) {
                x.row(o) = ConstMatMap<S>(src, 1, f).row(0);
            } else {
                x.row(o).setConstant(src[0]);
            }
        });
    }

    void gather(KernelIO<S>& io, std::size_t k, const Mat<S>& g) const {
        const Eigen::Index rows = io.batch * steps(), f = m_out.back();
        if (m_inputs[k] == m_out) {
            MatMap<S>(io.dIn[k], rows, f) += g;
            return;
        }
        const Eigen::Index kf = m_inputs[k].back();
        eachRow(io.batch, k, [&](Eigen::Index o, Eigen::Index i) {
            S* dst = io.dIn[k] + i * kf;
            if (kf == f) {
                MatMap<S>(dst, 1, f).row(0) += g.row(o);
            } else {
                dst[0] += g.row(o).sum();
            }
        });
    }
};

}  // namespace loom
