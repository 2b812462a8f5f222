// Shared layers: one layer called at several places with the same weights, as Keras allows
// (Siamese encoders, seq2seq's inference models). The graph keeps the calls alike, shapes and
// parameter counts treat the weights as one, and the engine adds every call's gradients.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/test_graphs.h"
#include "engine/plan.h"
#include "graph/project_file.h"
#include "interop/keras_export.h"
#include "interop/keras_topology.h"
#include "report/summary.h"
#include "shape/validator.h"

namespace loom {
namespace {

using test::add;
using test::call;
using test::input;

/// Two Inputs of (6, 3) read by one LSTM(4), their encodings subtracted, then Dense(1).
struct Siamese {
    ModelGraph graph;
    NodeId left = 0, right = 0, encoder = 0, again = 0;
};

Siamese siamese() {
    Siamese s;
    ModelGraph& g = s.graph;
    s.left = input(g, {6, 3});
    s.right = input(g, {6, 3});
    s.encoder = add(g, "LSTM", {{"units", std::int64_t{4}}}, {s.left});
    s.again = call(g, s.encoder, {s.right});
    add(g, "Dense", {{"units", std::int64_t{1}}}, {add(g, "Subtract", {}, {s.encoder, s.again})});
    return s;
}

TEST(SharedLayers, TheWeightsCountOnceAndLiveUnderTheLayersName) {
    const Siamese s = siamese();
    const Validation v = validate(s.graph);
    ASSERT_FALSE(v.hasErrors()) << v.diagnostics.front().message;
    // LSTM(4) on 3 features: 4 * 4 * (3 + 4 + 1) = 128, once; Dense(1) on 4: 5.
    EXPECT_EQ(v.of(s.graph, s.encoder).params, 128);
    EXPECT_EQ(v.of(s.graph, s.again).params, 0);
    EXPECT_EQ(v.totalParams, 133);
    const auto shapes = parameterShapes(s.graph);
    ASSERT_EQ(shapes.size(), 5u);
    EXPECT_EQ(shapes[0].name, "lstm_1/kernel");
    Plan<float> plan = Plan<float>::compile(s.graph, 2);
    EXPECT_EQ(plan.params().size(), 5u);
    plan.initialize(3);
    // Both calls compute with the one set of weights: the same input encodes the same.
    std::vector<float> x(2 * 6 * 3);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7) * 0.3f - 0.9f;
    const float* both[] = {x.data(), x.data()};
    plan.forward(both, 2);
    for (int b = 0; b < 2; ++b) EXPECT_EQ(plan.output(0)[b], plan.params()[4].value[0]) << b;  // Dense's bias alone
}

// Keras's summary: a shared layer is one row with every call's inputs, its later calls'
// tensors are layer[1][0], ..., and its parameters count once.
TEST(SharedLayers, TheSummaryShowsASharedLayerOnceAsKerasDoes) {
    Siamese s = siamese();
    const NodeId dense = s.graph.nodes().back().id;
    test::call(s.graph, dense, {s.again});  // a second Dense call, on the right encoding alone
    const Validation v = validate(s.graph);
    const ModelSummary summary = summarize(s.graph, v, "siamese");
    std::vector<std::string> names;
    for (const SummaryRow& row : summary.rows) {
        names.push_back(row.name);
        if (row.name == "lstm_1") {
            EXPECT_EQ(row.connectedTo, (std::vector<std::string>{"input_1[0][0]", "input_2[0][0]"}));
            EXPECT_EQ(row.params, 128);
        }
        if (row.name == "subtract_1") {
            EXPECT_EQ(row.connectedTo, (std::vector<std::string>{"lstm_1[0][0]", "lstm_1[1][0]"}));
        }
        if (row.name == "dense_1") {
            EXPECT_EQ(row.connectedTo, (std::vector<std::string>{"subtract_1[0][0]", "lstm_1[1][0]"}));
        }
    }
    EXPECT_EQ(std::count(names.begin(), names.end(), "lstm_1"), 1);
    EXPECT_EQ(std::count(names.begin(), names.end(), "dense_1"), 1);
    EXPECT_EQ(summary.rows.size(), 5u);
    EXPECT_EQ(summary.totalParams, 133);
}

// Keras rebuilds a layer's calls in the order its file lists them, each from tensors already
// made: a call added before another but reading it comes after it, so that loading never
// waits on a call not yet made.
TEST(SharedLayers, KerasNumbersACallAfterTheCallsItReads) {
    ModelGraph g;
    const NodeId x = input(g, {5, 3});
    const NodeId dense = add(g, "Dense", {{"units", std::int64_t{3}}}, {x});
    const NodeId first = call(g, dense, {});   // added first,
    const NodeId second = call(g, dense, {dense});
    g.connect({second, 0}, {first, 0});         // but reading the one added after it
    ASSERT_FALSE(validate(g).hasErrors());
    const nlohmann::json config = kerasModelConfig(g, "chain", KerasLayerOrder::Topological);
    for (const nlohmann::json& l : config["config"]["layers"]) {
        if (l["name"] == "dense_1") {
            EXPECT_EQ(l["inbound_nodes"],
                      nlohmann::json::parse(R"([[["input_1", 0, 0, {}]], [["dense_1", 0, 0, {}]], [["dense_1", 1, 0, {}]]])"));
        }
    }
    EXPECT_EQ(config["config"]["output_layers"], nlohmann::json::parse(R"([["dense_1", 2, 0]])"));
    EXPECT_EQ(config["config"]["layers"].size(), 2u);
}

// LayerLoom keeps one setting for all calls of a shared layer: a Keras model whose calls pass
// different options (a causal mask at one call only) is refused by name, not merged.
TEST(SharedLayers, KerasCallsThatDifferInTheirOptionsAreRefused) {
    ModelGraph g;
    const NodeId x = input(g, {5, 4});
    const NodeId y = input(g, {5, 4});
    const NodeId attention = add(g, "MultiHeadAttention",
                                 {{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{2}}, {"use_causal_mask", true}}, {x, x});
    const NodeId again = call(g, attention, {y, y});
    add(g, "Add", {}, {attention, again});
    ASSERT_FALSE(validate(g).hasErrors());
    nlohmann::json config = kerasModelConfig(g, "two", KerasLayerOrder::Topological);
    EXPECT_NO_THROW(readKerasTopology(config, KerasProducer::Keras2, "model.json"));
    for (nlohmann::json& l : config["config"]["layers"]) {
        if (l["name"] == "multi_head_attention_1") l["inbound_nodes"][1][0][3].erase("use_causal_mask");
    }
    EXPECT_NE(test::refusalOf([&] { readKerasTopology(config, KerasProducer::Keras2, "model.json"); })
                  .find("its calls differ in use_causal_mask"),
              std::string::npos);
}

// A call with a second wire into its one port, from a layer in error, is reported by the port
// rules; comparing its weights with the layer's waits for shapes (no crash).
TEST(SharedLayers, ACallWithABrokenExtraWireIsReportedNotCompared) {
    Siamese s = siamese();
    const NodeId broken = add(s.graph, "LSTM", {}, {input(s.graph, {4})});  // a vector into an LSTM
    s.graph.connect({broken, 0}, {s.again, 0});
    const Validation v = validate(s.graph);
    EXPECT_TRUE(v.hasErrors());
    EXPECT_FALSE(test::find(v, DiagCode::PortOccupied).empty());
}

TEST(SharedLayers, CallsKeepTheLayersKindAndParameters) {
    Siamese s = siamese();
    ModelGraph& g = s.graph;
    EXPECT_EQ(g.weightsOwner(s.again), s.encoder);
    EXPECT_EQ(g.callsOf(s.encoder), std::vector<NodeId>{s.again});
    // A setting changed at either place changes both.
    g.setParam(s.again, "units", std::int64_t{6});
    EXPECT_EQ(g.node(s.encoder)->param<std::int64_t>("units"), 6);
    g.setParam(s.encoder, "go_backwards", true);
    EXPECT_TRUE(g.node(s.again)->param<bool>("go_backwards"));
    EXPECT_FALSE(validate(g).hasErrors());
    // A layer that is itself a call, or an Input, lends no weights.
    const NodeId third = addLayer(g, "LSTM");
    EXPECT_FALSE(g.share(third, s.again));
    EXPECT_FALSE(g.share(third, s.left));
    EXPECT_FALSE(g.share(s.encoder, s.encoder));
    // Removing the layer hands its weights to its first call.
    const NodeId fourth = call(g, s.encoder, {s.left});
    g.removeNode(s.encoder);
    EXPECT_EQ(g.node(s.again)->shares, 0u);
    EXPECT_EQ(g.node(fourth)->shares, s.again);
}

TEST(SharedLayers, ACallWhoseInputDoesNotFitTheWeightsIsExplainedAndFixed) {
    Siamese s = siamese();
    ModelGraph& g = s.graph;
    const NodeId wide = input(g, {6, 5});
    g.disconnect(g.inputEdges(s.again).front()->id);
    g.connect({wide, 0}, {s.again, 0});
    const Validation v = validate(g);
    const auto d = test::find(v, DiagCode::SharedWeights);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0]->node, s.again);
    EXPECT_EQ(d[0]->message,
              "lstm_2 calls lstm_1 again with its weights, but its input does not fit them: lstm_1/kernel is (3, 16) for "
              "lstm_1's input (None, 6, 3), and lstm_2's input (None, 6, 5) would need (5, 16). A shared layer's weights "
              "fit inputs of one width: wire in one like lstm_1's, or give lstm_2 weights of its own.");
    ASSERT_EQ(d[0]->fixes.size(), 1u);
    EXPECT_EQ(d[0]->fixes[0].title, "Give lstm_2 weights of its own");
    ModelGraph fixed = g;
    applyEdit(fixed, d[0]->fixes[0].edit);
    const Validation after = validate(fixed);
    EXPECT_FALSE(after.hasErrors());
    EXPECT_EQ(after.totalParams, 133 + 4 * 4 * (5 + 4 + 1));
}

TEST(SharedLayers, ProjectFilesKeepTheCallsAndRefuseBrokenOnes) {
    Project p;
    p.graph = siamese().graph;
    const std::string text = serializeProject(p);
    const Project back = parseProject(text);
    EXPECT_EQ(back.graph, p.graph);

    const auto refusal = [&](const std::string& from, const std::string& to) {
        std::string broken = text;
        const auto at = broken.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        broken.replace(at, from.size(), to);
        return test::refusalOf([&] { parseProject(broken); });
    };
    EXPECT_NE(refusal("\"shares\": 3", "\"shares\": 99").find("shares the weights of layer id 99, which the file does not define"),
              std::string::npos);
    EXPECT_NE(refusal("\"shares\": 3", "\"shares\": 1").find("which is an Input and has none"), std::string::npos);
    EXPECT_NE(refusal("\"shares\": 3", "\"shares\": 4").find("which is itself"), std::string::npos);
    EXPECT_NE(refusal("\"shares\": 3", "\"shares\": \"x\"").find("/shares"), std::string::npos);
}

}  // namespace
}  // namespace loom
