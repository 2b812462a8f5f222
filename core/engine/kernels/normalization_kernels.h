#pragma once

#include "engine/kernel.h"

namespace loom {

/// What both normalizations do after normalising: y = xhat * gamma + beta, with gamma (the
/// first weight) if `scale` and beta (the next) if `center`.
template <class S>
struct NormalizationAffine {
    bool scale = true, center = true;

    void forward(const KernelIO<S>& io, const Mat<S>& xhat, Eigen::Index f) const {
        MatMap<S> y(io.out, xhat.rows(), f);
        y = xhat;
        if (scale) y.array().rowwise() *= ConstMatMap<S>(io.params[0], 1, f).row(0).array();
        if (center) y.rowwise() += ConstMatMap<S>(io.params[scale ? 1 : 0], 1, f).row(0);
    }

    /// Adds gamma's and beta's gradients; `g` becomes the gradient of xhat, dy * gamma.
    void backward(KernelIO<S>& io, const Mat<S>& xhat, Eigen::Index f, Mat<S>& g) const {
        ConstMatMap<S> dy(io.dOut, xhat.rows(), f);
        if (center) MatMap<S>(io.dParams[scale ? 1 : 0], 1, f) += dy.colwise().sum();
        if (scale) MatMap<S>(io.dParams[0], 1, f) += (dy.array() * xhat.array()).colwise().sum().matrix();
        g = dy;
        if (scale) g.array().rowwise() *= ConstMatMap<S>(io.params[0], 1, f).row(0).array();
    }
};

/// Keras LayerNormalization on the feature axis: every row (one step of one sample) is
/// normalised by its own mean and (biased) variance, y = (x - mean) / sqrt(var + epsilon),
/// then scaled by gamma and shifted by beta where `scale` and `center` are on. Weights in
/// Keras's order: gamma (features) if scale, beta (features) if center.
template <class S>
class LayerNormalizationKernel final : public Kernel<S> {
public:
    explicit LayerNormalizationKernel(const KernelSetup& s)
        : m_f(s.output.back()),
          m_steps(s.output.size() == 2 ? s.output[0] : 1),
          m_eps(static_cast<S>(s.node.param<double>("epsilon"))),
          m_affine{s.node.param<bool>("scale"), s.node.param<bool>("center")} {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index rows = io.batch * m_steps;
        ConstMatMap<S> x(io.in[0], rows, m_f);
        const auto mean = x.rowwise().mean().eval();
        m_xhat = x.colwise() - mean;
        m_inv = ((m_xhat.array().square().rowwise().sum() / static_cast<S>(m_f)) + m_eps).rsqrt();
        m_xhat.array().colwise() *= m_inv.array();
        m_affine.forward(io, m_xhat, m_f);
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index rows = io.batch * m_steps;
        m_affine.backward(io, m_xhat, m_f, m_g);
        if (!io.dIn[0]) return;
        // dx = inv * (g - mean(g) - xhat * mean(g * xhat)), per row
        const auto meanG = (m_g.rowwise().sum() / static_cast<S>(m_f)).eval();
        const auto meanGX = ((m_g.array() * m_xhat.array()).rowwise().sum() / static_cast<S>(m_f)).eval();
        m_g.colwise() -= meanG;
        m_g.array() -= m_xhat.array().colwise() * meanGX;
        m_g.array().colwise() *= m_inv.array();
        MatMap<S>(io.dIn[0], rows, m_f) += m_g;
    }

private:
    Eigen::Index m_f, m_steps;
    S m_eps;
    NormalizationAffine<S> m_affine;
    Mat<S> m_xhat, m_g;
    Eigen::Matrix<S, Eigen::Dynamic, 1> m_inv;
};

/// Keras BatchNormalization on the feature axis. Training normalises every feature by the
/// mean and (biased) variance of the batch, over its samples and steps, and moves the moving
/// statistics towards them: moving = moving * momentum + batch * (1 - momentum). Inference
/// normalises by the moving statistics. Weights in Keras's order: gamma if scale, beta if
/// center, moving_mean, moving_variance (the last two not trained; this kernel writes them
/// during a training forward pass, as Keras's fit does).
template <class S>
class BatchNormalizationKernel final : public Kernel<S> {
    using Row = Eigen::Matrix<S, 1, Eigen::Dynamic>;

public:
    explicit BatchNormalizationKernel(const KernelSetup& s)
        : m_f(s.output.back()),
          m_steps(s.output.size() == 2 ? s.output[0] : 1),
          m_eps(static_cast<S>(s.node.param<double>("epsilon"))),
          m_momentum(static_cast<S>(s.node.param<double>("momentum"))),
          m_affine{s.node.param<bool>("scale"), s.node.param<bool>("center")} {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index rows = io.batch * m_steps;
        const std::size_t stats = (m_affine.scale ? 1 : 0) + (m_affine.center ? 1 : 0);
        MatMap<S> movingMean(io.params[stats], 1, m_f), movingVar(io.params[stats + 1], 1, m_f);
        ConstMatMap<S> x(io.in[0], rows, m_f);
        m_training = io.training;
        m_mask = io.inMask;
        Row mean, var;
        if (io.training && m_mask) {
            // With a step mask, Keras's moments are over the real steps, (count + 1e-7).
            m_real = Eigen::Map<const Eigen::Matrix<std::uint8_t, Eigen::Dynamic, 1>>(m_mask, rows).template cast<S>();
            m_count = m_real.sum() + S(1e-7);
            mean = (m_real.transpose() * x) / m_count;
            m_xhat = x.rowwise() - mean;
            var = (m_real.transpose() * m_xhat.array().square().matrix()) / m_count;
            if (mean.allFinite() && var.allFinite()) {
                movingMean = movingMean * m_momentum + mean * (S(1) - m_momentum);
                movingVar = movingVar * m_momentum + var * (S(1) - m_momentum);
            }
        } else if (io.training) {
            mean = x.colwise().mean();
            m_xhat = x.rowwise() - mean;
            var = m_xhat.array().square().colwise().sum().matrix() / static_cast<S>(rows);
            // A batch that turned non-finite stops training with the weights from before it;
            // the moving statistics stay as they were, too.
            if (mean.allFinite() && var.allFinite()) {
                movingMean = movingMean * m_momentum + mean * (S(1) - m_momentum);
                movingVar = movingVar * m_momentum + var * (S(1) - m_momentum);
            }
        } else {
            mean = movingMean.row(0);
            var = movingVar.row(0);
            m_xhat = x.rowwise() - mean;
        }
        m_inv = (var.array() + m_eps).rsqrt().matrix();
        m_xhat.array().rowwise() *= m_inv.array();
        m_affine.forward(io, m_xhat, m_f);
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index rows = io.batch * m_steps;
        m_affine.backward(io, m_xhat, m_f, m_g);
        if (!io.dIn[0]) return;
        if (m_training && m_mask) {
            // Every row's output depends on the moments, which only the real rows make:
            // dx = inv * (g - real * (sum(g) + xhat * sum(g * xhat)) / count).
            const Row meanG = m_g.colwise().sum() / m_count;
            const Row meanGX = (m_g.array() * m_xhat.array()).colwise().sum().matrix() / m_count;
            const Mat<S> spread = (m_xhat.array().rowwise() * meanGX.array()).rowwise() + meanG.array();
            m_g.array() -= spread.array().colwise() * m_real.array();
        } else if (m_training) {
            // The batch statistics depend on x: dx = inv * (g - mean(g) - xhat * mean(g * xhat)),
            // the means over the batch's rows, per feature.
            const Row meanG = m_g.colwise().sum() / static_cast<S>(rows);
            const Row meanGX = (m_g.array() * m_xhat.array()).colwise().sum().matrix() / static_cast<S>(rows);
            m_g.rowwise() -= meanG;
            m_g.array() -= m_xhat.array().rowwise() * meanGX.array();
        }
        m_g.array().rowwise() *= m_inv.array();
        MatMap<S>(io.dIn[0], rows, m_f) += m_g;
    }

private:
    Eigen::Index m_f, m_steps;
    S m_eps, m_momentum;
    NormalizationAffine<S> m_affine;
    bool m_training = false;
    Mat<S> m_xhat, m_g;
    Row m_inv;
    const std::uint8_t* m_mask = nullptr;        ///< this batch's step mask, or null
    Eigen::Matrix<S, Eigen::Dynamic, 1> m_real;  ///< with a mask: 1 for each real row, else 0
    S m_count = 0;                               ///< with a mask: the real rows, + 1e-7
};

}  // namespace loom
