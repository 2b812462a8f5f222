// Step masks as Keras makes and uses them: which wires carry one, and padded batches that give
// the same outputs and gradients on their real steps as the unpadded sequences one by one.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/test_graphs.h"
#include "data/dataset.h"
#include "engine/plan.h"
#include "shape/masks.h"
#include "shape/validator.h"
#include "train/trainer.h"

namespace loom {
namespace {

using test::add;
using test::input;

std::unordered_map<NodeId, MaskSource> masksOf(const ModelGraph& g) {
    const Validation v = validate(g);
    EXPECT_FALSE(v.hasErrors()) << (v.diagnostics.empty() ? "" : v.diagnostics.front().message);
    return stepMasks(g, v.order);
}

TEST(StepMasks, FollowKerasPropagation) {
    ModelGraph g;
    const NodeId in = input(g, {6, 2});
    const NodeId masking = add(g, "Masking", {}, {in});
    const NodeId dense = add(g, "Dense", {{"units", std::int64_t{4}}}, {masking});
    const NodeId seq = add(g, "LSTM", {{"units", std::int64_t{4}}, {"return_sequences", true}}, {dense});
    const NodeId last = add(g, "GRU", {{"units", std::int64_t{4}}}, {seq});
    const NodeId conv = add(g, "Conv1D", {{"filters", std::int64_t{4}}, {"padding", std::string("same")}}, {seq});
    const NodeId sum = add(g, "Add", {}, {seq, conv});
    const NodeId joined = add(g, "Concatenate", {}, {seq, conv});
    const NodeId both = add(g, "Concatenate", {}, {seq, dense});
    const NodeId time = add(g, "Concatenate", {{"axis", std::int64_t{1}}}, {seq, conv});
    const auto m = masksOf(g);
    EXPECT_EQ(m.at(masking), MaskSource::Own);
    EXPECT_EQ(m.at(dense), MaskSource::Copy);
    EXPECT_EQ(m.at(seq), MaskSource::Copy);
    EXPECT_FALSE(m.contains(last));  // the last step alone: used up
    EXPECT_FALSE(m.contains(conv));  // Keras's Conv1D drops it
    EXPECT_EQ(m.at(sum), MaskSource::All);
    EXPECT_EQ(m.at(joined), MaskSource::Any);  // conv's features make every step real
    EXPECT_EQ(m.at(both), MaskSource::Any);
    EXPECT_EQ(m.at(time), MaskSource::Joined);
    EXPECT_FALSE(m.contains(in));
}

// MultiHeadAttention takes the masks of its query, value and key, and its output carries the
// query's, as Keras's does; a masked value is used up there, without a warning.
TEST(StepMasks, AttentionPassesTheQuerysMaskAndUsesTheValues) {
    ModelGraph g;
    const NodeId ids = input(g, {5});
    g.setParam(ids, "dtype", std::string("int32"));
    const NodeId e = add(g, "Embedding", {{"input_dim", std::int64_t{9}}, {"output_dim", std::int64_t{4}}, {"mask_zero", true}}, {ids});
    const NodeId self = add(g, "MultiHeadAttention", {}, {e, e});
    const NodeId plain = add(g, "Dense", {{"units", std::int64_t{4}}}, {add(g, "Conv1D", {{"filters", std::int64_t{4}}, {"padding", std::string("same")}}, {e})});
    const NodeId cross = add(g, "MultiHeadAttention", {}, {plain, e});
    add(g, "Add", {}, {self, cross});
    const auto m = masksOf(g);
    EXPECT_EQ(m.at(self), MaskSource::Copy);
    EXPECT_FALSE(m.contains(cross));
    const Validation v = validate(g);
    std::size_t dropped = 0;
    for (const Diagnostic& d : v.diagnostics) dropped += d.code == DiagCode::MaskDropped && d.node == cross ? 1 : 0;
    EXPECT_EQ(dropped, 0u);
}

TEST(StepMasks, EmbeddingMakesOneWithMaskZeroOnly) {
    ModelGraph g;
    const NodeId ids = input(g, {5});
    g.setParam(ids, "dtype", std::string("int32"));
    const NodeId e = add(g, "Embedding", {{"input_dim", std::int64_t{9}}, {"output_dim", std::int64_t{2}}}, {ids});
    EXPECT_FALSE(masksOf(g).contains(e));
    g.setParam(e, "mask_zero", true);
    EXPECT_EQ(masksOf(g).at(e), MaskSource::Own);
}

/// Input (steps, 2) -> [Masking] -> kind(3, return_sequences) -> Dense(2).
ModelGraph model(std::int64_t steps, bool masking, const std::string& kind, bool sequences) {
    ModelGraph g;
    NodeId x = input(g, {steps, 2});
    if (masking) x = add(g, "Masking", {}, {x});
    ParamMap rnn{{"units", std::int64_t{3}}, {"return_sequences", sequences}};
    if (kind.starts_with("Bidirectional")) rnn["layer"] = kind.substr(14);
    const NodeId r = add(g, kind.starts_with("Bidirectional") ? "Bidirectional" : kind, rnn, {x});
    add(g, "Dense", {{"units", std::int64_t{2}}, {"activation", std::string("tanh")}}, {r});
    return g;
}

class Padding : public ::testing::TestWithParam<const char*> {};

// Sample 0 has 3 real steps and is padded after them, sample 1 has 5 and is padded before:
// on their real steps, outputs, weight gradients and input gradients are the unpadded ones.
TEST_P(Padding, GivesTheUnpaddedResultsOnTheRealSteps) {
    const std::string kind = GetParam();
    constexpr std::int64_t T = 6;
    const std::int64_t lengths[] = {3, 5};
    const std::int64_t firstReal[] = {0, 1};
    for (bool sequences : {false, true}) {
        SCOPED_TRACE(kind + (sequences ? " with return_sequences" : ""));
        Plan<double> padded = Plan<double>::compile(model(T, true, kind, sequences), 2);
        padded.initialize(5);
        std::mt19937_64 rng(11);
        std::normal_distribution<double> normal(0.0, 1.0);
        std::vector<std::vector<double>> real(2);
        std::vector<double> x(2 * T * 2, 0.0);
        for (int s = 0; s < 2; ++s) {
            for (std::int64_t i = 0; i < lengths[s] * 2; ++i) real[s].push_back(normal(rng));
            std::copy(real[s].begin(), real[s].end(), x.begin() + (s * T + firstReal[s]) * 2);
        }
        const double* in[] = {x.data()};
        padded.forward(in, 2);
        const std::int64_t rowsPer = sequences ? T : 1;
        // The loss's gradient: random on real rows, zero on padding (as the masked loss gives).
        std::vector<double> dy(static_cast<std::size_t>(2 * rowsPer * 2), 0.0);
        std::vector<std::vector<double>> dyReal(2);
        for (int s = 0; s < 2; ++s) {
            for (std::int64_t r = 0; r < (sequences ? lengths[s] : 1); ++r) {
                const std::int64_t row = s * rowsPer + (sequences ? firstReal[s] + r : 0);
                for (int f = 0; f < 2; ++f) {
                    dy[static_cast<std::size_t>(row * 2 + f)] = normal(rng);
                    dyReal[s].push_back(dy[static_cast<std::size_t>(row * 2 + f)]);
                }
            }
        }
        const std::vector<double> paddedOut(padded.output(0), padded.output(0) + 2 * rowsPer * 2);
        padded.zeroGrad();
        const double* grads[] = {dy.data()};
        padded.backward(grads);

        std::vector<std::vector<double>> summed;
        for (const auto& p : padded.params()) summed.emplace_back(p.grad.size(), 0.0);
        for (int s = 0; s < 2; ++s) {
            Plan<double> alone = Plan<double>::compile(model(lengths[s], false, kind, sequences), 1);
            for (std::size_t k = 0; k < summed.size(); ++k) alone.params()[k].value = padded.params()[k].value;
            const double* one[] = {real[s].data()};
            alone.forward(one, 1);
            for (std::int64_t r = 0; r < (sequences ? lengths[s] : 1); ++r) {
                const std::int64_t row = s * rowsPer + (sequences ? firstReal[s] + r : 0);
                for (int f = 0; f < 2; ++f) {
                    EXPECT_NEAR(paddedOut[static_cast<std::size_t>(row * 2 + f)], alone.output(0)[r * 2 + f], 1e-12)
                        << "sample " << s << " row " << r;
                }
            }
            alone.zeroGrad();
            const double* g[] = {dyReal[s].data()};
            alone.backward(g);
            for (std::size_t k = 0; k < summed.size(); ++k) {
                for (std::size_t i = 0; i < summed[k].size(); ++i) summed[k][i] += alone.params()[k].grad[i];
            }
            for (std::int64_t i = 0; i < lengths[s] * 2; ++i) {
                EXPECT_NEAR(padded.inputGrad(0)[(s * T + firstReal[s]) * 2 + i], alone.inputGrad(0)[i], 1e-12)
                    << "input gradient of sample " << s;
            }
        }
        for (std::size_t k = 0; k < summed.size(); ++k) {
            for (std::size_t i = 0; i < summed[k].size(); ++i) {
                EXPECT_NEAR(padded.params()[k].grad[i], summed[k][i], 1e-12) << padded.params()[k].fullName();
            }
        }
        // The padding itself gets no gradient.
        EXPECT_EQ(padded.inputGrad(0)[(0 * T + 5) * 2], 0.0);
        EXPECT_EQ(padded.inputGrad(0)[(1 * T + 0) * 2 + 1], 0.0);
    }
}

INSTANTIATE_TEST_SUITE_P(Kinds, Padding,
                         ::testing::Values("LSTM", "GRU", "SimpleRNN", "Bidirectional_LSTM", "Bidirectional_GRU",
                                           "Bidirectional_SimpleRNN"));

// Large batches (the rows shared out between threads) and wide layers (each step's products
// shared out by columns) skip the padding alike: every sample of a padded batch of random
// lengths gives what it gives alone.
TEST(Padding, EveryThreadingOfTheStepsSkipsThePaddingAlike) {
    for (const auto& [batch, units] : {std::pair{96, 3}, std::pair{3, 300}}) {
        for (const char* kind : {"LSTM", "GRU", "SimpleRNN"}) {
            SCOPED_TRACE(std::string(kind) + " batch " + std::to_string(batch) + " units " + std::to_string(units));
            constexpr std::int64_t T = 5;
            const auto build = [&](std::int64_t steps, bool masking) {
                ModelGraph g;
                NodeId x = input(g, {steps, 2});
                if (masking) x = add(g, "Masking", {}, {x});
                add(g, kind, {{"units", std::int64_t{units}}}, {x});
                return g;
            };
            Plan<double> padded = Plan<double>::compile(build(T, true), batch);
            padded.initialize(8);
            std::mt19937_64 rng(static_cast<std::uint64_t>(batch));
            std::normal_distribution<double> normal(0.0, 1.0);
            std::vector<double> x(static_cast<std::size_t>(batch * T * 2), 0.0);
            std::vector<std::int64_t> lengths;
            for (int s = 0; s < batch; ++s) {
                lengths.push_back(1 + static_cast<std::int64_t>(rng() % T));
                for (std::int64_t i = 0; i < lengths.back() * 2; ++i) x[static_cast<std::size_t>(s * T * 2 + i)] = normal(rng);
            }
            const double* in[] = {x.data()};
            padded.forward(in, batch);
            for (int s = 0; s < batch; s += std::max(1, batch / 8)) {
                Plan<double> alone = Plan<double>::compile(build(lengths[static_cast<std::size_t>(s)], false), 1);
                for (std::size_t k = 0; k < alone.params().size(); ++k) alone.params()[k].value = padded.params()[k].value;
                const double* one[] = {x.data() + s * T * 2};
                alone.forward(one, 1);
                for (std::int64_t f = 0; f < units; ++f) {
                    ASSERT_NEAR(padded.output(0)[s * units + f], alone.output(0)[f], 1e-12) << "sample " << s;
                }
            }
        }
    }
}

// A padded step of a plain recurrent layer repeats the output before it (zero before the first
// real step), as Keras's zero_output_for_mask=False; Bidirectional's padded outputs are zero.
TEST(Padding, PaddedStepsRepeatTheLastOutputOrAreZeroInBidirectional) {
    for (bool bidirectional : {false, true}) {
        ModelGraph g;
        const NodeId masking = add(g, "Masking", {}, {input(g, {4, 2})});
        ParamMap rnn{{"units", std::int64_t{3}}, {"return_sequences", true}};
        if (bidirectional) rnn["layer"] = std::string("LSTM");
        add(g, bidirectional ? "Bidirectional" : "LSTM", rnn, {masking});
        Plan<double> plan = Plan<double>::compile(g, 1);
        plan.initialize(2);
        // Steps: padding, real, padding, real.
        const std::vector<double> x = {0, 0, 0.5, -1, 0, 0, 1.5, 0.25};
        const double* in[] = {x.data()};
        plan.forward(in, 1);
        ASSERT_NE(plan.outputMask(0), nullptr);
        EXPECT_EQ(std::vector<int>(plan.outputMask(0), plan.outputMask(0) + 4), (std::vector<int>{0, 1, 0, 1}));
        const int width = bidirectional ? 6 : 3;
        const double* y = plan.output(0);
        for (int f = 0; f < width; ++f) {
            EXPECT_EQ(y[f], 0.0);
            EXPECT_NE(y[width + f], 0.0);
            EXPECT_EQ(y[2 * width + f], bidirectional ? 0.0 : y[width + f]);
        }
    }
}

// The loss of a masked sequence output is the mean over its real steps.
TEST(Padding, TheLossCountsTheRealStepsOnly) {
    Plan<float> plan = Plan<float>::compile(model(4, true, "LSTM", true), 2);
    plan.initialize(4);
    Dataset d;
    d.xDims = {4, 2};
    d.yDims = {4, 2};
    d.x = {0, 0, 1, 2, 3, 1, -1, 0.5f,  /* sample 2 */ 2, 1, 0, 0, 0, 0, 1, 1};
    d.y = {9, 9, 0.5f, 0.1f, 0.2f, 0.3f, -0.4f, 0.5f, /* */ 0.1f, 0.2f, 9, 9, 9, 9, 0.3f, 0.4f};
    const Evaluation e = evaluate(plan, d, Loss::MeanSquaredError);
    const float* in[] = {d.x.data()};
    plan.forward(in, 2);
    double sum = 0;
    int real = 0;
    for (int r = 0; r < 8; ++r) {
        if (!plan.outputMask(0)[r]) continue;
        ++real;
        for (int f = 0; f < 2; ++f) sum += std::pow(plan.output(0)[r * 2 + f] - d.y[static_cast<std::size_t>(r * 2 + f)], 2) / 2;
    }
    EXPECT_EQ(real, 5);
    EXPECT_NEAR(e.loss, sum / real, 1e-5);
}

// predict() hands back the output's mask; with it, one sample's loss is the mean over its own
// real steps (the training preview's per-sample error).
TEST(Padding, PredictReturnsTheMaskAndOneSampleIsScoredOverItsRealSteps) {
    Plan<float> plan = Plan<float>::compile(model(4, true, "LSTM", true), 1);  // batches of one
    plan.initialize(4);
    const std::vector<float> x = {0, 0, 1, 2, 3, 1, -1, 0.5f, /* sample 2 */ 2, 1, 0, 0, 0, 0, 1, 1};
    const std::vector<float> t = {9, 9, 0.5f, 0.1f, 0.2f, 0.3f, -0.4f, 0.5f, /* */ 0.1f, 0.2f, 9, 9, 9, 9, 0.3f, 0.4f};
    std::vector<std::uint8_t> mask;
    const std::vector<float> y = predict(plan, x, &mask);
    EXPECT_EQ(mask, (std::vector<std::uint8_t>{0, 1, 1, 1, 1, 0, 0, 1}));
    for (std::int64_t k = 0; k < 2; ++k) {
        AlignedVector<float> weights;
        maskRowWeights(mask.data() + k * 4, 4, weights);
        const double loss = computeLoss<float>(Loss::MeanSquaredError, y.data() + k * 8, t.data() + k * 8, 4, 2,
                                               nullptr, {.rowWeights = weights.data()});
        double sum = 0;
        int real = 0;
        for (std::int64_t r = 0; r < 4; ++r) {
            if (!mask[static_cast<std::size_t>(k * 4 + r)]) continue;
            ++real;
            for (std::int64_t f = 0; f < 2; ++f) {
                const auto i = static_cast<std::size_t>(k * 8 + r * 2 + f);
                sum += std::pow(y[i] - t[i], 2) / 2;
            }
        }
        EXPECT_NEAR(loss, sum / real, 1e-5) << "sample " << k;
    }
    // An unmasked model leaves the mask empty.
    Plan<float> plain = Plan<float>::compile(model(4, false, "LSTM", true), 2);
    plain.initialize(4);
    predict(plain, x, &mask);
    EXPECT_TRUE(mask.empty());
}

}  // namespace
}  // namespace loom
