// Keras/TF.js layers-format export: what LayerLoom writes, it reads back as the same graph with
// the same weights and the same predictions, and the Keras reference models survive the trip.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "engine/plan.h"
#include "graph/project_file.h"
#include "interop/keras_code.h"
#include "core/test_graphs.h"
#include "interop/keras_export.h"
#include "interop/keras_topology.h"
#include "interop/keras_model.h"
#include "layers/layer_nodes.h"
#include "shape/skip_connection.h"

namespace loom {
namespace {

using nlohmann::json;

const std::string kFixtures = LAYERLOOM_TEST_DATA_DIR "/keras_fixtures";

std::filesystem::path scratch(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("layerloom_interop_" + name);
    std::filesystem::remove_all(dir);
    return dir;
}

/// The graph by names: kinds, parameters and wires, whatever the ids and positions.
void expectSameModel(const ModelGraph& a, const ModelGraph& b) {
    ASSERT_EQ(a.nodes().size(), b.nodes().size());
    for (const Node& n : a.nodes()) {
        const Node* m = b.nodeByName(n.name);
        ASSERT_NE(m, nullptr) << n.name;
        EXPECT_EQ(m->kind, n.kind) << n.name;
        EXPECT_TRUE(m->params == n.params) << n.name;
        // A call of a shared layer shares the same layer's weights.
        EXPECT_EQ(n.shares ? a.node(n.shares)->name : "", m->shares ? b.node(m->shares)->name : "") << n.name;
    }
    const auto wires = [](const ModelGraph& g) {
        std::set<std::tuple<std::string, std::string, int>> out;
        for (const Edge& e : g.edges()) {
            out.emplace(g.node(e.from.node)->name, g.node(e.to.node)->name, e.to.port);
        }
        return out;
    };
    EXPECT_EQ(wires(a), wires(b));
}

std::vector<float> predict(const ModelGraph& graph, const std::vector<NamedTensor>& weights,
                           const std::vector<float>& input, int batch) {
    Plan<float> plan = Plan<float>::compile(graph, batch);
    plan.loadWeights(weights);
    const float* inputs[] = {input.data()};
    plan.forward(inputs, batch);
    std::int64_t count = batch;
    for (std::int64_t d : plan.dims(plan.outputs()[0])) count *= d;
    return {plan.output(0), plan.output(0) + count};
}

TEST(LayersModelExport, RoundTripsTheKerasReferenceModelExactly) {
    for (const char* name : {"skip_autoencoder", "seq_autoencoder_small"}) {
        const KerasImport original = importKerasModel(kFixtures + "/" + name + "/model.json");
        const auto dir = scratch(name);
        exportLayersModel(original.project, original.weights, dir);
        const KerasImport back = importKerasModel(dir / "model.json");
        expectSameModel(original.project.graph, back.project.graph);
        EXPECT_EQ(back.weights, original.weights) << name;
        EXPECT_EQ(back.project.name, original.project.name);

        // And it still reproduces Keras's outputs.
        std::vector<std::int64_t> inShape, outShape;
        const auto input = readJsonArray(kFixtures + "/" + name + "/input.json", inShape);
        const auto expected = readJsonArray(kFixtures + "/" + name + "/expected.json", outShape);
        const auto y = predict(back.project.graph, back.weights, input, static_cast<int>(inShape[0]));
        ASSERT_EQ(y.size(), expected.size());
        for (std::size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], expected[i], 1e-4) << name;
    }
}

// MultiHeadAttention's call names its tensors: tf.keras 2's config passes value and key as
// keyword arguments of the call beside use_causal_mask; they come back as the same ports.
TEST(LayersModelExport, RoundTripsAttentionCallsWithTheirKeywordArguments) {
    const Project project = loadProject(LAYERLOOM_TEST_DATA_DIR "/interop_attention.loom");
    Plan<float> plan = Plan<float>::compile(project.graph, 2);
    plan.initialize(4);
    const auto weights = plan.exportWeights();
    const json config = kerasModelConfig(project.graph, "attention", KerasLayerOrder::Topological);
    const json& layers = config["config"]["layers"];
    const auto layer = [&](const std::string& name) {
        for (const json& l : layers) {
            if (l["name"] == name) return l;
        }
        return json();
    };
    EXPECT_EQ(layer("causal_attention")["inbound_nodes"],
              json::parse(R"([[["norm", 0, 0, {"value": ["proj", 0, 0], "key": ["norm", 0, 0], "use_causal_mask": true}]]])"));
    EXPECT_EQ(layer("self_attention")["inbound_nodes"], json::parse(R"([[["proj", 0, 0, {"value": ["proj", 0, 0]}]]])"));
    EXPECT_EQ(layer("causal_attention")["config"]["output_shape"], 5);
    EXPECT_EQ(layer("causal_attention")["config"]["key_shape"], json::parse("[null, 6, 8]"));

    const auto dir = scratch("attention");
    exportLayersModel(project, weights, dir);
    const KerasImport back = importKerasModel(dir / "model.json");
    expectSameModel(project.graph, back.project.graph);
    EXPECT_EQ(back.weights, weights);
    EXPECT_EQ(layer("pool")["config"]["data_format"], "channels_first");
    std::vector<float> x(2 * 6 * 4);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.3f * static_cast<float>(i));
    EXPECT_EQ(predict(back.project.graph, back.weights, x, 2), predict(project.graph, weights, x, 2));
}

// An attention mask is the call's attention_mask keyword, the key's port left free or not,
// and comes back into port 3 with attention_mask on.
TEST(LayersModelExport, RoundTripsAttentionMasks) {
    const Project project = loadProject(LAYERLOOM_TEST_DATA_DIR "/interop_attention_mask.loom");
    Plan<float> plan = Plan<float>::compile(project.graph, 2);
    plan.initialize(4);
    const auto weights = plan.exportWeights();
    const json config = kerasModelConfig(project.graph, "attention masks", KerasLayerOrder::Topological);
    for (const json& l : config["config"]["layers"]) {
        if (l["name"] == "cross_attention") {
            EXPECT_EQ(l["inbound_nodes"], json::parse(R"([[["tokens", 0, 0, {"value": ["memory", 0, 0], "attention_mask": ["pairs", 0, 0]}]]])"));
            EXPECT_FALSE(l["config"].contains("attention_mask"));
        }
    }
    const auto dir = scratch("attention_mask");
    exportLayersModel(project, weights, dir);
    const KerasImport back = importKerasModel(dir / "model.json");
    expectSameModel(project.graph, back.project.graph);
    EXPECT_TRUE(back.project.graph.nodeByName("cross_attention")->param<bool>("attention_mask"));
    EXPECT_EQ(back.weights, weights);
}

// A shared layer is one layer with an inbound node per call, and a call's tensor is the
// layer's node 1, 2, ...: tf.keras 2's config, TF.js's, .h5 and .keras files carry the calls
// and bring them back as calls sharing the same weights, predicting alike.
TEST(LayersModelExport, RoundTripsSharedLayers) {
    const Project project = loadProject(LAYERLOOM_TEST_DATA_DIR "/interop_shared.loom");
    Plan<float> plan = Plan<float>::compile(project.graph, 2);
    plan.initialize(4);
    const auto weights = plan.exportWeights();
    ASSERT_EQ(weights.size(), 7u);  // encoder's 3, mix's 2, score's 2
    const json config = kerasModelConfig(project.graph, "shared", KerasLayerOrder::Keras);
    std::vector<std::string> listed;
    for (const json& l : config["config"]["layers"]) {
        listed.push_back(l["name"]);
        if (l["name"] == "encoder") {
            EXPECT_EQ(l["inbound_nodes"], json::parse(R"([[["left", 0, 0, {}]], [["right", 0, 0, {}]]])"));
        }
        if (l["name"] == "mix") {
            EXPECT_EQ(l["inbound_nodes"], json::parse(R"([[["difference", 0, 0, {}]], [["mix", 0, 0, {}]]])"));
        }
        if (l["name"] == "difference") {
            EXPECT_EQ(l["inbound_nodes"], json::parse(R"([[["encoder", 0, 0, {}], ["encoder", 1, 0, {}]]])"));
        }
        if (l["name"] == "score") {
            EXPECT_EQ(l["inbound_nodes"], json::parse(R"([[["mix", 1, 0, {}]]])"));
        }
    }
    EXPECT_EQ(listed, (std::vector<std::string>{"left", "right", "encoder", "difference", "mix", "score"}));
    // A call the model does not make is refused by name.
    json wrong = config;
    for (json& l : wrong["config"]["layers"]) {
        if (l["name"] == "score") l["inbound_nodes"] = json::parse(R"([[["mix", 2, 0, {}]]])");
    }
    const std::string refused = test::refusalOf([&] { readKerasTopology(wrong, KerasProducer::Keras2, "model.json"); });
    EXPECT_NE(refused.find("it reads call 2 of mix, which the model does not make"), std::string::npos) << refused;

    std::vector<float> left(2 * 6 * 3), right(left.size());
    for (std::size_t i = 0; i < left.size(); ++i) {
        left[i] = std::sin(0.3f * static_cast<float>(i));
        right[i] = std::cos(0.2f * static_cast<float>(i));
    }
    const auto predictTwo = [&](const ModelGraph& graph, const std::vector<NamedTensor>& w) {
        Plan<float> p = Plan<float>::compile(graph, 2);
        p.loadWeights(w);
        std::vector<const float*> inputs;
        for (NodeId id : p.inputs()) inputs.push_back(graph.node(id)->name == "left" ? left.data() : right.data());
        p.forward(inputs, 2);
        return std::vector<float>(p.output(0), p.output(0) + 4);
    };
    const std::vector<float> want = predictTwo(project.graph, weights);
    const auto dir = scratch("shared");
    exportLayersModel(project, weights, dir);
    exportKerasFile(project, weights, dir / "model.h5");
    exportKerasFile(project, weights, dir / "model.keras");
    for (const char* file : {"model.json", "model.h5", "model.keras"}) {
        SCOPED_TRACE(file);
        const KerasImport back = std::string(file) == "model.json" ? importKerasModel(dir / file) : importKerasFile(dir / file);
        expectSameModel(project.graph, back.project.graph);
        EXPECT_EQ(back.weights.size(), weights.size());
        EXPECT_EQ(predictTwo(back.project.graph, back.weights), want);
    }
}

/// The shipped autoencoder's topology at a small size, with symmetric Add skips (projections
/// included), as the editor's U-Net action makes it.
Project smallUNet() {
    Project p;
    p.name = "small U-Net";
    ModelGraph& g = p.graph;
    NodeId prev = addLayer(g, "InputLayer");
    g.setParam(prev, "shape", Dims{8, 1});
    const auto lstm = [&](std::int64_t units, bool sequences) {
        const NodeId id = addLayer(g, "LSTM");
        g.setParam(id, "units", units);
        g.setParam(id, "return_sequences", sequences);
        g.connect({prev, 0}, {id, 0});
        prev = id;
    };
    lstm(16, true);
    lstm(8, true);
    lstm(4, false);
    const NodeId repeat = addLayer(g, "RepeatVector");
    g.setParam(repeat, "n", std::int64_t{8});
    g.connect({prev, 0}, {repeat, 0});
    prev = repeat;
    lstm(4, true);
    lstm(8, true);
    lstm(16, true);
    const NodeId out = addLayer(g, "TimeDistributed");
    g.setParam(out, "units", std::int64_t{1});
    g.connect({prev, 0}, {out, 0});
    applyEdit(g, symmetricSkipsFix(g, validate(g), "Add").edit);
    return p;
}

TEST(LayersModelExport, RoundTripsTheExamplesWithTrainedWeightsAndPredictions) {
    for (const char* file : {"residual_lstm_classifier.loom", "small U-Net"}) {
        const Project project = std::string(file) == "small U-Net"
                                    ? smallUNet()
                                    : loadProject(std::string(LAYERLOOM_EXAMPLES_DIR) + "/" + file);
        ASSERT_FALSE(validate(project.graph).hasErrors()) << file;
        Plan<float> plan = Plan<float>::compile(project.graph, 1);
        plan.initialize(7);
        const std::vector<NamedTensor> weights = plan.exportWeights();
        const auto dir = scratch(std::to_string(project.graph.nodes().size()));
        exportLayersModel(project, weights, dir);
        const KerasImport back = importKerasModel(dir / "model.json");
        expectSameModel(project.graph, back.project.graph);
        // The same tensors (the manifest keeps LayerLoom's order).
        ASSERT_EQ(back.weights.size(), weights.size());
        for (std::size_t i = 0; i < weights.size(); ++i) EXPECT_EQ(back.weights[i], weights[i]);

        std::int64_t inputSize = 1;
        for (std::int64_t d : plan.dims(plan.inputs()[0])) inputSize *= d;
        std::mt19937 rng(3);
        std::normal_distribution<float> normal;
        std::vector<float> x(static_cast<std::size_t>(inputSize));
        for (float& v : x) v = normal(rng);
        EXPECT_EQ(predict(back.project.graph, back.weights, x, 1), predict(project.graph, weights, x, 1))
            << file;
    }
}

TEST(LayersModelExport, WritesEveryOptionThatTfjsAndKerasDefaultDifferently) {
    ModelGraph g;
    const NodeId in = addLayer(g, "InputLayer");
    const NodeId lstm = addLayer(g, "LSTM");
    const NodeId gru = addLayer(g, "GRU");
    g.connect({in, 0}, {lstm, 0});
    g.connect({lstm, 0}, {gru, 0});
    g.setParam(lstm, "return_sequences", true);
    const auto topology = nlohmann::json::parse(kerasTopologyJson(g, "m"));
    const auto& layers = topology["config"]["layers"];
    ASSERT_EQ(layers.size(), 3u);
    EXPECT_EQ(layers[1]["config"]["recurrent_activation"], "sigmoid");
    EXPECT_EQ(layers[2]["config"]["reset_after"], true);
    EXPECT_EQ(layers[1]["config"]["unit_forget_bias"], true);
    EXPECT_EQ(layers[0]["config"]["batch_input_shape"], nlohmann::json::parse("[null, 32, 1]"));
    EXPECT_EQ(topology["config"]["output_layers"], nlohmann::json::parse(R"([["gru_1", 0, 0]])"));

    // TF.js implements only reset_after=False GRUs: exporting says so.
    const auto limits = tfjsLimitations(g);
    ASSERT_EQ(limits.size(), 1u);
    EXPECT_NE(limits.front().find("gru_1: TF.js cannot load a GRU with reset_after=True"), std::string::npos);
    g.setParam(gru, "reset_after", false);
    EXPECT_TRUE(tfjsLimitations(g).empty());

    // TF.js has the 2-D forms of up-sampling, padding and cropping only: the shipped U-Net's
    // export names each such layer.
    std::string unet;
    for (const std::string& l : tfjsLimitations(loadProject(LAYERLOOM_EXAMPLES_DIR "/conv1d_unet.loom").graph)) unet += l + "\n";
    EXPECT_NE(unet.find(": TF.js has no UpSampling1D (Keras, PyTorch and ONNX have)."), std::string::npos) << unet;

    // A graph with errors is not exported.
    g.setParam(lstm, "return_sequences", false);
    EXPECT_THROW(kerasTopologyJson(g, "m"), std::invalid_argument);
}

std::string readText(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(KerasCode, MatchesTheGoldenFiles) {
    // Reviewed by hand; regenerate with `layerloom-cli export MODEL OUT.py --to keras`.
    const std::string golden = LAYERLOOM_TEST_DATA_DIR "/golden/";
    const std::string examples = LAYERLOOM_EXAMPLES_DIR "/";
    EXPECT_EQ(kerasCode(loadProject(examples + "lstm_autoencoder_skips.loom")),
              readText(golden + "lstm_autoencoder_skips_keras.py"));
    EXPECT_EQ(kerasCode(loadProject(examples + "lstm_autoencoder.loom"), {true}),
              readText(golden + "lstm_autoencoder_sequential_keras.py"));
}

// The convolution kinds as Keras's constructors take them: a pooling's LayerLoom strides of 0
// is Keras's None, padding and cropping are pairs.
TEST(KerasCode, FitsWithTheValidationSplitLayerLoomTrainsWith) {
    Project p = loadProject(LAYERLOOM_EXAMPLES_DIR "/lstm_autoencoder.loom");
    p.training["data"]["validation_split"] = 0.35;
    EXPECT_NE(kerasCode(p).find("validation_split=0.35,"), std::string::npos) << kerasCode(p);
    // No data chosen yet: the split LayerLoom would train with, the last 20%.
    p.training.erase("data");
    EXPECT_NE(kerasCode(p).find("validation_split=0.2,"), std::string::npos);
}

TEST(KerasCode, CompilesWithTheMetricsAndFitsWithTheCallbacksOfTheProject) {
    Project p = loadProject(LAYERLOOM_EXAMPLES_DIR "/lstm_autoencoder.loom");
    p.training["metrics"] = {"mae", "pr_auc", "precision", "root_mean_squared_error"};
    p.training["monitor"] = {{"quantity", "mae"}, {"mode", "auto"}};
    p.training["early_stopping"] = {{"enabled", true}, {"patience", 4}, {"min_delta", 0.001}, {"restore_best_weights", false}};
    p.training["schedule"] = {{"kind", "plateau"}, {"factor", 0.5}, {"patience", 2}, {"min_learning_rate", 1e-5}};
    const std::string code = kerasCode(p);
    EXPECT_NE(code.find(", metrics=[\"mae\", keras.metrics.AUC(curve=\"PR\", name=\"pr_auc\"), keras.metrics.Precision(), "
                        "keras.metrics.RootMeanSquaredError()])"),
              std::string::npos)
        << code;
    EXPECT_NE(code.find("callbacks=[keras.callbacks.EarlyStopping(monitor=\"val_mae\", mode=\"min\", patience=4, "
                        "min_delta=0.001, restore_best_weights=False), keras.callbacks.ReduceLROnPlateau(monitor=\"val_mae\", "
                        "mode=\"min\", factor=0.5, patience=2, min_delta=0, min_lr=1e-05)])"),
              std::string::npos)
        << code;
    // Without validation, Keras watches the training value.
    p.training["data"]["validation_split"] = 0.0;
    p.training["monitor"] = "val_pr_auc";
    EXPECT_NE(kerasCode(p).find("EarlyStopping(monitor=\"pr_auc\", mode=\"max\""), std::string::npos) << kerasCode(p);
}

TEST(KerasCode, WritesTheConvolutionKindsAsKerasTakesThem) {
    const std::string code = kerasCode(loadProject(LAYERLOOM_TEST_DATA_DIR "/interop_conv.loom"));
    for (const char* line :
         {"layers.Conv1D(filters=3, kernel_size=3, strides=1, padding=\"causal\", dilation_rate=2, activation=\"linear\"",
          "layers.MaxPooling1D(pool_size=2, strides=None, padding=\"valid\", name=\"pool\")(enc)",
          "layers.AveragePooling1D(pool_size=3, strides=2, padding=\"same\", name=\"avg\")(crop)",
          "layers.UpSampling1D(size=3, name=\"up3\")(avg)", "layers.ZeroPadding1D(padding=(0, 1), name=\"pad\")(up)",
          "layers.Cropping1D(cropping=(2, 1), name=\"crop\")(skip)"}) {
        EXPECT_NE(code.find(line), std::string::npos) << line << "\n" << code;
    }
}

TEST(KerasCode, CallsAttentionWithItsTensorsAndUseCausalMask) {
    const std::string code = kerasCode(loadProject(LAYERLOOM_TEST_DATA_DIR "/interop_attention.loom"));
    for (const char* part :
         {"layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=None, output_shape=None, dropout=0.0",
          "name=\"self_attention\")(proj, proj)",
          "layers.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=4, output_shape=5, dropout=0.0, use_bias=False",
          "name=\"causal_attention\")(norm, proj, norm, use_causal_mask=True)"}) {
        EXPECT_NE(code.find(part), std::string::npos) << part << "\n" << code;
    }
}

// keras_hub's layers: its package is imported once, and the layers are made from it.
TEST(KerasCode, ImportsKerasHubForItsPositionLayers) {
    const std::string code = kerasCode(loadProject(LAYERLOOM_TEST_DATA_DIR "/interop_positions.loom"));
    EXPECT_NE(code.find("\nimport keras_hub  # needs Keras 3\n"), std::string::npos) << code;
    EXPECT_EQ(code.find("import keras_hub"), code.rfind("import keras_hub"));
    for (const char* part : {"keras_hub.layers.TokenAndPositionEmbedding(vocabulary_size=30, sequence_length=9, embedding_dim=6, "
                             "tie_weights=False",
                             "keras_hub.layers.PositionEmbedding(sequence_length=7, name=\"position\")(dense)"}) {
        EXPECT_NE(code.find(part), std::string::npos) << part << "\n" << code;
    }
    EXPECT_EQ(kerasCode(loadProject(LAYERLOOM_TEST_DATA_DIR "/interop_attention.loom")).find("keras_hub"), std::string::npos);
}

TEST(KerasCode, WritesMergesRegularisersAndTheHardSigmoidLayerLoomComputes) {
    Project p = smallUNet();
    ModelGraph& g = p.graph;
    const NodeId lstm = g.nodeByName("lstm_2")->id;
    g.setParam(lstm, "recurrent_activation", std::string("hard_sigmoid"));
    g.setParam(lstm, "kernel_regularizer", Regularizer{Regularizer::Kind::L2, 0.0, 0.01});
    p.training = {{"optimizer", "sgd"}, {"loss", "mae"}, {"epochs", 5}};
    const std::string code = kerasCode(p);
    EXPECT_NE(code.find("def hard_sigmoid(x):"), std::string::npos) << code;
    EXPECT_NE(code.find("recurrent_activation=hard_sigmoid"), std::string::npos) << code;
    EXPECT_NE(code.find("kernel_regularizer=regularizers.L1L2(l1=0.0, l2=0.01)"), std::string::npos);
    EXPECT_NE(code.find("layers.Add(name=\"add_1\")(["), std::string::npos) << code;
    EXPECT_NE(code.find("keras.optimizers.SGD("), std::string::npos) << code;
    EXPECT_NE(code.find("loss=\"mae\""), std::string::npos) << code;
    EXPECT_NE(code.find("epochs=5"), std::string::npos) << code;
    // Not a chain: Sequential is not possible, so the functional API is used anyway.
    EXPECT_EQ(kerasCode(p, {true}).find("keras.Sequential"), std::string::npos);

    g.setParam(lstm, "return_sequences", false);
    EXPECT_THROW(kerasCode(p), std::invalid_argument);
}

}  // namespace
}  // namespace loom
