// Losses, regularisers, optimizers and the training loop.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "core/test_graphs.h"
#include "engine/kernels/row_chunks.h"
#include "data/csv_reader.h"
#include "train/trainer.h"

namespace loom {
namespace {

using test::add;
using test::input;

class LossGradient : public ::testing::TestWithParam<Loss> {};

TEST_P(LossGradient, MatchesFiniteDifferences) {
    const Loss loss = GetParam();
    const std::int64_t rows = 4, cols = 3;
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(0.05, 0.95);
    std::vector<double> y(rows * cols), t(rows * targetColumns(loss, cols)), g(y.size());
    for (double& v : y) v = u(rng);
    if (loss == Loss::SparseCategoricalCrossentropy) {
        for (std::int64_t r = 0; r < rows; ++r) t[r] = static_cast<double>(r % cols);
    } else if (loss == Loss::CategoricalCrossentropy) {
        for (std::int64_t r = 0; r < rows; ++r) t[r * cols + (r % cols)] = 1.0;
    } else {
        for (double& v : t) v = u(rng);
    }
    computeLoss<double>(loss, y.data(), t.data(), rows, cols, g.data());
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double saved = y[i], eps = 1e-6;
        y[i] = saved + eps;
        const double up = computeLoss<double>(loss, y.data(), t.data(), rows, cols, nullptr);
        y[i] = saved - eps;
        const double down = computeLoss<double>(loss, y.data(), t.data(), rows, cols, nullptr);
        y[i] = saved;
        EXPECT_NEAR(g[i], (up - down) / (2 * eps), 1e-6) << lossName(loss) << " at " << i;
    }
}

INSTANTIATE_TEST_SUITE_P(Every, LossGradient,
                         ::testing::Values(Loss::MeanSquaredError, Loss::MeanAbsoluteError,
                                           Loss::Huber, Loss::BinaryCrossentropy,
                                           Loss::CategoricalCrossentropy,
                                           Loss::SparseCategoricalCrossentropy));

/// Logits and weights, with targets of each loss's kind, for the from_logits checks.
struct LogitCase {
    std::int64_t rows = 4, cols = 3;
    std::vector<double> x, t, w;
    explicit LogitCase(Loss loss) {
        std::mt19937_64 rng(9);
        std::uniform_real_distribution<double> u(-3, 3), unit(0, 1);
        x.resize(static_cast<std::size_t>(rows * cols));
        for (double& v : x) v = u(rng);
        t.assign(static_cast<std::size_t>(rows * targetColumns(loss, cols)), 0.0);
        for (std::int64_t r = 0; r < rows; ++r) {
            if (loss == Loss::SparseCategoricalCrossentropy) t[r] = static_cast<double>((r + 1) % cols);
            if (loss == Loss::CategoricalCrossentropy) t[r * cols + (r + 1) % cols] = 1.0;
        }
        if (loss == Loss::BinaryCrossentropy) {
            for (double& v : t) v = unit(rng) < 0.5 ? 0.0 : 1.0;
        }
        w = {0.5, 2.0, 1.0, 0.0};
    }
};

class LogitLoss : public ::testing::TestWithParam<Loss> {};

TEST_P(LogitLoss, EqualsTheLossOfTheProbabilitiesAndHasItsGradient) {
    const Loss loss = GetParam();
    LogitCase c(loss);
    // The probabilities the model would output with a sigmoid or softmax as its last layer.
    std::vector<double> p(c.x.size());
    for (std::int64_t r = 0; r < c.rows; ++r) {
        double sum = 0.0;
        for (std::int64_t k = 0; k < c.cols; ++k) sum += std::exp(c.x[r * c.cols + k]);
        for (std::int64_t k = 0; k < c.cols; ++k) {
            const double v = c.x[r * c.cols + k];
            p[r * c.cols + k] = loss == Loss::BinaryCrossentropy ? 1.0 / (1.0 + std::exp(-v)) : std::exp(v) / sum;
        }
    }
    const LossOptions<double> logits{.fromLogits = true, .rowWeights = c.w.data()};
    const LossOptions<double> weighted{.fromLogits = false, .rowWeights = c.w.data()};
    EXPECT_NEAR(computeLoss<double>(loss, c.x.data(), c.t.data(), c.rows, c.cols, nullptr, logits),
                computeLoss<double>(loss, p.data(), c.t.data(), c.rows, c.cols, nullptr, weighted), 1e-9);
    EXPECT_DOUBLE_EQ(accuracy<double>(loss, c.x.data(), c.t.data(), c.rows, c.cols, true),
                     accuracy<double>(loss, p.data(), c.t.data(), c.rows, c.cols, false));

    std::vector<double> g(c.x.size());
    computeLoss<double>(loss, c.x.data(), c.t.data(), c.rows, c.cols, g.data(), logits);
    for (std::size_t i = 0; i < c.x.size(); ++i) {
        const double saved = c.x[i], eps = 1e-6;
        c.x[i] = saved + eps;
        const double up = computeLoss<double>(loss, c.x.data(), c.t.data(), c.rows, c.cols, nullptr, logits);
        c.x[i] = saved - eps;
        const double down = computeLoss<double>(loss, c.x.data(), c.t.data(), c.rows, c.cols, nullptr, logits);
        c.x[i] = saved;
        EXPECT_NEAR(g[i], (up - down) / (2 * eps), 1e-7) << lossName(loss) << " at " << i;
    }
    // A weight of 0 leaves its row out of the gradient; the loss still divides by every row.
    for (std::int64_t k = 0; k < c.cols; ++k) EXPECT_EQ(g[3 * c.cols + k], 0.0);
}

INSTANTIATE_TEST_SUITE_P(CrossEntropies, LogitLoss,
                         ::testing::Values(Loss::BinaryCrossentropy, Loss::CategoricalCrossentropy,
                                           Loss::SparseCategoricalCrossentropy));

TEST(Loss, LogitsFarOutStayFinite) {
    // Where 1 / (1 + e^-x) rounds to 0 or 1, the logit form still gives the exact loss.
    const double x[] = {-800.0, 800.0};
    const double t[] = {1.0, 0.0};
    EXPECT_NEAR(computeLoss<double>(Loss::BinaryCrossentropy, x, t, 1, 2, nullptr, {.fromLogits = true}), 800.0, 1e-9);
    const double classes[] = {1000.0, 0.0, -1000.0};
    const double label[] = {2.0};
    EXPECT_NEAR(computeLoss<double>(Loss::SparseCategoricalCrossentropy, classes, label, 1, 3, nullptr, {.fromLogits = true}),
                2000.0, 1e-9);
}

TEST(Loss, RowWeightsScaleEachRowAndKeepTheDivisor) {
    const double y[] = {1.0, 3.0};
    const double t[] = {0.0, 0.0};
    const double w[] = {2.0, 0.5};
    // Keras: sum(w * loss) / rows, not / sum(w).
    EXPECT_NEAR(computeLoss<double>(Loss::MeanSquaredError, y, t, 2, 1, nullptr, {.rowWeights = w}),
                (2.0 * 1.0 + 0.5 * 9.0) / 2, 1e-12);
}

TEST(Loss, KerasValues) {
    const double y[] = {0.1, 0.9, 0.4, 0.6};
    const double t[] = {0.0, 1.0, 1.0, 0.0};
    EXPECT_NEAR(computeLoss<double>(Loss::MeanSquaredError, y, t, 2, 2, nullptr),
                (0.01 + 0.01 + 0.36 + 0.36) / 4, 1e-12);
    EXPECT_NEAR(computeLoss<double>(Loss::MeanAbsoluteError, y, t, 2, 2, nullptr), 0.35, 1e-12);
    EXPECT_NEAR(computeLoss<double>(Loss::BinaryCrossentropy, y, t, 2, 2, nullptr),
                -(std::log(0.9) * 2 + std::log(0.4) + std::log(0.4)) / 4, 1e-9);
    const double h[] = {3.0};
    const double zero[] = {0.0};
    EXPECT_NEAR(computeLoss<double>(Loss::Huber, h, zero, 1, 1, nullptr), 2.5, 1e-12);
    EXPECT_EQ(parseLoss("mean_squared_error"), Loss::MeanSquaredError);
    EXPECT_FALSE(parseLoss("hinge").has_value());
    EXPECT_DOUBLE_EQ(accuracy<double>(Loss::CategoricalCrossentropy, y, t, 2, 2), 0.5);
}

/// One parameter with gradient 1 everywhere, so updates can be compared with Keras's rules.
Plan<float> oneWeightPlan() {
    ModelGraph g;
    add(g, "Dense", {{"units", std::int64_t{1}}, {"use_bias", false}}, {input(g, {1})});
    Plan<float> plan = Plan<float>::compile(g, 1);
    plan.params()[0].value = {1.0f};
    return plan;
}

TEST(Optimizer, AdamFollowsKeras) {
    Plan<float> plan = oneWeightPlan();
    Optimizer adam(*OptimizerConfig::defaultsFor("adam"));
    for (int step = 0; step < 3; ++step) {
        plan.params()[0].grad = {0.5f};
        adam.step(plan);
    }
    // A constant gradient: m / sqrt(v) is 1 after bias correction, so each step moves by lr.
    EXPECT_NEAR(plan.params()[0].value[0], 1.0 - 3 * 1e-3, 1e-6);
}

TEST(Optimizer, SgdMomentumAndNesterov) {
    Plan<float> plan = oneWeightPlan();
    OptimizerConfig c = *OptimizerConfig::defaultsFor("sgd");
    c.momentum = 0.9;
    Optimizer sgd(c);
    plan.params()[0].grad = {1.0f};
    sgd.step(plan);  // m = -0.01
    plan.params()[0].grad = {1.0f};
    sgd.step(plan);  // m = -0.009 - 0.01
    EXPECT_NEAR(plan.params()[0].value[0], 1.0 - 0.01 - 0.019, 1e-6);

    Plan<float> p2 = oneWeightPlan();
    c.nesterov = true;
    Optimizer nesterov(c);
    p2.params()[0].grad = {1.0f};
    nesterov.step(p2);  // w += 0.9 * -0.01 - 0.01
    EXPECT_NEAR(p2.params()[0].value[0], 1.0 - 0.019, 1e-6);
}

TEST(Optimizer, RmsPropAdamWAndClipping) {
    Plan<float> plan = oneWeightPlan();
    Optimizer rms(*OptimizerConfig::defaultsFor("rmsprop"));
    plan.params()[0].grad = {2.0f};
    rms.step(plan);  // v = 0.1 * 4; w -= 1e-3 * 2 / (sqrt(0.4) + 1e-7)
    EXPECT_NEAR(plan.params()[0].value[0], 1.0 - 1e-3 * 2 / std::sqrt(0.4), 1e-6);

    Plan<float> p2 = oneWeightPlan();
    Optimizer adamw(*OptimizerConfig::defaultsFor("adamw"));
    p2.params()[0].grad = {0.0f};
    adamw.step(p2);  // decay only: w -= w * 0.004 * 1e-3
    EXPECT_NEAR(p2.params()[0].value[0], 1.0 - 0.004e-3, 1e-7);

    Plan<float> p3 = oneWeightPlan();
    OptimizerConfig c = *OptimizerConfig::defaultsFor("sgd");
    c.clipValue = 0.5;
    Optimizer clipped(c);
    p3.params()[0].grad = {10.0f};
    clipped.step(p3);
    EXPECT_NEAR(p3.params()[0].value[0], 1.0 - 0.01 * 0.5, 1e-7);
}

TEST(Optimizer, WeightDecayForEveryOptimizerAsKeras3AppliesIt) {
    for (const char* name : {"sgd", "adam", "rmsprop"}) {
        OptimizerConfig c = *OptimizerConfig::defaultsFor(name);
        EXPECT_EQ(c.weightDecay, 0.0) << name;  // Keras's None
        c.weightDecay = 0.5;
        Plan<float> plan = oneWeightPlan();
        Optimizer decaying(c);
        plan.params()[0].grad = {0.0f};
        decaying.step(plan);  // a zero gradient: only the decay, w -= w * 0.5 * lr
        EXPECT_NEAR(plan.params()[0].value[0], 1.0 - 0.5 * c.learningRate, 1e-7) << name;
    }
    // The decay comes before the update: SGD's w = w (1 - wd lr) - lr g.
    OptimizerConfig c = *OptimizerConfig::defaultsFor("sgd");
    c.weightDecay = 0.1;
    Plan<float> plan = oneWeightPlan();
    plan.params()[0].value = {2.0f};
    plan.params()[0].grad = {3.0f};
    Optimizer(c).step(plan);
    EXPECT_NEAR(plan.params()[0].value[0], 2.0 * (1.0 - 0.1 * 0.01) - 0.01 * 3.0, 1e-6);
}

TEST(Optimizer, AmsGradDividesByTheLargestSecondMomentAsKerasDoes) {
    OptimizerConfig c = *OptimizerConfig::defaultsFor("adam");
    c.amsgrad = true;
    c.learningRate = 0.1;
    c.beta2 = 0.5;  // v forgets fast, so it falls well below its largest value
    EXPECT_EQ(c.slotsPerParameter(), 3);
    Plan<float> plan = oneWeightPlan();
    Optimizer ams(c);
    // Keras's Adam.update_step with amsgrad, in float64: a large gradient, then small ones,
    // so that v falls below its largest value and the two rules part.
    double w = 1.0, m = 0.0, v = 0.0, vMax = 0.0, plain = 1.0, pm = 0.0, pv = 0.0;
    const double grads[] = {4.0, 0.1, 0.1, -0.2};
    for (int step = 1; step <= 4; ++step) {
        const double g = grads[step - 1];
        const double alpha = c.learningRate * std::sqrt(1 - std::pow(c.beta2, step)) / (1 - std::pow(c.beta1, step));
        m += (g - m) * (1 - c.beta1);
        v += (g * g - v) * (1 - c.beta2);
        vMax = std::max(vMax, v);
        w -= alpha * m / (std::sqrt(vMax) + c.epsilon);
        pm += (g - pm) * (1 - c.beta1);
        pv += (g * g - pv) * (1 - c.beta2);
        plain -= alpha * pm / (std::sqrt(pv) + c.epsilon);
        plan.params()[0].grad = {static_cast<float>(g)};
        ams.step(plan);
    }
    EXPECT_NEAR(plan.params()[0].value[0], w, 1e-5);
    EXPECT_GT(std::abs(w - plain), 1e-3);  // the test would notice plain Adam
    // Its state holds the third slot, and a state of two slots does not fit it.
    EXPECT_EQ(ams.state().moments.size(), 3u);
    OptimizerState two = ams.state();
    two.moments.pop_back();
    EXPECT_NE(ams.stateProblem(plan, two).find("AMSGrad"), std::string::npos);
}

/// y = 2 x0 - x1 + 0.5: a linear problem any working loop solves.
Dataset linearData(int n, std::uint64_t seed) {
    Dataset d;
    d.xDims = {2};
    d.yDims = {1};
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> u(-1, 1);
    for (int i = 0; i < n; ++i) {
        const float a = u(rng), b = u(rng);
        d.x.insert(d.x.end(), {a, b});
        d.y.push_back(2 * a - b + 0.5f);
    }
    return d;
}

ModelGraph linearModel() {
    ModelGraph g;
    add(g, "Dense", {{"units", std::int64_t{1}}}, {input(g, {2})});
    return g;
}

TEST(Trainer, LearnsALinearFunction) {
    Plan<float> plan = Plan<float>::compile(linearModel(), 16);
    plan.initialize(1);
    TrainConfig c;
    c.epochs = 60;
    c.batchSize = 16;
    c.optimizer.learningRate = 0.05;
    const Dataset all = linearData(200, 2);
    const Dataset validation = all.slice(160, 200);
    const TrainResult r = train(plan, all.slice(0, 160), &validation, c);
    EXPECT_EQ(r.reason, StopReason::Finished) << r.message;
    ASSERT_EQ(r.history.size(), 60u);
    EXPECT_LT(r.history.back().loss, 1e-3);
    EXPECT_LT(r.history.back().valLoss, 1e-3);
    EXPECT_NEAR(plan.params()[0].value[0], 2.0, 0.05);
    EXPECT_NEAR(plan.params()[1].value[0], 0.5, 0.05);
}

TEST(Trainer, IsRepeatableForASeed) {
    auto run = [] {
        Plan<float> plan = Plan<float>::compile(linearModel(), 8);
        plan.initialize(4);
        TrainConfig c;
        c.epochs = 3;
        c.batchSize = 8;
        train(plan, linearData(50, 3), nullptr, c);
        return plan.exportWeights();
    };
    EXPECT_EQ(run(), run());
}

TEST(Trainer, SequenceAutoencoderLossFalls) {
    ModelGraph g;
    const NodeId in = input(g, {8, 1});
    const NodeId enc = add(g, "LSTM", {{"units", std::int64_t{8}}}, {in});
    const NodeId rep = add(g, "RepeatVector", {{"n", std::int64_t{8}}}, {enc});
    const NodeId dec = add(g, "LSTM", {{"units", std::int64_t{8}}, {"return_sequences", true}}, {rep});
    add(g, "TimeDistributed", {{"units", std::int64_t{1}}}, {dec});
    Dataset d;
    d.xDims = {8, 1};
    d.yDims = {8, 1};
    for (int s = 0; s < 64; ++s) {
        for (int t = 0; t < 8; ++t) d.x.push_back(std::sin(0.7f * static_cast<float>(t + s)));
    }
    d.y = d.x;
    Plan<float> plan = Plan<float>::compile(g, 16);
    plan.initialize(2);
    TrainConfig c;
    c.epochs = 25;
    c.batchSize = 16;
    c.optimizer.learningRate = 0.01;
    const TrainResult r = train(plan, d, nullptr, c);
    EXPECT_LT(r.history.back().loss, r.history.front().loss * 0.5);
    ASSERT_FALSE(r.history.back().gradients.empty());
    EXPECT_EQ(r.history.back().gradients.front().layer, "lstm_1");
}

TEST(Trainer, GradientNormsAreTheMeanOverTheEpochsBatches) {
    // Every sample the same, and steps too small to move the weights: every batch has the same
    // gradient, whatever the batch size, so the mean of its norm over the batches is the norm
    // of one batch of all of them.
    ModelGraph g;
    add(g, "Dense", {{"units", std::int64_t{3}}}, {input(g, {4})});
    Dataset d;
    d.xDims = {4};
    d.yDims = {3};
    for (int s = 0; s < 32; ++s) {
        d.x.insert(d.x.end(), {0.5f, -1.0f, 2.0f, 0.25f});
        d.y.insert(d.y.end(), {1.0f, 3.0f, -2.0f});
    }
    const auto dense = [&](int batchSize) {
        Plan<float> plan = Plan<float>::compile(g, batchSize);
        plan.initialize(4);
        TrainConfig c;
        c.epochs = 1;
        c.batchSize = batchSize;
        c.optimizer.kind = OptimizerConfig::Kind::Sgd;
        c.optimizer.learningRate = 1e-12;
        const TrainResult r = train(plan, d, nullptr, c);
        EXPECT_EQ(r.reason, StopReason::Finished) << r.message;
        return r.history.at(0).gradients.at(0);
    };
    const LayerGradient one = dense(32), eight = dense(4);
    EXPECT_EQ(one.layer, "dense_1");
    EXPECT_GT(one.norm, 0.1);
    EXPECT_NEAR(eight.norm, one.norm, 1e-6 * one.norm);
}

#ifdef _OPENMP
/// The thread count each batch of a short run ran on, on a thread whose count is 2, and the
/// count that thread has after the run.
std::pair<std::vector<int>, int> threadsPerBatch(ThreadUse use) {
    std::pair<std::vector<int>, int> seen;
    std::thread worker([&] {
        setKernelThreads(2);
        ModelGraph g;
        add(g, "LSTM", {{"units", std::int64_t{8}}, {"return_sequences", true}}, {input(g, {8, 1})});
        Dataset d;
        d.xDims = {8, 1};
        d.yDims = {8, 8};
        d.x.assign(64 * 8, 0.5f);
        d.y.assign(64 * 8 * 8, 0.25f);
        Plan<float> plan = Plan<float>::compile(g, 16);
        plan.initialize(2);
        struct Watch : TrainingObserver {
            std::vector<int>& counts;
            explicit Watch(std::vector<int>& c) : counts(c) {}
            void onBatch(const BatchReport& r) override {
                counts.push_back(kernelThreads());
                // What the run reports: the count it keeps (not the trial's turns), of 2.
                EXPECT_EQ(r.mostThreads, 2);
                EXPECT_TRUE(r.threads == 1 || r.threads == 2) << r.threads;
            }
        } watch(seen.first);
        TrainConfig c;
        c.epochs = 3;
        c.batchSize = 16;
        train(plan, d, nullptr, c, nullptr, &watch, nullptr, use);
        seen.second = kernelThreads();
    });
    worker.join();
    return seen;
}
#endif

TEST(Trainer, TriesFewerThreadsUnlessHeldToItsCountAndGivesTheCountBack) {
#ifndef _OPENMP
    GTEST_SKIP() << "built without OpenMP";
#else
    // A run always takes its first batch (untimed) and its third on fewer threads, and its
    // second on all.
    const auto [adaptive, afterAdaptive] = threadsPerBatch(ThreadUse::Adaptive);
    ASSERT_EQ(adaptive.size(), 12u);
    EXPECT_EQ(std::vector<int>(adaptive.begin(), adaptive.begin() + 3), (std::vector<int>{1, 2, 1}));
    EXPECT_EQ(afterAdaptive, 2);
    const auto [fixed, afterFixed] = threadsPerBatch(ThreadUse::Fixed);
    EXPECT_EQ(fixed, std::vector<int>(12, 2));
    EXPECT_EQ(afterFixed, 2);
#endif
}

TEST(Trainer, ClassifierReportsAccuracy) {
    ModelGraph g;
    add(g, "Dense", {{"units", std::int64_t{2}}, {"activation", std::string("softmax")}},
        {input(g, {2})});
    Dataset d;
    d.xDims = {2};
    d.yDims = {1};
    std::mt19937_64 rng(8);
    std::normal_distribution<float> n(0, 1);
    for (int i = 0; i < 200; ++i) {
        const float a = n(rng), b = n(rng);
        d.x.insert(d.x.end(), {a, b});
        d.y.push_back(a + b > 0 ? 1.0f : 0.0f);
    }
    Plan<float> plan = Plan<float>::compile(g, 32);
    plan.initialize(3);
    TrainConfig c;
    c.epochs = 40;
    c.loss = Loss::SparseCategoricalCrossentropy;
    c.optimizer.learningRate = 0.05;
    const TrainResult r = train(plan, d, nullptr, c);
    EXPECT_GT(r.history.back().accuracy, 0.95);
    EXPECT_GT(evaluate(plan, d, c.loss).accuracy, 0.95);

    // A class the output has no score for stops the run before it starts, naming the sample.
    d.y[7] = 2.0f;
    const TrainResult outside = train(plan, d, nullptr, c);
    EXPECT_EQ(outside.reason, StopReason::InvalidData);
    EXPECT_NE(outside.message.find("target of sample 7 is 2, but the output scores 2 classes, 0 to 1"), std::string::npos)
        << outside.message;
    d.y[7] = 0.5f;
    EXPECT_THROW(evaluate(plan, d, c.loss), DataError);
}

TEST(Trainer, SampleWeightsScaleEachSamplesLossAsKerasDoes) {
    Plan<float> plan = Plan<float>::compile(linearModel(), 16);
    plan.initialize(1);
    Dataset d = linearData(12, 4);
    const double plain = evaluate(plan, d, Loss::MeanSquaredError).loss;
    d.weights.assign(12, 2.0f);
    EXPECT_NEAR(evaluate(plan, d, Loss::MeanSquaredError).loss, 2 * plain, 1e-6);
    // Weights of 0 leave nothing to learn: plain SGD keeps every weight.
    d.weights.assign(12, 0.0f);
    const std::vector<float> before(plan.params()[0].value.begin(), plan.params()[0].value.end());
    TrainConfig c;
    c.epochs = 2;
    c.batchSize = 4;
    c.optimizer = *OptimizerConfig::defaultsFor("sgd");
    const TrainResult r = train(plan, d, nullptr, c);
    ASSERT_EQ(r.reason, StopReason::Finished) << r.message;
    EXPECT_EQ(r.history.back().loss, 0.0);
    EXPECT_EQ(std::vector<float>(plan.params()[0].value.begin(), plan.params()[0].value.end()), before);
    // The validation part is a slice: it keeps its samples' weights.
    EXPECT_EQ(d.slice(10, 12).weights.size(), 2u);
}

TEST(Trainer, ClassWeightsWeighEachSampleByItsClass) {
    TrainConfig c;
    c.loss = Loss::BinaryCrossentropy;
    c.classWeight = {{1, 3.0}, {2, 0.5}};
    Dataset labels;  // one label per sample, rounded as Keras rounds it
    labels.xDims = {1};
    labels.yDims = {1};
    labels.x = {0, 0, 0, 0};
    labels.y = {0.0f, 1.0f, 0.9f, 2.5f};  // 2.5 rounds to even, as np.round does
    EXPECT_EQ(trainingWeights(labels, c, 1), (std::vector<float>{1.0f, 3.0f, 3.0f, 0.5f}));
    TrainConfig values = c;  // a loss of values ignores class weights
    values.loss = Loss::MeanSquaredError;
    EXPECT_TRUE(trainingWeights(labels, values, 1).empty());
    Dataset oneHot;  // the class of a one-hot target is its argmax
    oneHot.xDims = {1};
    oneHot.yDims = {3};
    oneHot.x = {0, 0};
    oneHot.y = {0, 0, 1, 0, 1, 0};
    EXPECT_EQ(trainingWeights(oneHot, c, 1), (std::vector<float>{0.5f, 3.0f}));
    EXPECT_TRUE(trainingWeights(oneHot, TrainConfig{}, 1).empty());

    // Keras refuses class weights with sample weights, and with a target per time step.
    oneHot.weights = {1.0f, 1.0f};
    EXPECT_THROW(trainingWeights(oneHot, c, 1), DataError);
    EXPECT_THROW(trainingWeights(labels, c, 4), DataError);
    Plan<float> plan = Plan<float>::compile(test::autoencoder(4), 4);
    plan.initialize(1);
    Dataset series;
    series.xDims = series.yDims = {16, 1};
    series.x.assign(32, 0.5f);
    series.y = series.x;
    const TrainResult r = train(plan, series, nullptr, c);
    EXPECT_EQ(r.reason, StopReason::InvalidData);
    EXPECT_NE(r.message.find("one label per sample"), std::string::npos) << r.message;
}

class StopAfter : public TrainingObserver {
public:
    StopAfter(TrainingControl& c, int batches) : m_control(c), m_left(batches) {}
    void onBatch(const BatchReport&) override {
        ++seen;
        if (--m_left == 0) m_control.requestStop();
    }
    int seen = 0;

private:
    TrainingControl& m_control;
    int m_left;
};

TEST(Trainer, StopsWithinOneBatch) {
    Plan<float> plan = Plan<float>::compile(linearModel(), 4);
    plan.initialize(1);
    TrainingControl control;
    StopAfter observer(control, 3);
    TrainConfig c;
    c.batchSize = 4;
    const TrainResult r = train(plan, linearData(100, 1), nullptr, c, &control, &observer);
    EXPECT_EQ(r.reason, StopReason::Cancelled);
    EXPECT_EQ(observer.seen, 3);
    EXPECT_NE(r.message.find("epoch 1, batch 4"), std::string::npos) << r.message;
}

TEST(Trainer, NanStopsAndKeepsTheLastGoodWeights) {
    Plan<float> plan = Plan<float>::compile(linearModel(), 4);
    plan.initialize(1);
    Dataset d = linearData(40, 1);
    d.x[2 * 21] = NAN;  // sample 21 falls in batch 6 without shuffling
    TrainConfig c;
    c.batchSize = 4;
    c.shuffle = false;
    TrainConfig first = c;
    first.epochs = 1;
    Plan<float> reference = Plan<float>::compile(linearModel(), 4);
    reference.initialize(1);
    train(reference, d.slice(0, 20), nullptr, first);  // the five good batches
    const TrainResult r = train(plan, d, nullptr, c);
    EXPECT_EQ(r.reason, StopReason::NonFinite);
    EXPECT_NE(r.message.find("epoch 1, batch 6"), std::string::npos) << r.message;
    EXPECT_EQ(plan.exportWeights(), reference.exportWeights());
}

TEST(Trainer, GradientsOverflowingStopTheRunEvenWhenTheLossIsFinite) {
    // An input of 1e20 gives a loss near 1e40, which the loss sums in double, but a kernel
    // gradient near 1e40, which float cannot hold.
    Plan<float> plan = Plan<float>::compile(linearModel(), 4);
    plan.initialize(1);
    Dataset d = linearData(40, 1);
    d.x[2 * 9] = 1e20f;  // batch 3 without shuffling
    TrainConfig c;
    c.batchSize = 4;
    c.shuffle = false;
    const TrainResult r = train(plan, d, nullptr, c);
    EXPECT_EQ(r.reason, StopReason::NonFinite);
    EXPECT_NE(r.message.find("The gradients became NaN or infinite at epoch 1, batch 3"), std::string::npos)
        << r.message;
}

TEST(Trainer, EarlyStoppingRestoresTheBestWeights) {
    Plan<float> plan = Plan<float>::compile(linearModel(), 8);
    plan.initialize(1);
    TrainConfig c;
    c.epochs = 200;
    c.optimizer = *OptimizerConfig::defaultsFor("sgd");
    c.optimizer.learningRate = 0.9;  // noisy steps make the loss stall and bounce
    c.earlyStopping = {true, 3, 0.0, true};
    Dataset train_ = linearData(64, 1), val = linearData(32, 9);
    const TrainResult r = train(plan, train_, &val, c);
    EXPECT_EQ(r.reason, StopReason::EarlyStopped) << r.message;
    EXPECT_LT(r.history.size(), 200u);
    const double bestLoss = r.history[static_cast<std::size_t>(r.bestEpoch - 1)].valLoss;
    EXPECT_NEAR(evaluate(plan, val, c.loss).loss, bestLoss, 1e-6);
}

TEST(Trainer, ExplainsDataThatDoesNotFit) {
    Plan<float> plan = Plan<float>::compile(linearModel(), 8);
    Dataset d = linearData(10, 1);
    d.xDims = {1};
    d.x.resize(10);
    const TrainResult r = train(plan, d, nullptr, TrainConfig{});
    EXPECT_EQ(r.reason, StopReason::InvalidData);
    EXPECT_NE(r.message.find("the training samples have shape (None, 1), but the model's Input "
                             "takes (None, 2)"),
              std::string::npos)
        << r.message;
}

TEST(Trainer, RegularizerAddsToTheLoss) {
    ModelGraph g;
    add(g, "Dense", {{"units", std::int64_t{1}}, {"use_bias", false},
                     {"kernel_regularizer", Regularizer{Regularizer::Kind::L1L2, 0.1, 0.2}}},
        {input(g, {1})});
    Plan<float> plan = Plan<float>::compile(g, 1);
    plan.params()[0].value = {2.0f};
    Dataset d;
    d.xDims = {1};
    d.yDims = {1};
    d.x = {0.0f};
    d.y = {0.0f};
    EXPECT_NEAR(evaluate(plan, d, Loss::MeanSquaredError).loss, 0.1 * 2 + 0.2 * 4, 1e-6);
}

}  // namespace
}  // namespace loom

#include <thread>

#include "data/data_source.h"
#include "train/config_json.h"

namespace loom {
namespace {

TEST(Schedule, StepCosineAndPlateau) {
    auto lrs = [](LearningRateSchedule s, int epochs) {
        Plan<float> plan = Plan<float>::compile(linearModel(), 8);
        plan.initialize(1);
        TrainConfig c;
        c.epochs = epochs;
        c.optimizer.learningRate = 0.1;
        c.schedule = s;
        std::vector<double> out;
        for (const EpochReport& e : train(plan, linearData(16, 1), nullptr, c).history) {
            out.push_back(e.learningRate);
        }
        return out;
    };
    LearningRateSchedule step;
    step.kind = LearningRateSchedule::Kind::StepDecay;
    step.everyEpochs = 2;
    step.factor = 0.5;
    const auto s = lrs(step, 5);
    EXPECT_DOUBLE_EQ(s[0], 0.1);
    EXPECT_DOUBLE_EQ(s[1], 0.1);
    EXPECT_DOUBLE_EQ(s[2], 0.05);
    EXPECT_DOUBLE_EQ(s[4], 0.025);
    LearningRateSchedule cosine;
    cosine.kind = LearningRateSchedule::Kind::Cosine;
    cosine.minLearningRate = 0.01;
    const auto c = lrs(cosine, 5);
    EXPECT_DOUBLE_EQ(c.front(), 0.1);
    EXPECT_NEAR(c[2], 0.055, 1e-12);
    EXPECT_DOUBLE_EQ(c.back(), 0.01);
}

TEST(Trainer, PausesAndResumesFromAnotherThread) {
    Plan<float> plan = Plan<float>::compile(linearModel(), 4);
    plan.initialize(1);
    TrainingControl control;
    control.pause();
    TrainConfig c;
    c.epochs = 2;
    c.batchSize = 4;
    TrainResult result;
    std::thread worker([&] { result = train(plan, linearData(32, 1), nullptr, c, &control); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const auto before = plan.exportWeights();  // nothing trained while paused
    control.resume();
    worker.join();
    EXPECT_EQ(result.reason, StopReason::Finished);
    EXPECT_EQ(result.history.size(), 2u);
    EXPECT_NE(plan.exportWeights(), before);

    TrainingControl stopWhilePaused;
    stopWhilePaused.pause();
    std::thread second([&] { result = train(plan, linearData(32, 1), nullptr, c, &stopWhilePaused); });
    stopWhilePaused.requestStop();
    second.join();
    EXPECT_EQ(result.reason, StopReason::Cancelled);
}

TEST(TrainingSettings, RoundTripThroughTheProjectSection) {
    TrainConfig c;
    c.loss = Loss::Huber;
    c.optimizer = *OptimizerConfig::defaultsFor("rmsprop");
    c.optimizer.clipNorm = 1.5;
    c.epochs = 7;
    c.earlyStopping = {true, 4, 0.01, false};
    c.schedule.kind = LearningRateSchedule::Kind::Cosine;
    const TrainConfig back = trainConfigFromJson(trainConfigToJson(c));
    EXPECT_EQ(back.loss, Loss::Huber);
    EXPECT_EQ(back.optimizer.kind, OptimizerConfig::Kind::RmsProp);
    EXPECT_EQ(back.optimizer.clipNorm, 1.5);
    EXPECT_EQ(back.epochs, 7);
    EXPECT_FALSE(back.earlyStopping.restoreBestWeights);
    EXPECT_EQ(back.schedule.kind, LearningRateSchedule::Kind::Cosine);
    EXPECT_THROW(trainConfigFromJson({{"loss", "hinge"}}), std::runtime_error);

    c.loss = Loss::BinaryCrossentropy;
    c.fromLogits = true;
    c.optimizer = *OptimizerConfig::defaultsFor("adam");
    c.optimizer.amsgrad = true;
    c.optimizer.weightDecay = 0.01;
    const TrainConfig logits = trainConfigFromJson(trainConfigToJson(c));
    EXPECT_TRUE(logits.fromLogits);
    EXPECT_TRUE(logits.optimizer.amsgrad);
    EXPECT_EQ(logits.optimizer.weightDecay, 0.01);
    // from_logits means nothing for the other losses.
    EXPECT_FALSE(trainConfigFromJson({{"loss", "mse"}, {"from_logits", true}}).fromLogits);
    // Files from before weight decay applied to every optimizer wrote AdamW's default for all.
    const nlohmann::json before = {{"optimizer", {{"name", "adam"}, {"weight_decay", 0.004}}}};
    EXPECT_EQ(trainConfigFromJson(before).optimizer.weightDecay, 0.0);
    const nlohmann::json adamwBefore = {{"optimizer", {{"name", "adamw"}, {"weight_decay", 0.01}}}};
    EXPECT_EQ(trainConfigFromJson(adamwBefore).optimizer.weightDecay, 0.01);
    EXPECT_THROW(trainConfigFromJson({{"optimizer", {{"name", "sgd"}, {"amsgrad", false}, {"weight_decay", -1}}}}),
                 std::runtime_error);
    EXPECT_THROW(trainConfigFromJson({{"epochs", "many"}}), std::runtime_error);
    DataSpec d;
    d.source = "x.csv";
    d.labelColumn = "y";
    d.missing = MissingPolicy::Interpolate;
    const DataSpec db = dataSpecFromJson(dataSpecToJson(d));
    EXPECT_EQ(db.labelColumn, "y");
    EXPECT_EQ(db.missing, MissingPolicy::Interpolate);
}

TEST(Trainer, ExampleShapedAutoencoderLearnsSunspotsRepeatably) {
    // The shipped chain autoencoder's shape at a size a test can train: sunspots, windows of 16.
    auto run = [] {
        ModelGraph g;
        const NodeId in = input(g, {16, 1});
        const NodeId e1 = add(g, "LSTM", {{"units", std::int64_t{16}}, {"return_sequences", true}}, {in});
        const NodeId e2 = add(g, "LSTM", {{"units", std::int64_t{4}}}, {e1});
        const NodeId r = add(g, "RepeatVector", {{"n", std::int64_t{16}}}, {e2});
        const NodeId d1 = add(g, "LSTM", {{"units", std::int64_t{16}}, {"return_sequences", true}}, {r});
        add(g, "TimeDistributed", {{"units", std::int64_t{1}}}, {d1});
        DataSpec spec;
        spec.source = std::string(LAYERLOOM_SAMPLE_DATA_DIR) + "/sunspots.csv";
        spec.columns = {"SUNACTIVITY"};
        spec.stride = 2;
        Plan<float> plan = Plan<float>::compile(g, 16);
        plan.initialize(3);
        const PreparedData data = prepareData(spec, {16, 1}, {16, 1});
        TrainConfig c;
        c.epochs = 40;
        c.batchSize = 16;
        c.optimizer.learningRate = 0.02;
        return train(plan, data.train, &data.validation, c);
    };
    const TrainResult a = run();
    EXPECT_LT(a.history.back().loss, 0.3 * a.history.front().loss);
    EXPECT_LT(a.history.back().valLoss, 0.5 * a.history.front().valLoss);
    const TrainResult b = run();
    ASSERT_EQ(a.history.size(), b.history.size());
    for (std::size_t i = 0; i < a.history.size(); ++i) {
        EXPECT_EQ(a.history[i].loss, b.history[i].loss);
        EXPECT_EQ(a.history[i].valLoss, b.history[i].valLoss);
    }
}

}  // namespace
}  // namespace loom
