#pragma once

#include <cmath>
#include <vector>

#include "engine/kernel.h"
#include "engine/kernels/dropout_masks.h"

namespace loom {

/// MultiHeadAttention's value_dim: its own, or key_dim where it is None (0).
inline std::int64_t attentionValueDim(const Node& node) {
    const std::int64_t value = node.param<std::int64_t>("value_dim");
    return value > 0 ? value : node.param<std::int64_t>("key_dim");
}

/// Where MultiHeadAttention's key and attention mask are among its wired inputs (in port order:
/// query, value, then the key and the mask when wired), or -1 when absent. The key's port may
/// stay free; with attention_mask on, the mask is the last wire.
struct AttentionInputs {
    int key = -1;
    int mask = -1;
};

inline AttentionInputs attentionInputs(const Node& node, std::size_t wired) {
    AttentionInputs a;
    std::size_t beforeMask = wired;
    if (node.param<bool>("attention_mask") && wired >= 3) {
        a.mask = static_cast<int>(wired) - 1;
        beforeMask = wired - 1;
    }
    if (beforeMask >= 3) a.key = 2;
    return a;
}

/// MultiHeadAttention (layers/attention.h has the formulas and the weight layout). Forward:
/// three projections as one product each over the whole batch, then per sample and head
/// P = softmax(Q K^T + mask) (Q already scaled by 1 / sqrt(key_dim)), O = dropout(P) V, and the
/// output projection; with return_attention_scores, P goes to output port 1 as well (a view:
/// no gradient comes back through it). Backward, per sample and head, with P' = dropout(P):
///   dV = P'^T dO;  dP = dropout'(dO V^T);  dS = P * (dP - rowsum(dP * P));  dQ = dS K;  dK = dS^T Q
/// then the projections' gradients. The masked logits' -1e9 is a constant: it changes nothing
/// in the backward pass.
template <class S>
class AttentionKernel final : public Kernel<S> {
public:
    explicit AttentionKernel(const KernelSetup& s)
        : m_heads(s.node.param<std::int64_t>("num_heads")),
          m_keyDim(s.node.param<std::int64_t>("key_dim")),
          m_valueDim(attentionValueDim(s.node)),
          m_out(s.output.back()),
          m_bias(s.node.param<bool>("use_bias")),
          m_causal(s.node.param<bool>("use_causal_mask")),
          m_rate(s.node.param<double>("dropout")),
          m_queryDims(s.inputs.at(0)),
          m_valueDims(s.inputs.at(1)),
          m_ports(attentionInputs(s.node, s.inputs.size())),
          m_keyDims(m_ports.key >= 0 ? s.inputs[2] : s.inputs.at(1)),
          m_separateKey(m_ports.key >= 0) {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index b = io.batch, t = m_queryDims[0], steps = m_valueDims[0];
        const Eigen::Index hk = m_heads * m_keyDim, hv = m_heads * m_valueDim;
        project(io, 0, io.in[0], b * t, m_queryDims[1], hk, m_q);
        m_q *= static_cast<S>(1.0 / std::sqrt(static_cast<double>(m_keyDim)));
        project(io, 1, keyInput(io), b * steps, m_keyDims[1], hk, m_k);
        project(io, 2, io.in[1], b * steps, m_valueDims[1], hv, m_v);
        m_p.resize(b * m_heads * t, steps);
        m_o.resize(b * t, hv);
        m_dropout.draw(io, m_p.rows(), m_p.cols(), m_rate);
        Mat<S> allowed;
        for (Eigen::Index i = 0; i < b; ++i) {
            const bool masked = attentionMask(io, i, t, steps, allowed);
            for (Eigen::Index h = 0; h < m_heads; ++h) {
                auto p = m_p.middleRows((i * m_heads + h) * t, t);
                p.noalias() = m_q.block(i * t, h * m_keyDim, t, m_keyDim) *
                              m_k.block(i * steps, h * m_keyDim, steps, m_keyDim).transpose();
                if (masked) p.array() += (S(1) - allowed.array()) * S(-1e9);
                p.colwise() -= p.rowwise().maxCoeff().eval();
                p = p.array().exp();
                p.array().colwise() /= p.rowwise().sum().eval().array();
                auto o = m_o.block(i * t, h * m_valueDim, t, m_valueDim);
                const auto v = m_v.block(i * steps, h * m_valueDim, steps, m_valueDim);
                if (m_dropout.active()) {
                    o.noalias() = (p.array() * m_dropout.values().middleRows((i * m_heads + h) * t, t).array())
                                      .matrix() * v;
                } else {
                    o.noalias() = p * v;
                }
            }
        }
        // The attention scores, before dropout as Keras returns them: (batch, heads, t, steps);
        // for looking at, so not while training.
        if (!io.training && !io.moreOut.empty() && io.moreOut[0]) MatMap<S>(io.moreOut[0], m_p.rows(), steps) = m_p;
        MatMap<S> y(io.out, b * t, m_out);
        y.noalias() = m_o * ConstMatMap<S>(io.params[weight(3)], hv, m_out);
        if (m_bias) y.rowwise() += ConstMatMap<S>(io.params[weight(3) + 1], 1, m_out).row(0);
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index b = io.batch, t = m_queryDims[0], steps = m_valueDims[0];
        const Eigen::Index hk = m_heads * m_keyDim, hv = m_heads * m_valueDim;
        ConstMatMap<S> dy(io.dOut, b * t, m_out);
        MatMap<S>(io.dParams[weight(3)], hv, m_out).noalias() += m_o.transpose() * dy;
        if (m_bias) MatMap<S>(io.dParams[weight(3) + 1], 1, m_out) += dy.colwise().sum();
        m_do.noalias() = dy * ConstMatMap<S>(io.params[weight(3)], hv, m_out).transpose();
        m_dq.setZero(b * t, hk);
        m_dk.setZero(b * steps, hk);
        m_dv.setZero(b * steps, hv);
        Mat<S> dp, kept;
        for (Eigen::Index i = 0; i < b; ++i) {
            for (Eigen::Index h = 0; h < m_heads; ++h) {
                const auto p = m_p.middleRows((i * m_heads + h) * t, t);
                const auto dO = m_do.block(i * t, h * m_valueDim, t, m_valueDim);
                const auto v = m_v.block(i * steps, h * m_valueDim, steps, m_valueDim);
                dp.noalias() = dO * v.transpose();
                auto dv = m_dv.block(i * steps, h * m_valueDim, steps, m_valueDim);
                if (m_dropout.active()) {
                    const auto d = m_dropout.values().middleRows((i * m_heads + h) * t, t);
                    kept = p.array() * d.array();
                    dv.noalias() += kept.transpose() * dO;
                    dp.array() *= d.array();
                } else {
                    dv.noalias() += p.transpose() * dO;
                }
                // The softmax's backward pass, row by row.
                const auto inner = (dp.array() * p.array()).rowwise().sum().eval();
                dp = (p.array() * (dp.array().colwise() - inner)).matrix();
                m_dq.block(i * t, h * m_keyDim, t, m_keyDim).noalias() +=
                    dp * m_k.block(i * steps, h * m_keyDim, steps, m_keyDim);
                m_dk.block(i * steps, h * m_keyDim, steps, m_keyDim).noalias() +=
                    dp.transpose() * m_q.block(i * t, h * m_keyDim, t, m_keyDim);
            }
        }
        m_dq *= static_cast<S>(1.0 / std::sqrt(static_cast<double>(m_keyDim)));
        projectBack(io, 0, io.in[0], io.dIn[0], b * t, m_queryDims[1], hk, m_dq);
        projectBack(io, 1, keyInput(io), m_separateKey ? io.dIn[2] : io.dIn[1], b * steps, m_keyDims[1], hk, m_dk);
        projectBack(io, 2, io.in[1], io.dIn[1], b * steps, m_valueDims[1], hv, m_dv);
    }

private:
    std::int64_t m_heads, m_keyDim, m_valueDim, m_out;
    bool m_bias, m_causal;
    double m_rate;
    Dims m_queryDims, m_valueDims;
    AttentionInputs m_ports;
    Dims m_keyDims;
    bool m_separateKey;
    Mat<S> m_q, m_k, m_v, m_p, m_o, m_do, m_dq, m_dk, m_dv;
    DropoutMask<S> m_dropout;

    /// Index into the params of projection `which` (0 query, 1 key, 2 value, 3 output)'s kernel.
    std::size_t weight(int which) const { return static_cast<std::size_t>(which) * (m_bias ? 2 : 1); }

    const S* keyInput(const KernelIO<S>& io) const { return m_separateKey ? io.in[2] : io.in[1]; }

    void project(const KernelIO<S>& io, int which, const S* x, Eigen::Index rows, Eigen::Index in,
                 Eigen::Index width, Mat<S>& into) const {
        into.noalias() = ConstMatMap<S>(x, rows, in) * ConstMatMap<S>(io.params[weight(which)], in, width);
        if (m_bias) into.rowwise() += ConstMatMap<S>(io.params[weight(which) + 1], 1, width).row(0);
    }

    void projectBack(KernelIO<S>& io, int which, const S* x, S* dx, Eigen::Index rows, Eigen::Index in,
                     Eigen::Index width, const Mat<S>& grad) const {
        MatMap<S>(io.dParams[weight(which)], in, width).noalias() += ConstMatMap<S>(x, rows, in).transpose() * grad;
        if (m_bias) MatMap<S>(io.dParams[weight(which) + 1], 1, width) += grad.colwise().sum();
        if (dx) MatMap<S>(dx, rows, in).noalias() += grad * ConstMatMap<S>(io.params[weight(which)], in, width).transpose();
    }

    /// Sample i's attention mask (t x steps, 1 where a query step may read a value step) from
    /// the causal rule, the step masks of the query, the value and a separate key, and the
    /// attention_mask tensor (nonzero where allowed), as Keras's _compute_attention_mask ANDs
    /// them. False when nothing is masked.
    bool attentionMask(const KernelIO<S>& io, Eigen::Index i, Eigen::Index t, Eigen::Index steps, Mat<S>& allowed) const {
        const std::uint8_t* query = maskOf(io, 0);
        const std::uint8_t* value = maskOf(io, 1);
        // A key that is the value's tensor brings no mask of its own, as in Keras.
        const std::uint8_t* key = m_separateKey && io.in[2] != io.in[1] ? maskOf(io, 2) : nullptr;
        const S* given = m_ports.mask >= 0 ? io.in[static_cast<std::size_t>(m_ports.mask)] + i * t * steps : nullptr;
        if (!m_causal && !query && !value && !key && !given) return false;
        allowed.setOnes(t, steps);
        for (Eigen::Index r = 0; r < t; ++r) {
            for (Eigen::Index c = 0; c < steps; ++c) {
                bool ok = !m_causal || c <= r;
                if (query && !query[i * t + r]) ok = false;
                if (value && !value[i * steps + c]) ok = false;
                if (key && !key[i * steps + c]) ok = false;
                if (given && given[r * steps + c] == S(0)) ok = false;
                if (!ok) allowed(r, c) = S(0);
            }
        }
        return true;
    }

    static const std::uint8_t* maskOf(const KernelIO<S>& io, std::size_t input) {
        return input < io.inMasks.size() ? io.inMasks[input] : nullptr;
    }
};

}  // namespace loom
