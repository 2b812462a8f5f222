#include "engine/optimizer.h"

#include <algorithm>
#include <cmath>

namespace loom {

std::optional<OptimizerConfig> OptimizerConfig::defaultsFor(std::string_view name) {
    OptimizerConfig c;
    if (name == "adam") return c;
    if (name == "adamw") {
        c.kind = Kind::AdamW;
        return c;
    }
    if (name == "sgd") {
        c.kind = Kind::Sgd;
        c.learningRate = 0.01;
        return c;
    }
    if (name == "rmsprop") {
        c.kind = Kind::RmsProp;
        return c;
    }
    return std::nullopt;
}

std::string OptimizerConfig::name() const {
    switch (kind) {
        case Kind::Sgd: return "sgd";
        case Kind::Adam: return "adam";
        case Kind::AdamW: return "adamw";
        case Kind::RmsProp: return "rmsprop";
    }
    return "adam";
}

void Optimizer::step(Plan<float>& plan) {
    auto& params = plan.params();
    if (m_slots.size() != 2 * params.size()) {
        m_slots.clear();
        for (const auto& p : params) {
            m_slots.emplace_back(p.value.size(), 0.0f);
            m_slots.emplace_back(p.value.size(), 0.0f);
        }
        m_iterations = 0;
    }
    ++m_iterations;
    const auto& c = m_config;
    const double lr = c.learningRate;
    for (std::size_t k = 0; k < params.size(); ++k) {
        auto& p = params[k];
        Eigen::Map<Eigen::ArrayXf> w(p.value.data(), static_cast<Eigen::Index>(p.value.size()));
        Eigen::Map<Eigen::ArrayXf> g(p.grad.data(), static_cast<Eigen::Index>(p.grad.size()));
        Eigen::Map<Eigen::ArrayXf> m(m_slots[2 * k].data(), w.size());
        Eigen::Map<Eigen::ArrayXf> v(m_slots[2 * k + 1].data(), w.size());
        if (c.clipValue) {
            const auto limit = static_cast<float>(*c.clipValue);
            g = g.max(-limit).min(limit);
        }
        if (c.clipNorm) {
            const double norm = std::sqrt(g.square().cast<double>().sum());
            if (norm > *c.clipNorm) g *= static_cast<float>(*c.clipNorm / norm);
        }
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
                w -= w * static_cast<float>(c.weightDecay * lr);
                [[fallthrough]];
            case OptimizerConfig::Kind::Adam: {
                const double t = static_cast<double>(m_iterations);
                const double alpha = lr * std::sqrt(1.0 - std::pow(c.beta2, t)) /
                                     (1.0 - std::pow(c.beta1, t));
                m += (g - m) * static_cast<float>(1.0 - c.beta1);
                v += (g.square() - v) * static_cast<float>(1.0 - c.beta2);
                w -= static_cast<float>(alpha) * m / (v.sqrt() + static_cast<float>(c.epsilon));
                break;
            }
            case OptimizerConfig::Kind::RmsProp: {
                const auto rho = static_cast<float>(c.rho);
                v = rho * v + (1.0f - rho) * g.square();
                const auto inc = (static_cast<float>(lr) * g / (v.sqrt() + static_cast<float>(c.epsilon))).eval();
                if (c.momentum > 0.0) {
                    m = static_cast<float>(c.momentum) * m + inc;
                    w -= m;
                } else {
                    w -= inc;
                }
                break;
            }
        }
    }
}

}  // namespace loom
