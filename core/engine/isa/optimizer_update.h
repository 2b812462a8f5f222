#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>

#include "engine/kernels/row_chunks.h"
#include "engine/optimizer.h"

namespace loom::isa {

/// Keras's update rules for one parameter and its gradient (clipped first, as Keras does),
/// with the optimizer's slots per parameter: m (first moment, or SGD's velocity), v, and for
/// AMSGrad vMax, the largest v so far. Weight decay comes first, as Keras 3's optimizers apply
/// it to every weight before the update.
inline void updateParameterImpl(const OptimizerConfig& c, long iteration, float* wp, float* gp,
                                float* mp, float* vp, float* vMaxp, std::int64_t n) {
    const auto size = static_cast<Eigen::Index>(n);
    Eigen::Map<Eigen::ArrayXf> wAll(wp, size);
    Eigen::Map<Eigen::ArrayXf> gAll(gp, size);
    Eigen::Map<Eigen::ArrayXf> mAll(mp, size);
    Eigen::Map<Eigen::ArrayXf> vAll(vp, size);
    const double lr = c.learningRate;
    if (c.clipValue) {
        const auto limit = static_cast<float>(*c.clipValue);
        gAll = gAll.max(-limit).min(limit);
    }
    if (c.clipNorm) {
        const double norm = std::sqrt(gAll.square().cast<double>().sum());
        if (norm > *c.clipNorm) gAll *= static_cast<float>(*c.clipNorm / norm);
    }
    // Every value's update is its own: large tensors are split between the threads (as rows of
    // one value), each value computed as in one pass.
    const auto update = [&](Eigen::Index first, Eigen::Index count) {
        auto w = wAll.segment(first, count);
        auto g = gAll.segment(first, count);
        auto m = mAll.segment(first, count);
        auto v = vAll.segment(first, count);
        if (c.weightDecay > 0.0) w -= w * static_cast<float>(c.weightDecay * lr);
        switch (c.kind) {
            case OptimizerConfig::Kind::Sgd: {
                const auto mu = static_cast<float>(c.momentum);
                if (mu == 0.0f) {
                    w -= static_cast<float>(lr) * g;
                } else {
                    m = mu * m - static_cast<float>(lr) * g;
                    w += c.nesterov ? (mu * m - static_cast<float>(lr) * g).eval() : m.eval();
                }
                break;
            }
            case OptimizerConfig::Kind::AdamW:
            case OptimizerConfig::Kind::Adam: {
                const double t = static_cast<double>(iteration);
                const double alpha =
                    lr * std::sqrt(1.0 - std::pow(c.beta2, t)) / (1.0 - std::pow(c.beta1, t));
                m += (g - m) * static_cast<float>(1.0 - c.beta1);
                v += (g.square() - v) * static_cast<float>(1.0 - c.beta2);
                if (vMaxp) {
                    auto vMax = Eigen::Map<Eigen::ArrayXf>(vMaxp, size).segment(first, count);
                    vMax = vMax.max(v);
                    w -= static_cast<float>(alpha) * m / (vMax.sqrt() + static_cast<float>(c.epsilon));
                } else {
                    w -= static_cast<float>(alpha) * m / (v.sqrt() + static_cast<float>(c.epsilon));
                }
                break;
            }
            case OptimizerConfig::Kind::RmsProp: {
                const auto rho = static_cast<float>(c.rho);
                v = rho * v + (1.0f - rho) * g.square();
                const auto inc =
                    (static_cast<float>(lr) * g / (v.sqrt() + static_cast<float>(c.epsilon))).eval();
                if (c.momentum > 0.0) {
                    m = static_cast<float>(c.momentum) * m + inc;
                    w -= m;
                } else {
                    w -= inc;
                }
                break;
            }
        }
    };
    inRowChunks(size, 1, kernelThreads(), update);
}

}  // namespace loom::isa
