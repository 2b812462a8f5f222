#pragma once

#include <cmath>
#include <string>

#include "engine/activation.h"
#include "engine/kernel.h"

namespace loom {

/// What the activation layers' kernels share: the input seen as rows (sample, or sample and
/// step) of features, and a backward pass that adds dy * f'(x) to the input's gradient.
template <class S>
class ElementwiseKernel : public Kernel<S> {
public:
    explicit ElementwiseKernel(const KernelSetup& s) : m_dims(s.output) {}

protected:
    Dims m_dims;
    Mat<S> m_dx;  ///< this batch's dy * f'(x), before it is added to the input's gradient

    Eigen::Index rows(int batch) const { return rowsOf(batch, m_dims); }
    Eigen::Index features() const { return m_dims.back(); }
    ConstMatMap<S> input(const KernelIO<S>& io) const { return {io.in[0], rows(io.batch), features()}; }
    ConstMatMap<S> output(const KernelIO<S>& io) const { return {io.out, rows(io.batch), features()}; }
    ConstMatMap<S> outGradient(const KernelIO<S>& io) const { return {io.dOut, rows(io.batch), features()}; }
    void addToInputGradient(KernelIO<S>& io) const {
        MatMap<S>(io.dIn[0], rows(io.batch), features()) += m_dx;
    }
};

/// Keras Activation(activation): act::apply on every row.
template <class S>
class ActivationKernel final : public ElementwiseKernel<S> {
public:
    explicit ActivationKernel(const KernelSetup& s)
        : ElementwiseKernel<S>(s),
          m_act(parseActivation(s.node.param<std::string>("activation")).value_or(Activation::Linear)) {}

    void forward(KernelIO<S>& io) override {
        MatMap<S> y(io.out, this->rows(io.batch), this->features());
        act::apply<S>(m_act, this->input(io), y);
    }
    void backward(KernelIO<S>& io) override {
        if (!io.dIn[0]) return;
        this->m_dx.resize(this->rows(io.batch), this->features());
        act::backward<S>(m_act, this->input(io), this->output(io), this->outGradient(io), this->m_dx);
        this->addToInputGradient(io);
    }

private:
    Activation m_act;
};

/// Keras ReLU(max_value, negative_slope, threshold), as keras.activations.relu computes it:
/// the positive part is x above the threshold (0 below), or max(x, 0) at threshold 0, clipped
/// to [0, max_value] when there is a cap; the negative part negative_slope * max(threshold - x, 0)
/// is taken off it.
template <class S>
class ReluKernel final : public ElementwiseKernel<S> {
public:
    explicit ReluKernel(const KernelSetup& s)
        : ElementwiseKernel<S>(s),
          m_max(static_cast<S>(s.node.param<double>("max_value"))),
          m_slope(static_cast<S>(s.node.param<double>("negative_slope"))),
          m_threshold(static_cast<S>(s.node.param<double>("threshold"))) {}

    void forward(KernelIO<S>& io) override {
        const ConstMatMap<S> xm = this->input(io);
        const auto x = xm.array();
        MatMap<S> y(io.out, this->rows(io.batch), this->features());
        const S floor = m_threshold != S(0) ? m_threshold : S(0);
        y.array() = (x > floor).select(x, S(0));
        if (m_max > S(0)) y.array() = y.array().max(S(0)).min(m_max);
        if (m_slope != S(0)) y.array() -= m_slope * (m_threshold - x).max(S(0));
    }
    void backward(KernelIO<S>& io) override {
        if (!io.dIn[0]) return;
        const ConstMatMap<S> xm = this->input(io);
        const auto x = xm.array();
        const ConstMatMap<S> gm = this->outGradient(io);
        const auto g = gm.array();
        const S floor = m_threshold != S(0) ? m_threshold : S(0);
        // The positive part passes the gradient above the floor and below the cap (and above 0
        // when the cap clips); the negative part adds the slope below the threshold.
        auto passes = x > floor;
        this->m_dx.resize(this->rows(io.batch), this->features());
        if (m_max > S(0)) {
            this->m_dx.array() = (passes && x < m_max && x > S(0)).select(g, S(0));
        } else {
            this->m_dx.array() = passes.select(g, S(0));
        }
        if (m_slope != S(0)) this->m_dx.array() += (x < m_threshold).select(m_slope * g, S(0));
        this->addToInputGradient(io);
    }

private:
    S m_max, m_slope, m_threshold;
};

/// Keras LeakyReLU(negative_slope): x for x >= 0, negative_slope * x below.
template <class S>
class LeakyReluKernel final : public ElementwiseKernel<S> {
public:
    explicit LeakyReluKernel(const KernelSetup& s)
        : ElementwiseKernel<S>(s), m_slope(static_cast<S>(s.node.param<double>("negative_slope"))) {}

    void forward(KernelIO<S>& io) override {
        const ConstMatMap<S> xm = this->input(io);
        const auto x = xm.array();
        MatMap<S>(io.out, this->rows(io.batch), this->features()).array() = (x >= S(0)).select(x, m_slope * x);
    }
    void backward(KernelIO<S>& io) override {
        if (!io.dIn[0]) return;
        const ConstMatMap<S> gm = this->outGradient(io);
        const auto g = gm.array();
        this->m_dx.resize(this->rows(io.batch), this->features());
        this->m_dx.array() = (this->input(io).array() >= S(0)).select(g, m_slope * g);
        this->addToInputGradient(io);
    }

private:
    S m_slope;
};

/// Keras ELU(alpha): x for x > 0, alpha * (exp(x) - 1) below; the derivative below is y + alpha.
template <class S>
class EluKernel final : public ElementwiseKernel<S> {
public:
    explicit EluKernel(const KernelSetup& s)
        : ElementwiseKernel<S>(s), m_alpha(static_cast<S>(s.node.param<double>("alpha"))) {}

    void forward(KernelIO<S>& io) override {
        const ConstMatMap<S> xm = this->input(io);
        const auto x = xm.array();
        MatMap<S>(io.out, this->rows(io.batch), this->features()).array() =
            (x > S(0)).select(x, m_alpha * (x.exp() - S(1)));
    }
    void backward(KernelIO<S>& io) override {
        if (!io.dIn[0]) return;
        const ConstMatMap<S> gm = this->outGradient(io);
        const auto g = gm.array();
        this->m_dx.resize(this->rows(io.batch), this->features());
        this->m_dx.array() = (this->input(io).array() > S(0)).select(g, g * (this->output(io).array() + m_alpha));
        this->addToInputGradient(io);
    }

private:
    S m_alpha;
};

/// Keras Softmax(axis): over each row's features, or, along time (axis 1 of a sequence), over
/// each sample's steps for every feature.
template <class S>
class SoftmaxKernel final : public ElementwiseKernel<S> {
public:
    explicit SoftmaxKernel(const KernelSetup& s) : ElementwiseKernel<S>(s) {
        const std::int64_t axis = s.node.param<std::int64_t>("axis");
        m_overTime = s.output.size() == 2 && (axis == 1 || axis == -2);  // as softmaxOverTime says
    }

    void forward(KernelIO<S>& io) override {
        MatMap<S> y(io.out, this->rows(io.batch), this->features());
        if (!m_overTime) {
            act::apply<S>(Activation::Softmax, this->input(io), y);
            return;
        }
        const Eigen::Index steps = this->m_dims[0];
        const ConstMatMap<S> x = this->input(io);
        for (Eigen::Index b = 0; b < io.batch; ++b) {
            m_t = x.middleRows(b * steps, steps).transpose();
            m_ty.resize(m_t.rows(), m_t.cols());
            act::apply<S>(Activation::Softmax, m_t, m_ty);
            y.middleRows(b * steps, steps) = m_ty.transpose();
        }
    }
    void backward(KernelIO<S>& io) override {
        if (!io.dIn[0]) return;
        const ConstMatMap<S> y = this->output(io), dy = this->outGradient(io);
        this->m_dx.resize(this->rows(io.batch), this->features());
        if (!m_overTime) {
            act::backward<S>(Activation::Softmax, this->input(io), y, dy, this->m_dx);
        } else {
            const Eigen::Index steps = this->m_dims[0];
            for (Eigen::Index b = 0; b < io.batch; ++b) {
                const auto yb = y.middleRows(b * steps, steps).array();
                const auto gb = dy.middleRows(b * steps, steps).array();
                // Each column is one softmax: dx = y * (dy - sum over the column of dy * y).
                const Eigen::Array<S, 1, Eigen::Dynamic> dots = (gb * yb).colwise().sum();
                this->m_dx.middleRows(b * steps, steps).array() = yb * (gb.rowwise() - dots);
            }
        }
        this->addToInputGradient(io);
    }

private:
    bool m_overTime = false;
    Mat<S> m_t, m_ty;
};

/// Which of Keras's axes 1 and 2 share one alpha, for PReLU's shared_axes choice ("none",
/// "[1]", "[2]", "[1, 2]").
struct PReluSharing {
    bool axis1 = false;
    bool axis2 = false;
};
inline PReluSharing preluSharing(const std::string& choice) {
    return {choice == "[1]" || choice == "[1, 2]", choice == "[2]" || choice == "[1, 2]"};
}

/// Keras PReLU: x for x >= 0, alpha * x below, alpha shaped as the input without the batch,
/// made 1 along the shared axes and repeated along them. Backward: d alpha += dy * min(x, 0).
template <class S>
class PReluKernel final : public ElementwiseKernel<S> {
public:
    explicit PReluKernel(const KernelSetup& s) : ElementwiseKernel<S>(s) {
        const PReluSharing shared = preluSharing(s.node.param<std::string>("shared_axes"));
        if (s.output.size() == 2) {
            m_stepsShared = shared.axis1;
            m_featuresShared = shared.axis2;
        } else {
            m_stepsShared = true;  // a vector has no steps; its one axis is the features
            m_featuresShared = shared.axis1;
        }
    }

    void forward(KernelIO<S>& io) override {
        const ConstMatMap<S> x = this->input(io);
        MatMap<S> y(io.out, this->rows(io.batch), this->features());
        for (Eigen::Index r = 0; r < x.rows(); ++r) {
            for (Eigen::Index f = 0; f < x.cols(); ++f) {
                const S v = x(r, f);
                y(r, f) = v >= S(0) ? v : io.params[0][alphaIndex(r, f)] * v;
            }
        }
    }
    void backward(KernelIO<S>& io) override {
        const ConstMatMap<S> x = this->input(io), dy = this->outGradient(io);
        S* dAlpha = io.dParams.empty() ? nullptr : io.dParams[0];
        for (Eigen::Index r = 0; r < x.rows(); ++r) {
            for (Eigen::Index f = 0; f < x.cols(); ++f) {
                const S v = x(r, f);
                if (v >= S(0)) continue;
                const std::int64_t a = alphaIndex(r, f);
                if (dAlpha) dAlpha[a] += dy(r, f) * v;
            }
        }
        if (!io.dIn[0]) return;
        MatMap<S> dx(io.dIn[0], x.rows(), x.cols());
        for (Eigen::Index r = 0; r < x.rows(); ++r) {
            for (Eigen::Index f = 0; f < x.cols(); ++f) {
                dx(r, f) += x(r, f) >= S(0) ? dy(r, f) : io.params[0][alphaIndex(r, f)] * dy(r, f);
            }
        }
    }

private:
    bool m_stepsShared = true, m_featuresShared = false;

    /// Where the alpha of row r (a sample's step) and feature f is: alpha is (steps, features)
    /// with the shared axes of size 1, row-major.
    std::int64_t alphaIndex(Eigen::Index r, Eigen::Index f) const {
        const std::int64_t step = m_stepsShared ? 0 : r % this->m_dims[0];
        const std::int64_t width = m_featuresShared ? 1 : this->features();
        return step * width + (m_featuresShared ? 0 : f);
    }
};

}  // namespace loom
