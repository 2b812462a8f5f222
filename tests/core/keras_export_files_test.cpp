// Keras model files LayerLoom writes: .h5 as tf.keras 2 writes it, .keras as Keras 3 does. Each
// reads back as it was written, and a checker that takes the file as the targeted Keras's
// load_model would (h5py, Keras's own rules transcribed) accepts it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/test_graphs.h"
#include "engine/plan.h"
#include "interop/keras_export.h"
#include "interop/keras_model.h"
#include "interop/keras_topology.h"
#include "interop/zip_archive.h"
#include "train/config_json.h"

namespace loom {
namespace {

namespace fs = std::filesystem;

const std::string kReferences = LAYERLOOM_TEST_DATA_DIR "/keras_fixtures";
const std::string kFiles = LAYERLOOM_TEST_DATA_DIR "/keras_files";

std::vector<NamedTensor> sorted(std::vector<NamedTensor> w) {
    std::sort(w.begin(), w.end(), [](const NamedTensor& x, const NamedTensor& y) { return x.name < y.name; });
    return w;
}

/// The graph, the weights bit for bit and the training settings came back.
void expectSameModel(const KerasImport& back, const KerasImport& original, const std::string& what) {
    EXPECT_EQ(back.project.graph.nodes().size(), original.project.graph.nodes().size()) << what;
    for (const Node& n : original.project.graph.nodes()) {
        const Node* same = back.project.graph.nodeByName(n.name);
        ASSERT_NE(same, nullptr) << what << ": " << n.name;
        EXPECT_EQ(same->kind, n.kind);
        EXPECT_EQ(same->params, n.params) << what << ": " << n.name;
        std::vector<std::string> from, fromOriginal;
        // Each wire by its source's name and port, and the port it enters.
        const auto wire = [](const ModelGraph& g, const Edge* e) {
            return g.node(e->from.node)->name + ":" + std::to_string(e->from.port) + ">" + std::to_string(e->to.port);
        };
        for (const Edge* e : back.project.graph.inputEdges(same->id)) from.push_back(wire(back.project.graph, e));
        for (const Edge* e : original.project.graph.inputEdges(n.id)) fromOriginal.push_back(wire(original.project.graph, e));
        EXPECT_EQ(from, fromOriginal) << what << ": " << n.name;
    }
    EXPECT_EQ(sorted(back.weights), sorted(original.weights)) << what;
    const TrainConfig training = trainConfigFromJson(back.project.training);
    const Validation v = validate(back.project.graph);
    for (NodeId out : v.outputs) {  // a model of several outputs has a loss for each
        EXPECT_EQ(training.lossOf(back.project.graph.node(out)->name, v.outputs.size()).loss, Loss::MeanAbsoluteError) << what;
    }
    EXPECT_EQ(training.optimizer.name(), "rmsprop") << what;
    EXPECT_DOUBLE_EQ(training.optimizer.learningRate, 0.0005) << what;
}

int runPython(const std::string& arguments) {
    const std::string command = std::string(LAYERLOOM_PYTHON) + " " + arguments + " > /dev/null";
    return std::system(command.c_str());
}

KerasImport everyKind();
KerasImport convolutionKinds();
KerasImport recurrentAndNormalizationKinds();
KerasImport activationKinds();
KerasImport tokenKinds();
KerasImport attentionKinds();
KerasImport positionKinds();
KerasImport stateKinds();

// A model written as tf.keras 2's .h5 reads back as it was: the graph, the weights bit for bit,
// the training settings; and h5py finds what tf.keras's load_model reads, in its order.
TEST(KerasH5Export, ReadsBackAsItWasWritten) {
    const fs::path dir = fs::temp_directory_path() / "layerloom_keras_h5_export";
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const std::string reference : {"skip_autoencoder", "seq_autoencoder_small", "gru_dense_dropout", "convolution_kinds",
                                        "recurrent_and_normalization_kinds", "activation_kinds", "token_kinds",
                                        "attention_kinds", "state_kinds"}) {
        KerasImport original = reference == "attention_kinds"                      ? attentionKinds()
                               : reference == "state_kinds"                        ? stateKinds()
                               : reference == "convolution_kinds"                  ? convolutionKinds()
                               : reference == "recurrent_and_normalization_kinds" ? recurrentAndNormalizationKinds()
                               : reference == "activation_kinds"                  ? activationKinds()
                               : reference == "token_kinds"                       ? tokenKinds()
                                                                                  : importKerasModel(kReferences + "/" + reference + "/model.json");
        original.project.training = {{"loss", "mae"}, {"optimizer", {{"name", "rmsprop"}, {"learning_rate", 0.0005}}}};
        const fs::path file = dir / (reference + ".h5");
        exportKerasH5(original.project, original.weights, file);
        expectSameModel(importKerasFile(file), original, reference);

        // As tf.keras's load_weights_from_hdf5_group reads it: the layers with weights, in the
        // order the model configuration lists them, each with its weights in order.
        std::ofstream(dir / "check.py") << R"(import json, sys
import h5py
f = h5py.File(sys.argv[1], "r")
config = f.attrs["model_config"]
config = json.loads(config.decode("utf8") if hasattr(config, "decode") else config)
assert config["class_name"] == "Functional"
listed = [l["name"] for l in config["config"]["layers"]]
names = [n.decode("utf8") for n in f["model_weights"].attrs["layer_names"]]
assert names == listed, (names, listed)
for name in names:
    g = f["model_weights"][name]
    for w in [n.decode("utf8") for n in g.attrs["weight_names"]]:
        assert g[w].dtype == "float32", w
training = f.attrs["training_config"]
training = json.loads(training.decode("utf8") if hasattr(training, "decode") else training)
assert training["optimizer_config"]["class_name"] == "RMSprop", training
print("ok")
)";
        const std::string command = std::string(LAYERLOOM_PYTHON) + " " + (dir / "check.py").string() + " " + file.string();
        EXPECT_EQ(std::system(command.c_str()), 0) << command;
    }
    // A graph with errors, or weights that do not cover it, writes nothing.
    KerasImport m = importKerasModel(kReferences + "/skip_autoencoder/model.json");
    m.weights.pop_back();
    EXPECT_NE(test::refusalOf([&] { exportKerasH5(m.project, m.weights, dir / "short.h5"); }).find("no weights for time_distributed/bias"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(dir / "short.h5"));
    fs::remove_all(dir);
}


// The optimizer's settings and a loss object with from_logits go into the files Keras reads
// (compile_config, training_config) and come back from them.
TEST(KerasFileExport, TrainingSettingsComeBackFromBothFormats) {
    const fs::path dir = fs::temp_directory_path() / "layerloom_keras_training_settings";
    fs::remove_all(dir);
    fs::create_directories(dir);
    KerasImport original = importKerasModel(kReferences + "/skip_autoencoder/model.json");
    original.project.training = {{"loss", "categorical_crossentropy"},
                                 {"from_logits", true},
                                 {"optimizer",
                                  {{"name", "adam"}, {"learning_rate", 0.003}, {"beta_1", 0.8}, {"amsgrad", true},
                                   {"weight_decay", 0.01}, {"clipnorm", 2.0}}},
                                 {"metrics", {"mae", "pr_auc", "auc", "precision", "root_mean_squared_error", "accuracy"}}};
    for (const char* name : {"settings.keras", "settings.h5"}) {
        exportKerasFile(original.project, original.weights, dir / name);
        const TrainConfig back = trainConfigFromJson(importKerasFile(dir / name).project.training);
        EXPECT_EQ(back.loss, Loss::CategoricalCrossentropy) << name;
        EXPECT_TRUE(back.fromLogits) << name;
        EXPECT_EQ(back.optimizer.kind, OptimizerConfig::Kind::Adam) << name;
        EXPECT_DOUBLE_EQ(back.optimizer.learningRate, 0.003) << name;
        EXPECT_DOUBLE_EQ(back.optimizer.beta1, 0.8) << name;
        EXPECT_TRUE(back.optimizer.amsgrad) << name;
        EXPECT_DOUBLE_EQ(back.optimizer.weightDecay, 0.01) << name;
        EXPECT_EQ(back.optimizer.clipNorm, 2.0) << name;
        EXPECT_EQ(back.metrics, (std::vector<Metric>{Metric::MeanAbsoluteError, Metric::PrAuc, Metric::Auc, Metric::Precision,
                                                     Metric::RootMeanSquaredError, Metric::Accuracy}))
            << name;
    }
    // Keras's own form of the loss object, as keras.saving.serialize_keras_object writes it.
    ZipReader zip = ZipReader::open(dir / "settings.keras");
    const nlohmann::json config = nlohmann::json::parse(zip.read("config.json", 1 << 24));
    const nlohmann::json& loss = config["compile_config"]["loss"];
    EXPECT_EQ(loss["module"], "keras.losses");
    EXPECT_EQ(loss["class_name"], "CategoricalCrossentropy");
    EXPECT_EQ(loss["config"]["from_logits"], true);
    EXPECT_EQ(config["compile_config"]["optimizer"]["config"]["amsgrad"], true);
    // Names where both Kerases resolve them; objects where a name cannot say the curve.
    const nlohmann::json& metrics = config["compile_config"]["metrics"];
    ASSERT_EQ(metrics.size(), 6u) << metrics.dump();
    EXPECT_EQ(metrics[0], "mae");
    EXPECT_EQ(metrics[1]["class_name"], "AUC");
    EXPECT_EQ(metrics[1]["config"]["curve"], "PR");
    EXPECT_EQ(metrics[1]["config"]["name"], "pr_auc");
    EXPECT_EQ(metrics[1]["config"]["from_logits"], true);  // as the loss reads the output
    EXPECT_EQ(metrics[3]["class_name"], "Precision");
    EXPECT_EQ(metrics[5], "accuracy");
    fs::remove_all(dir);
}

// Keras's metric entries: names, aliases, class names and objects; what LayerLoom does not
// compute is refused by name.
TEST(KerasFileExport, MetricEntriesAsKerasWritesThem) {
    std::string why;
    EXPECT_EQ(metricFromKeras("acc", why), Metric::Accuracy);
    EXPECT_EQ(metricFromKeras("AUC", why), Metric::Auc);
    EXPECT_EQ(metricFromKeras("mean_absolute_error", why), Metric::MeanAbsoluteError);
    EXPECT_EQ(metricFromKeras({{"class_name", "AUC"}, {"config", {{"curve", "PR"}, {"num_thresholds", 200}}}}, why), Metric::PrAuc);
    EXPECT_EQ(metricFromKeras({{"class_name", "Recall"}, {"config", {{"thresholds", nullptr}}}}, why), Metric::Recall);
    EXPECT_EQ(metricFromKeras({{"class_name", "Precision"}, {"config", {{"thresholds", 0.5}}}}, why), Metric::Precision);
    EXPECT_EQ(metricFromKeras({{"class_name", "Precision"}, {"config", {{"thresholds", {0.5}}}}}, why), Metric::Precision);
    EXPECT_FALSE(metricFromKeras({{"class_name", "Recall"}, {"config", {{"thresholds", {0.3, 0.5}}}}}, why));
    EXPECT_FALSE(metricFromKeras({{"class_name", "AUC"}, {"config", {{"thresholds", {0.1, 0.9}}}}}, why));
    EXPECT_FALSE(metricFromKeras({{"class_name", "AUC"}, {"config", {{"num_thresholds", 100}}}}, why));
    EXPECT_EQ(why, "the metric AUC's num_thresholds 100 is not imported; LayerLoom computes it with Keras's default");
    EXPECT_FALSE(metricFromKeras({{"class_name", "TopKCategoricalAccuracy"}, {"config", {{"k", 3}}}}, why));
    EXPECT_NE(why.find("k 3"), std::string::npos) << why;
    EXPECT_FALSE(metricFromKeras("f1_score", why));
    EXPECT_EQ(why, "the metric f1_score is not one LayerLoom computes");
    EXPECT_FALSE(metricFromKeras(42, why));
    EXPECT_EQ(kerasMetrics({}, false, true), nullptr);
    EXPECT_EQ(kerasMetrics({Metric::Recall}, false, false)[0]["class_name"], "Recall");
    EXPECT_FALSE(kerasMetrics({Metric::Recall}, false, false)[0].contains("module"));  // tf.keras 2's form
}

// What Python's re gives for Keras's three expressions (naming.to_snake_case).
TEST(KerasSnakeCase, NamesAsKerasDoes) {
    const std::pair<const char*, const char*> cases[] = {
        {"LSTM", "lstm"}, {"GRU", "gru"}, {"TimeDistributed", "time_distributed"}, {"RepeatVector", "repeat_vector"},
        {"InputLayer", "input_layer"}, {"Conv1D", "conv1d"}, {"HTTPServer", "http_server"}, {"Dense", "dense"},
        {"ABCdEf", "ab_cd_ef"}, {"aBcDe", "a_bc_de"}, {"MultiHeadAttention", "multi_head_attention"}, {"Add", "add"},
        {"My-Layer 2", "my_layer2"}};
    for (const auto& [name, snake] : cases) EXPECT_EQ(kerasSnakeCase(name), snake) << name;
}


/// A model with every kind LayerLoom has and the options that change a layer's variables: GRU
/// with and without reset_after, layers without bias, Concatenate, Dropout, TimeDistributed.
/// Weights for `m`'s graph from Keras's initialisers (seed 7); with `shifted`, moved off those,
/// each by a different amount (the moving statistics and PReLU's zero alphas included), so that
/// a weight read into another's place shows.
void giveWeights(KerasImport& m, bool shifted) {
    Plan<float> plan = Plan<float>::compile(m.project.graph, 1, 4);  // a free length: any will do
    plan.initialize(7);
    m.weights = plan.exportWeights();
    float shift = 0.01f;
    for (NamedTensor& t : m.weights) {
        for (float& v : t.values) v += shifted ? (shift += 0.001f) : 0.0f;
    }
}

KerasImport everyKind() {
    KerasImport m;
    ModelGraph& g = m.project.graph;
    const NodeId in = test::input(g, {12, 3});
    const NodeId a = test::add(g, "GRU", {{"units", std::int64_t{5}}, {"return_sequences", true}}, {in});
    const NodeId b = test::add(g, "GRU", {{"units", std::int64_t{4}}, {"return_sequences", true}, {"reset_after", false}}, {in});
    const NodeId joined = test::add(g, "Concatenate", {}, {a, b});
    const NodeId dropped = test::add(g, "Dropout", {{"rate", 0.25}}, {joined});
    const NodeId code = test::add(g, "LSTM", {{"units", std::int64_t{6}}, {"use_bias", false}}, {dropped});
    const NodeId dense = test::add(g, "Dense", {{"units", std::int64_t{6}}, {"use_bias", false}, {"activation", std::string("tanh")}}, {code});
    const NodeId repeated = test::add(g, "RepeatVector", {{"n", std::int64_t{12}}}, {dense});
    const NodeId seq = test::add(g, "LSTM", {{"units", std::int64_t{3}}, {"return_sequences", true}}, {repeated});
    const NodeId sum = test::add(g, "Add", {}, {seq, in});
    test::add(g, "TimeDistributed", {{"units", std::int64_t{3}}}, {sum});
    m.project.name = "every kind";
    giveWeights(m, false);
    return m;
}

/// A sequence U-Net's kinds with the options that change their shapes or variables: Conv1D
/// with every padding, strides, dilation and no bias; both poolings with padding and strides;
/// up-sampling, zero padding and cropping of both ends; both global poolings; Conv1DTranspose
/// with output_padding.
KerasImport convolutionKinds() {
    KerasImport m;
    ModelGraph& g = m.project.graph;
    const NodeId in = test::input(g, {25, 2});
    const NodeId enc = test::add(g, "Conv1D", {{"filters", std::int64_t{4}}, {"padding", std::string("same")}, {"activation", std::string("tanh")}}, {in});
    const NodeId pool = test::add(g, "MaxPooling1D", {}, {enc});
    const NodeId mid = test::add(g, "Conv1D", {{"filters", std::int64_t{3}}, {"kernel_size", std::int64_t{1}}, {"use_bias", false}}, {pool});
    const NodeId up = test::add(g, "UpSampling1D", {}, {mid});
    const NodeId pad = test::add(g, "ZeroPadding1D", {{"pad_before", std::int64_t{0}}, {"pad_after", std::int64_t{1}}}, {up});
    const NodeId cat = test::add(g, "Concatenate", {}, {pad, enc});
    const NodeId crop = test::add(g, "Cropping1D", {{"crop_before", std::int64_t{2}}, {"crop_after", std::int64_t{1}}}, {cat});
    const NodeId avg = test::add(g, "AveragePooling1D", {{"pool_size", std::int64_t{3}}, {"strides", std::int64_t{2}}, {"padding", std::string("same")}}, {crop});
    const NodeId causal = test::add(g, "Conv1D", {{"filters", std::int64_t{5}}, {"padding", std::string("causal")}, {"dilation_rate", std::int64_t{2}}}, {avg});
    const NodeId strided = test::add(g, "Conv1D", {{"filters", std::int64_t{2}}, {"kernel_size", std::int64_t{4}}, {"strides", std::int64_t{2}}}, {causal});
    const NodeId transposed = test::add(g, "Conv1DTranspose",
                                        {{"filters", std::int64_t{3}}, {"kernel_size", std::int64_t{5}}, {"strides", std::int64_t{2}},
                                         {"padding", std::string("same")}, {"output_padding", std::int64_t{1}}},
                                        {causal});
    const NodeId both = test::add(g, "Concatenate", {}, {test::add(g, "GlobalMaxPooling1D", {}, {strided}),
                                                       test::add(g, "GlobalAveragePooling1D", {}, {transposed})});
    test::add(g, "Dense", {{"units", std::int64_t{1}}}, {both});
    m.project.name = "convolution kinds";
    giveWeights(m, false);
    return m;
}

/// Bidirectional around each recurrent kind, SimpleRNN, both normalizations, the element-wise
/// merges and the reshaping layers, with weights that differ from their initial values (the
/// moving statistics included), so that a weight read into another's place shows.
KerasImport recurrentAndNormalizationKinds() {
    KerasImport m;
    ModelGraph& g = m.project.graph;
    const NodeId in = test::input(g, {12, 3});
    const NodeId bl = test::add(g, "Bidirectional", {{"units", std::int64_t{4}}, {"return_sequences", true}}, {in});
    const NodeId ln = test::add(g, "LayerNormalization", {{"center", false}}, {bl});
    const NodeId bg = test::add(g, "Bidirectional",
                                {{"layer", std::string("GRU")}, {"units", std::int64_t{4}}, {"merge_mode", std::string("sum")},
                                 {"return_sequences", true}},
                                {ln});
    const NodeId rnn =
        test::add(g, "SimpleRNN", {{"units", std::int64_t{4}}, {"return_sequences", true}, {"go_backwards", true}}, {in});
    const NodeId mul = test::add(g, "Multiply", {}, {bg, rnn});
    const NodeId sub = test::add(g, "Subtract", {}, {bg, rnn});
    const NodeId avg = test::add(g, "Average", {}, {mul, sub});
    const NodeId mx = test::add(g, "Maximum", {}, {avg, rnn});
    const NodeId bn = test::add(g, "BatchNormalization", {}, {mx});
    const NodeId flat = test::add(g, "Flatten", {}, {test::add(g, "Permute", {}, {bn})});
    const NodeId steps = test::add(g, "Reshape", {{"target_shape", Dims{kNone, 6}}}, {flat});
    const NodeId br = test::add(g, "Bidirectional",
                                {{"layer", std::string("SimpleRNN")}, {"units", std::int64_t{2}}, {"merge_mode", std::string("ave")}},
                                {steps});
    test::add(g, "Dense", {{"units", std::int64_t{1}}}, {br});
    m.project.name = "recurrent and normalization kinds";
    giveWeights(m, true);
    return m;
}

/// The activation layers with their options, the activations Keras 3 added and the noise
/// layers, with PReLU's alphas away from their zero start, so that one read into another's
/// place shows.
KerasImport activationKinds() {
    KerasImport m;
    ModelGraph& g = m.project.graph;
    const NodeId in = test::input(g, {6, 3});
    const NodeId mixed = test::add(g, "Dense", {{"units", std::int64_t{4}}, {"activation", std::string("hard_silu")}}, {in});
    const NodeId relu = test::add(g, "ReLU", {{"max_value", 1.5}, {"negative_slope", 0.1}, {"threshold", 0.2}}, {mixed});
    const NodeId leaky = test::add(g, "LeakyReLU", {{"negative_slope", 0.05}}, {relu});
    const NodeId prelu = test::add(g, "PReLU", {}, {leaky});
    const NodeId shared = test::add(g, "PReLU", {{"shared_axes", std::string("[1]")}}, {prelu});
    const NodeId elu = test::add(g, "ELU", {{"alpha", 0.5}}, {shared});
    const NodeId soft = test::add(g, "Softmax", {{"axis", std::int64_t{1}}}, {elu});
    const NodeId act = test::add(g, "Activation", {{"activation", std::string("log_softmax")}}, {soft});
    const NodeId spatial = test::add(g, "SpatialDropout1D", {{"rate", 0.3}}, {act});
    const NodeId noise = test::add(g, "GaussianNoise", {{"stddev", 0.2}}, {spatial});
    const NodeId gauss = test::add(g, "GaussianDropout", {{"rate", 0.2}}, {noise});
    const NodeId alpha = test::add(g, "AlphaDropout", {{"rate", 0.1}}, {gauss});
    test::add(g, "Conv1D", {{"filters", std::int64_t{2}}, {"activation", std::string("mish")}}, {alpha});
    m.project.name = "activation kinds";
    giveWeights(m, true);
    return m;
}

/// Token ids: an int32 Input of any length, an Embedding with a regulariser, read by an LSTM;
/// initialisers other than the defaults, each with its numbers.
/// Self-attention under a residual Add, then causal cross-attention with a separate key,
/// value_dim, output_shape and no biases.
/// An encoder and a decoder of each recurrent kind, the decoder starting from the encoder's
/// states (Keras's lstm_seq2seq), and a Dense reading a state.
KerasImport stateKinds() {
    KerasImport m;
    ModelGraph& g = m.project.graph;
    for (const char* kind : {"LSTM", "GRU", "SimpleRNN"}) {
        const NodeId source = test::input(g, {7, 3});
        const NodeId target = test::input(g, {5, 2});
        const NodeId enc = test::add(g, kind, {{"units", std::int64_t{4}}, {"return_state", true}}, {source});
        const NodeId dec = test::add(g, kind, {{"units", std::int64_t{4}}, {"return_sequences", true}, {"initial_state", true}},
                                     {target});
        const int states = std::string(kind) == "LSTM" ? 2 : 1;
        for (int k = 1; k <= states; ++k) g.connect({enc, k}, {dec, k});
        test::add(g, "Dense", {{"units", std::int64_t{2}}}, {dec});
        const NodeId summary = test::add(g, "Dense", {{"units", std::int64_t{1}}});
        g.connect({enc, 1}, {summary, 0});
    }
    m.project.name = "state kinds";
    giveWeights(m, true);
    return m;
}

KerasImport attentionKinds() {
    KerasImport m;
    m.project = loadProject(LAYERLOOM_TEST_DATA_DIR "/interop_attention.loom");
    m.project.name = "attention kinds";
    giveWeights(m, true);
    return m;
}

/// keras_hub's position layers, one with an untied reverse table, with trained-looking weights.
KerasImport positionKinds() {
    KerasImport m;
    m.project = loadProject(LAYERLOOM_TEST_DATA_DIR "/interop_positions.loom");
    giveWeights(m, true);
    return m;
}

KerasImport tokenKinds() {
    KerasImport m;
    ModelGraph& g = m.project.graph;
    const NodeId in = test::input(g, {kNone});
    g.setParam(in, "dtype", std::string("int32"));
    const NodeId e = test::add(g, "Embedding",
                               {{"input_dim", std::int64_t{12}}, {"output_dim", std::int64_t{5}},
                                {"embeddings_regularizer", Regularizer{Regularizer::Kind::L2, 0.0, 0.01}},
                                {"embeddings_initializer", Initializer(Init::RandomNormal, 0.5, 0.25)}},
                               {in});
    const NodeId lstm = test::add(g, "LSTM",
                                  {{"units", std::int64_t{3}},
                                   {"kernel_initializer", Initializer(Init::HeNormal)},
                                   {"recurrent_initializer", Initializer(Init::Identity, 0.5, 0.0)},
                                   {"bias_initializer", Initializer(Init::Constant, 0.25, 0.0)}},
                                  {e});
    test::add(g, "Dense",
              {{"units", std::int64_t{2}},
               {"kernel_initializer", Initializer(Init::LecunUniform)},
               {"bias_initializer", Initializer(Init::TruncatedNormal, -0.5, 0.125)}},
              {lstm});
    m.project.name = "token kinds";
    giveWeights(m, true);
    return m;
}

// A model written as Keras 3's .keras reads back as it was written, and the checker that takes
// it as Keras 3's load_model would accepts it, and refuses what Keras 3 would refuse.
TEST(KerasArchiveExport, ReadsBackAndKeras3WouldLoadIt) {
    const fs::path dir = fs::temp_directory_path() / "layerloom_keras_archive_export";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string checker = kFiles + "/check_keras3_archive.py ";
    for (const std::string reference :
         {"skip_autoencoder", "seq_autoencoder_small", "gru_dense_dropout", "every_kind", "convolution_kinds",
          "recurrent_and_normalization_kinds", "activation_kinds", "token_kinds", "attention_kinds", "position_kinds",
          "state_kinds"}) {
        KerasImport original = reference == "attention_kinds"                      ? attentionKinds()
                               : reference == "state_kinds"                        ? stateKinds()
                               : reference == "position_kinds"                     ? positionKinds()
                               : reference == "every_kind"                         ? everyKind()
                               : reference == "convolution_kinds"                  ? convolutionKinds()
                               : reference == "recurrent_and_normalization_kinds" ? recurrentAndNormalizationKinds()
                               : reference == "activation_kinds"                  ? activationKinds()
                               : reference == "token_kinds"                       ? tokenKinds()
                                                                                  : importKerasModel(kReferences + "/" + reference + "/model.json");
        original.project.training = {{"loss", "mae"}, {"optimizer", {{"name", "rmsprop"}, {"learning_rate", 0.0005}}}};
        const fs::path file = dir / (reference + ".keras");
        exportKerasFile(original.project, original.weights, file);
        expectSameModel(importKerasFile(file), original, reference);
        EXPECT_EQ(runPython(checker + file.string()), 0) << reference;
    }

    // What Keras 3 refuses, the checker refuses: a keyword Keras 3's LSTM does not take (Keras
    // 2's "implementation"), a layer listed out of Keras's order, a variable group missing.
    const fs::path good = dir / "skip_autoencoder.keras";
    const auto tampered = [&](const std::string& name, const auto& edit) {
        const ZipReader zip = ZipReader::open(good);
        nlohmann::json config = nlohmann::json::parse(zip.read("config.json", 1 << 24));
        std::string weights = zip.read("model.weights.h5", 1 << 28);
        edit(config, weights);
        ZipWriter out = ZipWriter::create(dir / name);
        out.add("metadata.json", zip.read("metadata.json", 1 << 16));
        out.add("config.json", config.dump());
        out.add("model.weights.h5", std::move(weights));
        out.finish();
        return (dir / name).string();
    };
    nlohmann::json& (*firstOf)(nlohmann::json&, const char*) = [](nlohmann::json& config, const char* cls) -> nlohmann::json& {
        for (nlohmann::json& l : config["config"]["layers"]) {
            if (l["class_name"] == cls) return l;
        }
        throw std::logic_error(cls);
    };
    EXPECT_NE(runPython(checker + tampered("kwarg.keras", [&](nlohmann::json& c, std::string&) { firstOf(c, "LSTM")["config"]["implementation"] = 2; })), 0);
    EXPECT_NE(runPython(checker + tampered("order.keras", [](nlohmann::json& c, std::string&) {
                  auto& layers = c["config"]["layers"];
                  std::swap(layers[1], layers[2]);
              })), 0);
    EXPECT_NE(runPython(checker + tampered("units.keras", [&](nlohmann::json& c, std::string&) { firstOf(c, "LSTM")["config"]["units"] = 7; })), 0);

    // Keras 3's hard_sigmoid is another function: refused, nothing written.
    KerasImport hard = importKerasModel(kReferences + "/skip_autoencoder/model.json");
    for (const Node& n : hard.project.graph.nodes()) {
        if (n.kind == "LSTM") {
            hard.project.graph.setParam(n.id, "recurrent_activation", std::string("hard_sigmoid"));
            break;
        }
    }
    EXPECT_NE(test::refusalOf([&] { exportKerasFile(hard.project, hard.weights, dir / "hard.keras"); }).find("relu6(x + 3) / 6"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(dir / "hard.keras"));
    // A tf.keras 2 file keeps it: there hard_sigmoid is LayerLoom's.
    exportKerasFile(hard.project, hard.weights, dir / "hard.h5");
    EXPECT_TRUE(fs::exists(dir / "hard.h5"));
    // Weights that do not cover the model write nothing; other names are refused.
    KerasImport m = importKerasModel(kReferences + "/skip_autoencoder/model.json");
    m.weights.pop_back();
    EXPECT_NE(test::refusalOf([&] { exportKerasFile(m.project, m.weights, dir / "short.keras"); }).find("no weights for"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(dir / "short.keras"));
    EXPECT_NE(test::refusalOf([&] { exportKerasFile(m.project, m.weights, dir / "model.json"); }).find(".keras (Keras 3) or .h5"),
              std::string::npos);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace loom
