// layerloom-cli takes Keras's own model files (.keras, .h5) as MODEL in every command.
#include <gtest/gtest.h>

#include <string>

#include "cli/cli_helpers.h"

namespace {

using namespace loom::test;

const std::string kFiles = std::string(LAYERLOOM_TEST_DATA_DIR) + "/keras_files";
const std::string kReference = std::string(LAYERLOOM_TEST_DATA_DIR) + "/keras_fixtures/skip_autoencoder";

/// `model`'s weights predict the reference's outputs (written to `y`).
void expectPredictsTheReference(const std::string& model, const fs::path& y) {
    const Result r = run("predict " + model + " --input " + kReference + "/input.json --out " + y.string());
    ASSERT_EQ(r.exitCode, 0) << model << ": " << r.out;
    const auto got = flatJson(readFile(y));
    const auto want = flatJson(readFile(kReference + "/expected.json"));
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-4) << model;
}

TEST(CliKerasFiles, EveryCommandTakesThem) {
    for (const char* name : {"skip_autoencoder.keras", "skip_autoencoder_keras2.h5", "skip_autoencoder_keras3.h5"}) {
        const std::string model = kFiles + "/" + name;
        Result r = run("summary " + model);
        ASSERT_EQ(r.exitCode, 0) << r.out;
        EXPECT_TRUE(has(r.out, "Total params: 4,593")) << r.out;
        r = run("validate " + model);
        EXPECT_EQ(r.exitCode, 0) << r.out;

        // Its own weights predict the reference's outputs.
        const fs::path dir = freshDir("layerloom_cli_keras_files");
        fs::create_directories(dir);
        expectPredictsTheReference(model, dir / "y.json");

        // Training starts from them with the settings saved with the model, and says what the
        // import left out.
        const std::string nile = std::string(LAYERLOOM_SAMPLE_DATA_DIR) + "/nile.csv";
        r = run("train " + model + " --data " + nile + " --column volume --epochs 1 --out " + (dir / "run").string());
        ASSERT_EQ(r.exitCode, 0) << name << ": " << r.out;
        EXPECT_TRUE(has(r.out, "adam lr 0.002, loss mse")) << r.out;
        EXPECT_TRUE(has(r.out, "the optimizer's state is not imported; training starts its own")) << r.out;
        EXPECT_FALSE(has(r.out, "afresh")) << r.out;

        r = run("diagram " + model + " " + (dir / "m.dot").string());
        EXPECT_EQ(r.exitCode, 0) << r.out;
        r = run("export " + model + " " + (dir / "tfjs").string() + " --to tfjs");
        EXPECT_EQ(r.exitCode, 0) << r.out;
        EXPECT_TRUE(has(r.out, "20 weight tensors")) << r.out;
    }
}

// export --to keras-file writes either kind; what it writes predicts what the model it came from
// predicts, and opens in every command as Keras's own files do.
TEST(CliKerasFiles, ExportWritesThemWithTheirWeights) {
    const fs::path dir = freshDir("layerloom_cli_keras_export");
    fs::create_directories(dir);
    const std::string source = kFiles + "/skip_autoencoder_keras2.h5";
    for (const char* name : {"model.keras", "model.h5"}) {
        const fs::path file = dir / name;
        Result r = run("export " + source + " " + file.string() + " --to keras-file");
        ASSERT_EQ(r.exitCode, 0) << r.out;
        EXPECT_TRUE(has(r.out, "wrote " + file.string() + " (20 weight tensors)")) << r.out;
        expectPredictsTheReference(file.string(), dir / (std::string(name) + ".json"));
    }
    // A project's model, with new weights from a seed, into a name that is not a Keras file.
    const std::string project = std::string(LAYERLOOM_EXAMPLES_DIR) + "/lstm_autoencoder.loom";
    Result r = run("export " + project + " " + (dir / "seeded.keras").string() + " --to keras-file --seed 3");
    EXPECT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "exporting new ones (Keras's initialisers, seed 3)")) << r.out;
    r = run("export " + project + " " + (dir / "model.zip").string() + " --to keras-file");
    EXPECT_EQ(r.exitCode, 64) << r.out;
    EXPECT_TRUE(has(r.out, "--to keras-file writes OUT.keras (Keras 3) or OUT.h5 (tf.keras 2), not 'model.zip'")) << r.out;
    EXPECT_FALSE(fs::exists(dir / "model.zip"));
}

TEST(CliKerasFiles, ADamagedFileExitsTwoAndSaysWhere) {
    const Result r = run("summary " + kFiles + "/broken/wrong_shape.keras");
    EXPECT_EQ(r.exitCode, 2) << r.out;
    EXPECT_TRUE(has(r.out, "wrong_shape.keras: model.weights.h5: /layers/lstm/cell/vars/0: weight 'enc_1/kernel' has shape (1, 60)")) << r.out;
}

}  // namespace
