// Recurrent layers that return their states (return_state) and start from states wired in
// (initial_state): shapes, the problems they explain, and finite-difference gradients.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/test_graphs.h"
#include "engine/plan.h"
#include "interop/keras_code.h"
#include "interop/keras_export.h"
#include "interop/pytorch_code.h"
#include "shape/validator.h"

namespace loom {
namespace {

using test::add;
using test::input;

struct Model {
    ModelGraph graph;
    NodeId encoder = 0, decoder = 0;
};

/// Encoder kind(4, return_state) over (5, 3); decoder kind(4, return_sequences, initial_state)
/// over (4, 2) from the encoder's states; outputs: the decoder's sequence and Dense(2) of the
/// encoder's h. `extra` is set on both layers.
Model encoderDecoder(const std::string& kind, ParamMap extra = {}, bool masked = false) {
    Model m;
    ModelGraph& g = m.graph;
    NodeId source = input(g, {5, 3});
    NodeId target = input(g, {4, 2});
    if (masked) {
        source = add(g, "Masking", {{"mask_value", 0.0}}, {source});
        target = add(g, "Masking", {{"mask_value", 0.0}}, {target});
    }
    ParamMap enc{{"units", std::int64_t{4}}, {"return_state", true}};
    ParamMap dec{{"units", std::int64_t{4}}, {"return_sequences", true}, {"initial_state", true}};
    for (const auto& [k, v] : extra) {
        enc[k] = v;
        dec[k] = v;
    }
    m.encoder = add(g, kind, enc, {source});
    m.decoder = add(g, kind, dec, {target});
    const int states = kind == "LSTM" ? 2 : 1;
    for (int k = 1; k <= states; ++k) g.connect({m.encoder, k}, {m.decoder, k});
    add(g, "Dense", {{"units", std::int64_t{2}}}, {m.decoder});
    const NodeId summary = addLayer(g, "Dense");
    g.setParam(summary, "units", std::int64_t{2});
    g.connect({m.encoder, 1}, {summary, 0});
    return m;
}

/// sum(w * y) over every output, with fixed w; the same dropout masks on every pass.
double lossOf(Plan<double>& plan, const std::vector<std::vector<double>>& xs, const std::vector<std::vector<double>>& ws,
              int batch, bool training) {
    std::vector<const double*> in;
    for (const auto& x : xs) in.push_back(x.data());
    std::mt19937_64 rng(99);
    plan.forward(in, batch, training, &rng);
    double loss = 0;
    for (std::size_t k = 0; k < ws.size(); ++k) {
        for (std::size_t i = 0; i < ws[k].size(); ++i) loss += ws[k][i] * plan.output(k)[i];
    }
    return loss;
}

std::size_t count(const Dims& d, int batch) {
    std::size_t n = static_cast<std::size_t>(batch);
    for (std::int64_t v : d) n *= static_cast<std::size_t>(v);
    return n;
}

/// Every weight and input value's gradient against central differences. With `padded`, some
/// steps of both inputs are zero (masked): the last of sample 0, the first two of sample 1.
void expectGradientsMatch(const ModelGraph& graph, bool training = false, bool padded = false) {
    const int batch = 3;
    Plan<double> plan = Plan<double>::compile(graph, batch);
    plan.initialize(7);
    std::mt19937_64 rng(3);
    std::normal_distribution<double> normal(0.0, 0.5);
    for (auto& p : plan.params()) {
        for (double& v : p.value) v += normal(rng) * 0.3;
    }
    std::vector<std::vector<double>> xs, ws;
    for (NodeId id : plan.inputs()) {
        xs.emplace_back(count(plan.dims(id), batch));
        for (double& v : xs.back()) v = normal(rng) * 2.0;
    }
    if (padded) {
        for (std::size_t k = 0; k < 2; ++k) {
            const Dims& d = plan.dims(plan.inputs()[k]);
            const auto steps = static_cast<std::size_t>(d[0]), width = static_cast<std::size_t>(d[1]);
            for (std::size_t i = (steps - 1) * width; i < steps * width; ++i) xs[k][i] = 0.0;  // sample 0's last
            for (std::size_t i = steps * width; i < (steps + 2) * width; ++i) xs[k][i] = 0.0;  // sample 1's first two
        }
    }
    for (NodeId id : plan.outputs()) {
        ws.emplace_back(count(plan.dims(id), batch));
        for (double& v : ws.back()) v = normal(rng);
    }
    lossOf(plan, xs, ws, batch, training);
    plan.zeroGrad();
    std::vector<const double*> dOut;
    for (const auto& w : ws) dOut.push_back(w.data());
    plan.backward(dOut);
    std::vector<std::vector<double>> inputGrads;
    for (std::size_t k = 0; k < xs.size(); ++k) inputGrads.emplace_back(plan.inputGrad(k), plan.inputGrad(k) + xs[k].size());

    const double eps = 1e-6;
    const auto compare = [&](double analytic, double& value, const std::string& what) {
        const double saved = value;
        value = saved + eps;
        const double up = lossOf(plan, xs, ws, batch, training);
        value = saved - eps;
        const double down = lossOf(plan, xs, ws, batch, training);
        value = saved;
        const double numeric = (up - down) / (2 * eps);
        EXPECT_NEAR(analytic, numeric, 2e-6 * std::max({1.0, std::abs(numeric), std::abs(analytic)})) << what;
    };
    for (auto& p : plan.params()) {
        for (std::size_t i = 0; i < p.value.size(); i += 3) compare(p.grad[i], p.value[i], p.fullName() + "[" + std::to_string(i) + "]");
    }
    for (std::size_t k = 0; k < xs.size(); ++k) {
        for (std::size_t i = 0; i < xs[k].size(); ++i) {
            if (padded && xs[k][i] == 0.0) continue;  // a nudge would unmask the step
            compare(inputGrads[k][i], xs[k][i], "input " + std::to_string(k) + "[" + std::to_string(i) + "]");
        }
    }
}

class RecurrentStates : public ::testing::TestWithParam<const char*> {};

TEST_P(RecurrentStates, GradientsFlowThroughTheStatesBothWays) {
    expectGradientsMatch(encoderDecoder(GetParam()).graph);
}

TEST_P(RecurrentStates, GradientsWithDropoutAndGoBackwards) {
    expectGradientsMatch(encoderDecoder(GetParam(), {{"dropout", 0.2}, {"recurrent_dropout", 0.3}}).graph, true);
    expectGradientsMatch(encoderDecoder(GetParam(), {{"go_backwards", true}}).graph);
}

TEST_P(RecurrentStates, GradientsWithPaddedSteps) {
    expectGradientsMatch(encoderDecoder(GetParam(), {}, true).graph, false, true);
}

TEST_P(RecurrentStates, TheStateIsTheLastOutputAndZerosGivenAreNoStart) {
    // return_state's h is the output at the last step; starting from zeros wired in computes
    // what starting from nothing does.
    ModelGraph g;
    const NodeId x = input(g, {6, 3});
    const NodeId seq = add(g, GetParam(), {{"units", std::int64_t{5}}, {"return_sequences", true}, {"return_state", true}}, {x});
    // Dense layers with an identity kernel pass the sequence and the state h on as they are.
    for (int port : {0, 1}) {
        const NodeId same = addLayer(g, "Dense");
        g.setParam(same, "units", std::int64_t{5});
        g.setParam(same, "kernel_initializer", Initializer{Initializer::Kind::Identity});
        g.connect({seq, port}, {same, 0});
    }
    Plan<double> plan = Plan<double>::compile(g, 2);
    plan.initialize(5);
    std::vector<double> in(2 * 6 * 3);
    for (std::size_t i = 0; i < in.size(); ++i) in[i] = std::sin(0.7 * static_cast<double>(i));
    const double* inputs[] = {in.data()};
    plan.forward(inputs, 2);
    ASSERT_EQ(plan.outputs().size(), 2u);
    // Outputs in graph order: the sequence (6, 5), then Dense(h) = h (identity kernel, zero bias).
    for (int b = 0; b < 2; ++b) {
        for (int u = 0; u < 5; ++u) {
            EXPECT_NEAR(plan.output(1)[b * 5 + u], plan.output(0)[(b * 6 + 5) * 5 + u], 1e-12);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Kinds, RecurrentStates, ::testing::Values("LSTM", "GRU", "SimpleRNN"));

TEST(RecurrentStatesGru, GradientsWithResetBefore) {
    expectGradientsMatch(encoderDecoder("GRU", {{"reset_after", false}}).graph);
}

TEST(RecurrentStatesShapes, EachStateIsAVectorOfTheUnits) {
    const Model m = encoderDecoder("LSTM");
    const Validation v = validate(m.graph);
    ASSERT_FALSE(v.hasErrors()) << v.diagnostics.front().message;
    const NodeReport& enc = v.of(m.graph, m.encoder);
    ASSERT_EQ(enc.moreOutputs.size(), 2u);
    EXPECT_EQ(enc.moreOutputs[0].str(), "(None, 4)");
    EXPECT_EQ(v.shapeAt(m.graph, {m.encoder, 2})->str(), "(None, 4)");
    EXPECT_EQ(v.shapeAt(m.graph, {m.encoder, 3}), nullptr);
    EXPECT_EQ(v.outputs.size(), 2u);  // the encoder's own output is used by nothing: its states are
}

TEST(RecurrentStatesShapes, WhatDoesNotFitIsSaidWithItsFix) {
    // A decoder with other units than the encoder's states.
    Model m = encoderDecoder("LSTM");
    m.graph.setParam(m.decoder, "units", std::int64_t{6});
    Validation v = validate(m.graph);
    ASSERT_TRUE(v.hasErrors());
    const Diagnostic* d = nullptr;
    for (const Diagnostic& x : v.diagnostics) {
        if (x.node == m.decoder && x.severity == Severity::Error) d = &x;
    }
    ASSERT_TRUE(d);
    EXPECT_NE(d->message.find("starts from the state h that lstm_1 gives, (None, 4), but its own state is a vector of "
                              "its units=6, (None, 6); the two need the same size."),
              std::string::npos)
        << d->message;
    ASSERT_FALSE(d->fixes.empty());
    EXPECT_EQ(d->fixes.front().title, "Set units=4 on lstm_2");

    // The encoder's states wired while return_state is off.
    m = encoderDecoder("LSTM");
    m.graph.setParam(m.encoder, "return_state", false);
    v = validate(m.graph);
    d = nullptr;
    for (const Diagnostic& x : v.diagnostics) {
        if (x.node == m.decoder && x.severity == Severity::Error) d = &x;
    }
    ASSERT_TRUE(d);
    EXPECT_NE(d->message.find("lstm_2 (LSTM) reads lstm_1's state c, but lstm_1 returns one output: its states come "
                              "out only with return_state on."),
              std::string::npos)
        << d->message;
    EXPECT_EQ(d->fixes.front().title, "Turn on return_state on lstm_1");

    // The decoder's c port left unwired.
    m = encoderDecoder("LSTM");
    for (const Edge& e : m.graph.edges()) {
        if (e.to.node == m.decoder && e.to.port == 2) {
            m.graph.disconnect(e.id);
            break;
        }
    }
    v = validate(m.graph);
    bool said = false;
    for (const Diagnostic& x : v.diagnostics) said = said || x.message.find("has nothing wired into its initial c port") != std::string::npos;
    EXPECT_TRUE(said);

    // States wired into a layer that does not take them.
    m = encoderDecoder("LSTM");
    m.graph.setParam(m.decoder, "initial_state", false);
    v = validate(m.graph);
    said = false;
    for (const Diagnostic& x : v.diagnostics) said = said || x.message.find("turn initial_state on to show them") != std::string::npos;
    EXPECT_TRUE(said);
}

TEST(RecurrentStatesShapes, AStateIsAVectorWithoutAMaskWhateverItsLayerReturns) {
    // A masked LSTM that returns its sequence and its states: a Dense on its h gets no mask
    // (no warning that it drops one), and an LSTM fed its h is told a state is a vector, not
    // to turn on return_sequences.
    ModelGraph g;
    const NodeId x = input(g, {6, 3});
    const NodeId masked = add(g, "Masking", {{"mask_value", 0.0}}, {x});
    const NodeId rnn = add(g, "LSTM", {{"units", std::int64_t{4}}, {"return_sequences", true}, {"return_state", true}}, {masked});
    add(g, "Dense", {{"units", std::int64_t{2}}}, {rnn});
    const NodeId dense = addLayer(g, "Dense");
    g.connect({rnn, 1}, {dense, 0});
    Validation v = validate(g);
    EXPECT_TRUE(test::find(v, DiagCode::MaskDropped).empty());
    EXPECT_FALSE(v.of(g, dense).masked);
    const NodeId reader = addLayer(g, "LSTM");
    g.connect({rnn, 1}, {reader, 0});
    v = validate(g);
    const auto needs = test::find(v, DiagCode::NeedsSequence);
    ASSERT_EQ(needs.size(), 1u);
    EXPECT_EQ(needs.front()->message.find("return_sequences"), std::string::npos) << needs.front()->message;
}

TEST(RecurrentStatesExport, KerasCodeNamesTheStatesAndPassesThemAsInitialState) {
    Project p;
    p.name = "seq2seq";
    p.graph = encoderDecoder("LSTM").graph;
    const std::string code = kerasCode(p);
    EXPECT_NE(code.find("lstm_1, lstm_1_h, lstm_1_c = layers.LSTM(units=4"), std::string::npos) << code;
    EXPECT_NE(code.find("return_state=True"), std::string::npos) << code;
    EXPECT_NE(code.find("lstm_2 = layers.LSTM(units=4"), std::string::npos) << code;
    EXPECT_NE(code.find("(input_2, initial_state=[lstm_1_h, lstm_1_c])"), std::string::npos) << code;
    EXPECT_NE(code.find("(lstm_1_h)"), std::string::npos) << code;

    // tf.keras 2's configuration: the states, the encoder's tensors 1 and 2, follow the
    // decoder's sequence in its call, as tf.keras 2 saves a call with initial_state.
    const nlohmann::json config = kerasModelConfig(p.graph, "seq2seq", KerasLayerOrder::Keras);
    for (const nlohmann::json& layer : config["config"]["layers"]) {
        if (layer["name"] == "lstm_2") {
            EXPECT_EQ(layer["inbound_nodes"].dump(), R"([[["input_2",0,0,{}],["lstm_1",0,1,{}],["lstm_1",0,2,{}]]])");
        }
        if (layer["name"] == "lstm_1") {
            EXPECT_EQ(layer["config"]["return_state"], true);
        }
        if (layer["name"] == "dense_2") {
            EXPECT_EQ(layer["inbound_nodes"].dump(), R"([[["lstm_1",0,1,{}]]])");
        }
    }
    // A layer named like a state leaves the state a name of its own.
    Project clash = p;
    clash.graph.rename(clash.graph.nodes().back().id, "lstm_1_h");
    const std::string renamed = kerasCode(clash);
    EXPECT_NE(renamed.find("lstm_1, lstm_1_state_h, lstm_1_c = layers.LSTM("), std::string::npos) << renamed;
    EXPECT_NE(renamed.find("lstm_1_h = layers.Dense("), std::string::npos) << renamed;

    // The PyTorch module names the states the same way and passes them after the sequence.
    const std::string torch = pytorchCode(clash);
    EXPECT_NE(torch.find("lstm_1, lstm_1_state_h, lstm_1_c = self.lstm_1(input_1)"), std::string::npos) << torch;
    EXPECT_NE(torch.find("return_state=True"), std::string::npos) << torch;
    EXPECT_NE(torch.find("lstm_2 = self.lstm_2(input_2, lstm_1_state_h, lstm_1_c)"), std::string::npos) << torch;
    EXPECT_NE(torch.find("lstm_1_h = self.lstm_1_h(lstm_1_state_h)"), std::string::npos) << torch;

    // What TF.js folders cannot carry, they say.
    EXPECT_EQ(tfjsLimitations(p.graph).size(), 2u);
}

}  // namespace
}  // namespace loom
