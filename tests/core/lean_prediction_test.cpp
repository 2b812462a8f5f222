// Predictions (Plan::predict) take the recurrent kernels' lean path, which keeps nothing for a
// backward pass and runs time-major, and max pooling keeps no argmax. They must give what the
// keeping forward pass gives, for every recurrent configuration, for batches the threads
// split, and after the weights change.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/test_graphs.h"
#include "engine/kernels/row_chunks.h"
#include "engine/plan.h"

namespace loom {
namespace {

using test::add;
using test::input;

struct Case {
    std::string name;
    ModelGraph graph;
};

ParamMap units(std::int64_t n, ParamMap more = {}) {
    more["units"] = n;
    return more;
}

/// A recurrent layer over (7, 3), then a second one over its sequence, returning the last step.
Case stacked(const std::string& name, const std::string& kind, const ParamMap& extra) {
    Case c{name, {}};
    ParamMap first = extra, second = extra;
    first["return_sequences"] = true;
    const NodeId seq = add(c.graph, kind, units(5, first), {input(c.graph, {7, 3})});
    add(c.graph, kind, units(4, second), {seq});
    return c;
}

/// An encoder returning its states and a decoder starting from them (initial_state).
Case encoderDecoder(const std::string& kind) {
    Case c{kind + " encoder-decoder", {}};
    ModelGraph& g = c.graph;
    const NodeId source = input(g, {6, 3}), target = input(g, {5, 2});
    const NodeId enc = add(g, kind, units(4, {{"return_state", true}}), {source});
    const NodeId dec = add(g, kind, units(4, {{"return_sequences", true}, {"initial_state", true}}), {target});
    const int states = kind == "LSTM" ? 2 : 1;
    for (int k = 1; k <= states; ++k) g.connect({enc, k}, {dec, k});
    add(g, "Dense", units(2), {dec});
    // The last state as an output of its own, through a Dense layer.
    const NodeId last = addLayer(g, "Dense");
    g.setParam(last, "units", std::int64_t{3});
    g.connect({enc, states}, {last, 0});
    return c;
}

std::vector<Case> cases() {
    std::vector<Case> all;
    all.push_back(stacked("LSTM", "LSTM", {}));
    all.push_back(stacked("LSTM without bias", "LSTM", {{"use_bias", false}}));
    all.push_back(stacked("LSTM going backwards", "LSTM", {{"go_backwards", true}}));
    all.push_back(stacked("LSTM relu, hard_sigmoid", "LSTM",
                          {{"activation", std::string("relu")}, {"recurrent_activation", std::string("hard_sigmoid")}}));
    all.push_back(stacked("GRU reset after", "GRU", {}));
    all.push_back(stacked("GRU reset before", "GRU", {{"reset_after", false}}));
    all.push_back(stacked("GRU without bias", "GRU", {{"use_bias", false}}));
    all.push_back(stacked("SimpleRNN", "SimpleRNN", {}));
    for (const char* kind : {"LSTM", "GRU", "SimpleRNN"}) {
        all.push_back(stacked(std::string("Bidirectional ") + kind, "Bidirectional",
                              {{"layer", std::string(kind)}, {"merge_mode", std::string("concat")}}));
        all.push_back(encoderDecoder(kind));
    }
    // Max pooling keeps no argmax in a prediction; windows over 3 and 2 steps, with ties.
    Case pooled{"MaxPooling1D", {}};
    const NodeId conv = add(pooled.graph, "Conv1D",
                            {{"filters", std::int64_t{4}}, {"kernel_size", std::int64_t{3}}, {"activation", std::string("relu")}},
                            {input(pooled.graph, {9, 3})});
    const NodeId pool = add(pooled.graph, "MaxPooling1D",
                            {{"pool_size", std::int64_t{3}}, {"strides", std::int64_t{2}}, {"padding", std::string("same")}}, {conv});
    add(pooled.graph, "LSTM", units(3), {pool});
    all.push_back(std::move(pooled));
    // A step mask sends the kernels down their keeping path; the results must not change.
    Case masked{"LSTM after Masking", {}};
    const NodeId m = add(masked.graph, "Masking", {{"mask_value", 0.0}}, {input(masked.graph, {7, 3})});
    add(masked.graph, "LSTM", units(4, {{"return_sequences", true}}), {m});
    all.push_back(std::move(masked));
    return all;
}

template <class S>
std::vector<std::vector<S>> inputsFor(const Plan<S>& plan, int batch, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<std::vector<S>> xs;
    for (NodeId id : plan.inputs()) {
        std::int64_t per = 1;
        for (std::int64_t d : plan.dims(id)) per *= d;
        std::vector<S> x(static_cast<std::size_t>(per * batch));
        for (std::size_t i = 0; i < x.size(); ++i) {
            // Some whole steps of zeros, which the masked case pads.
            x[i] = (i / 3) % 5 == 4 ? S(0) : static_cast<S>(normal(rng));
        }
        xs.push_back(std::move(x));
    }
    return xs;
}

template <class S>
std::vector<std::vector<S>> outputsOf(const Plan<S>& plan, int batch) {
    std::vector<std::vector<S>> ys;
    for (std::size_t k = 0; k < plan.outputs().size(); ++k) {
        std::int64_t per = 1;
        for (std::int64_t d : plan.dims(plan.outputs()[k])) per *= d;
        ys.emplace_back(plan.output(k), plan.output(k) + per * batch);
    }
    return ys;
}

template <class S>
void expectNear(const std::vector<std::vector<S>>& a, const std::vector<std::vector<S>>& b, double tolerance,
                const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (std::size_t k = 0; k < a.size(); ++k) {
        ASSERT_EQ(a[k].size(), b[k].size()) << what;
        for (std::size_t i = 0; i < a[k].size(); ++i) {
            ASSERT_NEAR(a[k][i], b[k][i], tolerance * (1.0 + std::abs(b[k][i]))) << what << ", output " << k << " value " << i;
        }
    }
}

/// forward() on one plan, predict() on another with the same weights (so that nothing the
/// keeping pass wrote can stand in for what the lean one should write), for each batch size,
/// on `threads` threads.
template <class S>
void expectPredictionIsForward(const Case& c, double tolerance, int threads, std::vector<int> batches = {1, 3, 64}) {
    setKernelThreads(threads);
    const int most = *std::max_element(batches.begin(), batches.end());
    Plan<S> keeping = Plan<S>::compile(c.graph, most);
    Plan<S> lean = Plan<S>::compile(c.graph, most);
    keeping.initialize(11);
    std::mt19937_64 rng(5);
    std::normal_distribution<double> normal(0.0, 0.3);
    for (std::size_t k = 0; k < keeping.params().size(); ++k) {
        auto& p = keeping.params()[k];
        for (S& v : p.value) v += static_cast<S>(normal(rng));  // biases away from 0 and 1
        lean.params()[k].value = p.value;
    }
    for (int batch : batches) {
        const auto xs = inputsFor(keeping, batch, static_cast<std::uint64_t>(batch));
        std::vector<const S*> in;
        for (const auto& x : xs) in.push_back(x.data());
        keeping.forward(in, batch);
        const auto kept = outputsOf(keeping, batch);
        lean.predict(in, batch);
        expectNear(outputsOf(lean, batch), kept, tolerance,
                   c.name + ", batch " + std::to_string(batch) + ", " + std::to_string(threads) + " threads");
        lean.predict(in, batch);  // again, with the packed kernels kept from the pass before
        expectNear(outputsOf(lean, batch), kept, tolerance, c.name + ", second prediction");
    }
    setKernelThreads(2);
}

TEST(LeanPrediction, GivesWhatTheKeepingPassGivesInDouble) {
    for (const Case& c : cases()) {
        for (int threads : {1, 2}) expectPredictionIsForward<double>(c, 1e-12, threads);
    }
}

TEST(LeanPrediction, GivesWhatTheKeepingPassGivesInFloat) {
    for (const Case& c : cases()) expectPredictionIsForward<float>(c, 2e-6, 2);
}

TEST(LeanPrediction, LargeKernelsSmallAndLargeBatchesAndSeveralBlocksOfSteps) {
    // Recurrent kernels larger than half a core's cache: small batches share each step by the
    // kernel's columns, 128 samples by rows (64 or more per thread); 256 samples of 13 steps
    // need several blocks of steps for their input projections.
    for (const char* kind : {"LSTM", "GRU"}) {
        Case big{std::string("wide ") + kind, {}};
        ParamMap more{{"return_sequences", true}};
        if (std::string(kind) == "GRU") more["reset_after"] = false;
        const NodeId seq = add(big.graph, kind, units(384, more), {input(big.graph, {13, 3})});
        add(big.graph, kind, units(4), {seq});
        expectPredictionIsForward<double>(big, 1e-12, 2, {1, 3, 256});
    }
}

TEST(LeanPrediction, SeesWeightsChangedBetweenPredictions) {
    const Case c = stacked("GRU", "GRU", {});
    Plan<double> plan = Plan<double>::compile(c.graph, 4);
    plan.initialize(3);
    const auto xs = inputsFor(plan, 4, 9);
    const double* in[] = {xs[0].data()};
    plan.predict(in, 4);
    const auto before = outputsOf(plan, 4);
    // A recurrent kernel changed through params(), as an optimizer step changes it.
    for (auto& p : plan.params()) {
        if (p.shape.name == "recurrent_kernel") {
            for (double& v : p.value) v *= -1.5;
        }
    }
    plan.predict(in, 4);
    const auto changed = outputsOf(plan, 4);
    plan.forward(in, 4);
    expectNear(changed, outputsOf(plan, 4), 1e-12, "after params()");
    EXPECT_NE(changed, before);
    // Other weights, then the ones before again (through float tensors).
    const auto weights = plan.exportWeights();
    plan.initialize(4);
    plan.predict(in, 4);
    EXPECT_NE(outputsOf(plan, 4), changed);
    plan.loadWeights(weights);
    plan.predict(in, 4);
    const auto loaded = outputsOf(plan, 4);
    expectNear(loaded, changed, 1e-6, "after loadWeights");
    plan.forward(in, 4);
    expectNear(loaded, outputsOf(plan, 4), 1e-12, "after loadWeights");
}

TEST(LeanPrediction, LeavesNothingForABackwardPass) {
    const Case c = stacked("LSTM", "LSTM", {});
    Plan<double> plan = Plan<double>::compile(c.graph, 2);
    plan.initialize(3);
    const auto xs = inputsFor(plan, 2, 1);
    const double* in[] = {xs[0].data()};
    plan.predict(in, 2);
    const std::vector<double> dy(2 * 4, 1.0);
    const double* dOut[] = {dy.data()};
    plan.zeroGrad();
    EXPECT_THROW(plan.backward(dOut), PlanError);
    plan.forward(in, 2);
    EXPECT_NO_THROW(plan.backward(dOut));
}

}  // namespace
}  // namespace loom
