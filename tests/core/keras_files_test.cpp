// Keras's own model files: .h5 as tf.keras 2 and Keras 3 write it, .keras as Keras 3 writes it
// (tests/data/keras_files, made by make_keras_files.py from the Keras/TF.js references). Each
// holds the reference's weights, so each must predict what the reference's expected.json holds.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <csignal>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/test_graphs.h"
#include "engine/plan.h"
#include "interop/keras_export.h"
#include "interop/keras_model.h"
#include "interop/keras_topology.h"
#include "interop/model_file.h"
#include "io/isolated.h"
#include "train/config_json.h"
#include "worst_difference.h"

namespace loom {
namespace {

namespace fs = std::filesystem;

const std::string kReferences = LAYERLOOM_TEST_DATA_DIR "/keras_fixtures";
const std::string kFiles = LAYERLOOM_TEST_DATA_DIR "/keras_files";

struct KerasFileCase {
    const char* reference;
    const char* file;
};

class KerasFiles : public ::testing::TestWithParam<KerasFileCase> {};

TEST_P(KerasFiles, PredictWhatTheReferencePredicts) {
    const KerasFileCase c = GetParam();
    const KerasImport model = importKerasFile(kFiles + "/" + c.file);
    std::vector<std::int64_t> inShape, outShape;
    const std::vector<float> input = readJsonArray(kReferences + "/" + c.reference + "/input.json", inShape);
    const std::vector<float> expected = readJsonArray(kReferences + "/" + c.reference + "/expected.json", outShape);
    const int batch = static_cast<int>(inShape[0]);
    Plan<float> plan = Plan<float>::compile(model.project.graph, batch);
    plan.loadWeights(model.weights);
    const float* inputs[] = {input.data()};
    plan.forward(inputs, batch);
    const float* y = plan.output(0);
    double worst = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) worst = test::worseOf(worst, static_cast<double>(y[i]), expected[i]);
    EXPECT_LT(worst, 1e-4) << c.file;
}

TEST_P(KerasFiles, HoldTheReferencesGraphWeightsAndTrainingSettings) {
    const KerasFileCase c = GetParam();
    const KerasImport file = importKerasFile(kFiles + "/" + c.file);
    const KerasImport reference = importKerasModel(kReferences + "/" + c.reference + "/model.json");
    // The same layers, settings and wires (a Sequential's implied Input may be named otherwise).
    const ModelGraph& a = file.project.graph;
    const ModelGraph& b = reference.project.graph;
    ASSERT_EQ(a.nodes().size(), b.nodes().size()) << c.file;
    for (const Node& n : b.nodes()) {
        if (n.kind == "InputLayer") continue;
        const Node* same = a.nodeByName(n.name);
        ASSERT_NE(same, nullptr) << c.file << ": " << n.name;
        EXPECT_EQ(same->kind, n.kind) << c.file << ": " << n.name;
        EXPECT_EQ(same->params, n.params) << c.file << ": " << n.name;
        const auto wiresOf = [](const ModelGraph& g, const Node& at) {
            std::vector<std::string> from;
            for (const Edge* e : g.inputEdges(at.id)) from.push_back(g.node(e->from.node)->kind == "InputLayer" ? "(input)" : g.node(e->from.node)->name);
            return from;
        };
        EXPECT_EQ(wiresOf(a, *same), wiresOf(b, n)) << c.file << ": " << n.name;
    }
    auto sorted = [](std::vector<NamedTensor> w) {
        std::sort(w.begin(), w.end(), [](const NamedTensor& x, const NamedTensor& y) { return x.name < y.name; });
        return w;
    };
    EXPECT_EQ(sorted(file.weights), sorted(reference.weights)) << c.file;
    // Compiled with Adam at 0.002 and mse; the optimizer's state is left out, and said so.
    const TrainConfig training = trainConfigFromJson(file.project.training);
    EXPECT_EQ(training.loss, Loss::MeanSquaredError);
    EXPECT_EQ(training.optimizer.name(), "adam");
    EXPECT_DOUBLE_EQ(training.optimizer.learningRate, 0.002);
    const bool said = std::any_of(file.notes.begin(), file.notes.end(),
                                  [](const std::string& n) { return n.find("optimizer's state") != std::string::npos; });
    EXPECT_TRUE(said) << c.file;
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, KerasFiles,
    ::testing::Values(KerasFileCase{"seq_autoencoder_small", "seq_autoencoder_small_keras2.h5"},
                      KerasFileCase{"seq_autoencoder_small", "seq_autoencoder_small_keras3.h5"},
                      KerasFileCase{"seq_autoencoder_small", "seq_autoencoder_small.keras"},
                      KerasFileCase{"skip_autoencoder", "skip_autoencoder_keras2.h5"},
                      KerasFileCase{"skip_autoencoder", "skip_autoencoder_keras3.h5"},
                      KerasFileCase{"skip_autoencoder", "skip_autoencoder.keras"},
                      KerasFileCase{"gru_dense_dropout", "gru_dense_dropout_keras2.h5"},
                      KerasFileCase{"gru_dense_dropout", "gru_dense_dropout_keras3.h5"},
                      KerasFileCase{"gru_dense_dropout", "gru_dense_dropout.keras"}));

// keras_hub's layers by their registered names (keras_nlp's too), and without one in configs
// that carry no module (tf.keras 2, TF.js); a user's own class of the same name, registered
// under its bare name in __main__ as Keras 3 writes it, is a custom object.
TEST(KerasTopologyOrigin, KerasHubLayersAreKnownByTheirRegisteredNamesOnly) {
    const auto model = [](const std::string& module, const nlohmann::json& registered) {
        nlohmann::json ids = {{"module", "keras.layers"}, {"class_name", "InputLayer"}, {"registered_name", nullptr},
                              {"name", "ids"}, {"config", {{"name", "ids"}, {"batch_shape", {nullptr, 8}}, {"dtype", "int32"}}},
                              {"inbound_nodes", nlohmann::json::array()}};
        nlohmann::json tape = {{"class_name", "TokenAndPositionEmbedding"}, {"name", "tape"},
                               {"config", {{"name", "tape"}, {"vocabulary_size", 30}, {"sequence_length", 8}, {"embedding_dim", 4}}},
                               {"inbound_nodes", {{{"args", {{{"class_name", "__keras_tensor__"},
                                                              {"config", {{"shape", {nullptr, 8}}, {"dtype", "int32"}, {"keras_history", {"ids", 0, 0}}}}}}},
                                                   {"kwargs", nlohmann::json::object()}}}}};
        if (!module.empty()) tape["module"] = module;
        if (!registered.is_null() || !module.empty()) tape["registered_name"] = registered;
        return nlohmann::json{{"class_name", "Functional"},
                              {"config", {{"name", "m"}, {"layers", {ids, tape}}, {"input_layers", {{"ids", 0, 0}}},
                                          {"output_layers", {{"tape", 0, 0}}}}}};
    };
    const auto refusal = [&](const nlohmann::json& topology) {
        return test::refusalOf([&] { readKerasTopology(topology, KerasProducer::Keras3, "model.keras"); });
    };
    EXPECT_EQ(refusal(model("keras_hub.src.layers.modeling.token_and_position_embedding", "keras_hub>TokenAndPositionEmbedding")), "(accepted)");
    EXPECT_EQ(refusal(model("keras_nlp.src.layers.modeling.token_and_position_embedding", "keras_nlp>TokenAndPositionEmbedding")), "(accepted)");
    EXPECT_EQ(refusal(model("", nullptr)), "(accepted)");
    const KerasTopology t = readKerasTopology(model("", nullptr), KerasProducer::Keras2, "model.json");
    EXPECT_EQ(t.project.graph.nodeByName("tape")->param<std::int64_t>("vocabulary_size"), 30);
    EXPECT_NE(refusal(model("__main__", "TokenAndPositionEmbedding")).find("a custom object (__main__.TokenAndPositionEmbedding)"),
              std::string::npos)
        << refusal(model("__main__", "TokenAndPositionEmbedding"));
    EXPECT_NE(refusal(model("my_models", "my_models>TokenAndPositionEmbedding")).find("a custom object"), std::string::npos);
}

TEST(KerasFiles, OpenAsProjectsNamedAfterTheModel) {
    const Project p = openModelFile(kFiles + "/skip_autoencoder.keras");
    EXPECT_EQ(p.name, "skip_autoencoder");
    EXPECT_EQ(p.weights.size(), 20u);
    EXPECT_TRUE(isKerasModelFile("x/model.H5"));
    EXPECT_TRUE(isKerasModelFile("model.keras"));
    EXPECT_FALSE(isKerasModelFile("model.loom"));
}

}  // namespace
}  // namespace loom

namespace loom {
namespace {

std::string refusal(const std::string& file) {
    return test::refusalOf([&] { importKerasFile(kFiles + "/broken/" + file); });
}

// Damaged and unsupported files (tests/data/keras_files/broken): each refused with what is
// wrong, the file, and the place in it.
TEST(KerasFiles, DamagedFilesSayWhatAndWhere) {
    const auto says = [](const std::string& file, const std::string& what) {
        const std::string message = refusal(file);
        EXPECT_NE(message.find(what), std::string::npos) << file << ": " << message;
        EXPECT_NE(message.find(file), std::string::npos) << file << ": " << message;
    };
    says("truncated.keras", "not a whole zip archive");
    says("no_weights.keras", "the archive has no model.weights.h5");
    says("npz_weights.keras", "the weights are in .npz form");
    says("missing_var.keras", "model.weights.h5: /layers/lstm_1/cell/vars: holds 2 weights; layer 'enc_2' needs 3");
    says("wrong_shape.keras", "layers/lstm/cell/vars/0: weight 'enc_1/kernel' has shape (1, 60); the layer needs (1, 64)");
    says("integer_weights.keras", "/layers/lstm/cell/vars/2: the dataset does not hold floating-point numbers");
    says("unknown_layer.keras", "config.json: layer 'concatenate' is a Conv9D, which LayerLoom does not support");
    says("custom_layer.keras", "layer 'enc_2': a custom object (my_package>FancyLSTM)");
    says("bad_config.keras", "config.json:1:");
    says("garbage.h5", "a damaged HDF5 file");
    says("weights_only.h5", "holds weights only (model.save_weights)");
}

TEST(KerasFiles, AFileThatIsNotOneSaysSo) {
    const fs::path dir = fs::temp_directory_path() / "layerloom_keras_files_test";
    fs::create_directories(dir);
    std::ofstream(dir / "text.h5") << "hello";
    std::ofstream(dir / "text.keras") << "hello";
    EXPECT_NE(test::refusalOf([&] { importKerasFile(dir / "text.h5"); }).find("not an HDF5 file"), std::string::npos);
    EXPECT_NE(test::refusalOf([&] { importKerasFile(dir / "text.keras"); }).find("not a whole zip archive"), std::string::npos);
    EXPECT_NE(test::refusalOf([&] { importKerasFile(dir / "absent.keras"); }).find("absent.keras"), std::string::npos);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace loom


namespace loom {
namespace {

// libhdf5 1.10 loops for ever on this file (found by the keras_file fuzz target): the reading
// happens in a child process, which is given up on.
TEST(KerasFiles, AFileThatHangsTheHdf5LibraryIsGivenUpOn) {
    const std::string message = test::refusalOf([] { importKerasFile(kFiles + "/broken/hdf5_loop.h5", std::chrono::seconds(2)); });
    EXPECT_NE(message.find("hdf5_loop.h5: gave up after 2 s"), std::string::npos) << message;
}

TEST(Isolated, ReturnsTheAnswerOrSaysHowTheChildEnded) {
    EXPECT_EQ(runIsolated([] { return std::string("42\n\0x", 5); }, std::chrono::seconds(5), "adding"), std::string("42\n\0x", 5));
    const std::string big(3'000'000, 'x');  // more than a pipe holds at once
    EXPECT_EQ(runIsolated([&] { return big; }, std::chrono::seconds(5), "copying"), big);
    EXPECT_EQ(test::refusalOf([] { runIsolated([]() -> std::string { throw std::runtime_error("x.h5: damaged"); },
                                               std::chrono::seconds(5), "reading x.h5"); }),
              "x.h5: damaged");
    EXPECT_NE(test::refusalOf([] { runIsolated([]() -> std::string { std::raise(SIGSEGV); return ""; },
                                               std::chrono::seconds(5), "reading y.h5"); })
                  .find("reading y.h5: the reader crashed on the file (signal "),  // 11, or 6 where a sanitizer aborts
              std::string::npos);
    EXPECT_EQ(test::refusalOf([] { runIsolated([]() -> std::string { for (;;) pause(); }, std::chrono::seconds(1), "reading z.h5"); }),
              "reading z.h5: gave up after 1 s (the file keeps the reader busy)");
}

// A request to stop ends the work at once, long before its limit, and says so apart from a
// failure; the child is gone.
TEST(Isolated, StopsWhenAskedTo) {
    std::stop_source stop;
    std::jthread asker([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        stop.request_stop();
    });
    bool cancelled = false;
    try {
        runIsolated([]() -> std::string { for (;;) pause(); }, std::chrono::seconds(600), "reading z.h5", stop.get_token());
    } catch (const Cancelled& e) {
        cancelled = true;
        EXPECT_STREQ(e.what(), "reading z.h5: cancelled");
    }
    EXPECT_TRUE(cancelled);
    // And a Keras file whose reading hangs the HDF5 library is left at once too.
    std::stop_source already;
    already.request_stop();
    EXPECT_THROW(importKerasFile(kFiles + "/broken/hdf5_loop.h5", std::chrono::seconds(600), already.get_token()), Cancelled);
}

}  // namespace
}  // namespace loom


namespace loom {
namespace {

// TF.js listed the reference models' layers in the order Keras computes (its container is a
// port of Keras's); kerasLayerOrder must give the same.
TEST(KerasLayerOrder, IsTheOrderKerasListsTheLayersIn) {
    for (const char* reference : {"skip_autoencoder", "seq_autoencoder_small"}) {
        const KerasImport m = importKerasModel(kReferences + "/" + reference + "/model.json");
        const ModelGraph& g = m.project.graph;
        std::vector<NodeId> outputs;
        for (const Node& n : g.nodes()) {
            if (g.outputEdges(n.id).empty()) outputs.push_back(n.id);
        }
        std::vector<std::string> got, listed;
        for (NodeId id : kerasLayerOrder(g, outputs)) got.push_back(g.node(id)->name);
        for (const Node& n : g.nodes()) listed.push_back(n.name);  // the import keeps the file's order
        EXPECT_EQ(got, listed) << reference;
    }
    // Ties in depth go by the walk from the output, inputs in operand order; a skip from the
    // input does not pull it forward.
    ModelGraph g;
    const NodeId in = test::input(g, {4});
    const NodeId x = test::add(g, "Dense", {{"units", std::int64_t{4}}}, {in});
    const NodeId y = test::add(g, "Dense", {{"units", std::int64_t{4}}}, {in});
    const NodeId sum = test::add(g, "Add", {}, {y, x});
    const NodeId z = test::add(g, "Dense", {{"units", std::int64_t{4}}}, {sum});
    const NodeId skip = test::add(g, "Add", {}, {z, in});
    EXPECT_EQ(kerasLayerOrder(g, {skip}), (std::vector<NodeId>{in, y, x, sum, z, skip}));
}

}  // namespace
}  // namespace loom

