// The numerics at every instruction-set level this processor runs (engine/isa): the same
// Keras outputs, and the same training steps, as the portable x86-64-v2 code.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/isa/cpu_dispatch.h"
#include "engine/loss.h"
#include "engine/optimizer.h"
#include "engine/plan.h"
#include "interop/keras_model.h"
#include "worst_difference.h"

namespace loom {
namespace {

const std::string kFixtures = LAYERLOOM_TEST_DATA_DIR "/keras_fixtures";

/// Restores the level chosen at start-up when a test ends.
class IsaLevels : public ::testing::Test {
protected:
    std::string m_startLevel = isa::active().level;
    void TearDown() override { ASSERT_TRUE(isa::select(m_startLevel)); }
};

/// Five Adam steps on the skip autoencoder fixture; returns each step's loss.
std::vector<double> trainFiveSteps() {
    const KerasImport model = importKerasModel(kFixtures + "/skip_autoencoder/model.json");
    std::vector<std::int64_t> inShape;
    const std::vector<float> input = readJsonArray(kFixtures + "/skip_autoencoder/input.json", inShape);
    const int batch = static_cast<int>(inShape[0]);
    Plan<float> plan = Plan<float>::compile(model.project.graph, batch);
    plan.loadWeights(model.weights);
    Optimizer adam(*OptimizerConfig::defaultsFor("adam"));
    const std::int64_t cols = plan.dims(plan.outputs()[0]).back();
    const std::int64_t rows = static_cast<std::int64_t>(input.size()) / cols;
    std::vector<float> grad(input.size());
    std::vector<double> losses;
    for (int step = 0; step < 5; ++step) {
        const float* inputs[] = {input.data()};
        plan.forward(inputs, batch, true);
        losses.push_back(computeLoss(Loss::MeanSquaredError, plan.output(0), input.data(), rows,
                                     cols, grad.data()));
        plan.zeroGrad();
        const float* dOut[] = {grad.data()};
        plan.backward(dOut);
        adam.step(plan);
    }
    return losses;
}

TEST_F(IsaLevels, TheStartLevelIsTheHighestThisProcessorRuns) {
    const auto levels = isa::supportedLevels();
    ASSERT_FALSE(levels.empty());
    if (std::getenv("LAYERLOOM_ISA") == nullptr) {
        EXPECT_EQ(m_startLevel, levels.back());
    }
#ifdef LAYERLOOM_ISA_DISPATCH
    // The portable build: its baseline runs everywhere, and the levels come lowest first.
    EXPECT_EQ(levels.front(), "x86-64-v2");
    EXPECT_TRUE(std::is_sorted(levels.begin(), levels.end()));
#else
    EXPECT_EQ(levels.size(), 1u);
#endif
    EXPECT_FALSE(isa::select("x86-64-v9"));
    EXPECT_EQ(std::string(isa::active().level), m_startLevel);
}

TEST_F(IsaLevels, EveryLevelGivesKerasOutputs) {
    for (const std::string& level : isa::supportedLevels()) {
        ASSERT_TRUE(isa::select(level));
        for (const char* fixture : {"seq_autoencoder_small", "skip_autoencoder"}) {
            const std::string dir = kFixtures + "/" + fixture;
            const KerasImport model = importKerasModel(dir + "/model.json");
            std::vector<std::int64_t> inShape, outShape;
            const std::vector<float> x = readJsonArray(dir + "/input.json", inShape);
            const std::vector<float> expected = readJsonArray(dir + "/expected.json", outShape);
            const int batch = static_cast<int>(inShape[0]);
            Plan<float> plan = Plan<float>::compile(model.project.graph, batch);
            plan.loadWeights(model.weights);
            const float* inputs[] = {x.data()};
            plan.forward(inputs, batch);
            double worst = 0;
            for (std::size_t i = 0; i < expected.size(); ++i) {
                worst = test::worseOf(worst, double(plan.output(0)[i]), expected[i]);
            }
            EXPECT_LT(worst, 1e-4) << level << " " << fixture;
        }
    }
}

TEST_F(IsaLevels, EveryLevelTrainsLikeThePortableCode) {
    const auto levels = isa::supportedLevels();
    ASSERT_TRUE(isa::select(levels.front()));
    const std::vector<double> reference = trainFiveSteps();
    ASSERT_LT(reference.back(), reference.front());  // the steps do learn something
    for (const std::string& level : levels) {
        ASSERT_TRUE(isa::select(level));
        const std::vector<double> losses = trainFiveSteps();
        ASSERT_EQ(losses.size(), reference.size());
        for (std::size_t k = 0; k < losses.size(); ++k) {
            EXPECT_NEAR(losses[k], reference[k], 1e-5 * reference[k]) << level << " step " << k;
        }
    }
}

}  // namespace
}  // namespace loom
