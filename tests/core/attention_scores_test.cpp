// MultiHeadAttention's return_attention_scores: the scores leave the model beside its outputs
// for looking at (predict, the exports, the window's view), no layer reads them, and the model's
// outputs and training are what they were. The numbers themselves are checked against the NumPy
// reference in reference_numerics_test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/test_graphs.h"
#include "engine/plan.h"
#include "graph/graph_edit.h"
#include "interop/keras_code.h"
#include "interop/keras_export.h"
#include "interop/keras_model.h"
#include "interop/pytorch_code.h"
#include "shape/validator.h"
#include "train/session.h"
#include "train/trainer.h"

namespace loom {
namespace {

using test::add;
using test::input;

struct Model {
    ModelGraph graph;
    NodeId attention = 0, head = 0;
};

/// Cross-attention of a (5, 4) query over a (7, 3) value with 2 heads, scores on, then a
/// residual-free Dense(2) head on its output.
Model attentionModel(bool scores = true) {
    Model m;
    const NodeId query = input(m.graph, {5, 4});
    const NodeId value = input(m.graph, {7, 3});
    m.attention = add(m.graph, "MultiHeadAttention",
                      {{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{3}}, {"return_attention_scores", scores}},
                      {query, value});
    m.head = add(m.graph, "Dense", {{"units", std::int64_t{2}}}, {m.attention});
    return m;
}

std::vector<float> wave(std::size_t n, float f) {
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = std::sin(f * static_cast<float>(i));
    return x;
}

TEST(AttentionScores, LeaveTheModelBesideItsOutputs) {
    const Model m = attentionModel();
    const Validation v = validate(m.graph);
    ASSERT_FALSE(v.hasErrors());
    ASSERT_EQ(v.outputs, std::vector<NodeId>{m.head});
    ASSERT_EQ(v.viewOutputs, (std::vector<PortRef>{{m.attention, 1}}));
    const NodeReport& r = v.of(m.graph, m.attention);
    ASSERT_EQ(r.moreOutputs.size(), 1u);
    EXPECT_EQ(r.moreOutputs[0].str(), "(None, 2, 5, 7)");
    EXPECT_EQ(viewOutputName(m.graph, {m.attention, 1}), "multi_head_attention_1_scores");
    // Off, the layer has one output and the model none to look at.
    const Validation off = validate(attentionModel(false).graph);
    EXPECT_TRUE(off.viewOutputs.empty());
    EXPECT_TRUE(off.of(m.graph, m.attention).moreOutputs.empty());
}

TEST(AttentionScores, AreEachQueryStepsWeightsAndChangeNoOutput) {
    const Model on = attentionModel(), off = attentionModel(false);
    Plan<float> withScores = Plan<float>::compile(on.graph, 4);
    Plan<float> without = Plan<float>::compile(off.graph, 4);
    withScores.initialize(3);
    without.loadWeights(withScores.exportWeights());
    const int n = 6;  // more samples than a batch
    const std::vector<float> q = wave(static_cast<std::size_t>(n * 5 * 4), 0.37f), val = wave(static_cast<std::size_t>(n * 7 * 3), 0.11f);
    const float* inputs[] = {q.data(), val.data()};
    std::vector<std::vector<float>> views;
    const auto y = predictAll(withScores, inputs, n, nullptr, &views);
    EXPECT_EQ(y, predictAll(without, inputs, n));
    ASSERT_EQ(views.size(), 1u);
    ASSERT_EQ(views[0].size(), static_cast<std::size_t>(n * 2 * 5 * 7));
    // A softmax over the value's steps: every row sums to 1, and the rows differ.
    for (std::size_t row = 0; row < static_cast<std::size_t>(n * 2 * 5); ++row) {
        double sum = 0.0;
        for (std::size_t s = 0; s < 7; ++s) {
            const float p = views[0][row * 7 + s];
            EXPECT_GT(p, 0.0f);
            sum += p;
        }
        EXPECT_NEAR(sum, 1.0, 1e-5);
    }
    EXPECT_NE(std::vector<float>(views[0].begin(), views[0].begin() + 7), std::vector<float>(views[0].begin() + 7, views[0].begin() + 14));
}

TEST(AttentionScores, NoLayerReadsThemAndTheFixWiresTheOutput) {
    Model m = attentionModel();
    const NodeId reader = add(m.graph, "Dense", {{"units", std::int64_t{3}}});
    const ConnectionProbe probe(m.graph, validate(m.graph));
    const ConnectionVerdict verdict = probe.check(m.attention, reader, 0, 1);
    EXPECT_EQ(verdict.kind, ConnectionVerdict::Impossible);
    EXPECT_NE(verdict.reason.find("multi_head_attention_1's scores output is for looking at only"), std::string::npos)
        << verdict.reason;

    // A file may still hold such a wire: it is an error, with the fix that reads the output.
    m.graph.connect({m.attention, 1}, {reader, 0});
    const Validation v = validate(m.graph);
    const Diagnostic* d = nullptr;
    for (const Diagnostic& x : v.diagnostics) {
        if (x.node == reader && x.severity == Severity::Error) d = &x;
    }
    ASSERT_TRUE(d);
    EXPECT_NE(d->message.find("dense_2 (Dense) reads multi_head_attention_1's scores output, which is for looking at only"),
              std::string::npos)
        << d->message;
    ASSERT_FALSE(d->fixes.empty());
    EXPECT_EQ(d->fixes.front().title, "Wire dense_2 from multi_head_attention_1's output instead");
    applyEdit(m.graph, d->fixes.front().edit);
    EXPECT_FALSE(validate(m.graph).hasErrors());

    // The scores port wired while return_attention_scores is off: no fix turns them on for a layer.
    Model off = attentionModel(false);
    const NodeId late = add(off.graph, "Dense", {{"units", std::int64_t{3}}});
    off.graph.connect({off.attention, 1}, {late, 0});
    bool offered = false, said = false;
    for (const Diagnostic& x : validate(off.graph).diagnostics) {
        said = said || x.message.find("scores output, which is for looking at only") != std::string::npos;
        for (const Fix& f : x.fixes) offered = offered || f.title.find("return_attention_scores") != std::string::npos;
    }
    EXPECT_TRUE(said);
    EXPECT_FALSE(offered);
}

// Keras's config calls the layer with return_attention_scores=True and lists its tensor 1 among
// the model's outputs; reading it back gives the same model, and a recurrent state listed as an
// output is still refused.
TEST(AttentionScores, RoundTripKerasFilesAndCode) {
    Project p;
    p.name = "looking";
    p.graph = attentionModel().graph;
    Plan<float> plan = Plan<float>::compile(p.graph, 2);
    plan.initialize(5);
    const auto weights = plan.exportWeights();
    const nlohmann::json config = kerasModelConfig(p.graph, "looking", KerasLayerOrder::Keras);
    EXPECT_EQ(config["config"]["output_layers"].dump(), R"([["dense_1",0,0],["multi_head_attention_1",0,1]])");
    for (const nlohmann::json& layer : config["config"]["layers"]) {
        if (layer["name"] == "multi_head_attention_1") {
            EXPECT_EQ(layer["inbound_nodes"].dump(),
                      R"([[["input_1",0,0,{"return_attention_scores":true,"value":["input_2",0,0]}]]])");
            EXPECT_FALSE(layer["config"].contains("return_attention_scores"));
        }
    }
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_attention_scores";
    std::filesystem::remove_all(dir);
    exportLayersModel(p, weights, dir);
    const KerasImport back = importKerasModel(dir / "model.json");
    EXPECT_TRUE(back.project.graph.nodeByName("multi_head_attention_1")->param<bool>("return_attention_scores"));
    EXPECT_EQ(validate(back.project.graph).viewOutputs.size(), 1u);
    EXPECT_EQ(back.weights, weights);

    // Scores the call returns but the model does not give out were thrown away
    // (`x, _ = attention(...)`): they come back off, and the model has no view output.
    nlohmann::json written = nlohmann::json::parse(std::ifstream(dir / "model.json"));
    nlohmann::json& outputs = written["modelTopology"]["config"]["output_layers"];
    ASSERT_EQ(outputs.size(), 2u) << written.dump().substr(0, 400);
    outputs.erase(1);
    std::ofstream(dir / "model.json") << written.dump();
    const KerasImport dropped = importKerasModel(dir / "model.json");
    EXPECT_FALSE(dropped.project.graph.nodeByName("multi_head_attention_1")->param<bool>("return_attention_scores"));
    EXPECT_TRUE(validate(dropped.project.graph).viewOutputs.empty());
    std::filesystem::remove_all(dir);

    // Keras compiles the outputs by name, so that the scores get no loss.
    TrainConfig training;
    const KerasCompileLosses keyed = kerasCompileLosses(training, {"dense_1"}, true, true);
    EXPECT_EQ(keyed.loss.dump(), R"({"dense_1":"mse"})");

    // Keras code: the model trains without the scores, and a second model shares its layers to give them.
    const std::string code = kerasCode(p);
    EXPECT_NE(code.find("multi_head_attention_1, multi_head_attention_1_scores = layers.MultiHeadAttention("), std::string::npos)
        << code;
    EXPECT_NE(code.find("(input_1, input_2, return_attention_scores=True)"), std::string::npos) << code;
    EXPECT_NE(code.find("model = keras.Model(inputs=[input_1, input_2], outputs=dense_1, name=\"looking\")"), std::string::npos)
        << code;
    EXPECT_NE(code.find("attention_model = keras.Model(inputs=[input_1, input_2], outputs=[dense_1, "
                        "multi_head_attention_1_scores], name=\"looking_attention\")"),
              std::string::npos)
        << code;

    // The PyTorch module keeps the scores of its last call.
    const std::string torch = pytorchCode(p);
    EXPECT_NE(torch.find(", return_scores=True)"), std::string::npos) << torch;
    EXPECT_NE(torch.find("multi_head_attention_1, multi_head_attention_1_scores = self.multi_head_attention_1("),
              std::string::npos)
        << torch;
    EXPECT_NE(torch.find("self.attention_scores = {\"multi_head_attention_1_scores\": multi_head_attention_1_scores.detach()}"),
              std::string::npos)
        << torch;
}

/// A self-attention autoencoder of windows of 16 steps of the sine sample.
SessionSetup attentionSetup() {
    SessionSetup s;
    const NodeId in = input(s.graph, {16, 1});
    add(s.graph, "MultiHeadAttention",
        {{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{4}}, {"return_attention_scores", true}}, {in, in});
    s.data.source = "synthetic:sines";
    s.data.syntheticSteps = 400;
    s.data.stride = 4;
    s.data.validationSplit = 0.25;
    s.config.epochs = 1;
    s.config.batchSize = 16;
    s.previewSamples = 5;
    return s;
}

struct Previews : SessionObserver {
    std::vector<Preview> seen;
    void onPreview(const Preview& p) override { seen.push_back(p); }
};

// Training gives the scores no loss; each epoch's preview carries them for the window to show.
TEST(AttentionScores, ComeWithEveryPreview) {
    TrainingSession session(attentionSetup());
    session.prepare();
    TrainingControl control;
    Previews previews;
    EXPECT_EQ(session.run(control, &previews).reason, StopReason::Finished);
    ASSERT_EQ(previews.seen.size(), 1u);
    const Preview& p = previews.seen.front();
    ASSERT_EQ(p.attention.size(), 1u);
    const AttentionScores& a = p.attention.front();
    EXPECT_EQ(a.layer, "multi_head_attention_1");
    EXPECT_EQ(a.dims, (Dims{2, 16, 16}));
    EXPECT_EQ(a.samples, (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
    ASSERT_EQ(a.values.size(), 5u * 2 * 16 * 16);
    // Sample 3's scores are what the model gives for that sample alone.
    const float* x = session.previewSet().inputs.data();  // data units: normalise as training did
    std::vector<float> sample(x + 3 * 16, x + 4 * 16);
    session.data().normalizer.toModelUnits(sample, 1);
    Plan<float> plan = Plan<float>::compile(session.setup().graph, 1);
    plan.loadWeights(session.weights());
    const float* inputs[] = {sample.data()};
    std::vector<std::vector<float>> views;
    predictAll(plan, inputs, 1, nullptr, &views);
    for (std::size_t i = 0; i < views[0].size(); ++i) EXPECT_NEAR(a.values[3 * 512 + i], views[0][i], 1e-5);
}

// Where every preview sample's scores would be too many numbers, those of the samples with
// the largest errors are kept, in the samples' order.
TEST(AttentionScores, ThePreviewKeepsTheWorstSamplesWhenAllAreTooMany) {
    SessionSetup s = attentionSetup();
    s.mostAttentionValues = 2 * 2 * 16 * 16;  // two samples' worth
    TrainingSession session(s);
    session.prepare();
    const Preview p = session.preview(0);
    ASSERT_EQ(p.attention.size(), 1u);
    const AttentionScores& a = p.attention.front();
    ASSERT_EQ(a.samples.size(), 2u);
    EXPECT_LT(a.samples[0], a.samples[1]);
    EXPECT_EQ(a.values.size(), 2u * 512);
    std::vector<double> sorted = p.errors;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    for (std::int64_t k : a.samples) EXPECT_GE(p.errors[static_cast<std::size_t>(k)], sorted[1]);
}

}  // namespace
}  // namespace loom
