#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/plan.h"

namespace loom {

/// An optimizer and its hyperparameters, with Keras's defaults.
struct OptimizerConfig {
    enum class Kind { Sgd, Adam, AdamW, RmsProp };
    Kind kind = Kind::Adam;
    double learningRate = 1e-3;  ///< SGD's Keras default is 0.01; see defaultsFor()
    double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7;  ///< Adam, AdamW
    bool amsgrad = false;  ///< Adam, AdamW: divide by the largest second moment seen so far
    /// Every optimizer, as Keras 3 applies it: before each update, w -= w * weightDecay * lr
    /// (decoupled from the gradient). Keras's default: 0.004 for AdamW, none for the others.
    double weightDecay = 0.0;
    double rho = 0.9;                                   ///< RMSprop
    double momentum = 0.0;                              ///< SGD, RMSprop
    bool nesterov = false;                              ///< SGD
    std::optional<double> clipNorm;   ///< each gradient's norm at most this
    std::optional<double> clipValue;  ///< each gradient value within +-this

    /// The Keras defaults for an optimizer named `sgd`, `adam`, `adamw` or `rmsprop`.
    static std::optional<OptimizerConfig> defaultsFor(std::string_view name);
    std::string name() const;
    /// The slots the optimizer keeps per parameter: m and v, and AMSGrad's largest v.
    int slotsPerParameter() const;
};

/// What an optimizer has learnt along the way: the step count and, per parameter, its slots
/// (Adam's first and second moments, SGD's and RMSprop's running values, AMSGrad's largest
/// second moment) of its size. Empty before the first step.
struct OptimizerState {
    long iterations = 0;
    /// moments[s * k + i] for parameter k's slot i, s slots per parameter (2, or 3 with AMSGrad)
    std::vector<AlignedVector<float>> moments;
};

/// Applies gradients to a plan's parameters, Keras's update rules, one step per batch.
class Optimizer {
public:
    explicit Optimizer(OptimizerConfig config) : m_config(config) {}
    const OptimizerConfig& config() const { return m_config; }
    void setLearningRate(double lr) { m_config.learningRate = lr; }
    /// Updates every parameter from its gradient.
    void step(Plan<float>& plan);
    /// Forgets moments and the step count (after weights are reset).
    void reset() { m_slots.clear(); m_iterations = 0; }
    OptimizerState state() const { return {m_iterations, m_slots}; }
    /// Continues from `state` (an empty one starts afresh). Throws std::invalid_argument when
    /// its slots do not have the sizes of `plan`'s parameters.
    void restore(const Plan<float>& plan, OptimizerState state);
    /// Why `state` does not fit `plan` and this optimizer's slots, in words; empty when it does.
    std::string stateProblem(const Plan<float>& plan, const OptimizerState& state) const;

private:
    OptimizerConfig m_config;
    std::vector<AlignedVector<float>> m_slots;  ///< slotsPerParameter() per parameter
    long m_iterations = 0;
};

}  // namespace loom
