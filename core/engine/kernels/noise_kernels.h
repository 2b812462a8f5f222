#pragma once

#include <cmath>
#include <random>

#include "engine/kernel.h"

namespace loom {

/// What the noise layers share: in training (with a random stream), y = x * m + c for a
/// factor m and an offset c drawn per value, kept for the backward pass (dx = dy * m); at
/// inference, the identity. Each kind says how it draws them.
template <class S>
class NoiseKernel : public Kernel<S> {
public:
    explicit NoiseKernel(const KernelSetup& s) : m_dims(s.output) {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index rows = rowsOf(io.batch, m_dims), f = m_dims.back();
        ConstMatMap<S> x(io.in[0], rows, f);
        MatMap<S> y(io.out, rows, f);
        m_active = io.training && io.rng && active();
        if (!m_active) {
            y = x;
            return;
        }
        m_factor.resize(rows, f);
        m_offset.resize(offsets() ? rows : 0, f);
        draw(*io.rng, io.batch);
        if (offsets()) {
            y.array() = x.array() * m_factor.array() + m_offset.array();
        } else {
            y.array() = x.array() * m_factor.array();
        }
    }
    void backward(KernelIO<S>& io) override {
        if (!io.dIn[0]) return;
        const Eigen::Index rows = rowsOf(io.batch, m_dims), f = m_dims.back();
        ConstMatMap<S> dy(io.dOut, rows, f);
        MatMap<S> dx(io.dIn[0], rows, f);
        if (m_active) {
            dx.array() += dy.array() * m_factor.array();
        } else {
            dx += dy;
        }
    }

protected:
    Dims m_dims;
    Mat<S> m_factor, m_offset;  ///< this batch's draws, one per value (no offsets where offsets() says so)
    bool m_active = false;      ///< whether this batch's forward pass drew them

    /// Whether the layer changes anything while training (a rate or deviation above 0).
    virtual bool active() const = 0;
    /// Whether the kind adds an offset; the dropouts only scale.
    virtual bool offsets() const { return false; }
    /// Fills m_factor (sized rows x features), and m_offset where offsets() says so, for a batch
    /// of `batch` samples.
    virtual void draw(std::mt19937_64& rng, int batch) = 0;
};

/// Keras Dropout(rate): in training, each value is kept with probability 1 - rate and scaled by
/// 1 / (1 - rate), else zeroed.
template <class S>
class DropoutKernel final : public NoiseKernel<S> {
public:
    explicit DropoutKernel(const KernelSetup& s) : NoiseKernel<S>(s), m_rate(s.node.param<double>("rate")) {}

private:
    double m_rate;

    bool active() const override { return m_rate > 0.0; }
    void draw(std::mt19937_64& rng, int) override {
        std::bernoulli_distribution keep(1.0 - m_rate);
        const S scale = static_cast<S>(1.0 / (1.0 - m_rate));
        for (Eigen::Index i = 0; i < this->m_factor.size(); ++i) this->m_factor.data()[i] = keep(rng) ? scale : S(0);
    }
};

/// Keras SpatialDropout1D(rate): each sample's feature channels are dropped whole, at every
/// step alike (noise shape (batch, 1, features)), the rest scaled by 1 / (1 - rate).
template <class S>
class SpatialDropoutKernel final : public NoiseKernel<S> {
public:
    explicit SpatialDropoutKernel(const KernelSetup& s) : NoiseKernel<S>(s), m_rate(s.node.param<double>("rate")) {}

private:
    double m_rate;

    bool active() const override { return m_rate > 0.0; }
    void draw(std::mt19937_64& rng, int batch) override {
        std::bernoulli_distribution keep(1.0 - m_rate);
        const S scale = static_cast<S>(1.0 / (1.0 - m_rate));
        const Eigen::Index steps = this->m_dims.size() == 2 ? this->m_dims[0] : 1;
        for (Eigen::Index b = 0; b < batch; ++b) {
            for (Eigen::Index f = 0; f < this->m_factor.cols(); ++f) {
                const S m = keep(rng) ? scale : S(0);
                this->m_factor.col(f).segment(b * steps, steps).setConstant(m);
            }
        }
    }
};

/// Keras GaussianNoise(stddev): y = x + noise drawn from N(0, stddev) per value.
template <class S>
class GaussianNoiseKernel final : public NoiseKernel<S> {
public:
    explicit GaussianNoiseKernel(const KernelSetup& s) : NoiseKernel<S>(s), m_stddev(s.node.param<double>("stddev")) {}

private:
    double m_stddev;

    bool active() const override { return m_stddev > 0.0; }
    bool offsets() const override { return true; }
    void draw(std::mt19937_64& rng, int) override {
        std::normal_distribution<double> noise(0.0, m_stddev);
        this->m_factor.setOnes();
        for (Eigen::Index i = 0; i < this->m_offset.size(); ++i) this->m_offset.data()[i] = static_cast<S>(noise(rng));
    }
};

/// Keras GaussianDropout(rate): y = x * noise drawn from N(1, sqrt(rate / (1 - rate))) per value.
template <class S>
class GaussianDropoutKernel final : public NoiseKernel<S> {
public:
    explicit GaussianDropoutKernel(const KernelSetup& s) : NoiseKernel<S>(s), m_rate(s.node.param<double>("rate")) {}

private:
    double m_rate;

    bool active() const override { return m_rate > 0.0; }
    void draw(std::mt19937_64& rng, int) override {
        std::normal_distribution<double> noise(1.0, std::sqrt(m_rate / (1.0 - m_rate)));
        for (Eigen::Index i = 0; i < this->m_factor.size(); ++i) this->m_factor.data()[i] = static_cast<S>(noise(rng));
    }
};

/// Keras AlphaDropout(rate), which keeps SELU's mean and variance: a dropped value becomes
/// alpha' = -scale * alpha of SELU, then y = a * x' + b with a = ((1 - rate)(1 + rate alpha'^2))^-1/2
/// and b = -a alpha' rate. As y = x * m + c: kept, m = a and c = b; dropped, m = 0 and
/// c = a alpha' + b.
template <class S>
class AlphaDropoutKernel final : public NoiseKernel<S> {
public:
    explicit AlphaDropoutKernel(const KernelSetup& s) : NoiseKernel<S>(s), m_rate(s.node.param<double>("rate")) {}

private:
    double m_rate;

    bool active() const override { return m_rate > 0.0; }
    bool offsets() const override { return true; }
    void draw(std::mt19937_64& rng, int) override {
        constexpr double kAlphaP = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946;
        const double a = 1.0 / std::sqrt((1.0 - m_rate) * (1.0 + m_rate * kAlphaP * kAlphaP));
        const double b = -a * kAlphaP * m_rate;
        std::bernoulli_distribution keep(1.0 - m_rate);
        for (Eigen::Index i = 0; i < this->m_factor.size(); ++i) {
            const bool kept = keep(rng);
            this->m_factor.data()[i] = static_cast<S>(kept ? a : 0.0);
            this->m_offset.data()[i] = static_cast<S>(kept ? b : a * kAlphaP + b);
        }
    }
};

}  // namespace loom
