// layerloom-cli takes Keras's own model files (.keras, .h5) as MODEL in every command.
#include <gtest/gtest.h>

#include <string>

#include "cli/cli_helpers.h"

namespace {

using namespace loom::test;

const std::string kFiles = std::string(LAYERLOOM_TEST_DATA_DIR) + "/keras_files";
const std::string kReference = std::string(LAYERLOOM_TEST_DATA_DIR) + "/keras_fixtures/skip_autoencoder";

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
        const fs::path y = dir / "y.json";
        r = run("predict " + model + " --input " + kReference + "/input.json --out " + y.string());
        ASSERT_EQ(r.exitCode, 0) << name << ": " << r.out;
        const auto got = flatJson(readFile(y));
        const auto want = flatJson(readFile(kReference + "/expected.json"));
        ASSERT_EQ(got.size(), want.size());
        for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-4) << name;

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

TEST(CliKerasFiles, ADamagedFileExitsTwoAndSaysWhere) {
    const Result r = run("summary " + kFiles + "/broken/wrong_shape.keras");
    EXPECT_EQ(r.exitCode, 2) << r.out;
    EXPECT_TRUE(has(r.out, "wrong_shape.keras: model.weights.h5: /layers/lstm/cell/vars/0: weight 'enc_1/kernel' has shape (1, 60)")) << r.out;
}

}  // namespace
