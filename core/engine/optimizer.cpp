#include "engine/optimizer.h"

#include "engine/isa/cpu_dispatch.h"

#include <stdexcept>
#include <string>

namespace loom {

std::optional<OptimizerConfig> OptimizerConfig::defaultsFor(std::string_view name) {
    OptimizerConfig c;
    if (name == "adam") return c;
    if (name == "adamw") {
        c.kind = Kind::AdamW;
        c.weightDecay = 0.004;
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

int OptimizerConfig::slotsPerParameter() const {
    return amsgrad && (kind == Kind::Adam || kind == Kind::AdamW) ? 3 : 2;
}

std::string Optimizer::stateProblem(const Plan<float>& plan, const OptimizerState& state) const {
    const auto& params = plan.params();
    if (state.iterations < 0) return "the optimizer's step count is negative";
    if (state.moments.empty()) return {};
    const auto slots = static_cast<std::size_t>(m_config.slotsPerParameter());
    if (state.moments.size() != slots * params.size()) {
        return "the optimizer state holds " + std::to_string(state.moments.size()) +
               " slots; the model needs " + std::to_string(slots * params.size()) +
               (slots == 3 ? " (AMSGrad keeps a third slot per parameter)" : "");
    }
    for (std::size_t k = 0; k < params.size(); ++k) {
        for (std::size_t s = slots * k; s < slots * k + slots; ++s) {
            if (state.moments[s].size() != params[k].value.size()) {
                return "the optimizer state of " + params[k].fullName() + " holds " +
                       std::to_string(state.moments[s].size()) + " values; the parameter has " +
                       std::to_string(params[k].value.size());
            }
        }
    }
    return {};
}

void Optimizer::restore(const Plan<float>& plan, OptimizerState state) {
    if (std::string problem = stateProblem(plan, state); !problem.empty()) throw std::invalid_argument(problem);
    m_slots = std::move(state.moments);
    m_iterations = m_slots.empty() ? 0 : state.iterations;
}

void Optimizer::step(Plan<float>& plan) {
    auto& params = plan.params();
    const auto slots = static_cast<std::size_t>(m_config.slotsPerParameter());
    if (m_slots.size() != slots * params.size()) {
        m_slots.clear();
        for (const auto& p : params) {
            for (std::size_t s = 0; s < slots; ++s) m_slots.emplace_back(p.value.size(), 0.0f);
        }
        m_iterations = 0;
    }
    ++m_iterations;
    const isa::Table& numerics = isa::active();
    for (std::size_t k = 0; k < params.size(); ++k) {
        auto& p = params[k];
        if (!p.shape.trainable) continue;  // moving statistics, which their kernel keeps
        numerics.updateParameter(m_config, m_iterations, p.value.data(), p.grad.data(),
                                 m_slots[slots * k].data(), m_slots[slots * k + 1].data(),
                                 slots == 3 ? m_slots[slots * k + 2].data() : nullptr,
                                 static_cast<std::int64_t>(p.value.size()));
    }
}

}  // namespace loom
