// Finite-difference gradient checks in double precision: every layer kind, every activation,
// the merge layers with Keras's broadcasting, dropout in training, and whole graphs with
// branches shaped like the examples.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/test_graphs.h"
#include "engine/plan.h"

namespace loom {
namespace {

using test::add;
using test::input;

/// The loss is sum(w * y) over every output with fixed random w, so dL/dy = w.
struct Check {
    ModelGraph graph;
    int batch = 3;
    bool training = false;
    int samplesPerTensor = 24;
    /// Above 0: the inputs are token ids below it, each half way between two whole numbers
    /// (cast toward zero, a nudge either way picks the same row).
    std::int64_t tokenIds = 0;
};

double lossOf(Plan<double>& plan, const std::vector<std::vector<double>>& xs,
              const std::vector<std::vector<double>>& ws, int batch, bool training) {
    std::vector<const double*> in;
    for (const auto& x : xs) in.push_back(x.data());
    std::mt19937_64 rng(99);  // the same dropout masks on every pass
    plan.forward(in, batch, training, &rng);
    double loss = 0;
    for (std::size_t k = 0; k < ws.size(); ++k) {
        const double* y = plan.output(k);
        for (std::size_t i = 0; i < ws[k].size(); ++i) loss += ws[k][i] * y[i];
    }
    return loss;
}

std::size_t count(const Dims& d, int batch) {
    std::size_t n = static_cast<std::size_t>(batch);
    for (std::int64_t v : d) n *= static_cast<std::size_t>(v);
    return n;
}

void expectGradientsMatch(Check c) {
    Plan<double> plan = Plan<double>::compile(c.graph, c.batch);
    plan.initialize(7);
    std::mt19937_64 rng(3);
    std::normal_distribution<double> normal(0.0, 0.5);
    // Biases start at zero or one; random values exercise them properly.
    for (auto& p : plan.params()) {
        for (double& v : p.value) v += normal(rng) * 0.3;
    }
    std::vector<std::vector<double>> xs, ws;
    for (NodeId id : plan.inputs()) {
        xs.emplace_back(count(plan.dims(id), c.batch));
        for (double& v : xs.back()) {
            v = c.tokenIds > 0 ? static_cast<double>(rng() % static_cast<std::uint64_t>(c.tokenIds)) + 0.5
                               : normal(rng) * 2.0;
        }
    }
    for (NodeId id : plan.outputs()) {
        ws.emplace_back(count(plan.dims(id), c.batch));
        for (double& v : ws.back()) v = normal(rng);
    }

    lossOf(plan, xs, ws, c.batch, c.training);
    plan.zeroGrad();
    std::vector<const double*> dOut;
    for (const auto& w : ws) dOut.push_back(w.data());
    plan.backward(dOut);
    std::vector<std::vector<double>> inputGrads;
    for (std::size_t k = 0; k < xs.size(); ++k) {
        inputGrads.emplace_back(plan.inputGrad(k), plan.inputGrad(k) + xs[k].size());
    }

    const double eps = 1e-6;
    auto compare = [&](double analytic, double& value, const std::string& what) {
        const double saved = value;
        value = saved + eps;
        const double up = lossOf(plan, xs, ws, c.batch, c.training);
        value = saved - eps;
        const double down = lossOf(plan, xs, ws, c.batch, c.training);
        value = saved;
        const double numeric = (up - down) / (2 * eps);
        const double scale = std::max({1.0, std::abs(numeric), std::abs(analytic)});
        EXPECT_NEAR(analytic, numeric, 2e-6 * scale) << what;
    };
    std::uniform_int_distribution<std::size_t> pick;
    for (auto& p : plan.params()) {
        if (!p.shape.trainable) continue;  // moving statistics: no gradient, as in Keras
        for (int s = 0; s < c.samplesPerTensor; ++s) {
            const std::size_t i = pick(rng) % p.value.size();
            compare(p.grad[i], p.value[i], p.fullName() + "[" + std::to_string(i) + "]");
        }
    }
    for (std::size_t k = 0; k < xs.size(); ++k) {
        for (int s = 0; s < c.samplesPerTensor; ++s) {
            const std::size_t i = pick(rng) % xs[k].size();
            compare(inputGrads[k][i], xs[k][i], "input " + std::to_string(k) + "[" +
                                                    std::to_string(i) + "]");
        }
    }
}

ParamMap p(std::initializer_list<std::pair<const std::string, ParamValue>> list) {
    return ParamMap(list);
}

class DenseActivation : public ::testing::TestWithParam<const char*> {};

TEST_P(DenseActivation, Gradients) {
    Check c;
    add(c.graph, "Dense", p({{"units", std::int64_t{5}}, {"activation", std::string(GetParam())}}),
        {input(c.graph, {4})});
    expectGradientsMatch(std::move(c));
}

INSTANTIATE_TEST_SUITE_P(Every, DenseActivation,
                         ::testing::Values("linear", "relu", "selu", "elu", "tanh", "sigmoid",
                                           "hard_sigmoid", "softmax", "softplus", "gelu",
                                           "swish", "relu6", "leaky_relu", "hard_silu", "mish",
                                           "log_softmax"));

TEST(Gradients, DenseOnSequenceAndTimeDistributed) {
    Check c;
    const NodeId in = input(c.graph, {4, 3});
    const NodeId d = add(c.graph, "Dense", p({{"units", std::int64_t{6}}, {"activation", std::string("tanh")}}), {in});
    add(c.graph, "TimeDistributed", p({{"units", std::int64_t{2}}, {"use_bias", false}}), {d});
    expectGradientsMatch(std::move(c));
}

struct RnnCase {
    const char* kind;
    ParamMap params;
};

void PrintTo(const RnnCase& c, std::ostream* os) { *os << c.kind; }

class Recurrent : public ::testing::TestWithParam<RnnCase> {};

TEST_P(Recurrent, Gradients) {
    Check c;
    c.training = true;
    add(c.graph, GetParam().kind, GetParam().params, {input(c.graph, {5, 3})});
    expectGradientsMatch(std::move(c));
}

INSTANTIATE_TEST_SUITE_P(
    Every, Recurrent,
    ::testing::Values(
        RnnCase{"LSTM", p({{"units", std::int64_t{4}}})},
        RnnCase{"LSTM", p({{"units", std::int64_t{4}}, {"return_sequences", true}})},
        RnnCase{"LSTM", p({{"units", std::int64_t{3}}, {"return_sequences", true},
                           {"activation", std::string("selu")}, {"use_bias", false}})},
        RnnCase{"LSTM", p({{"units", std::int64_t{4}}, {"return_sequences", true},
                           {"recurrent_activation", std::string("hard_sigmoid")},
                           {"dropout", 0.3}, {"recurrent_dropout", 0.4}})},
        RnnCase{"SimpleRNN", p({{"units", std::int64_t{4}}})},
        RnnCase{"SimpleRNN", p({{"units", std::int64_t{3}}, {"return_sequences", true}, {"use_bias", false},
                                {"activation", std::string("sigmoid")}})},
        RnnCase{"SimpleRNN", p({{"units", std::int64_t{4}}, {"return_sequences", true}, {"dropout", 0.3},
                                {"recurrent_dropout", 0.4}})},
        RnnCase{"GRU", p({{"units", std::int64_t{4}}})},
        RnnCase{"GRU", p({{"units", std::int64_t{4}}, {"return_sequences", true}})},
        RnnCase{"GRU", p({{"units", std::int64_t{4}}, {"reset_after", false},
                          {"return_sequences", true}})},
        RnnCase{"GRU", p({{"units", std::int64_t{3}}, {"reset_after", false}, {"use_bias", false}})},
        RnnCase{"GRU", p({{"units", std::int64_t{4}}, {"return_sequences", true},
                          {"activation", std::string("relu")}, {"dropout", 0.25},
                          {"recurrent_dropout", 0.5}})},
        RnnCase{"LSTM", p({{"units", std::int64_t{3}}, {"return_sequences", true}, {"go_backwards", true},
                           {"dropout", 0.2}})},
        RnnCase{"GRU", p({{"units", std::int64_t{3}}, {"go_backwards", true}})},
        RnnCase{"SimpleRNN", p({{"units", std::int64_t{3}}, {"return_sequences", true}, {"go_backwards", true}})}),
    [](const auto& i) { return std::to_string(i.index) + "_" + i.param.kind; });

// go_backwards reads the reversed sequence and keeps the reading order, as Keras does: its
// outputs are those of the same layer reading forward over the reversed input, step for step.
TEST(Recurrent, GoBackwardsIsAForwardReadingOfTheReversedSequence) {
    for (const char* kind : {"LSTM", "GRU", "SimpleRNN"}) {
        for (bool sequences : {true, false}) {
            SCOPED_TRACE(std::string(kind) + (sequences ? " with return_sequences" : ""));
            const auto plan = [&](bool backwards) {
                ModelGraph g;
                add(g, kind, p({{"units", std::int64_t{2}}, {"return_sequences", sequences}, {"go_backwards", backwards}}),
                    {input(g, {4, 2})});
                Plan<double> pl = Plan<double>::compile(g, 2);
                pl.initialize(11);
                return pl;
            };
            Plan<double> backwards = plan(true), forwards = plan(false);
            const std::vector<double> x = {0.5, -1, 2, 0.3, -0.7, 1.1, 0.2, 0.9, /* sample 2 */ 1, 0, -2, 0.4, 0.8, -0.1, 0.6, 0.25};
            std::vector<double> xr(x.size());
            for (int b = 0; b < 2; ++b) {
                for (int t = 0; t < 4; ++t) {
                    for (int f = 0; f < 2; ++f) xr[b * 8 + t * 2 + f] = x[b * 8 + (3 - t) * 2 + f];
                }
            }
            const double* in[] = {x.data()};
            const double* inr[] = {xr.data()};
            backwards.forward(in, 2, false, nullptr);
            forwards.forward(inr, 2, false, nullptr);
            const std::size_t n = sequences ? 16 : 4;
            for (std::size_t i = 0; i < n; ++i) EXPECT_NEAR(backwards.output(0)[i], forwards.output(0)[i], 1e-12) << i;
            // And it is not the forward reading of the sequence as it is.
            forwards.forward(in, 2, false, nullptr);
            double apart = 0;
            for (std::size_t i = 0; i < n; ++i) apart += std::abs(backwards.output(0)[i] - forwards.output(0)[i]);
            EXPECT_GT(apart, 1e-3);
        }
    }
}

struct BidiCase {
    const char* layer;
    const char* mode;
    bool sequences;
};

void PrintTo(const BidiCase& c, std::ostream* os) { *os << c.layer << "_" << c.mode; }

class Bidirectional : public ::testing::TestWithParam<BidiCase> {};

TEST_P(Bidirectional, Gradients) {
    Check c;
    c.training = true;
    const BidiCase& k = GetParam();
    add(c.graph, "Bidirectional",
        p({{"layer", std::string(k.layer)}, {"merge_mode", std::string(k.mode)}, {"units", std::int64_t{3}},
           {"return_sequences", k.sequences}, {"dropout", 0.2}}),
        {input(c.graph, {4, 2})});
    expectGradientsMatch(std::move(c));
}

INSTANTIATE_TEST_SUITE_P(Every, Bidirectional,
                         ::testing::Values(BidiCase{"LSTM", "concat", true}, BidiCase{"LSTM", "sum", false},
                                           BidiCase{"GRU", "mul", true}, BidiCase{"GRU", "ave", false},
                                           BidiCase{"SimpleRNN", "concat", false}, BidiCase{"SimpleRNN", "mul", true}),
                         [](const auto& i) {
                             return std::to_string(i.index) + "_" + i.param.layer + "_" + i.param.mode;
                         });

TEST(Bidirectional, TheBackwardLayerReadsTheSequenceReversed) {
    // With the backward layer's weights equal to the forward layer's, sum of a sequence read
    // forward equals the forward reading of the reversed sequence with the halves swapped.
    ModelGraph g;
    add(g, "Bidirectional", p({{"layer", std::string("SimpleRNN")}, {"units", std::int64_t{2}}}), {input(g, {3, 1})});
    Plan<double> plan = Plan<double>::compile(g, 1);
    plan.initialize(5);
    auto& ps = plan.params();
    ASSERT_EQ(ps.size(), 6u);
    EXPECT_EQ(ps[0].shape.name, "forward_layer/kernel");
    EXPECT_EQ(ps[3].shape.name, "backward_layer/kernel");
    for (std::size_t i = 0; i < 3; ++i) ps[3 + i].value = ps[i].value;
    const std::vector<double> x = {0.5, -1.0, 2.0}, xr = {2.0, -1.0, 0.5};
    const double* in[] = {x.data()};
    plan.forward(in, 1, false, nullptr);
    const std::vector<double> y(plan.output(0), plan.output(0) + 4);
    const double* inr[] = {xr.data()};
    plan.forward(inr, 1, false, nullptr);
    EXPECT_NEAR(plan.output(0)[0], y[2], 1e-12);
    EXPECT_NEAR(plan.output(0)[1], y[3], 1e-12);
    EXPECT_NEAR(plan.output(0)[2], y[0], 1e-12);
    EXPECT_NEAR(plan.output(0)[3], y[1], 1e-12);
}

struct ConvCase {
    std::string padding;
    std::int64_t kernel, strides, dilation;
    bool bias;
};

void PrintTo(const ConvCase& c, std::ostream* os) {
    *os << c.padding << "_k" << c.kernel << "_s" << c.strides << "_d" << c.dilation;
}

class Convolution : public ::testing::TestWithParam<ConvCase> {};

TEST_P(Convolution, Gradients) {
    const ConvCase& k = GetParam();
    Check c;
    add(c.graph, "Conv1D",
        p({{"filters", std::int64_t{3}}, {"kernel_size", k.kernel}, {"strides", k.strides}, {"dilation_rate", k.dilation},
           {"padding", k.padding}, {"use_bias", k.bias}, {"activation", std::string("tanh")}}),
        {input(c.graph, {9, 2})});
    expectGradientsMatch(std::move(c));
}

INSTANTIATE_TEST_SUITE_P(Every, Convolution,
                         ::testing::Values(ConvCase{"valid", 3, 1, 1, true}, ConvCase{"same", 3, 1, 1, true},
                                           ConvCase{"same", 4, 2, 1, false}, ConvCase{"causal", 2, 1, 3, true},
                                           ConvCase{"valid", 2, 3, 1, true}, ConvCase{"same", 1, 1, 1, true},
                                           ConvCase{"causal", 3, 2, 1, true}),
                         [](const auto& i) { return std::to_string(i.index) + "_" + i.param.padding; });

TEST(Gradients, PoolingAndStepLayers) {
    Check c;
    const NodeId in = input(c.graph, {9, 3});
    // Distinct values, so that no two taps of a max-pooling window tie.
    const NodeId conv = add(c.graph, "Conv1D", p({{"filters", std::int64_t{3}}, {"padding", std::string("same")}}), {in});
    const NodeId mx = add(c.graph, "MaxPooling1D", p({{"padding", std::string("same")}}), {conv});
    const NodeId av = add(c.graph, "AveragePooling1D",
                          p({{"pool_size", std::int64_t{3}}, {"strides", std::int64_t{2}}, {"padding", std::string("same")}}), {in});
    const NodeId up = add(c.graph, "UpSampling1D", p({{"size", std::int64_t{3}}}), {mx});
    const NodeId pad = add(c.graph, "ZeroPadding1D", p({{"pad_before", std::int64_t{2}}, {"pad_after", std::int64_t{0}}}), {av});
    const NodeId crop = add(c.graph, "Cropping1D", p({{"crop_before", std::int64_t{1}}, {"crop_after", std::int64_t{2}}}), {up});
    add(c.graph, "Concatenate", {}, {add(c.graph, "GlobalMaxPooling1D", {}, {crop}),
                                     add(c.graph, "GlobalAveragePooling1D", {}, {pad})});
    expectGradientsMatch(std::move(c));
}

// The global poolings over the features (data_format="channels_first"), with a tie in the
// largest value, whose gradient the tied features share as TensorFlow's reduce_max shares it.
TEST(Gradients, GlobalPoolingOverTheFeatures) {
    Check c;
    const NodeId seq = input(c.graph, {4, 3});
    add(c.graph, "GlobalAveragePooling1D", p({{"data_format", std::string("channels_first")}}), {seq});
    add(c.graph, "GlobalMaxPooling1D", p({{"data_format", std::string("channels_first")}}), {seq});
    expectGradientsMatch(std::move(c));

    ModelGraph g;
    add(g, "GlobalMaxPooling1D", p({{"data_format", std::string("channels_first")}}), {input(g, {1, 3})});
    Plan<double> plan = Plan<double>::compile(g, 1);
    const std::vector<double> x = {2.0, -1.0, 2.0};
    const double* in[] = {x.data()};
    plan.forward(in, 1);
    EXPECT_EQ(plan.output(0)[0], 2.0);
    const double dy = 1.0;
    const double* dOut[] = {&dy};
    plan.zeroGrad();
    plan.backward(dOut);
    EXPECT_EQ(std::vector<double>(plan.inputGrad(0), plan.inputGrad(0) + 3), (std::vector<double>{0.5, 0.0, 0.5}));
}

TEST(Gradients, LayerNormalizationOnSequencesAndVectors) {
    Check c;
    const NodeId in = input(c.graph, {5, 4});
    const NodeId full = add(c.graph, "LayerNormalization", {}, {in});
    const NodeId plain = add(c.graph, "LayerNormalization", p({{"center", false}, {"scale", false}, {"epsilon", 0.1}}), {in});
    const NodeId shift = add(c.graph, "LayerNormalization", p({{"scale", false}}), {in});
    const NodeId vec = add(c.graph, "LayerNormalization", p({{"center", false}}),
                           {add(c.graph, "LSTM", p({{"units", std::int64_t{3}}}), {full})});
    add(c.graph, "Concatenate", {}, {add(c.graph, "Concatenate", {}, {plain, shift}), add(c.graph, "RepeatVector", p({{"n", std::int64_t{5}}}), {vec})});
    expectGradientsMatch(std::move(c));
}

class BatchNormalization : public ::testing::TestWithParam<bool> {};

TEST_P(BatchNormalization, GradientsInTrainingAndInference) {
    Check c;
    c.training = GetParam();
    const NodeId in = input(c.graph, {5, 4});
    const NodeId seq = add(c.graph, "BatchNormalization", {}, {in});
    const NodeId plain = add(c.graph, "BatchNormalization", p({{"center", false}, {"scale", false}}), {in});
    const NodeId vec = add(c.graph, "BatchNormalization", p({{"scale", false}, {"momentum", 0.5}}),
                           {add(c.graph, "GlobalAveragePooling1D", {}, {seq})});
    add(c.graph, "Concatenate", {}, {plain, add(c.graph, "RepeatVector", p({{"n", std::int64_t{5}}}), {vec})});
    expectGradientsMatch(std::move(c));
}

INSTANTIATE_TEST_SUITE_P(Both, BatchNormalization, ::testing::Bool(),
                         [](const auto& i) { return i.param ? "training" : "inference"; });

TEST(BatchNormalization, TrainingMovesTheStatisticsAndInferenceUsesThem) {
    ModelGraph g;
    add(g, "BatchNormalization", p({{"momentum", 0.75}}), {input(g, {2, 1})});
    Plan<double> plan = Plan<double>::compile(g, 2);
    plan.initialize(1);
    ASSERT_EQ(plan.params().size(), 4u);
    EXPECT_FALSE(plan.params()[2].shape.trainable);
    EXPECT_FALSE(plan.params()[3].shape.trainable);
    const std::vector<double> x = {1.0, 2.0, 3.0, 6.0};  // mean 3, biased variance 3.5
    const double* in[] = {x.data()};
    std::mt19937_64 rng(1);
    plan.forward(in, 2, true, &rng);
    EXPECT_NEAR(plan.output(0)[0], (1.0 - 3.0) / std::sqrt(3.5 + 1e-3), 1e-12);
    EXPECT_NEAR(plan.params()[2].value[0], 0.25 * 3.0, 1e-12);
    EXPECT_NEAR(plan.params()[3].value[0], 0.75 + 0.25 * 3.5, 1e-12);
    plan.forward(in, 2, false, nullptr);
    EXPECT_NEAR(plan.output(0)[3], (6.0 - 0.75) / std::sqrt(0.75 + 0.875 + 1e-3), 1e-12);
    // A non-finite batch leaves them as they were.
    const std::vector<double> bad = {1.0, NAN, 3.0, 6.0};
    const double* badIn[] = {bad.data()};
    plan.forward(badIn, 2, true, &rng);
    EXPECT_NEAR(plan.params()[2].value[0], 0.75, 1e-12);
}

TEST(Gradients, FlattenReshapeAndPermute) {
    Check c;
    const NodeId in = input(c.graph, {4, 3});
    const NodeId conv = add(c.graph, "Conv1D", p({{"filters", std::int64_t{2}}}), {in});  // (2, 2)
    const NodeId flat = add(c.graph, "Flatten", {}, {conv});
    const NodeId steps = add(c.graph, "Reshape", {}, {add(c.graph, "Dense", p({{"units", std::int64_t{6}}}), {flat})});
    const NodeId turned = add(c.graph, "Permute", {}, {in});  // (3, 4)
    const NodeId kept = add(c.graph, "Permute", p({{"dims", std::string("(1, 2)")}}), {turned});
    const NodeId back = add(c.graph, "Reshape", p({{"target_shape", Dims{6, kNone}}}), {kept});
    add(c.graph, "Concatenate", {}, {add(c.graph, "Dense", p({{"units", std::int64_t{2}}, {"activation", std::string("tanh")}}), {steps}), back});
    expectGradientsMatch(std::move(c));
}

TEST(Gradients, RepeatVectorAndDropout) {
    Check c;
    c.training = true;
    const NodeId d = add(c.graph, "Dropout", p({{"rate", 0.4}}), {input(c.graph, {4})});
    add(c.graph, "RepeatVector", p({{"n", std::int64_t{3}}}), {d});
    expectGradientsMatch(std::move(c));
}

/// Token ids of `steps` steps below `vocab` (Check.tokenIds), batch 4, looked up by an
/// Embedding(mask_zero) of 3 features: id 0, about one step in `vocab`, is padding.
NodeId paddedIds(Check& c, std::int64_t steps, std::int64_t vocab) {
    c.tokenIds = vocab;
    c.batch = 4;
    const NodeId ids = input(c.graph, {steps});
    c.graph.setParam(ids, "dtype", std::string("int32"));
    return add(c.graph, "Embedding",
               p({{"input_dim", vocab}, {"output_dim", std::int64_t{3}}, {"mask_zero", true}}), {ids});
}

// With Embedding(mask_zero), id 0 is padding: about one step in five, anywhere in a sample.
// Every recurrent kind carries its state over those steps, Bidirectional zeroes their outputs
// and GlobalAveragePooling1D averages the rest; the gradients still match.
class MaskedRecurrent : public ::testing::TestWithParam<const char*> {};

TEST_P(MaskedRecurrent, GradientsSkipThePadding) {
    for (bool sequences : {true, false}) {
        Check c;
        const NodeId e = paddedIds(c, 7, 5);
        ParamMap rnn = p({{"units", std::int64_t{3}}, {"return_sequences", sequences}});
        const std::string kind = GetParam();
        if (kind == "GRU_before") {
            rnn["reset_after"] = false;
        }
        const bool bidirectional = kind.starts_with("Bidirectional");
        if (bidirectional) rnn["layer"] = kind.substr(14);
        // A plain layer reading backwards: the padding reversed with the steps.
        if (kind == "LSTM_backwards") rnn["go_backwards"] = true;
        const std::string layer = bidirectional ? "Bidirectional" : kind == "GRU_before" ? "GRU" : kind.substr(0, kind.find('_'));
        NodeId r = add(c.graph, layer, rnn, {e});
        if (sequences) r = add(c.graph, "GlobalAveragePooling1D", {}, {add(c.graph, "Dense", p({{"units", std::int64_t{2}}}), {r})});
        add(c.graph, "Dense", p({{"units", std::int64_t{2}}}), {r});
        SCOPED_TRACE(kind + (sequences ? " with return_sequences" : ""));
        expectGradientsMatch(std::move(c));
    }
}

// Dropout and recurrent dropout in training, with padding: the masks of both kinds together.
TEST(Gradients, RecurrentDropoutAndPaddingTogether) {
    Check c;
    c.training = true;
    const NodeId e = paddedIds(c, 7, 4);
    const NodeId l = add(c.graph, "LSTM",
                         p({{"units", std::int64_t{3}}, {"return_sequences", true}, {"dropout", 0.3}, {"recurrent_dropout", 0.3}}), {e});
    const NodeId g = add(c.graph, "GRU", p({{"units", std::int64_t{2}}, {"return_sequences", true}, {"recurrent_dropout", 0.25}}), {l});
    add(c.graph, "SimpleRNN", p({{"units", std::int64_t{2}}, {"recurrent_dropout", 0.2}}), {g});
    expectGradientsMatch(std::move(c));
}

// Keras 3's BatchNormalization takes its training moments over the real steps only.
TEST(Gradients, BatchNormalizationOfAMaskedSequenceUsesTheRealStepsMoments) {
    Check c;
    c.training = true;
    const NodeId e = paddedIds(c, 6, 4);
    add(c.graph, "LSTM", p({{"units", std::int64_t{2}}}), {add(c.graph, "BatchNormalization", {}, {e})});
    expectGradientsMatch(std::move(c));
}

INSTANTIATE_TEST_SUITE_P(Kinds, MaskedRecurrent,
                         ::testing::Values("LSTM", "LSTM_backwards", "GRU", "GRU_before", "SimpleRNN", "Bidirectional_LSTM",
                                           "Bidirectional_GRU", "Bidirectional_SimpleRNN"));

// MultiHeadAttention: self-attention (query and value one tensor, so its gradient collects
// both); cross-attention with a separate key, value_dim, output_shape, the causal mask and no
// biases; attention dropout in training; and the step masks of padded token ids.
TEST(Gradients, MultiHeadAttentionSelfAndCross) {
    {
        Check c;
        const NodeId x = input(c.graph, {5, 4});
        add(c.graph, "MultiHeadAttention", p({{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{3}}}), {x, x});
        SCOPED_TRACE("self-attention");
        expectGradientsMatch(std::move(c));
    }
    {
        Check c;
        const NodeId q = input(c.graph, {4, 3});
        const NodeId v = input(c.graph, {6, 5});
        const NodeId k = input(c.graph, {6, 2});
        add(c.graph, "MultiHeadAttention",
            p({{"num_heads", std::int64_t{3}}, {"key_dim", std::int64_t{2}}, {"value_dim", std::int64_t{4}},
               {"output_shape", std::int64_t{7}}, {"use_causal_mask", true}, {"use_bias", false}}),
            {q, v, k});
        SCOPED_TRACE("cross-attention with a key");
        expectGradientsMatch(std::move(c));
    }
    {
        Check c;
        c.training = true;
        const NodeId x = input(c.graph, {5, 4});
        add(c.graph, "MultiHeadAttention",
            p({{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{3}}, {"dropout", 0.3}, {"use_causal_mask", true}}), {x, x});
        SCOPED_TRACE("attention dropout");
        expectGradientsMatch(std::move(c));
    }
    {
        // An attention mask from its own port, about a quarter of it 0 (the sum of two ReLUs of
        // random values), with the key's port free: no gradient reaches the mask. (A query
        // step that may read nothing has scores of -1e9 + x, which finite differences cannot
        // resolve; the reference test covers it.)
        Check c;
        const NodeId q = input(c.graph, {4, 3});
        const NodeId v = input(c.graph, {6, 5});
        const NodeId m = add(c.graph, "Add", {},
                             {add(c.graph, "ReLU", {}, {input(c.graph, {4, 6})}), add(c.graph, "ReLU", {}, {input(c.graph, {4, 6})})});
        const NodeId a = add(c.graph, "MultiHeadAttention",
                             p({{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{3}}, {"attention_mask", true}}),
                             {q, v});
        c.graph.connect({m, 0}, {a, 3});
        SCOPED_TRACE("attention mask");
        expectGradientsMatch(std::move(c));
    }
}

// A shared layer: its weights' gradients add up every call's. Siamese LSTM encoders whose
// difference a Dense reads, and one Dense applied twice in a row (its second call reads the
// first's output).
TEST(Gradients, SharedLayersCollectEveryCallsGradients) {
    {
        Check c;
        const NodeId a = input(c.graph, {5, 3});
        const NodeId b = input(c.graph, {5, 3});
        const NodeId encoder = add(c.graph, "LSTM", p({{"units", std::int64_t{3}}}), {a});
        const NodeId again = test::call(c.graph, encoder, {b});
        add(c.graph, "Dense", p({{"units", std::int64_t{2}}}), {add(c.graph, "Subtract", {}, {encoder, again})});
        SCOPED_TRACE("Siamese encoders");
        expectGradientsMatch(std::move(c));
    }
    {
        Check c;
        const NodeId x = input(c.graph, {4, 3});
        const NodeId dense = add(c.graph, "Dense", p({{"units", std::int64_t{3}}, {"activation", std::string("tanh")}}), {x});
        test::call(c.graph, dense, {dense});
        SCOPED_TRACE("one Dense twice in a row");
        expectGradientsMatch(std::move(c));
    }
}

TEST(Gradients, MultiHeadAttentionSkipsPaddedSteps) {
    Check c;
    const NodeId e = paddedIds(c, 6, 4);
    const NodeId a = add(c.graph, "MultiHeadAttention", p({{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{2}}}), {e, e});
    add(c.graph, "GlobalAveragePooling1D", {}, {a});
    expectGradientsMatch(std::move(c));
}

TEST(Gradients, EmbeddingRowsCollectEveryStepThatPickedThem) {
    Check c;
    c.tokenIds = 4;  // 3 samples of 6 steps: most rows are picked several times
    const NodeId ids = input(c.graph, {6});
    c.graph.setParam(ids, "dtype", std::string("int32"));
    const NodeId e = add(c.graph, "Embedding", p({{"input_dim", std::int64_t{5}}, {"output_dim", std::int64_t{3}}}), {ids});
    add(c.graph, "LSTM", p({{"units", std::int64_t{2}}}), {e});
    expectGradientsMatch(std::move(c));
}

// keras_hub's position layers: the token table's rows collect their steps' gradients, the
// position table's row t collects step t of every sample (rows past the sequence none), the
// reverse projection none; PositionEmbedding gives its input no gradient.
TEST(Gradients, TokenAndPositionEmbeddingAndPositionEmbedding) {
    for (bool tied : {true, false}) {
        Check c;
        c.tokenIds = 4;
        const NodeId ids = input(c.graph, {5});
        c.graph.setParam(ids, "dtype", std::string("int32"));
        const NodeId e = add(c.graph, "TokenAndPositionEmbedding",
                             p({{"vocabulary_size", std::int64_t{5}}, {"sequence_length", std::int64_t{7}},
                                {"embedding_dim", std::int64_t{3}}, {"tie_weights", tied}}),
                             {ids});
        const NodeId d = add(c.graph, "Dense", p({{"units", std::int64_t{3}}, {"activation", std::string("tanh")}}), {e});
        const NodeId pos = add(c.graph, "PositionEmbedding", p({{"sequence_length", std::int64_t{5}}}), {d});
        add(c.graph, "LSTM", p({{"units", std::int64_t{2}}}), {add(c.graph, "Multiply", {}, {d, pos})});
        SCOPED_TRACE(tied ? "tied" : "untied");
        expectGradientsMatch(std::move(c));
    }
}

TEST(Gradients, Conv1DTransposeWithEveryPaddingStridesAndDilation) {
    Check c;
    const NodeId seq = input(c.graph, {5, 3});
    add(c.graph, "Conv1DTranspose", p({{"filters", std::int64_t{2}}, {"kernel_size", std::int64_t{3}}, {"strides", std::int64_t{2}},
                                       {"activation", std::string("tanh")}}),
        {seq});
    add(c.graph, "Conv1DTranspose", p({{"filters", std::int64_t{3}}, {"kernel_size", std::int64_t{4}}, {"strides", std::int64_t{3}},
                                       {"padding", std::string("same")}, {"output_padding", std::int64_t{1}}}),
        {seq});
    add(c.graph, "Conv1DTranspose", p({{"filters", std::int64_t{2}}, {"kernel_size", std::int64_t{3}}, {"dilation_rate", std::int64_t{2}},
                                       {"padding", std::string("same")}, {"use_bias", false}}),
        {seq});
    expectGradientsMatch(std::move(c));
}

// In training, with the same draws on every pass (the check's stream restarts).
TEST(Gradients, NoiseLayersWhileTraining) {
    Check c;
    c.training = true;
    const NodeId seq = input(c.graph, {4, 3});
    add(c.graph, "SpatialDropout1D", p({{"rate", 0.4}}), {seq});
    add(c.graph, "GaussianNoise", p({{"stddev", 0.3}}), {seq});
    add(c.graph, "GaussianDropout", p({{"rate", 0.3}}), {seq});
    add(c.graph, "AlphaDropout", p({{"rate", 0.3}}), {seq});
    expectGradientsMatch(std::move(c));
}

TEST(Gradients, ActivationLayers) {
    Check c;
    const NodeId seq = input(c.graph, {4, 3});
    add(c.graph, "Activation", p({{"activation", std::string("log_softmax")}}), {seq});
    add(c.graph, "ReLU", p({{"max_value", 1.5}, {"negative_slope", 0.2}, {"threshold", 0.4}}), {seq});
    add(c.graph, "ReLU", p({{"negative_slope", 0.1}}), {seq});
    add(c.graph, "LeakyReLU", {}, {seq});
    add(c.graph, "ELU", p({{"alpha", 0.7}}), {seq});
    add(c.graph, "Softmax", {}, {seq});
    add(c.graph, "Softmax", p({{"axis", std::int64_t{1}}}), {seq});
    expectGradientsMatch(std::move(c));
}

TEST(Gradients, PReluPerValueAndShared) {
    for (const char* shared : {"none", "[1]", "[2]", "[1, 2]"}) {
        Check c;
        const NodeId seq = input(c.graph, {4, 3});
        add(c.graph, "PReLU", p({{"shared_axes", std::string(shared)}}), {seq});
        add(c.graph, "PReLU", p({{"shared_axes", std::string(shared) == "[1]" ? "[1]" : "none"}}), {input(c.graph, {5})});
        SCOPED_TRACE(shared);
        expectGradientsMatch(std::move(c));
    }
}

TEST(Gradients, AddWithKerasBroadcasting) {
    Check c;
    const NodeId seq = input(c.graph, {4, 3});
    const NodeId vec = input(c.graph, {3});
    const NodeId narrow = input(c.graph, {4, 1});
    const NodeId one = input(c.graph, {1, 3});
    add(c.graph, "Add", {}, {seq, vec, narrow, one, seq});
    expectGradientsMatch(std::move(c));
}

class ElementwiseMerge : public ::testing::TestWithParam<const char*> {};

TEST_P(ElementwiseMerge, GradientsWithKerasBroadcasting) {
    Check c;
    const NodeId seq = input(c.graph, {4, 3});
    const NodeId vec = input(c.graph, {3});
    const NodeId narrow = input(c.graph, {4, 1});
    const NodeId one = input(c.graph, {1, 3});
    if (std::string(GetParam()) == "Subtract") {
        add(c.graph, "Concatenate", {}, {add(c.graph, "Subtract", {}, {seq, vec}),
                                         add(c.graph, "Subtract", {}, {narrow, one})});
    } else {
        add(c.graph, GetParam(), {}, {seq, vec, narrow, one, seq});
    }
    expectGradientsMatch(std::move(c));
}

INSTANTIATE_TEST_SUITE_P(Every, ElementwiseMerge,
                         ::testing::Values("Subtract", "Multiply", "Average", "Maximum"));

TEST(Gradients, MaximumSendsATieToItsFirstOperand) {
    ModelGraph g;
    const NodeId a = input(g, {2});
    const NodeId b = input(g, {2});
    add(g, "Maximum", {}, {a, b});
    Plan<double> plan = Plan<double>::compile(g, 1);
    const std::size_t ka = plan.inputs()[0] == a ? 0 : 1, kb = 1 - ka;  // the plan's input order
    const std::vector<double> x = {1.0, 2.0}, y = {1.0, 3.0}, dy = {1.0, 1.0};
    const double* in[2];
    in[ka] = x.data();
    in[kb] = y.data();
    plan.forward(in, 1, false, nullptr);
    EXPECT_EQ(plan.output(0)[0], 1.0);
    EXPECT_EQ(plan.output(0)[1], 3.0);
    plan.zeroGrad();
    const double* grads[] = {dy.data()};
    plan.backward(grads);
    EXPECT_EQ(plan.inputGrad(ka)[0], 1.0);
    EXPECT_EQ(plan.inputGrad(kb)[0], 0.0);
    EXPECT_EQ(plan.inputGrad(ka)[1], 0.0);
    EXPECT_EQ(plan.inputGrad(kb)[1], 1.0);
}

TEST(Gradients, ConcatenateFeaturesAndTime) {
    Check c;
    const NodeId a = input(c.graph, {4, 2});
    const NodeId b = input(c.graph, {4, 3});
    const NodeId f = add(c.graph, "Concatenate", {}, {a, b});
    const NodeId t = add(c.graph, "Concatenate", p({{"axis", std::int64_t{1}}}),
                         {f, add(c.graph, "Dense", p({{"units", std::int64_t{5}}}), {b})});
    add(c.graph, "Concatenate", {}, {add(c.graph, "LSTM", p({{"units", std::int64_t{2}}}), {t}),
                                     input(c.graph, {3})});
    expectGradientsMatch(std::move(c));
}

TEST(Gradients, SkipAutoencoderWithConcatenateAndAdd) {
    // The shipped U-Net autoencoder's topology at small sizes.
    Check c;
    c.samplesPerTensor = 12;
    ModelGraph& g = c.graph;
    const NodeId in = input(g, {6, 1});
    const NodeId e1 = add(g, "LSTM", p({{"units", std::int64_t{5}}, {"return_sequences", true}, {"activation", std::string("selu")}}), {in});
    const NodeId e2 = add(g, "LSTM", p({{"units", std::int64_t{4}}, {"return_sequences", true}, {"activation", std::string("selu")}}), {e1});
    const NodeId bn = add(g, "LSTM", p({{"units", std::int64_t{2}}, {"activation", std::string("selu")}}), {e2});
    const NodeId rv = add(g, "RepeatVector", p({{"n", std::int64_t{6}}}), {bn});
    const NodeId d1 = add(g, "LSTM", p({{"units", std::int64_t{2}}, {"return_sequences", true}}), {rv});
    const NodeId c1 = add(g, "Concatenate", {}, {d1, e2});
    const NodeId d2 = add(g, "GRU", p({{"units", std::int64_t{4}}, {"return_sequences", true}}), {c1});
    const NodeId proj = add(g, "TimeDistributed", p({{"units", std::int64_t{5}}}), {d2});
    const NodeId a2 = add(g, "Add", {}, {proj, e1});
    const NodeId d3 = add(g, "LSTM", p({{"units", std::int64_t{5}}, {"return_sequences", true}}), {a2});
    add(g, "TimeDistributed", p({{"units", std::int64_t{1}}}), {d3});
    expectGradientsMatch(std::move(c));
}

TEST(Gradients, ResidualClassifierWithTwoHeads) {
    // A residual block whose input feeds two layers, and two outputs.
    Check c;
    ModelGraph& g = c.graph;
    const NodeId in = input(g, {5, 3});
    const NodeId a = add(g, "LSTM", p({{"units", std::int64_t{3}}, {"return_sequences", true}}), {in});
    const NodeId x = add(g, "LSTM", p({{"units", std::int64_t{4}}, {"return_sequences", true}}), {a});
    const NodeId skip = add(g, "LSTM", p({{"units", std::int64_t{4}}, {"return_sequences", true}}), {a});
    const NodeId x2 = add(g, "LSTM", p({{"units", std::int64_t{4}}, {"return_sequences", true}}), {x});
    const NodeId b = add(g, "Add", {}, {skip, x2});
    const NodeId last = add(g, "LSTM", p({{"units", std::int64_t{6}}}), {b});
    const NodeId h = add(g, "Dense", p({{"units", std::int64_t{5}}, {"activation", std::string("relu")}}), {last});
    add(g, "Dense", p({{"units", std::int64_t{2}}, {"activation", std::string("softmax")}}), {h});
    add(g, "Dense", p({{"units", std::int64_t{1}}, {"activation", std::string("sigmoid")}}), {last});
    expectGradientsMatch(std::move(c));
}

}  // namespace
}  // namespace loom

#include "engine/regularizer.h"

namespace loom {
namespace {

TEST(Gradients, Regularizers) {
    for (Regularizer r : {Regularizer{Regularizer::Kind::L1, 0.3, 0.0},
                          Regularizer{Regularizer::Kind::L2, 0.0, 0.7},
                          Regularizer{Regularizer::Kind::L1L2, 0.2, 0.4}}) {
        ModelGraph g;
        test::add(g, "LSTM", {{"units", std::int64_t{3}}, {"kernel_regularizer", r}},
                  {test::input(g, {4, 2})});
        Plan<double> plan = Plan<double>::compile(g, 1);
        plan.initialize(5);
        plan.zeroGrad();
        applyRegularizers(plan, true);
        for (auto& p : plan.params()) {
            const bool regularised = p.shape.name == "kernel";
            for (std::size_t i = 0; i < p.value.size(); ++i) {
                const double saved = p.value[i], eps = 1e-7;
                p.value[i] = saved + eps;
                const double up = applyRegularizers(plan, false);
                p.value[i] = saved - eps;
                const double down = applyRegularizers(plan, false);
                p.value[i] = saved;
                EXPECT_NEAR(p.grad[i], (up - down) / (2 * eps), 1e-6) << p.fullName();
                if (!regularised) {
                    EXPECT_EQ(p.grad[i], 0.0) << p.fullName();  // kernels only, as in Keras
                }
            }
        }
    }
}

}  // namespace
}  // namespace loom
