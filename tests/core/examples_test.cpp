// The shipped examples load, validate as intended and match Keras's parameter counts.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "core/test_graphs.h"
#include "engine/plan.h"
#include "graph/fragment.h"
#include "graph/graph_edit.h"
#include "layers/layer_nodes.h"
#include "graph/project_file.h"
#include "service/model_export.h"
#include "train/config_json.h"
#include "train/session.h"

namespace loom {
namespace {

Project example(const std::string& file) {
    return loadProject(std::string(LAYERLOOM_EXAMPLES_DIR) + "/" + file);
}

struct ExampleCase {
    const char* file;
    std::int64_t params;
    std::size_t layers;
};

void PrintTo(const ExampleCase& c, std::ostream* os) { *os << c.file; }

class Example : public ::testing::TestWithParam<ExampleCase> {};

TEST_P(Example, IsValidWithKerasParameterCount) {
    const Project p = example(GetParam().file);
    const Validation v = validate(p.graph);
    for (const Diagnostic& d : v.diagnostics) ADD_FAILURE() << d.message;
    EXPECT_EQ(v.totalParams, GetParam().params);
    EXPECT_EQ(p.graph.nodes().size(), GetParam().layers);
    EXPECT_EQ(v.outputs.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Shipped, Example,
    ::testing::Values(ExampleCase{"lstm_autoencoder.loom", 3724641, 9},
                      // U-Net skips: lstm_5 reads 20 + 256 features, lstm_6 256 + 512.
                      ExampleCase{"lstm_autoencoder_skips.loom", 5035361, 11},
                      ExampleCase{"lstm_autoencoder_skips_add.loom", 4627553, 13},
                      ExampleCase{"residual_lstm_classifier.loom", 1173506, 16},
                      ExampleCase{"conv1d_unet.loom", 19425, 13},
                      // Bidirectional doubles each LSTM's weights: 2 * 4 * (1 * 32 + 32 * 32 + 32) = 8704 first.
                      ExampleCase{"bilstm_autoencoder.loom", 42305, 10},
                      // 96 + 648 + 50 + 88 + 656 + 81.
                      ExampleCase{"machine_anomalies.loom", 1619, 11},
                      // 4 * 32 * (1 + 32 + 1) + 32 * 24 + 24.
                      ExampleCase{"machine_forecast.loom", 5144, 4},
                      // keras.io's examples, with the counts their model.summary() prints.
                      ExampleCase{"keras_addition_rnn.loom", 205324, 5},
                      ExampleCase{"keras_bidirectional_lstm_imdb.loom", 2757761, 5},
                      ExampleCase{"keras_timeseries_classification.loom", 25858, 12},
                      ExampleCase{"keras_timeseries_anomaly_detection.loom", 9505, 8},
                      ExampleCase{"keras_lstm_text_generation.loom", 87201, 3},
                      // 4 * 32 * (7 + 32 + 1) + 33.
                      ExampleCase{"keras_timeseries_weather_forecasting.loom", 5153, 3},
                      ExampleCase{"keras_eeg_signal_classification.loom", 48989651, 23},
                      // 4 blocks of 7,169 (attention) + 2 + 8 + 5 + 2, then 256 + 258.
                      ExampleCase{"keras_timeseries_transformer_classification.loom", 29258, 41},
                      // 20,000 x 32 + 200 x 32 embedded, an 8,416-parameter attention, 2 x 64
                      // normalised, 2 x 1,056 feed-forward, then 660 + 42.
                      ExampleCase{"keras_text_classification_with_transformer.loom", 657758, 16},
                      // 14 Inputs of one feature: 14 x 32 + 32, 32 x 16 + 16, 16 + 1.
                      ExampleCase{"keras_event_classification_for_payment_card_fraud_detection.loom", 1025, 18},
                      // 4 x (256 x (10 + 256) + 256) and 4 x (256 x (12 + 256) + 256), then 256 x 12 + 12.
                      ExampleCase{"keras_lstm_seq2seq.loom", 551948, 5}));

// The shipped Transformer blocks, fed from one layer of the width they are made for, wire
// every input their entry needs (attention query and value, residual Add; a pre-norm block's
// first LayerNormalization) and leave the attention's key free; then every shape fits.
TEST(ShippedBlocks, FedFromOneLayerTheyFitItsShape) {
    struct BlockCase {
        const char* file;
        Dims input;
        int wires;
    };
    for (const BlockCase& c : {BlockCase{"transformer_encoder_post_norm.loom", {200, 32}, 3},
                               BlockCase{"transformer_encoder_pre_norm.loom", {500, 1}, 2}}) {
        SCOPED_TRACE(c.file);
        const Project block = loadProject(std::filesystem::path(LAYERLOOM_EXAMPLES_DIR) / ".." / "blocks" / c.file);
        EXPECT_FALSE(block.name.empty());
        EXPECT_FALSE(block.description.empty());
        ASSERT_EQ(block.graph.groups().size(), 1u);
        ModelGraph g;
        const NodeId in = test::input(g, c.input);
        const std::vector<NodeId> added = pasteFragment(g, block.graph, {0, 120});
        EXPECT_EQ(feedFreeInputs(g, in, added), c.wires);
        EXPECT_EQ(feedFreeInputs(g, in, added), 0);  // nothing left to feed
        const Validation v = validate(g);
        EXPECT_FALSE(v.hasErrors()) << (v.diagnostics.empty() ? "" : v.diagnostics.front().message);
        for (NodeId id : added) {
            const Node& n = *g.node(id);
            if (n.kind == "MultiHeadAttention") {
                EXPECT_EQ(g.inputEdges(id).size(), 2u);  // no key
            }
        }
    }
}

TEST(Example, AutoencoderShapesAreKeras) {
    const Project p = example("lstm_autoencoder.loom");
    const Validation v = validate(p.graph);
    auto shape = [&](const char* name) {
        return test::shapeOf(p.graph, v, p.graph.nodeByName(name)->id);
    };
    EXPECT_EQ(shape("lstm_3"), "(None, 20)");
    EXPECT_EQ(shape("repeat_vector_1"), "(None, 32, 20)");
    EXPECT_EQ(shape("time_distributed_1"), "(None, 32, 1)");
}

TEST(Example, SkipConcatenationsPutTheDecoderFirst) {
    const Project p = example("lstm_autoencoder_skips.loom");
    const Validation v = validate(p.graph);
    const Node* c1 = p.graph.nodeByName("concatenate_1");
    ASSERT_NE(c1, nullptr);
    auto inputs = p.graph.inputEdges(c1->id);
    ASSERT_EQ(inputs.size(), 2u);
    EXPECT_EQ(p.graph.node(inputs[0]->from.node)->name, "lstm_4");
    EXPECT_EQ(p.graph.node(inputs[1]->from.node)->name, "lstm_2");
    EXPECT_EQ(test::shapeOf(p.graph, v, c1->id), "(None, 32, 276)");
}

TEST(Example, BrokenSkipsExplainBothMismatchesAndTheFixesRepairThem) {
    Project p = example("broken_skips_add.loom");
    Validation v = validate(p.graph);
    auto found = test::find(v, DiagCode::MergeShapeMismatch);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(v.count(Severity::Error), 2u);
    EXPECT_NE(found[0]->message.find("(None, 32, 20) from lstm_4"), std::string::npos);
    EXPECT_NE(found[0]->message.find("(None, 32, 256) from lstm_2"), std::string::npos);
    EXPECT_NE(found[1]->message.find("(None, 32, 256) from lstm_5"), std::string::npos);
    EXPECT_NE(found[1]->message.find("(None, 32, 512) from lstm_1"), std::string::npos);

    // Projecting both narrower branches gives the valid Add variant's parameter count.
    while (!(found = test::find(v, DiagCode::MergeShapeMismatch)).empty()) {
        applyEdit(p.graph, found.front()->fixes.front().edit);
        v = validate(p.graph);
    }
    EXPECT_TRUE(v.diagnostics.empty());
    EXPECT_EQ(v.totalParams, 4627553);
}

// The odd-length U-Net: one error, the time mismatch with its story, and either fix makes a
// valid model: cropping the skip gives 24 steps out, padding the decoder all 25 (what an
// autoencoder of 25 steps needs).
TEST(Example, TheOddLengthUNetIsExplainedAndEitherFixRepairsIt) {
    for (std::size_t fix = 0; fix < 2; ++fix) {
        Project p = example("broken_conv1d_unet_odd.loom");
        const Validation v = validate(p.graph);
        EXPECT_EQ(v.count(Severity::Error), 1u);
        const auto found = test::find(v, DiagCode::MergeTimeMismatch);
        ASSERT_EQ(found.size(), 1u);
        EXPECT_NE(found[0]->message.find("max_pooling1d_1 floors 25 / 2 to 12, max_pooling1d_2 floors 12 / 2 to 6, "
                                         "up_sampling1d_1 doubles 6 to 12, up_sampling1d_2 doubles 12 to 24"),
                  std::string::npos)
            << found[0]->message;
        ASSERT_EQ(found[0]->fixes.size(), 2u);
        applyEdit(p.graph, found[0]->fixes[fix].edit);
        EXPECT_TRUE(validate(p.graph).diagnostics.empty());
        Plan<float> plan = Plan<float>::compile(p.graph, 2);
        EXPECT_EQ(plan.dims(plan.outputs().front()), (Dims{fix == 0 ? 24 : 25, 1}));
    }
}

// The Training panel's defaults (Keras's Adam at 1e-3, batch 32, 20 epochs, z-scored data,
// the last 20% validating) train every shipped autoencoder on sunspots without the loss
// rising or turning NaN. At full size this is measured by hand (docs/TRAINING_DEFAULTS.md);
// here each model keeps its shape with fewer units, so that the test runs in seconds.
TEST(Example, ShippedAutoencodersTrainStablyOnSunspotsWithTheDefaults) {
    for (const char* file :
         {"lstm_autoencoder.loom", "lstm_autoencoder_skips.loom", "lstm_autoencoder_skips_add.loom", "conv1d_unet.loom",
          "bilstm_autoencoder.loom"}) {
        SCOPED_TRACE(file);
        Project p = example(file);
        GraphEdit shrink;
        for (const Node& n : p.graph.nodes()) {
            if (!n.params.contains("units")) continue;
            const std::int64_t u = n.param<std::int64_t>("units");
            shrink.ops.push_back(edit::SetParam{n.id, "units", u >= 64 ? u / 32 : u >= 16 ? std::int64_t{4} : u});
        }
        applyEdit(p.graph, shrink);
        const Validation v = validate(p.graph);
        ASSERT_TRUE(v.diagnostics.empty()) << v.diagnostics.front().message;
        SessionSetup setup;
        setup.graph = p.graph;
        setup.config = trainConfigFromJson(p.training);
        setup.data = dataSpecFromJson(p.training.value("data", nlohmann::json::object()));
        setup.data.source = std::string(LAYERLOOM_SAMPLE_DATA_DIR) + "/sunspots.csv";
        setup.threads = 1;
        ASSERT_EQ(setup.config.epochs, 20);
        TrainingSession session(std::move(setup));
        session.prepare();
        TrainingControl control;
        const TrainResult r = session.run(control, nullptr);
        ASSERT_EQ(r.history.size(), 20u) << r.message;
        const double first = r.history.front().loss;
        for (const EpochReport& e : r.history) {
            EXPECT_TRUE(std::isfinite(e.loss) && std::isfinite(e.valLoss)) << "epoch " << e.epoch;
            EXPECT_LE(e.loss, first * 1.05) << "epoch " << e.epoch;
        }
        EXPECT_LT(r.history.back().loss, first);
    }
}

// Every keras.io template trains 2 epochs on its own data recipe (fewer units and samples,
// the same layers, losses and data) and exports to Keras code, a .keras file that Keras 3
// would load, and a TF.js folder that TF.js can load whole where it has the layers.
TEST(Example, KerasTemplatesTrainOnTheirOwnDataAndExport) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / "layerloom_keras_templates";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    for (const char* file : {"keras_addition_rnn.loom", "keras_bidirectional_lstm_imdb.loom",
                             "keras_timeseries_classification.loom", "keras_timeseries_anomaly_detection.loom",
                             "keras_lstm_text_generation.loom", "keras_timeseries_weather_forecasting.loom",
                             "keras_eeg_signal_classification.loom", "keras_timeseries_transformer_classification.loom",
                             "keras_text_classification_with_transformer.loom",
                             "keras_event_classification_for_payment_card_fraud_detection.loom", "keras_lstm_seq2seq.loom"}) {
        SCOPED_TRACE(file);
        Project p = example(file);
        EXPECT_TRUE(p.description.starts_with("keras.io example ")) << p.description;
        GraphEdit shrink;
        for (const Node& n : p.graph.nodes()) {
            for (const char* key : {"units", "filters", "output_dim", "key_dim", "embedding_dim"}) {
                if (!n.params.contains(key) || n.param<std::int64_t>(key) < 16) continue;
                // The output layer keeps its size: the data decides it.
                if (key == std::string("units") && p.graph.outputEdges(n.id).empty()) continue;
                shrink.ops.push_back(edit::SetParam{n.id, key, std::int64_t{4}});
            }
        }
        applyEdit(p.graph, shrink);
        const Validation v = validate(p.graph);
        ASSERT_TRUE(v.diagnostics.empty()) << v.diagnostics.front().message;
        SessionSetup setup;
        setup.graph = p.graph;
        setup.config = trainConfigFromJson(p.training);
        setup.config.epochs = 2;
        setup.data = dataSpecFromJson(p.training.value("data", nlohmann::json::object()));
        setup.data.syntheticSteps = 96;
        setup.data.stride = 16;
        setup.sampleFolder = std::filesystem::path(LAYERLOOM_SAMPLE_DATA_DIR);
        setup.threads = 1;
        TrainingSession session(std::move(setup));
        session.prepare();
        TrainingControl control;
        const TrainResult r = session.run(control, nullptr);
        ASSERT_EQ(r.history.size(), 2u) << r.message;
        for (const EpochReport& e : r.history) EXPECT_TRUE(std::isfinite(e.loss) && std::isfinite(e.valLoss));

        const std::string stem = std::filesystem::path(file).stem().string();
        ModelExportRequest request;
        request.project = p;
        request.weights = session.weights();
        // What TF.js has no layer for, the TF.js export refuses before writing, naming it and
        // the formats that hold the model.
        std::string tfjsRefusal;
        if (stem == "keras_timeseries_anomaly_detection") tfjsRefusal = "TF.js has no Conv1DTranspose";
        if (stem == "keras_timeseries_transformer_classification") tfjsRefusal = "TF.js has no MultiHeadAttention";
        if (stem == "keras_lstm_seq2seq") tfjsRefusal = "passes its states to another layer";
        if (stem == "keras_text_classification_with_transformer") tfjsRefusal = "TF.js has no TokenAndPositionEmbedding";
        for (const auto& [format, target] : {std::pair{ModelFormat::KerasCode, dir / (stem + ".py")},
                                             std::pair{ModelFormat::KerasFile, dir / (stem + ".keras")},
                                             std::pair{ModelFormat::Onnx, dir / (stem + ".onnx")},
                                             std::pair{ModelFormat::Layers, dir / stem}}) {
            request.format = format;
            request.target = target;
            if (format == ModelFormat::Layers && !tfjsRefusal.empty()) {
                try {
                    exportModel(request);
                    ADD_FAILURE() << stem << ": the TF.js export was written";
                } catch (const PlanError& e) {
                    const std::string why = e.what();
                    EXPECT_NE(why.find(tfjsRefusal), std::string::npos) << why;
                    EXPECT_NE(why.find("It can go to a Keras model file (.keras or .h5), ONNX or the PyTorch module instead."),
                              std::string::npos) << why;
                }
                EXPECT_FALSE(std::filesystem::exists(target)) << target;
                continue;
            }
            const ModelExportResult exported = exportModel(request);
            EXPECT_FALSE(exported.files.empty());
            for (const auto& f : exported.files) EXPECT_TRUE(std::filesystem::exists(f)) << f;
        }
        const std::string check = std::string(LAYERLOOM_PYTHON) + " " + LAYERLOOM_TEST_DATA_DIR +
                                  "/keras_files/check_keras3_archive.py " + (dir / (stem + ".keras")).string() + " > /dev/null";
        EXPECT_EQ(std::system(check.c_str()), 0) << check;
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace loom
