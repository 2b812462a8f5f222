#include "train/run_outputs.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "engine/loss.h"
#include "io/message_text.h"

namespace loom {

std::vector<Metric> reportedMetrics(Loss loss, const std::vector<Metric>& chosen) {
    std::vector<Metric> metrics;
    for (Metric m : chosen) {
        if (m == Metric::Accuracy && isClassification(loss)) continue;
        if (std::find(metrics.begin(), metrics.end(), m) == metrics.end()) metrics.push_back(m);
    }
    return metrics;
}

RunOutputs::RunOutputs(const Plan<float>& plan, const TrainConfig& config) {
    for (NodeId id : plan.inputs()) {
        m_inputNames.push_back(plan.name(id));
        m_inputDims.push_back(plan.dims(id));
    }
    m_inputs.resize(m_inputNames.size());
    m_inputPointers.resize(m_inputNames.size());
    const bool several = plan.outputs().size() > 1;
    for (std::size_t k = 0; k < plan.outputs().size(); ++k) {
        const Dims& dims = plan.dims(plan.outputs()[k]);
        Head h;
        h.index = k;
        h.name = plan.name(plan.outputs()[k]);
        h.prefix = several ? h.name + "_" : "";
        h.loss = config.lossOf(h.name, plan.outputs().size());
        h.dims = dims;
        h.rowsPerSample = dims.size() == 2 ? dims[0] : 1;
        h.cols = dims.back();
        m_heads.push_back(std::move(h));
    }
    m_gradientPointers.resize(m_heads.size());
}

std::string RunOutputs::dataProblem(const Dataset& d, const char* which) const {
    const std::string what(which);
    const bool several = m_inputNames.size() > 1 || m_heads.size() > 1;
    if (d.inputCount() != m_inputNames.size() || d.targetCount() != m_heads.size()) {
        return "the model has " + counted(m_inputNames.size(), "Input", "Inputs") + " and " +
               counted(m_heads.size(), "output", "outputs") + ", but the " + what + " data holds samples for " +
               std::to_string(d.inputCount()) + " and targets for " + std::to_string(d.targetCount());
    }
    for (std::size_t k = 0; k < m_inputNames.size(); ++k) {
        if (d.inputDims(k) == m_inputDims[k]) continue;
        if (!several) {
            return "the " + what + " samples have shape " + formatShape(d.xDims) + ", but the model's Input takes " +
                   formatShape(m_inputDims[k]);
        }
        return "the " + what + " samples for the Input " + m_inputNames[k] + " have shape " + formatShape(d.inputDims(k)) +
               ", but it takes " + formatShape(m_inputDims[k]);
    }
    for (const Head& h : m_heads) {
        const Dims& out = h.dims;
        Dims target = out;
        target.back() = targetColumns(h.loss.loss, h.cols);
        if (d.targetDims(h.index) == target) continue;
        const std::string sparse = h.loss.loss == Loss::SparseCategoricalCrossentropy ? " (one class index per row)" : "";
        if (!several) {
            return "the " + what + " targets have shape " + formatShape(d.yDims) + ", but the model's output is " +
                   formatShape(out) + sparse;
        }
        return "the " + what + " targets for the output " + h.name + " have shape " + formatShape(d.targetDims(h.index)) +
               ", but it gives " + formatShape(out) + sparse;
    }
    if (d.size() == 0) return "there are no " + what + " samples";
    if (!d.complete()) {
        if (several) return "the " + what + " data's arrays do not all hold " + std::to_string(d.size()) + " samples";
        return "the " + what + " data has " + std::to_string(d.size()) + " samples but targets for " +
               std::to_string(d.y.size() / std::max<std::int64_t>(1, d.ySize()));
    }
    for (const Head& h : m_heads) {
        if (h.loss.loss != Loss::SparseCategoricalCrossentropy) continue;
        // A class index the output has no score for is an error, as in Keras, not a loss.
        std::vector<float> labels(static_cast<std::size_t>(Dataset::product(d.targetDims(h.index))));
        for (std::int64_t i = 0; i < d.size(); ++i) {
            d.copyTarget(h.index, i, labels.data());
            for (std::size_t r = 0; r < labels.size(); ++r) {
                const float v = labels[r];
                if (v >= 0 && v < static_cast<float>(h.cols) && v == std::floor(v)) continue;
                std::ostringstream value;
                value << v;
                return "the " + what + " target " + (several ? "for " + h.name + " " : std::string()) + "of sample " +
                       std::to_string(i) + (labels.size() > 1 ? " at step " + std::to_string(r) : std::string()) + " is " +
                       value.str() + ", but the output scores " + std::to_string(h.cols) + " classes, 0 to " +
                       std::to_string(h.cols - 1);
            }
        }
    }
    return {};
}

void RunOutputs::gather(const Dataset& d, const std::vector<float>& sampleWeights, const std::vector<std::int64_t>& order,
                        std::size_t begin, std::size_t end) {
    m_batch = static_cast<int>(end - begin);
    for (std::size_t k = 0; k < m_inputs.size(); ++k) {
        const std::int64_t size = Dataset::product(d.inputDims(k));
        m_inputs[k].resize(static_cast<std::size_t>(m_batch * size));
        for (std::size_t i = begin; i < end; ++i) {
            d.copyInput(k, order[i], m_inputs[k].data() + static_cast<std::int64_t>(i - begin) * size);
        }
        m_inputPointers[k] = m_inputs[k].data();
    }
    for (Head& h : m_heads) {
        const std::int64_t size = Dataset::product(d.targetDims(h.index));
        h.targets.resize(static_cast<std::size_t>(m_batch * size));
        for (std::size_t i = begin; i < end; ++i) {
            d.copyTarget(h.index, order[i], h.targets.data() + static_cast<std::int64_t>(i - begin) * size);
        }
        // Each sample's weight, repeated over its rows.
        h.rowWeights.clear();
        if (sampleWeights.empty()) continue;
        for (std::size_t i = begin; i < end; ++i) {
            h.rowWeights.insert(h.rowWeights.end(), static_cast<std::size_t>(h.rowsPerSample),
                                sampleWeights[static_cast<std::size_t>(order[i])]);
        }
    }
}

double RunOutputs::score(const Plan<float>& plan, bool gradients, double extra) {
    double total = extra;
    m_extraSum += extra * m_batch;
    for (Head& h : m_heads) {
        const std::int64_t rows = m_batch * h.rowsPerSample;
        const float* y = plan.output(h.index);
        maskRowWeights(plan.outputMask(h.index), rows, h.rowWeights);
        if (gradients) h.gradient.resize(static_cast<std::size_t>(rows * h.cols));
        const double loss = computeLoss<float>(
            h.loss.loss, y, h.targets.data(), rows, h.cols, gradients ? h.gradient.data() : nullptr,
            {.fromLogits = h.loss.fromLogits, .rowWeights = h.rowWeights.empty() ? nullptr : h.rowWeights.data()});
        if (gradients && h.loss.weight != 1.0) {
            const auto w = static_cast<float>(h.loss.weight);
            for (float& g : h.gradient) g *= w;
        }
        m_gradientPointers[h.index] = h.gradient.data();
        total += h.loss.weight * loss;
        h.lossSum += loss * m_batch;
        if (isClassification(h.loss.loss)) {
            h.accuracySum += accuracy<float>(h.loss.loss, y, h.targets.data(), rows, h.cols, h.loss.fromLogits) * m_batch;
        }
        if (h.metrics.empty()) continue;
        // Metrics read probabilities: logits are turned into them first.
        if (h.loss.fromLogits) {
            h.probabilities.assign(y, y + rows * h.cols);
            logitsToProbabilities(h.loss.loss, h.probabilities.data(), rows, h.cols);
            y = h.probabilities.data();
        }
        for (MetricState& s : h.metrics) s.update(y, h.targets.data(), rows, h.cols, targetColumns(h.loss.loss, h.cols));
    }
    return total;
}

void RunOutputs::restart() {
    m_extraSum = 0.0;
    for (Head& h : m_heads) {
        h.lossSum = h.accuracySum = 0.0;
        h.metrics.clear();
        for (Metric m : reportedMetrics(h.loss.loss, h.loss.metrics)) h.metrics.emplace_back(m);
    }
}

void RunOutputs::results(std::int64_t samples, double& loss, double& accuracy, std::map<std::string, double>& metrics,
                         const std::string& prefix) const {
    const auto n = static_cast<double>(std::max<std::int64_t>(1, samples));
    loss = m_extraSum / n;
    accuracy = -1.0;
    for (const Head& h : m_heads) {
        loss += h.loss.weight * h.lossSum / n;
        const bool classifies = isClassification(h.loss.loss);
        if (several()) {
            metrics[prefix + h.prefix + "loss"] = h.lossSum / n;
            if (classifies) metrics[prefix + h.prefix + "accuracy"] = h.accuracySum / n;
        } else if (classifies) {
            accuracy = h.accuracySum / n;
        }
        for (const MetricState& s : h.metrics) metrics[prefix + h.prefix + metricName(s.metric())] = s.result();
    }
}

}  // namespace loom
