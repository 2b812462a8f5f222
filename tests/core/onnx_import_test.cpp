// Reading .onnx files: LayerLoom's own come back as the same project, weights bit for bit;
// damaged and hostile files are refused with what and where. tests/onnx/check.sh opens
// PyTorch's exports and compares their predictions with PyTorch's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

#include <onnx/onnx_pb.h>
#include <string>
#include <vector>

#include "core/test_graphs.h"
#include "engine/plan.h"
#include "graph/project_file.h"
#include "interop/model_file.h"
#include "interop/onnx/onnx_export.h"
#include "interop/onnx/onnx_import.h"
#include "service/model_export.h"

namespace loom {
namespace {

std::filesystem::path scratch(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("layerloom_onnx_import_" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

std::vector<NamedTensor> seeded(const ModelGraph& g, std::uint64_t seed) {
    Plan<float> plan = Plan<float>::compile(g, 1, 256);
    plan.initialize(seed);
    return plan.exportWeights();
}

TEST(OnnxImport, EveryExampleComesBackAsTheSameProjectWithItsWeights) {
    const auto dir = scratch("round_trip");
    int checked = 0;
    std::vector<std::filesystem::path> files;
    for (const char* folder : {LAYERLOOM_EXAMPLES_DIR, LAYERLOOM_TEST_DATA_DIR}) {
        for (const auto& entry : std::filesystem::directory_iterator(folder)) files.push_back(entry.path());
    }
    for (const auto& file : files) {
        const std::string stem = file.stem().string();
        if (file.extension() != ".loom" || stem.starts_with("broken_")) continue;
        if (file.parent_path() != std::filesystem::path(LAYERLOOM_EXAMPLES_DIR) && !stem.starts_with("interop_")) continue;
        Project p = loadProject(file);
        if (!onnxLimitations(p.graph).empty()) continue;
        p.weights.clear();
        p.runs = nlohmann::json::array();
        const std::vector<NamedTensor> weights = seeded(p.graph, 5);
        for (int opset : {13, 17}) {
            const auto path = dir / (stem + "-" + std::to_string(opset) + ".onnx");
            exportOnnxModel(p, weights, path, opset);
            std::vector<std::string> notes;
            const Project back = openModelFile(path, &notes);
            EXPECT_TRUE(back.graph == p.graph) << path;
            EXPECT_EQ(back.name, p.name) << path;
            EXPECT_EQ(back.training, p.training) << path;
            ASSERT_EQ(back.weights.size(), weights.size()) << path;
            for (std::size_t k = 0; k < weights.size(); ++k) {
                EXPECT_EQ(back.weights[k].name, weights[k].name);
                EXPECT_EQ(back.weights[k].shape, weights[k].shape);
                // What inference never reads is not in the file, and the import says so.
                const bool left = std::any_of(notes.begin(), notes.end(), [&](const std::string& n) {
                    return n.starts_with(weights[k].name + " is not in the ONNX file");
                });
                if (left) {
                    EXPECT_EQ(weights[k].name, "token_and_position/token_embedding/reverse_embeddings");
                } else {
                    EXPECT_EQ(back.weights[k].values, weights[k].values) << weights[k].name;
                }
            }
        }
        ++checked;
    }
    EXPECT_GE(checked, 30);
    std::filesystem::remove_all(dir);
}

TEST(OnnxImport, AFileAnotherToolChangedIsReadByItsOperators) {
    // The same export with its operators changed behind LayerLoom's back: the project in its
    // metadata no longer matches, so the layers come from the operators themselves.
    ModelGraph g;
    const NodeId in = test::input(g, {12, 3});
    const NodeId lstm = test::add(g, "LSTM", {{"units", std::int64_t{5}}, {"return_sequences", true}}, {in});
    test::add(g, "Dense", {{"units", std::int64_t{2}}}, {lstm});
    Project p;
    p.name = "changed";
    p.graph = g;
    const auto weights = seeded(g, 2);
    OnnxGraph graph = onnxGraph(p, weights, 17);
    graph.metadata.emplace_back(kOnnxProjectKey, "{\"not\": \"a project\"}");
    const OnnxImport lifted = importOnnx(parseOnnxModel(onnxModelBytes(graph, "changed", ""), {}));
    ASSERT_EQ(lifted.project.graph.nodes().size(), 3u);
    EXPECT_EQ(lifted.project.graph.nodes()[1].kind, "LSTM");
    EXPECT_EQ(lifted.project.graph.nodes()[1].name, g.node(lstm)->name);
    EXPECT_TRUE(lifted.project.graph.nodes()[1].param<bool>("return_sequences"));
    EXPECT_EQ(lifted.project.graph.nodes()[2].kind, "Dense");
    // The weights in Keras's layouts again, the LSTM's bias whole (ONNX's recurrent one is zero).
    ASSERT_EQ(lifted.project.weights.size(), weights.size());
    for (std::size_t k = 0; k < weights.size(); ++k) {
        EXPECT_EQ(lifted.project.weights[k].name, weights[k].name);
        EXPECT_EQ(lifted.project.weights[k].values, weights[k].values) << weights[k].name;
    }
    ASSERT_EQ(lifted.notes.size(), 1u);
    EXPECT_EQ(lifted.notes[0].rfind("the file holds a LayerLoom project, but another tool has changed its operators since", 0), 0u);
}

TEST(OnnxImport, TheSeedAutoencoderWithoutItsProjectIsReadByItsOperators) {
    // A file whose metadata another tool dropped: the operators alone, RepeatVector's
    // Unsqueeze and Tile among them, give a model that predicts what the original does.
    Project p = openModelFile(std::string(LAYERLOOM_EXAMPLES_DIR) + "/lstm_autoencoder.loom");
    const auto weights = seeded(p.graph, 4);
    OnnxGraph graph = onnxGraph(p, weights, 17);
    graph.metadata.clear();
    const OnnxImport lifted = importOnnx(parseOnnxModel(onnxModelBytes(graph, "seed", ""), {}));
    EXPECT_TRUE(lifted.notes.empty());
    const auto repeat = std::find_if(lifted.project.graph.nodes().begin(), lifted.project.graph.nodes().end(),
                                     [](const Node& n) { return n.kind == "RepeatVector"; });
    ASSERT_NE(repeat, lifted.project.graph.nodes().end());
    EXPECT_EQ(repeat->param<std::int64_t>("n"), 32);
    const auto predictionsOf = [](const ModelGraph& g, const std::vector<NamedTensor>& w) {
        Plan<float> plan = Plan<float>::compile(g, 3);
        plan.loadWeights(w);
        std::vector<float> x(3 * 32);
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.3f * static_cast<float>(i));
        const float* in[] = {x.data()};
        plan.predict(in, 3);
        return std::vector<float>(plan.output(0), plan.output(0) + 3 * 32);
    };
    const auto expected = predictionsOf(p.graph, weights), got = predictionsOf(lifted.project.graph, lifted.project.weights);
    for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-6) << i;
}

TEST(OnnxImport, ZeroStatesOfAConstantShapeStartFromNothing) {
    // An exporter that knows the batch writes the zero states as ConstantOfShape of a constant
    // shape; ones of a constant shape (PyTorch's repeat) are constants, zeros stay zero states.
    OnnxGraph g(17);
    g.beginLayer("lstm", "");
    g.addInput({"x", OnnxType::Float, {2, 5, 3}, {}, ""});
    const std::string zeros = g.op("ConstantOfShape", {g.ints({1, 2, 4})}, {{"value", std::vector<float>{0.0f}}});
    const auto outputs = g.ops("LSTM",
                               {g.transpose("x", {1, 0, 2}), g.floats("W", {1, 16, 3}, std::vector<float>(48, 0.1f)),
                                g.floats("R", {1, 16, 4}, std::vector<float>(64, -0.1f)), "", "", zeros, zeros},
                               {{"hidden_size", std::int64_t{4}}}, 3);
    g.addOutput({"y", OnnxType::Float, {2, 4}, {}, ""}, g.squeeze(outputs[1], {0}));
    const OnnxImport lifted = importOnnx(parseOnnxModel(onnxModelBytes(g, "zeros", ""), {}));
    ASSERT_EQ(lifted.project.graph.nodes().size(), 2u);
    EXPECT_EQ(lifted.project.graph.nodes()[1].kind, "LSTM");
    EXPECT_FALSE(lifted.project.graph.nodes()[1].param<bool>("initial_state"));
}

TEST(OnnxImport, RefusesWhatItCannotMapByNodeAndNeverHalfImports) {
    OnnxGraph g(17);
    g.addReadInput({"x", OnnxType::Float, {-1, 8, 2}, {"batch", "", ""}, ""});
    g.addReadOutput({"y", OnnxType::Float, {-1, 8, 2}, {"batch", "", ""}, ""});
    g.addRead(OnnxNode{"Einsum", {"x", "x"}, {"y"}, {{"equation", std::string("btf,btf->btf")}}, "/encoder/Einsum_3", ""});
    const std::string why = test::refusalOf<OnnxReadError>([&] { liftOnnxGraph(g); });
    EXPECT_EQ(why.rfind("node /encoder/Einsum_3 (Einsum): not supported; LayerLoom reads LSTM, GRU, RNN,", 0), 0u) << why;

    // A window far beyond any LayerLoom takes is refused before any arithmetic on it.
    OnnxGraph huge(17);
    huge.addReadInput({"x", OnnxType::Float, {-1, 8, 2}, {"batch", "", ""}, ""});
    huge.addReadOutput({"y", OnnxType::Float, {-1, 2, 8}, {"batch", "", ""}, ""});
    huge.addRead(OnnxInitializer{"w", OnnxType::Float, {2, 2, 3}, std::vector<float>(12, 0.5f), {}});
    huge.addRead(OnnxNode{"Transpose", {"x"}, {"xt"}, {{"perm", std::vector<std::int64_t>{0, 2, 1}}}, "/t", ""});
    huge.addRead(OnnxNode{"ConvTranspose", {"xt", "w"}, {"y"}, {{"strides", std::vector<std::int64_t>{std::int64_t{1} << 60}}}, "/up/ConvTranspose", ""});
    EXPECT_EQ(test::refusalOf<OnnxReadError>([&] { liftOnnxGraph(huge); }),
              "node /up/ConvTranspose (ConvTranspose): its kernel, strides or dilations are outside 1 to 65536");

    OnnxGraph noInput(17);
    noInput.addReadOutput({"y", OnnxType::Float, {-1, 2}, {"batch", ""}, ""});
    noInput.addRead(OnnxNode{"Relu", {"x"}, {"y"}, {}, "relu", ""});
    EXPECT_EQ(test::refusalOf<OnnxReadError>([&] { liftOnnxGraph(noInput); }),
              "node relu (Relu): its input x comes from no node before it");
}

TEST(OnnxImport, DamagedAndHostileFilesAreRefusedWithWhatAndWhere) {
    const auto dir = scratch("hostile");
    EXPECT_NE(test::refusalOf<OnnxReadError>([&] { parseOnnxModel("this is not protobuf at all \xff\xff\xff", {}); }), "(accepted)");
    EXPECT_EQ(test::refusalOf<OnnxReadError>([&] { parseOnnxModel("", {}); }), "the file holds no graph");

    Project p;
    p.graph = test::autoencoder(3);
    const auto weights = seeded(p.graph, 1);
    const std::string good = onnxModelBytes(onnxGraph(p, weights, 17), "m", "");
    // Cut short: protobuf sees a broken message.
    EXPECT_NE(test::refusalOf<OnnxReadError>([&] { parseOnnxModel(good.substr(0, good.size() / 2), {}); }), "(accepted)");
    // Constants that lie about their sizes, or keep their values outside the model's folder.
    const auto withConstant = [&](const std::function<void(onnx::TensorProto&)>& edit) {
        onnx::ModelProto m;
        EXPECT_TRUE(m.ParseFromString(good));
        edit(*m.mutable_graph()->mutable_initializer(0));
        return m.SerializeAsString();
    };
    const auto refusal = [&](const std::string& bytes) { return test::refusalOf<OnnxReadError>([&] { parseOnnxModel(bytes, dir); }); };
    EXPECT_NE(refusal(withConstant([](onnx::TensorProto& t) { t.mutable_raw_data()->pop_back(); })).find("bytes for"), std::string::npos);
    EXPECT_NE(refusal(withConstant([](onnx::TensorProto& t) {
                  t.clear_dims();
                  for (int k = 0; k < 4; ++k) t.add_dims(std::int64_t{1} << 40);
              })).find("which no tensor LayerLoom reads has"),
              std::string::npos);
    EXPECT_NE(refusal(withConstant([](onnx::TensorProto& t) { t.add_dims(-3); })).find("which no tensor"), std::string::npos);
    // Sizes of 16 GiB and no values: refused before anything is allocated for them.
    EXPECT_NE(refusal(withConstant([](onnx::TensorProto& t) {
                  t.clear_raw_data();
                  t.clear_dims();
                  t.add_dims(65536);
                  t.add_dims(65536);
              })).find("lists 0 values"),
              std::string::npos);
    std::ofstream(dir / ".." / "layerloom_onnx_secret.bin", std::ios::binary) << std::string(4096, 'x');
    for (const char* location : {"../layerloom_onnx_secret.bin", "/etc/passwd", "sub/../../layerloom_onnx_secret.bin"}) {
        const std::string bytes = withConstant([&](onnx::TensorProto& t) {
            t.clear_raw_data();
            t.set_data_location(onnx::TensorProto::EXTERNAL);
            auto* e = t.add_external_data();
            e->set_key("location");
            e->set_value(location);
        });
        const std::string why = refusal(bytes);
        EXPECT_TRUE(why.find("leaves the model's folder") != std::string::npos ||
                    why.find("is not a path inside the model's folder") != std::string::npos) << location << ": " << why;
        EXPECT_NE(test::refusalOf<OnnxReadError>([&] { parseOnnxModel(bytes, {}); }).find("reads only beside a model file"),
                  std::string::npos);
    }
    // Inside the folder, but shorter than it says.
    std::ofstream(dir / "weights.bin", std::ios::binary) << std::string(8, '\0');
    EXPECT_NE(refusal(withConstant([](onnx::TensorProto& t) {
                  t.clear_raw_data();
                  t.set_data_location(onnx::TensorProto::EXTERNAL);
                  auto* e = t.add_external_data();
                  e->set_key("location");
                  e->set_value("weights.bin");
              })).find("does not hold bytes"),
              std::string::npos);
    std::filesystem::remove(dir / ".." / "layerloom_onnx_secret.bin");
    std::ofstream(dir / "model.onnx", std::ios::binary) << good;
    EXPECT_NO_THROW(readOnnxFile(dir / "model.onnx"));
    EXPECT_NE(test::refusalOf<OnnxReadError>([&] { readOnnxFile(dir / "missing.onnx"); }).find("cannot open the file"), std::string::npos);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace loom
