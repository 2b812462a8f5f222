// layerloom-cli end to end: the real executable, its exit codes and its output.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <functional>
#include <iterator>
#include <set>
#include <string>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "version.h"

#include "cli/cli_helpers.h"
#include "worst_difference.h"

namespace {

using namespace loom::test;

TEST(Cli, SummaryPrintsTheKerasTable) {
    const Result r = run("summary " + example("lstm_autoencoder.loom"));
    EXPECT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, " lstm_1 (LSTM)")) << r.out;
    EXPECT_TRUE(has(r.out, "(None, 32, 512)")) << r.out;
    EXPECT_TRUE(has(r.out, "Total params: 3,724,641")) << r.out;
}

TEST(CliDiagram, WritesDotWithShapesAndWires) {
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_cli_diagram";
    std::filesystem::create_directories(dir);
    const auto dot = dir / "skips.dot";
    const Result r = run("diagram " + example("lstm_autoencoder_skips.loom") + " " + dot.string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "11 layers")) << r.out;
    const std::string text = readFile(dot);
    EXPECT_TRUE(has(text, "digraph")) << text;
    EXPECT_TRUE(has(text, "<b>concatenate_1</b> : Concatenate")) << text;
    EXPECT_TRUE(has(text, "[(None, 32, 20), (None, 32, 256)]")) << text;
    EXPECT_TRUE(has(text, "n3 -> n7;")) << text;  // the skip from lstm_2
}

TEST(CliDiagram, RefusesUnknownFormatsAndBrokenFiles) {
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_cli_diagram";
    std::filesystem::create_directories(dir);
    Result r = run("diagram " + example("lstm_autoencoder.loom") + " " + (dir / "x.jpg").string());
    EXPECT_EQ(r.exitCode, 2) << r.out;
    EXPECT_TRUE(has(r.out, ".svg, .png, .pdf or .dot")) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir / "x.jpg"));
    const auto broken = dir / "broken.loom";
    std::ofstream(broken) << "{ \"format\": \"layerloom-project\", ";
    r = run("diagram " + broken.string() + " " + (dir / "b.dot").string());
    EXPECT_EQ(r.exitCode, 2) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir / "b.dot"));
    r = run("diagram " + example("lstm_autoencoder.loom"));
    EXPECT_EQ(r.exitCode, 64) << r.out;
}

TEST(CliDiagram, NeverReplacesAFolderOrAPipeWithAFile) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / "layerloom_cli_not_a_file";
    fs::remove_all(dir);
    fs::create_directories(dir / "folder.dot");
    ASSERT_EQ(::mkfifo((dir / "pipe").c_str(), 0600), 0);
    fs::create_symlink(dir / "pipe", dir / "link.dot");
    std::vector<std::pair<std::string, std::string>> cases = {{"folder.dot", ": it is a folder"},
                                                              {"link.dot", ": it is not a regular file"}};
#ifdef LAYERLOOM_CLI_DRAWS
    // Pictures go through Qt's QSaveFile, which is checked the same way.
    fs::create_directories(dir / "folder.svg");
    fs::create_symlink(dir / "pipe", dir / "link.png");
    cases.insert(cases.end(), {{"folder.svg", ": it is a folder"}, {"link.png", ": it is not a regular file"}});
#endif
    for (const auto& [name, why] : cases) {
        const Result r = run("diagram " + example("lstm_autoencoder.loom") + " " + (dir / name).string());
        EXPECT_EQ(r.exitCode, 2) << name << ": " << r.out;
        EXPECT_TRUE(has(r.out, why)) << r.out;
    }
    EXPECT_TRUE(fs::is_directory(dir / "folder.dot"));
    EXPECT_TRUE(fs::is_fifo(dir / "pipe"));
    EXPECT_TRUE(fs::is_symlink(dir / "link.dot"));
    // The Keras code, and Keras files, whose HDF5 and zip writers rename into place too.
    fs::create_symlink(dir / "pipe", dir / "link.keras");
    fs::create_directories(dir / "folder.h5");
    for (const auto& [target, to] : std::vector<std::pair<std::string, std::string>>{
             {"pipe", "keras"}, {"link.keras", "keras-file"}, {"folder.h5", "keras-file"}}) {
        const Result r = run("export " + example("lstm_autoencoder.loom") + " " + (dir / target).string() + " --to " + to);
        EXPECT_EQ(r.exitCode, 2) << target << ": " << r.out;
        EXPECT_TRUE(has(r.out, "cannot write " + (dir / target).string() + ": it is")) << r.out;
    }
    EXPECT_TRUE(fs::is_fifo(dir / "pipe"));
    EXPECT_TRUE(fs::is_directory(dir / "folder.h5"));
    fs::remove_all(dir);
}

TEST(CliExport, TfjsFolderPredictsLikeTheOriginal) {
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_cli_export";
    std::filesystem::remove_all(dir);
    const std::string fixture = std::string(LAYERLOOM_TEST_DATA_DIR) + "/keras_fixtures/skip_autoencoder";
    Result r = run("export " + fixture + "/model.json " + (dir / "tfjs").string() + " --to tfjs");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "20 weight tensors")) << r.out;
    const auto y = dir / "y.json";
    r = run("predict " + (dir / "tfjs" / "model.json").string() + " --input " + fixture +
            "/input.json --out " + y.string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    const auto got = flatJson(readFile(y));
    const auto want = flatJson(readFile(fixture + "/expected.json"));
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-4);
}

TEST(CliExport, KerasCodeCompilesInPython) {
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_cli_export_keras";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    for (const char* model : {"lstm_autoencoder_skips.loom", "residual_lstm_classifier.loom"}) {
        const auto py = dir / (std::string(model) + ".py");
        Result r = run("export " + example(model) + " " + py.string() + " --to keras");
        ASSERT_EQ(r.exitCode, 0) << r.out;
        const std::string code = readFile(py);
        EXPECT_TRUE(has(code, "keras.Model(inputs=input_1")) << code;
        // Python itself checks the syntax (Debian's python3, in the test package list).
        const std::string check = std::string(LAYERLOOM_PYTHON) + " -m py_compile " + py.string() + " 2>&1";
        EXPECT_EQ(std::system(check.c_str()), 0) << code;
    }
    const auto seq = dir / "seq.py";
    Result r = run("export " + example("lstm_autoencoder.loom") + " " + seq.string() + " --to keras --sequential");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(readFile(seq), "keras.Sequential([")) << readFile(seq);
}


// The exported PyTorch module runs under Debian's python3-torch and predicts what LayerLoom
// predicts: Keras's reference outputs for the fixtures, LayerLoom's own for a model with both
// GRU conventions, a selu Keras-style LSTM cell, hard_sigmoid, a merge and softmax. Its
// training loop trains.
TEST(CliExport, PytorchModulePredictsWhatLayerLoomPredicts) {
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_cli_export_torch";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string fixtures = std::string(LAYERLOOM_TEST_DATA_DIR) + "/keras_fixtures/";
    for (const char* name : {"skip_autoencoder", "seq_autoencoder_small"}) {
        const auto out = dir / name;
        Result r = run("export " + fixtures + name + "/model.json " + out.string() + " --to pytorch");
        ASSERT_EQ(r.exitCode, 0) << r.out;
        const std::string python = std::string(LAYERLOOM_PYTHON) + " " + (out / "model.py").string() + " " + fixtures + name +
                                   "/input.json " + (out / "y.json").string() + " 2>&1";
        ASSERT_EQ(std::system(python.c_str()), 0) << python;
        const auto got = flatJson(readFile(out / "y.json"));
        const auto want = flatJson(readFile(fixtures + name + "/expected.json"));
        ASSERT_EQ(got.size(), want.size()) << name;
        for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-4) << name;
    }

    // The generated training loop runs and lowers the loss of the reference autoencoder.
    {
        const auto folder = dir / "skip_autoencoder";
        const std::string script = "import sys, json, torch\n"
                                   "sys.path.insert(0, sys.argv[1])\n"
                                   "import model as exported\n"
                                   "m = exported.load_weights(exported.Model())\n"
                                   "x = torch.tensor(json.load(open(sys.argv[2])), dtype=torch.float32)\n"
                                   "loss = lambda: torch.nn.functional.mse_loss(m(x), x).item()\n"
                                   "before = loss()\n"
                                   "exported.train(m, x, x, epochs=3, batch_size=2)\n"
                                   "sys.exit(0 if loss() < before else 1)\n";
        std::ofstream(dir / "train_check.py") << script;
        const std::string python = std::string(LAYERLOOM_PYTHON) + " " + (dir / "train_check.py").string() +
                                   " " + folder.string() + " " + fixtures + "skip_autoencoder/input.json 2>&1";
        EXPECT_EQ(std::system(python.c_str()), 0) << python;
    }

    const std::string mix = std::string(LAYERLOOM_TEST_DATA_DIR) + "/interop_mix.loom";
    // Weights from Keras's initialisers, shared by both sides through the TF.js export.
    Result r = run("export " + mix + " " + (dir / "mix.h5").string() + " --to keras-file --seed 5");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    r = run("export " + (dir / "mix.h5").string() + " " + (dir / "mix").string() +
            " --to pytorch");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    std::ofstream input(dir / "x.json");
    input << "[";
    for (int b = 0; b < 3; ++b) {
        input << (b ? "," : "") << "[";
        for (int t = 0; t < 6; ++t) {
            input << (t ? "," : "") << "[";
            for (int f = 0; f < 3; ++f) input << (f ? "," : "") << std::sin(0.7 * b + 0.3 * t + 1.1 * f) * 2.0;
            input << "]";
        }
        input << "]";
    }
    input << "]";
    input.close();
    r = run("predict " + (dir / "mix.h5").string() + " --input " +
            (dir / "x.json").string() + " --out " + (dir / "loom.json").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    const std::string python = std::string(LAYERLOOM_PYTHON) + " " + (dir / "mix" / "model.py").string() + " " +
                               (dir / "x.json").string() + " " + (dir / "torch.json").string() + " 2>&1";
    ASSERT_EQ(std::system(python.c_str()), 0) << python;
    const auto loom = flatJson(readFile(dir / "loom.json"));
    const auto torch = flatJson(readFile(dir / "torch.json"));
    ASSERT_EQ(loom.size(), 6u);
    ASSERT_EQ(torch.size(), loom.size());
    for (std::size_t i = 0; i < loom.size(); ++i) EXPECT_NEAR(torch[i], loom[i], 1e-4) << i;
}

/// `batch` sequences of `steps` steps of `features` features, as a JSON array: smooth values of
/// both signs, different in every sample, step and feature.
std::string sequencesJson(int batch, int steps, int features) {
    std::ostringstream text;
    text << "[";
    for (int b = 0; b < batch; ++b) {
        text << (b ? ",[" : "[");
        for (int t = 0; t < steps; ++t) {
            text << (t ? ",[" : "[");
            for (int f = 0; f < features; ++f) text << (f ? "," : "") << std::sin(0.9 * b + 0.37 * t + 1.3 * f) * 2.0;
            text << "]";
        }
        text << "]";
    }
    text << "]";
    return text.str();
}

/// The PyTorch module exported from `model` (its weights drawn with `seed`, through the TF.js
/// export, which both sides then read) predicts what LayerLoom predicts for `x`, within 1e-4;
/// `count` values in all.
/// With `kerasFile` (model.keras or model.h5), the weights travel through that Keras file
/// instead of the TF.js export (for models TF.js cannot load, which its export refuses).
/// `weights` is "--seed N" or "--run DIR"; `x` is the inputs as a JSON array, or the path of
/// an .npz archive with an array per Input (which the caller keeps outside `dir`).
void expectTorchPredictsAsLayerLoom(const std::string& model, const std::filesystem::path& dir,
                                    const std::string& weights, const std::string& x, std::size_t count,
                                    const std::string& kerasFile = "") {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::filesystem::path exported = kerasFile.empty() ? dir / "keras" / "model.json" : dir / kerasFile;
    Result r = run("export " + model + " " + (kerasFile.empty() ? (dir / "keras").string() : exported.string()) +
                   (kerasFile.empty() ? " --to tfjs " : " --to keras-file ") + weights);
    ASSERT_EQ(r.exitCode, 0) << r.out;
    r = run("export " + exported.string() + " " + (dir / "torch").string() + " --to pytorch");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    std::filesystem::path input = x;
    if (!x.ends_with(".npz")) {
        input = dir / "x.json";
        std::ofstream(input) << x;
    }
    r = run("predict " + exported.string() + " --input " + input.string() + " --out " + (dir / "loom.json").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    const std::string python = std::string(LAYERLOOM_PYTHON) + " " + (dir / "torch" / "model.py").string() + " " +
                               input.string() + " " + (dir / "torch.json").string() + " 2>&1";
    ASSERT_EQ(std::system(python.c_str()), 0) << python;
    const auto loom = flatJson(readFile(dir / "loom.json"));
    const auto torch = flatJson(readFile(dir / "torch.json"));
    ASSERT_EQ(loom.size(), count);
    ASSERT_EQ(torch.size(), loom.size());
    for (std::size_t i = 0; i < loom.size(); ++i) EXPECT_NEAR(torch[i], loom[i], 1e-4) << model << " [" << i << "]";
}

// The convolution kinds in PyTorch, computed with PyTorch's own operations (conv1d, max_pool1d,
// avg_pool1d, repeat_interleave, pad, slicing), predict what LayerLoom predicts: Conv1D with
// every padding including causal, strides and dilation; both poolings; up-sampling by 2 and 3;
// zero padding and cropping. TF.js has no UpSampling1D, ZeroPadding1D, Cropping1D or causal
// Conv1D, so this is their independent check.
TEST(CliExport, PytorchModuleComputesTheConvolutionKindsAsLayerLoomDoes) {
    expectTorchPredictsAsLayerLoom(std::string(LAYERLOOM_TEST_DATA_DIR) + "/interop_conv.loom",
                                   std::filesystem::temp_directory_path() / "layerloom_cli_export_conv", "--seed 3",
                                   sequencesJson(2, 25, 2), 2u * 15u * 2u, "model.keras");
}

// Conv1DTranspose in PyTorch, computed with PyTorch's conv_transpose1d and Keras's cropping,
// predicts what LayerLoom predicts: same with output_padding, dilation, valid with a kernel
// shorter than its strides.
TEST(CliExport, PytorchModuleComputesConv1DTransposeAsLayerLoomDoes) {
    expectTorchPredictsAsLayerLoom(std::string(LAYERLOOM_TEST_DATA_DIR) + "/interop_conv_transpose.loom",
                                   std::filesystem::temp_directory_path() / "layerloom_cli_export_conv_transpose", "--seed 6",
                                   sequencesJson(3, 6, 3), 3u * 33u * 2u, "model.keras");
}

// MultiHeadAttention in PyTorch (einsum over Keras's weight layout) predicts what LayerLoom
// predicts: self-attention under a residual Add, then causal cross-attention with a separate
// key, value_dim, output_shape and no biases, and a GlobalAveragePooling1D over the features. The weights travel through a Keras 3 .keras file
// and a tf.keras 2 .h5 file, whose configs pass value, key and use_causal_mask to the call.
TEST(CliExport, PytorchModuleComputesMultiHeadAttentionAsLayerLoomDoes) {
    for (const char* file : {"model.keras", "model.h5"}) {
        SCOPED_TRACE(file);
        expectTorchPredictsAsLayerLoom(std::string(LAYERLOOM_TEST_DATA_DIR) + "/interop_attention.loom",
                                       std::filesystem::temp_directory_path() / "layerloom_cli_export_attention", "--seed 8",
                                       sequencesJson(3, 6, 4), 3u * 6u, file);
    }
}

// keras_hub's TokenAndPositionEmbedding (with its untied reverse table) and PositionEmbedding
// travel through a Keras 3 .keras file, with their registered names and weights under
// token_embedding and position_embedding, and the PyTorch module made from it predicts what
// LayerLoom predicts. tf.keras 2's .h5 has no keras_hub: that export is refused by name.
TEST(CliExport, PositionEmbeddingsTravelThroughAKerasFileToPyTorch) {
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_cli_export_positions";
    const std::string model = std::string(LAYERLOOM_TEST_DATA_DIR) + "/interop_positions.loom";
    expectTorchPredictsAsLayerLoom(model, dir, "--seed 7", "[[0,29,3,3,17,8,1],[5,6,7,8,9,10,11]]", 2u * 2u, "model.keras");
    const Result r = run("export " + model + " " + (dir / "model.h5").string() + " --to keras-file");
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.out.find("token_and_position is a TokenAndPositionEmbedding of keras_hub, which tf.keras 2"), std::string::npos)
        << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir / "model.h5"));
}

// Token ids of a free length in PyTorch: the Embedding's rows picked by torch's embedding,
// then a convolution and a Bidirectional LSTM, predict what LayerLoom predicts; an id outside
// the table is refused by name, sample and step, and nothing is written.
TEST(CliExport, PytorchModuleLooksUpTokenIdsAsLayerLoomDoes) {
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_cli_export_embedding";
    expectTorchPredictsAsLayerLoom(std::string(LAYERLOOM_TEST_DATA_DIR) + "/interop_embedding.loom", dir, "--seed 5",
                                   "[[0,29,3,3,17,8,1],[5,6,7,8,9,10,11]]", 2u * 2u);
    std::ofstream(dir / "bad.json") << "[[0,1,2],[3,30,5]]";
    const Result r = run("predict " + (dir / "keras" / "model.json").string() + " --input " + (dir / "bad.json").string() +
                         " --out " + (dir / "bad_out.json").string());
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.out.find("sample 2 of the input data holds 30 at step 2, but embedding has input_dim 30"), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir / "bad_out.json"));
}

/// Writes an .npz archive at `path` with an array per entry of `arrays` (name and shape),
/// holding smooth values of both signs, through Debian's NumPy; those named in `masks` hold
/// 0s and 1s instead, about one in three 0.
void writeSequencesNpz(const std::filesystem::path& path,
                       const std::vector<std::pair<std::string, std::vector<int>>>& arrays,
                       const std::set<std::string>& masks = {}) {
    std::string code = "import numpy as np; a = {}\n";
    for (const auto& [name, shape] : arrays) {
        std::string dims;
        for (int d : shape) dims += std::to_string(d) + ",";
        code += "n = np.prod((" + dims + "))\n";
        code += "a['" + name + "'] = (np.sin(0.37 * np.arange(n) + len(a)) * 2.0).reshape((" + dims + ")).astype('<f4')\n";
        if (masks.contains(name)) code += "a['" + name + "'] = (a['" + name + "'] > -1.0).astype('<f4')\n";
    }
    code += "np.savez('" + path.string() + "', **a)\n";
    const std::filesystem::path script = path.string() + ".py";
    std::ofstream(script) << code;
    const std::string python = std::string(LAYERLOOM_PYTHON) + " " + script.string() + " 2>&1";
    ASSERT_EQ(std::system(python.c_str()), 0) << code;
}

// keras.io's lstm_seq2seq training model, trained an epoch on the copy task, then written as
// a Keras 3 file and as Keras code: the PyTorch module made from the file, its two Inputs read
// from an .npz archive, predicts what LayerLoom predicts from that file (the encoder's h and c
// starting the decoder), and the Keras code passes the same states as initial_state.
TEST(CliExport, Seq2seqStatesTravelToKerasAndPyTorchAndPredictTheSame) {
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_cli_export_seq2seq";
    const auto work = std::filesystem::temp_directory_path() / "layerloom_cli_export_seq2seq_run";
    std::filesystem::remove_all(work);
    std::filesystem::create_directories(work);
    const std::string model = example("keras_lstm_seq2seq.loom");
    Result r = run("train " + model + " --steps 400 --epochs 1 --seed 3 --quiet --out " + (work / "run").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    writeSequencesNpz(work / "x.npz", {{"encoder_inputs", {3, 8, 10}}, {"decoder_inputs", {3, 9, 12}}});
    expectTorchPredictsAsLayerLoom(model, dir, "--run " + (work / "run").string(), (work / "x.npz").string(),
                                   3u * 9u * 12u, "model.keras");
    // Its training loop takes a list of inputs, in the order of INPUTS, and lowers the loss.
    const std::string script = "import sys, torch\n"
                               "sys.path.insert(0, sys.argv[1])\n"
                               "import model as exported\n"
                               "assert exported.INPUTS == ['encoder_inputs', 'decoder_inputs'], exported.INPUTS\n"
                               "torch.manual_seed(0)\n"
                               "m = exported.load_weights(exported.Model())\n"
                               "x = [torch.randn(16, 8, 10), torch.randn(16, 9, 12)]\n"
                               "y = torch.nn.functional.one_hot(torch.arange(16 * 9) % 12, 12).float().reshape(16, 9, 12)\n"
                               "loss = lambda: -(y * m(*x).clamp(1e-7, 1.0).log()).sum(-1).mean().item()\n"
                               "before = loss()\n"
                               "exported.train(m, x, y, epochs=3, batch_size=8)\n"
                               "sys.exit(0 if loss() < before else 1)\n";
    std::ofstream(work / "train_check.py") << script;
    const std::string trains = std::string(LAYERLOOM_PYTHON) + " " + (work / "train_check.py").string() + " " +
                               (dir / "torch").string() + " 2>&1";
    EXPECT_EQ(std::system(trains.c_str()), 0) << trains;
    const auto code = work / "seq2seq.py";
    r = run("export " + model + " " + code.string() + " --to keras");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(readFile(code), "encoder, encoder_h, encoder_c = layers.LSTM(")) << readFile(code);
    EXPECT_TRUE(has(readFile(code), "(decoder_inputs, initial_state=[encoder_h, encoder_c])")) << readFile(code);
    const std::string check = std::string(LAYERLOOM_PYTHON) + " -m py_compile " + code.string() + " 2>&1";
    EXPECT_EQ(std::system(check.c_str()), 0) << readFile(code);
    std::filesystem::remove_all(work);
}

// Every recurrent kind's states in PyTorch: a GRU reading backwards starts a SimpleRNN, whose h
// starts a GRU with reset_after off; an LSTM reading backwards starts an LSTM with its h and c.
// The weights travel through a Keras 3 and a tf.keras 2 file.
TEST(CliExport, PytorchModuleCarriesEveryRecurrentKindsStatesAsLayerLoomDoes) {
    const auto work = std::filesystem::temp_directory_path() / "layerloom_cli_export_states_x";
    std::filesystem::remove_all(work);
    std::filesystem::create_directories(work);
    writeSequencesNpz(work / "x.npz", {{"source", {3, 5, 3}}, {"target", {3, 4, 2}}});
    for (const char* file : {"model.keras", "model.h5"}) {
        SCOPED_TRACE(file);
        expectTorchPredictsAsLayerLoom(std::string(LAYERLOOM_TEST_DATA_DIR) + "/interop_states.loom",
                                       std::filesystem::temp_directory_path() / "layerloom_cli_export_states", "--seed 9",
                                       (work / "x.npz").string(), 3u * 4u * 2u, file);
    }
    std::filesystem::remove_all(work);
}

// Attention scores (return_attention_scores) leave the model beside its output through a Keras 3
// and a tf.keras 2 file: predict gives them by name, and the PyTorch module made from the file
// gives the same.
TEST(CliExport, AttentionScoresComeOutOfPredictAndThePytorchModule) {
    const std::string model = std::string(LAYERLOOM_TEST_DATA_DIR) + "/interop_attention_scores.loom";
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_cli_attention_scores";
    for (const char* file : {"model.keras", "model.h5"}) {
        SCOPED_TRACE(file);
        // The pooled output (3 x 6), self_attention's scores (3 x 2 x 6 x 6), causal_attention's (3 x 3 x 6 x 6).
        expectTorchPredictsAsLayerLoom(model, dir, "--seed 8", sequencesJson(3, 6, 4), 18u + 216u + 324u, file);
    }
    const auto predicted = nlohmann::json::parse(readFile(dir / "loom.json"));
    EXPECT_EQ(predicted["self_attention_scores"].size(), 3u);
    EXPECT_EQ(predicted["self_attention_scores"][0].size(), 2u);
    EXPECT_EQ(predicted["causal_attention_scores"][0][0][0].size(), 6u);
    // Causal: a query step reads no later value step (the masked weight is exp(-1e9) of a
    // float, which a vectorised exp may leave at the smallest floats rather than 0).
    EXPECT_LT(predicted["causal_attention_scores"][1][2][0][1].get<double>(), 1e-30);
    EXPECT_GT(predicted["causal_attention_scores"][1][2][1][0].get<double>(), 1e-3);
    std::filesystem::remove_all(dir);
}

// Attention masks in PyTorch: a cross-attention reading its mask with the key's port free, and
// a causal self-attention with a key and a mask, predict what LayerLoom predicts, the weights
// through a Keras 3 and a tf.keras 2 file; the Keras code passes each mask by name.
TEST(CliExport, PytorchModuleAppliesAttentionMasksAsLayerLoomDoes) {
    const auto work = std::filesystem::temp_directory_path() / "layerloom_cli_export_attention_mask_x";
    std::filesystem::remove_all(work);
    std::filesystem::create_directories(work);
    writeSequencesNpz(work / "x.npz",
                      {{"tokens", {3, 5, 4}}, {"memory", {3, 6, 3}}, {"pairs", {3, 5, 6}}, {"causal_pairs", {3, 5, 5}}},
                      {"pairs", "causal_pairs"});
    const std::string model = std::string(LAYERLOOM_TEST_DATA_DIR) + "/interop_attention_mask.loom";
    for (const char* file : {"model.keras", "model.h5"}) {
        SCOPED_TRACE(file);
        expectTorchPredictsAsLayerLoom(model, std::filesystem::temp_directory_path() / "layerloom_cli_export_attention_mask",
                                       "--seed 2", (work / "x.npz").string(), 3u * 5u * 2u, file);
    }
    const auto code = work / "model.py";
    const Result r = run("export " + model + " " + code.string() + " --to keras");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(readFile(code), "(tokens, memory, attention_mask=pairs)")) << readFile(code);
    EXPECT_TRUE(has(readFile(code), "(cross_attention, cross_attention, tokens, attention_mask=causal_pairs, use_causal_mask=True)"))
        << readFile(code);
    std::filesystem::remove_all(work);
}

// Shared layers in PyTorch: one module called at each place (Siamese LSTM encoders, one Dense
// twice in a row) predicts what LayerLoom predicts, the weights through a Keras 3 and a tf.keras
// 2 file; Keras code makes each shared layer once and calls it at each place.
TEST(CliExport, PytorchModuleCallsSharedLayersAsLayerLoomDoes) {
    const auto work = std::filesystem::temp_directory_path() / "layerloom_cli_export_shared_x";
    std::filesystem::remove_all(work);
    std::filesystem::create_directories(work);
    writeSequencesNpz(work / "x.npz", {{"left", {3, 6, 3}}, {"right", {3, 6, 3}}});
    const std::string model = std::string(LAYERLOOM_TEST_DATA_DIR) + "/interop_shared.loom";
    for (const char* file : {"model.keras", "model.h5"}) {
        SCOPED_TRACE(file);
        expectTorchPredictsAsLayerLoom(model, std::filesystem::temp_directory_path() / "layerloom_cli_export_shared",
                                       "--seed 5", (work / "x.npz").string(), 3u * 2u, file);
    }
    const std::string torch = readFile(std::filesystem::temp_directory_path() / "layerloom_cli_export_shared" / "torch" / "model.py");
    EXPECT_TRUE(has(torch, "encoder_call_2 = self.encoder(right)")) << torch;
    EXPECT_FALSE(has(torch, "self.encoder_call_2 =")) << torch;
    const auto code = work / "model.py";
    const Result r = run("export " + model + " " + code.string() + " --to keras");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(readFile(code), "\nencoder_layer = layers.LSTM(")) << readFile(code);
    EXPECT_TRUE(has(readFile(code), "encoder_call_2 = encoder_layer(right)")) << readFile(code);
    EXPECT_TRUE(has(readFile(code), "mix_call_2 = mix_layer(mix)")) << readFile(code);
    const std::string check = std::string(LAYERLOOM_PYTHON) + " -m py_compile " + code.string() + " 2>&1";
    EXPECT_EQ(std::system(check.c_str()), 0) << readFile(code);
    std::filesystem::remove_all(work);
}

// The activation layers and activations in PyTorch predict what LayerLoom predicts, with what
// TF.js cannot compute (ReLU's slope and threshold, ELU's alpha, a softmax over time, leaky_relu
// and hard_silu): this is their independent check.
TEST(CliExport, PytorchModuleComputesTheActivationLayersAsLayerLoomDoes) {
    expectTorchPredictsAsLayerLoom(std::string(LAYERLOOM_TEST_DATA_DIR) + "/interop_activations.loom",
                                   std::filesystem::temp_directory_path() / "layerloom_cli_export_activations", "--seed 4",
                                   sequencesJson(3, 6, 3), 3u * 6u * 13u, "model.keras");
}

// Bidirectional around each recurrent kind and merge_mode, SimpleRNN, both normalizations (with
// moving statistics an epoch of training moved), the element-wise merges Subtract included, and
// the reshaping kinds, in the exported PyTorch module, predict what LayerLoom predicts. TF.js
// checks the same kinds except Subtract and GRU's reset_after=True, which it lacks.
TEST(CliExport, PytorchModuleComputesTheRecurrentNormalizationAndMergeKindsAsLayerLoomDoes) {
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_cli_export_layers";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string model = std::string(LAYERLOOM_TEST_DATA_DIR) + "/interop_layers.loom";
    Result r = run("train " + model + " --data synthetic:sines --steps 400 --epochs 1 --seed 4 --quiet --out " +
                   (dir / "run").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    r = run("export " + model + " " + (dir / "torch").string() + " --to pytorch --run " + (dir / "run").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    std::ofstream input(dir / "x.json");
    input << "[";
    for (int b = 0; b < 3; ++b) {
        input << (b ? "," : "") << "[";
        for (int t = 0; t < 12; ++t) input << (t ? "," : "") << "[" << std::sin(0.8 * b + 0.45 * t) + 0.05 * t << "]";
        input << "]";
    }
    input << "]";
    input.close();
    // The weights alone: --run would also scale the inputs as the training data were scaled.
    r = run("predict " + model + " --weights " + (dir / "run" / "weights.llw").string() + " --input " +
            (dir / "x.json").string() + " --out " + (dir / "loom.json").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    const std::string python = std::string(LAYERLOOM_PYTHON) + " " + (dir / "torch" / "model.py").string() + " " +
                               (dir / "x.json").string() + " " + (dir / "torch.json").string() + " 2>&1";
    ASSERT_EQ(std::system(python.c_str()), 0) << python;
    const auto loom = flatJson(readFile(dir / "loom.json"));
    const auto torch = flatJson(readFile(dir / "torch.json"));
    ASSERT_EQ(loom.size(), 3u * 12u);
    ASSERT_EQ(torch.size(), loom.size());
    for (std::size_t i = 0; i < loom.size(); ++i) EXPECT_NEAR(torch[i], loom[i], 1e-4) << i;
}

TEST(CliExport, ExplainsWhatItCannotExport) {
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_cli_export_bad";
    std::filesystem::remove_all(dir);
    Result r = run("export " + example("broken_skips_add.loom") + " " + dir.string() + " --to tfjs");
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "2 error(s)")) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir / "model.json"));
    r = run("export " + example("lstm_autoencoder.loom") + " " + dir.string() + " --to caffe");
    EXPECT_EQ(r.exitCode, 64) << r.out;
    EXPECT_TRUE(has(r.out, "--to keras|keras-file|onnx|pytorch|pytorch-job|tfjs")) << r.out;
    // ONNX: a file named .onnx, and opsets 13 to 17 only.
    r = run("export " + example("lstm_autoencoder.loom") + " " + dir.string() + " --to onnx");
    EXPECT_EQ(r.exitCode, 64) << r.out;
    EXPECT_TRUE(has(r.out, "--to onnx writes OUT.onnx")) << r.out;
    r = run("export " + example("lstm_autoencoder.loom") + " " + (dir / "m.onnx").string() + " --to onnx --opset 18");
    EXPECT_EQ(r.exitCode, 64) << r.out;
    EXPECT_TRUE(has(r.out, "LayerLoom writes ONNX opsets 13 to 17")) << r.out;
    r = run("export " + example("lstm_autoencoder.loom") + " " + (dir / "m.onnx").string() + " --to onnx --opset 12");
    EXPECT_EQ(r.exitCode, 64) << r.out;
    r = run("export " + example("lstm_autoencoder.loom") + " " + dir.string() + " --to tfjs --opset 13");
    EXPECT_EQ(r.exitCode, 64) << r.out;
    EXPECT_TRUE(has(r.out, "--opset goes with --to onnx")) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir));
    // A format that cannot hold the model refuses before writing and names those that can: TF.js
    // has no UpSampling1D, which the U-Net uses.
    r = run("export " + example("conv1d_unet.loom") + " " + dir.string() + " --to tfjs");
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "TF.js cannot load this model:\n  ")) << r.out;
    EXPECT_TRUE(has(r.out, "TF.js has no UpSampling1D")) << r.out;
    EXPECT_TRUE(has(r.out, "It can go to a Keras model file (.keras or .h5), ONNX or the PyTorch module instead.")) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir));
    std::filesystem::create_directories(dir);
    r = run("export " + example("conv1d_unet.loom") + " " + (dir / "unet.onnx").string() + " --to onnx --opset 13");
    EXPECT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "(ONNX opset 13, ")) << r.out;
    EXPECT_GT(std::filesystem::file_size(dir / "unet.onnx"), 1000u);
    std::filesystem::remove_all(dir);
    r = run("export " + example("residual_lstm_classifier.loom") + " " + dir.string() +
            " --to tfjs --weights " + std::string(LAYERLOOM_TEST_DATA_DIR) + "/x_f4.npy");
    EXPECT_EQ(r.exitCode, 2) << r.out;
    // Without trained weights it says it starts from new ones.
    r = run("export " + example("residual_lstm_classifier.loom") + " " + dir.string() + " --to tfjs --seed 3");
    EXPECT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "new ones")) << r.out;
    EXPECT_TRUE(std::filesystem::exists(dir / "weights.bin"));
}

// The PyTorch job's training is checked with torch itself in tests/pytorch_job/check.sh; these
// are the ways its export can go wrong.
TEST(CliExport, TrainingJobRefusesWhatCannotBecomeAJob) {
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_cli_export_job";
    std::filesystem::remove_all(dir);
    const std::string model = std::string(LAYERLOOM_TEST_DATA_DIR) + "/job_autoencoder.loom";
    // A project that names no data trains on the default sample series, as in the window.
    Result r = run("export " + model + " " + dir.string() + " --to pytorch-job --epochs 2");
    EXPECT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(readFile(dir / "job.json"), "sample:sunspots.csv")) << r.out;
    std::filesystem::remove_all(dir);
    // Data options belong to the job only.
    r = run("export " + model + " " + dir.string() + " --to pytorch --epochs 3");
    EXPECT_EQ(r.exitCode, 64) << r.out;
    EXPECT_TRUE(has(r.out, "--epochs goes with --to pytorch-job")) << r.out;
    r = run("export " + model + " " + dir.string() + " --to pytorch-job --data sample:sunspots.csv --shuffle maybe");
    EXPECT_EQ(r.exitCode, 64) << r.out;
    EXPECT_TRUE(has(r.out, "--shuffle takes on or off")) << r.out;
    // A model with errors, and data that does not fit the model.
    r = run("export " + example("broken_skips_add.loom") + " " + dir.string() + " --to pytorch-job --data sample:sunspots.csv");
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir / "job.json"));
    r = run("export " + example("residual_lstm_classifier.loom") + " " + dir.string() +
            " --to pytorch-job --data sample:sunspots.csv");
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "the model's Input takes 8 features per step")) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir / "job.json"));
    // A metric the model's output cannot give, refused before anything is written, as train does.
    nlohmann::json project = nlohmann::json::parse(readFile(model));
    project["training"]["metrics"] = {"mae", "categorical_accuracy"};
    const auto badMetric = std::filesystem::temp_directory_path() / "layerloom_cli_bad_metric.loom";
    { std::ofstream(badMetric) << project.dump(); }
    for (const std::string& command : {"export " + badMetric.string() + " " + dir.string() + " --to pytorch-job --data sample:sunspots.csv",
                                      "train " + badMetric.string() + " --data sample:sunspots.csv --epochs 1 --quiet"}) {
        r = run(command);
        EXPECT_EQ(r.exitCode, 1) << command << "\n" << r.out;
        EXPECT_TRUE(has(r.out, "the metric categorical_accuracy needs one-hot targets")) << r.out;
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "job.json"));
    // A folder holding other files is not overwritten.
    std::filesystem::create_directories(dir);
    { std::ofstream(dir / "notes.txt") << "mine"; }
    r = run("export " + model + " " + dir.string() + " --to pytorch-job --data sample:sunspots.csv --epochs 2");
    EXPECT_EQ(r.exitCode, 2) << r.out;
    EXPECT_TRUE(has(r.out, "holds other files")) << r.out;
    EXPECT_EQ(readFile(dir / "notes.txt"), "mine");
    // A new folder, then the same again (an earlier job's folder is replaced).
    std::filesystem::remove_all(dir);
    for (int round = 0; round < 2; ++round) {
        r = run("export " + model + " " + dir.string() + " --to pytorch-job --data sample:sunspots.csv --epochs 2 --shuffle off");
        ASSERT_EQ(r.exitCode, 0) << r.out;
    }
    EXPECT_TRUE(has(r.out, "216 training and 31 validation samples")) << r.out;
    for (const char* f : {"model.py", "weights.bin", "weights.json", "data.py", "train.py", "metrics.py", "torchrun.py", "job.json",
                          "README.md", "data/train_series.npy", "data/train_starts.npy", "data/validation_starts.npy"}) {
        EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
    }
    const std::string job = readFile(dir / "job.json");
    EXPECT_TRUE(has(job, "\"shuffle\": false")) << job.substr(0, 400);
    EXPECT_TRUE(has(job, "\"module\": \"lstm_1.kernel\"")) << job.substr(0, 400);
    EXPECT_TRUE(has(readFile(dir / "README.md"), "torchrun --standalone --nproc_per_node=N train.py"));
}

#ifdef LAYERLOOM_CLI_DRAWS
TEST(CliDiagram, DrawsSvgPngAndPdfWithoutADisplay) {
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_cli_diagram";
    std::filesystem::create_directories(dir);
    const std::string model = example("broken_skips_add.loom");
    for (const char* ext : {"svg", "png", "pdf"}) {
        const auto out = dir / (std::string("broken.") + ext);
        std::filesystem::remove(out);
        const Result r = run("diagram " + model + " " + out.string() + " --scale 1");
        ASSERT_EQ(r.exitCode, 0) << r.out;
        EXPECT_TRUE(has(r.out, "error(s): those layers are red")) << r.out;
        const std::string bytes = readFile(out);
        ASSERT_GT(bytes.size(), 2000u) << ext;
        if (std::string(ext) == "svg") {
            for (const char* text : {"add_1", "lstm_6", "input:", "output:", "(None, 32, 256)"}) {
                EXPECT_TRUE(has(bytes, text)) << text;
            }
            EXPECT_TRUE(has(bytes, "#d03030")) << "layers with errors are red";
        } else if (std::string(ext) == "png") {
            EXPECT_EQ(bytes.substr(1, 3), "PNG");
        } else {
            EXPECT_EQ(bytes.substr(0, 4), "%PDF");
        }
    }
}
#endif

TEST(Cli, SummaryJson) {
    const Result r = run("summary --json " + example("residual_lstm_classifier.loom"));
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_TRUE(has(r.out, "\"total_params\": 1173506")) << r.out;
    EXPECT_TRUE(has(r.out, "\"valid\": true")) << r.out;
}

TEST(Cli, ValidateAcceptsAValidModel) {
    const Result r = run("validate " + example("lstm_autoencoder_skips.loom"));
    EXPECT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "valid, 11 layers, 5,035,361 parameters")) << r.out;
}

TEST(Cli, ValidateExplainsTheBrokenSkipsCompilerStyle) {
    const std::string file = example("broken_skips_add.loom");
    const Result r = run("validate " + file);
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, file + ": add_1: error [merge-shape-mismatch]: ")) << r.out;
    EXPECT_TRUE(has(r.out, file + ": add_2: error [merge-shape-mismatch]: ")) << r.out;
    EXPECT_TRUE(has(r.out, "  fix: Insert a TimeDistributed(Dense(256)) projection after lstm_4"))
        << r.out;
    EXPECT_TRUE(has(r.out, "  fix: Change add_2 to Concatenate")) << r.out;
    EXPECT_TRUE(has(r.out, "2 error(s), 0 warning(s)")) << r.out;
}

TEST(Cli, ValidateSaysWhenTheModelNoLongerDoesTheProjectsTask) {
    const fs::path dir = freshDir("ll_cli_task");
    fs::create_directories(dir);
    nlohmann::json project = nlohmann::json::parse(readFile(example("machine_forecast.loom")));
    project["training"]["data"]["horizon"] = 12;  // the model's output has 24 steps
    const std::string file = (dir / "twelve.loom").string();
    std::ofstream(file) << project.dump();
    Result r = run("validate " + file);
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, file + ": forecast: error [task-mismatch]: The task is to forecast the next 12 steps of 1 "
                           "feature, but the model's output has 24 steps (None, 24, 1).")) << r.out;
    EXPECT_TRUE(has(r.out, "  fix: Change the task: forecast the next 24 steps instead of forecasting the next 12 steps")) << r.out;
    // Training refuses it in the same words.
    r = run("train " + file + " --epochs 1");
    EXPECT_NE(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "the task is to forecast the next 12 steps of 1 feature")) << r.out;
    r = run("validate " + example("machine_forecast.loom"));
    EXPECT_EQ(r.exitCode, 0) << r.out;
}

TEST(Cli, ValidateJson) {
    const Result r = run("validate --json " + example("broken_skips_add.loom"));
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(has(r.out, "\"valid\": false")) << r.out;
    EXPECT_TRUE(has(r.out, "\"code\": \"merge-shape-mismatch\"")) << r.out;
    EXPECT_TRUE(has(r.out, "\"lstm_6\": \"(None, 32, 512)\"")) << r.out;
}

TEST(Cli, UnreadableInputExitsTwoAndSaysWhere) {
    const auto dir = std::filesystem::temp_directory_path();
    const auto bad = dir / "layerloom_cli_bad.loom";
    std::ofstream(bad) << "{\"format\": \"layerloom-project\", \"version\": 1, \"graph\": {\"nodes\": "
                          "[{\"id\": 1, \"name\": \"lstm_1\", \"kind\": \"LSTM\", \"params\": "
                          "{\"units\": true}}]}}";
    Result r = run("validate " + bad.string());
    EXPECT_EQ(r.exitCode, 2) << r.out;
    EXPECT_TRUE(has(r.out, "layer 'lstm_1' at /graph/nodes/0/params/units")) << r.out;
    r = run("summary --json " + bad.string());
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_TRUE(has(r.out, "\"pointer\": \"/graph/nodes/0/params/units\"")) << r.out;
    EXPECT_EQ(run("validate " + (dir / "layerloom_no_such_file.loom").string()).exitCode, 2);
    std::filesystem::remove(bad);
}

TEST(Cli, UsageErrorsAndHelp) {
    Result r = run("--help");
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_TRUE(has(r.out, "Usage: layerloom-cli")) << r.out;
    r = run("");
    EXPECT_EQ(r.exitCode, 64);
    EXPECT_TRUE(has(r.out, "no command given")) << r.out;
    r = run("frobnicate x.loom");
    EXPECT_EQ(r.exitCode, 64);
    EXPECT_TRUE(has(r.out, "unknown command 'frobnicate'")) << r.out;
    r = run("validate");
    EXPECT_EQ(r.exitCode, 64);
    EXPECT_TRUE(has(r.out, "validate needs a MODEL")) << r.out;
    r = run("validate --jsn x.loom");
    EXPECT_EQ(r.exitCode, 64);
    EXPECT_TRUE(has(r.out, "unknown option '--jsn'")) << r.out;
}

}  // namespace

namespace {

namespace fs = std::filesystem;


TEST(CliTrain, TrainsEvaluatesAndPredictsOnRealData) {
    const fs::path dir = freshDir("layerloom_cli_train");
    const std::string nile = std::string(LAYERLOOM_SAMPLE_DATA_DIR) + "/nile.csv";
    Result r = run("train " + kFixture + "/model.json --data " + nile +
                   " --column volume --epochs 3 --batch-size 8 --seed 5 --quiet --out " + dir.string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "Trained 3 epochs.")) << r.out;
    EXPECT_EQ(lines(dir / "history.csv"), 4u);
    EXPECT_TRUE(fs::exists(dir / "weights.llw"));
    EXPECT_TRUE(fs::exists(dir / "run.json"));

    r = run("evaluate " + kFixture + "/model.json --run " + dir.string() + " --json");
    EXPECT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "\"loss_name\": \"mse\"")) << r.out;
    EXPECT_TRUE(has(r.out, "\"samples\": 93")) << r.out;  // 100 years, windows of 8
    // The run's settings, with what the command line gives on top: its data, every second window.
    r = run("evaluate " + kFixture + "/model.json --run " + dir.string() + " --stride 2 --json");
    EXPECT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "\"samples\": 47")) << r.out;
    // Without a run, the model names no data: --data alone reads that file's own columns.
    r = run("evaluate " + kFixture + "/model.json --weights " + (dir / "weights.llw").string() + " --data " +
            nile + " --json");
    EXPECT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "\"samples\": 93")) << r.out;
}

// The bidirectional LSTM on IMDB reads its token ids from a CSV column as well as from arrays:
// windows of ids, classified by the label of their last step; an id its Embedding lacks names
// its row.
TEST(CliTrain, ReadsTokenIdsFromACsvColumn) {
    const fs::path dir = freshDir("layerloom_cli_token_ids");
    fs::create_directories(dir);
    const fs::path csv = dir / "ids.csv";
    const auto write = [&](int badRow) {
        std::ofstream out(csv);
        out << "step,id,label\n";
        for (int i = 0; i < 300; ++i) {
            const int label = (i / 25) % 2;
            out << i << "," << (i == badRow ? 20000 : 1 + (i * 7) % 13 + 13 * label) << "," << label << "\n";
        }
    };
    write(-1);
    const std::string common = "train " + example("keras_bidirectional_lstm_imdb.loom") + " --data " + csv.string() +
                               " --column id --label label --window 20 --epochs 1 --batch-size 16 --quiet";
    Result r = run(common + " --out " + (dir / "run").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "Trained 1 epoch")) << r.out;
    EXPECT_EQ(lines(dir / "run" / "history.csv"), 2u);
    r = run("evaluate " + example("keras_bidirectional_lstm_imdb.loom") + " --run " + (dir / "run").string() + " --json");
    EXPECT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "\"samples\": 281")) << r.out;  // 300 steps, windows of 20
    write(42);
    r = run(common + " --out " + (dir / "bad").string());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "line 44 of column 'id' holds 20000, but embedding has input_dim 20000")) << r.out;
}

TEST(CliTrain, ReadsTheSampleSeriesTheAppStoresInProjects) {
    Result r = run("train " + kFixture + "/model.json --data sample:nile.csv --column volume "
                   "--epochs 1 --batch-size 8 --out " + freshDir("layerloom_cli_sample").string());
    EXPECT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "Trained 1 epoch.")) << r.out;
    // The name alone is enough.
    r = run("train " + kFixture + "/model.json --data sample:nile --column volume --epochs 1 "
            "--batch-size 8 --quiet --out " + freshDir("layerloom_cli_sample_name").string());
    EXPECT_EQ(r.exitCode, 0) << r.out;
    r = run("train " + kFixture + "/model.json --data sample:rainfall.csv --quiet --out " +
            freshDir("layerloom_cli_nosample").string());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "there is no sample series 'rainfall.csv'; LayerLoom ships "
                           "sunspots.csv, nile.csv, elec_equip.csv")) << r.out;
    // Only the shipped series are names: no path leads out of their folder.
    r = run("train " + kFixture + "/model.json --data sample:../examples/lstm_autoencoder.loom "
            "--quiet --out " + freshDir("layerloom_cli_sample_path").string());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "there is no sample series '../examples/lstm_autoencoder.loom'")) << r.out;
}

TEST(CliTrain, ThreadsHoldsTheRunToACountAndTheResultDoesNotDependOnIt) {
    const std::string nile = std::string(LAYERLOOM_SAMPLE_DATA_DIR) + "/nile.csv";
    const std::string train = "train " + kFixture + "/model.json --data " + nile +
                              " --column volume --epochs 2 --batch-size 8 --seed 5 --out ";
    const fs::path one = freshDir("layerloom_cli_threads_1"), two = freshDir("layerloom_cli_threads_2"),
                   any = freshDir("layerloom_cli_threads_any");
    Result r = run(train + one.string() + " --threads 1");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, ", loss mse, 1 thread\n")) << r.out;
    r = run(train + two.string() + " --threads 2");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, ", loss mse, 2 threads\n")) << r.out;
    r = run(train + any.string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, ", loss mse, up to ")) << r.out;
    // A run may change its count between batches (to fewer while other programs keep cores
    // busy): LayerLoom's kernels compute the same values on any count.
    const std::string weights = readFile(one / "weights.llw");
    EXPECT_FALSE(weights.empty());
    EXPECT_TRUE(readFile(two / "weights.llw") == weights);
    EXPECT_TRUE(readFile(any / "weights.llw") == weights);

    for (const char* wrong : {"0", "-2", "two", "5000"}) {
        r = run(train + freshDir("layerloom_cli_threads_wrong").string() + " --threads " + wrong);
        EXPECT_EQ(r.exitCode, 64) << wrong << ": " << r.out;
        EXPECT_TRUE(has(r.out, "--threads must be")) << r.out;
    }
}

TEST(CliTrain, FindsTheShippedFilesWhereLayerLoomDataDirSays) {
    // A folder whose nile.csv is not the shipped one: the run reads it only when told to.
    const fs::path dir = freshDir("layerloom_cli_data_dir");
    fs::create_directories(dir / "data");
    { std::ofstream(dir / "data" / "nile.csv") << "year,volume\n1871,1120\n1872,oops\n"; }
    const std::string train = "train " + kFixture + "/model.json --data sample:nile --column volume "
                              "--epochs 1 --quiet --out " + (dir / "run").string();
    Result r = run(train);
    EXPECT_EQ(r.exitCode, 0) << r.out;
    r = run(train, "LAYERLOOM_DATA_DIR=" + dir.string());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, (dir / "data" / "nile.csv").string())) << r.out;
}

TEST(CliValidate, ReportsABinaryFileAsJsonWithoutItsBytes) {
    const fs::path dir = freshDir("layerloom_cli_binary");
    fs::create_directories(dir);
    const fs::path file = dir / "x.loom";
    std::ofstream(file, std::ios::binary) << '\xff';
    const Result r = run("validate --json " + file.string());
    EXPECT_EQ(r.exitCode, 2) << r.out;
    EXPECT_TRUE(has(r.out, "x.loom:1:1: not valid JSON: unexpected '\\xFF'")) << r.out;
    EXPECT_FALSE(has(r.out, "\xff")) << r.out;
}

TEST(CliValidate, RefusesDeeplyNestedFilesCleanly) {
    const fs::path dir = freshDir("layerloom_cli_deep");
    fs::create_directories(dir);
    const fs::path file = dir / "deep.loom";
    std::ofstream(file) << R"({"format": "layerloom-project", "version": 2, "graph": {"nodes": []}, "runs": )"
                        << std::string(100000, '[') << std::string(100000, ']') << "}";
    const Result r = run("validate " + file.string());
    EXPECT_EQ(r.exitCode, 2) << r.out.substr(0, 500);
    EXPECT_TRUE(has(r.out, "deep.loom:1:")) << r.out.substr(0, 500);
    EXPECT_TRUE(has(r.out, "nested more than 128 levels deep")) << r.out.substr(0, 500);
}

TEST(CliValidate, AModelTooLargeForThisMachineIsAnErrorWithTheNumbers) {
    const fs::path dir = freshDir("layerloom_cli_huge");
    fs::create_directories(dir);
    nlohmann::json project = nlohmann::json::parse(readFile(example("lstm_autoencoder.loom")));
    for (auto& node : project["graph"]["nodes"]) {
        if (node["kind"] == "InputLayer") node["params"]["shape"] = {32, 1048576};
        if (node["name"] == "lstm_1") node["params"]["units"] = 65536;
    }
    std::ofstream(dir / "huge.loom") << project.dump();
    Result r = run("validate " + (dir / "huge.loom").string());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "error [model-too-large]: Training this model with batches of 32 needs about ")) << r.out;
    r = run("validate --json " + (dir / "huge.loom").string());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "\"model-too-large\"")) << r.out;
    r = run("train " + (dir / "huge.loom").string() + " --data synthetic:sines --out " + (dir / "run").string());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "more than this machine's")) << r.out;
    r = run("export " + (dir / "huge.loom").string() + " " + (dir / "m.json").string() + " --to tfjs");
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "Running this model with batches of 1 needs about")) << r.out;
    EXPECT_FALSE(has(r.out, "bad_alloc")) << r.out;
}

TEST(Cli, VersionIsTheProjectVersion) {
    const Result r = run("--version");
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_EQ(r.out, std::string("layerloom-cli ") + loom::kVersion + "\n");
}

TEST(CliEvaluate, ADamagedRunFolderIsAnErrorThatNamesIt) {
    const fs::path dir = freshDir("layerloom_cli_bad_run");
    Result r = run("train " + kFixture + "/model.json --data sample:nile.csv --column volume "
                   "--epochs 1 --batch-size 8 --quiet --out " + dir.string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    nlohmann::json info = nlohmann::json::parse(readFile(dir / "run.json"));
    info["run"]["training"]["normalizer"] = {{"kind", "zscore"}};
    std::ofstream(dir / "run.json") << info.dump();
    r = run("evaluate " + kFixture + "/model.json --run " + dir.string());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "run.json: /run/training/normalizer: the normalizer needs one shift and one scale "
                           "per feature; it has 0 shifts and 0 scales")) << r.out;
}

/// A float32 .npy file of zeros with `shape`, e.g. "(10, 4, 1)" holding `count` values.
void writeZerosNpy(const fs::path& file, const std::string& shape, std::size_t count) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::ofstream out(file, std::ios::binary);
    out << "\x93NUMPY" << '\x01' << '\x00' << static_cast<char>(header.size() & 0xFF)
        << static_cast<char>(header.size() >> 8) << header << std::string(count * 4, '\0');
}

TEST(CliEvaluate, SamplesOfAnotherShapeAreRefused) {
    const fs::path dir = freshDir("layerloom_cli_eval_shape");
    fs::create_directories(dir);
    writeZerosNpy(dir / "x.npy", "(10, 4, 1)", 40);  // the model's Input is (8, 1)
    const Result r = run("evaluate " + kFixture + "/model.json --data " + (dir / "x.npy").string());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "x.npy: the evaluation samples have shape (None, 4, 1), but the model's "
                           "Input takes (None, 8, 1)"))
        << r.out;
}

TEST(CliTrain, ExplainsDataThatDoesNotFitTheModel) {
    const std::string sunspots = std::string(LAYERLOOM_SAMPLE_DATA_DIR) + "/sunspots.csv";
    Result r = run("train " + example("residual_lstm_classifier.loom") + " --data " + sunspots +
                   " --quiet --out " + freshDir("layerloom_cli_misfit").string());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "the data has 1 feature ('SUNACTIVITY'), but the model's Input takes 8 "
                           "features per step"))
        << r.out;
    r = run("train " + example("lstm_autoencoder.loom") + " --data " +
            std::string(LAYERLOOM_SAMPLE_DATA_DIR) + "/elec_equip.csv --column DATE --quiet");
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "column 'DATE' holds dates")) << r.out;
    // A project that names no data trains on the default sample series, as in the window,
    // and says so.
    r = run("train " + example("lstm_autoencoder.loom") + " --epochs 1 --out " +
            freshDir("layerloom_cli_default_data").string());
    EXPECT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "no data chosen: training on sample:sunspots.csv (--data chooses other data)")) << r.out;
    r = run("train " + example("broken_skips_add.loom") + " --data synthetic:sines --quiet");
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "the model has errors")) << r.out;
}

TEST(CliPredict, ReproducesTheKerasReferenceOutputs) {
    const fs::path out = fs::temp_directory_path() / "layerloom_cli_predict.json";
    const Result r = run("predict " + kFixture + "/model.json --input " + kFixture +
                         "/input.json --out " + out.string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    std::ifstream got(out), want(kFixture + "/expected.json");
    const auto a = nlohmann::json::parse(got), b = nlohmann::json::parse(want);
    ASSERT_EQ(a.size(), b.size());
    double worst = 0;
    for (std::size_t s = 0; s < a.size(); ++s) {
        for (std::size_t t = 0; t < a[s].size(); ++t) {
            worst = loom::test::worseOf(worst, a[s][t][0].get<double>(), b[s][t][0].get<double>());
        }
    }
    EXPECT_LT(worst, 1e-4);
}

}  // namespace
