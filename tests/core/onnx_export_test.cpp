// The ONNX export's graph: names, shapes, weights in ONNX's layouts, and what it refuses.
// tests/onnx/check.sh runs the files in ONNX Runtime against LayerLoom's predictions.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/test_graphs.h"
#include "engine/plan.h"
#include "graph/project_file.h"
#include "interop/onnx/onnx_export.h"
#include "layers/layer_registry.h"
#include "layers/onnx_layer.h"
#include "service/model_export.h"
#include "version.h"

namespace loom {
namespace {

using test::add;
using test::input;

std::vector<NamedTensor> seededWeights(const ModelGraph& g) {
    Plan<float> plan = Plan<float>::compile(g, 1, 16);
    plan.initialize(3);
    return plan.exportWeights();
}

const OnnxNode* findOp(const OnnxGraph& graph, std::string_view op, std::string_view layer) {
    for (const OnnxNode& n : graph.nodes()) {
        if (n.op == op && n.name.starts_with(std::string(layer) + "/")) return &n;
    }
    return nullptr;
}

const OnnxInitializer* findConstant(const OnnxGraph& graph, std::string_view name) {
    for (const OnnxInitializer& t : graph.initializers()) {
        if (t.name == name) return &t;
    }
    return nullptr;
}

TEST(OnnxExport, EveryKindIsInAModelTheRuntimeCheckRuns) {
    // tests/onnx/check.sh exports these models and compares ONNX Runtime with LayerLoom: a kind
    // added later needs a model there, as its ONNX mapping needs checking.
    std::set<std::string> covered;
    std::vector<std::filesystem::path> files;
    for (const char* dir : {LAYERLOOM_EXAMPLES_DIR, LAYERLOOM_TEST_DATA_DIR}) {
        for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
    }
    for (const auto& file : files) {
        const std::string stem = file.stem().string();
        if (file.extension() != ".loom" || stem.starts_with("broken_")) continue;
        if (file.parent_path() != std::filesystem::path(LAYERLOOM_EXAMPLES_DIR) && !stem.starts_with("interop_")) continue;
        const Project p = loadProject(file.string());
        if (!onnxLimitations(p.graph).empty()) continue;
        for (const Node& n : p.graph.nodes()) covered.insert(n.kind);
    }
    for (const LayerSpec* spec : allLayers()) {
        EXPECT_TRUE(covered.contains(std::string(spec->kind()))) << spec->kind() << " is in no model the ONNX Runtime check runs";
    }
}

TEST(OnnxExport, NamesItsEndsAndKeepsTheGatesInOnnxOrder) {
    Project p;
    p.name = "autoencoder";
    p.graph = test::autoencoder(6);
    const std::vector<NamedTensor> weights = seededWeights(p.graph);
    const OnnxGraph graph = onnxGraph(p, weights, 17);
    const Node& in = *p.graph.node(p.graph.nodes().front().id);
    ASSERT_EQ(graph.inputs().size(), 1u);
    EXPECT_EQ(graph.inputs()[0].name, in.name);
    EXPECT_EQ(graph.inputs()[0].dims, (std::vector<std::int64_t>{-1, 16, 1}));
    EXPECT_EQ(graph.inputs()[0].symbols.front(), "batch");
    ASSERT_EQ(graph.outputs().size(), 1u);
    EXPECT_EQ(graph.outputs()[0].name, p.graph.nodes().back().name);
    EXPECT_EQ(graph.outputs()[0].dims, (std::vector<std::int64_t>{-1, 16, 1}));
    for (const OnnxNode& n : graph.nodes()) EXPECT_FALSE(n.doc.empty()) << n.name;

    const std::string encoder = p.graph.nodes()[1].name;
    const OnnxNode* lstm = findOp(graph, "LSTM", encoder);
    ASSERT_NE(lstm, nullptr);
    EXPECT_EQ(lstm->doc, "LayerLoom LSTM " + encoder);
    ASSERT_EQ(lstm->inputs.size(), 5u);
    // Keras's kernel (1, 4 * 6) in gate order i, f, c, o is ONNX's W (1, 4 * 6, 1) in order i, o, f, c.
    const OnnxInitializer* w = findConstant(graph, lstm->inputs[1]);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->dims, (std::vector<std::int64_t>{1, 24, 1}));
    const auto kernel = std::find_if(weights.begin(), weights.end(), [&](const NamedTensor& t) { return t.name == encoder + "/kernel"; });
    ASSERT_NE(kernel, weights.end());
    for (std::size_t j = 0; j < 6; ++j) {
        EXPECT_EQ(w->floats[j], kernel->values[j]);            // i
        EXPECT_EQ(w->floats[6 + j], kernel->values[18 + j]);   // o
        EXPECT_EQ(w->floats[12 + j], kernel->values[6 + j]);   // f
        EXPECT_EQ(w->floats[18 + j], kernel->values[12 + j]);  // c
    }
    // Keras's single bias is ONNX's input bias; the recurrent bias is zero.
    const OnnxInitializer* b = findConstant(graph, lstm->inputs[3]);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->dims, (std::vector<std::int64_t>{1, 48}));
    EXPECT_EQ(b->floats[6], 0.0f);   // o's bias starts at 0
    EXPECT_EQ(b->floats[12], 1.0f);  // f's at 1 (unit_forget_bias)
    EXPECT_TRUE(std::all_of(b->floats.begin() + 24, b->floats.end(), [](float x) { return x == 0.0f; }));

    const std::string bytes = onnxModelBytes(graph, p.name, "doc");
    EXPECT_NE(bytes.find("LayerLoom"), std::string::npos);
    EXPECT_NE(bytes.find(kVersion), std::string::npos);
    EXPECT_NE(bytes.find(encoder + "/LSTM"), std::string::npos);
}

TEST(OnnxExport, FreeTimeAxesAreNamedPerInput) {
    ModelGraph g;
    const NodeId a = input(g, {kNone, 2});
    const NodeId b = input(g, {kNone, 2});
    const NodeId x = add(g, "GRU", {{"units", std::int64_t{3}}}, {a});
    const NodeId y = add(g, "SimpleRNN", {{"units", std::int64_t{3}}}, {b});
    add(g, "Concatenate", {}, {x, y});
    Project p;
    p.graph = g;
    const OnnxGraph graph = onnxGraph(p, seededWeights(g), 13);
    ASSERT_EQ(graph.inputs().size(), 2u);
    EXPECT_EQ(graph.inputs()[0].symbols[1], g.node(a)->name + "_steps");
    EXPECT_EQ(graph.inputs()[1].symbols[1], g.node(b)->name + "_steps");
    const OnnxNode* gru = findOp(graph, "GRU", g.node(x)->name);
    ASSERT_NE(gru, nullptr);
    // reset_after (Keras's default) is ONNX's linear_before_reset.
    const auto lbr = std::find_if(gru->attributes.begin(), gru->attributes.end(),
                                  [](const OnnxAttribute& at) { return at.name == "linear_before_reset"; });
    ASSERT_NE(lbr, gru->attributes.end());
    EXPECT_EQ(std::get<std::int64_t>(lbr->value), 1);
    EXPECT_NE(findOp(graph, "RNN", g.node(y)->name), nullptr);
}

TEST(OnnxExport, LayerNormalizationIsOneOperatorFromOpset17) {
    ModelGraph g;
    add(g, "LayerNormalization", {}, {input(g, {4, 3})});
    Project p;
    p.graph = g;
    const std::string norm = g.nodes().back().name;
    EXPECT_NE(findOp(onnxGraph(p, seededWeights(g), 17), "LayerNormalization", norm), nullptr);
    const OnnxGraph old = onnxGraph(p, seededWeights(g), 16);
    EXPECT_EQ(findOp(old, "LayerNormalization", norm), nullptr);
    EXPECT_NE(findOp(old, "ReduceMean", norm), nullptr);
}

TEST(OnnxExport, RefusesWhatOnnxCannotHoldBeforeWriting) {
    ModelGraph g;
    const NodeId in = input(g, {8, 2});
    add(g, "LSTM", {{"units", std::int64_t{4}}, {"activation", std::string("selu")}}, {in});
    Project p;
    p.graph = g;
    const std::string lstm = g.nodes().back().name;
    const auto limits = onnxLimitations(g);
    ASSERT_EQ(limits.size(), 1u);
    EXPECT_EQ(limits[0].rfind(lstm + ": ONNX's LSTM operator has no selu", 0), 0u) << limits[0];

    const auto dir = std::filesystem::temp_directory_path() / "layerloom_onnx_refusal";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    ModelExportRequest request;
    request.project = p;
    request.format = ModelFormat::Onnx;
    request.target = dir / "model.onnx";
    const std::string why = test::refusalOf<PlanError>([&] { exportModel(request); });
    EXPECT_NE(why.find("ONNX cannot hold this model:\n  " + lstm), std::string::npos) << why;
    EXPECT_NE(why.find("It can go to a Keras model file (.keras or .h5), the PyTorch module or TF.js instead."),
              std::string::npos) << why;
    EXPECT_FALSE(std::filesystem::exists(request.target));

    // A layer that skips the steps a mask marks as padding: ONNX carries no mask.
    ModelGraph masked;
    const NodeId m = add(masked, "Masking", {}, {input(masked, {8, 2})});
    add(masked, "GRU", {{"units", std::int64_t{4}}}, {m});
    ASSERT_EQ(onnxLimitations(masked).size(), 1u);
    EXPECT_NE(onnxLimitations(masked)[0].find("skips the padded steps"), std::string::npos);
    // The mask at an output changes only a loss, which ONNX does not compute.
    ModelGraph maskedOut;
    add(maskedOut, "Dense", {{"units", std::int64_t{2}}}, {add(maskedOut, "Masking", {}, {input(maskedOut, {8, 2})})});
    EXPECT_TRUE(onnxLimitations(maskedOut).empty());
    std::filesystem::remove_all(dir);
}

TEST(OnnxExport, OpsetsOutsideTheRangeAndBrokenGraphsAreRefused) {
    Project p;
    p.graph = test::autoencoder(4);
    const auto weights = seededWeights(p.graph);
    EXPECT_EQ(test::refusalOf<std::invalid_argument>([&] { onnxGraph(p, weights, 12); }),
              "ONNX opset 12 is not one LayerLoom writes: choose 13 to 17");
    EXPECT_NE(test::refusalOf<std::invalid_argument>([&] { onnxGraph(p, weights, 18); }), "(accepted)");
    ModelGraph broken;
    add(broken, "Add", {}, {input(broken, {8, 2}), input(broken, {8, 3})});
    p.graph = broken;
    EXPECT_NE(test::refusalOf<std::invalid_argument>([&] { onnxGraph(p, {}, 17); }).find("error(s)"), std::string::npos);
}

TEST(OnnxExport, PermutedIsNumpysTranspose) {
    NamedTensor t{"k", {2, 3, 4}, {}};
    for (int i = 0; i < 24; ++i) t.values.push_back(static_cast<float>(i));
    std::vector<std::int64_t> dims;
    const std::vector<float> p = permuted(t, {2, 1, 0}, dims);
    EXPECT_EQ(dims, (std::vector<std::int64_t>{4, 3, 2}));
    // p[c][b][a] = t[a][b][c] = 12a + 4b + c
    for (std::int64_t a = 0; a < 2; ++a) {
        for (std::int64_t b = 0; b < 3; ++b) {
            for (std::int64_t c = 0; c < 4; ++c) EXPECT_EQ(p[static_cast<std::size_t>(c * 6 + b * 2 + a)], static_cast<float>(12 * a + 4 * b + c));
        }
    }
}

}  // namespace
}  // namespace loom
