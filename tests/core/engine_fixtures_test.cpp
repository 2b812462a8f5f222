// Forward outputs equal the Keras-format reference models' within 1e-4: the gate order, matrix
// layouts, biases, activations and operand order all have to be Keras's for that.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/plan.h"
#include "interop/keras_model.h"
#include "worst_difference.h"

namespace loom {
namespace {

const std::string kFixtures = LAYERLOOM_TEST_DATA_DIR "/keras_fixtures";

class KerasFixture : public ::testing::TestWithParam<const char*> {};

template <class S>
void expectMatchesKeras(const std::string& dir) {
    const KerasImport model = importKerasModel(dir + "/model.json");
    std::vector<std::int64_t> inShape, outShape;
    const std::vector<float> input = readJsonArray(dir + "/input.json", inShape);
    const std::vector<float> expected = readJsonArray(dir + "/expected.json", outShape);
    const int batch = static_cast<int>(inShape[0]);

    Plan<S> plan = Plan<S>::compile(model.project.graph, batch);
    plan.loadWeights(model.weights);
    std::vector<S> x(input.begin(), input.end());
    const S* inputs[] = {x.data()};
    plan.forward(inputs, batch);

    ASSERT_EQ(plan.outputs().size(), 1u);
    std::int64_t count = batch;
    for (std::int64_t d : plan.dims(plan.outputs()[0])) count *= d;
    ASSERT_EQ(static_cast<std::int64_t>(expected.size()), count);
    ASSERT_GT(count, 0);
    const S* y = plan.output(0);
    double worst = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        worst = test::worseOf(worst, static_cast<double>(y[i]), expected[i]);
    }
    EXPECT_LT(worst, 1e-4) << dir;
}

TEST_P(KerasFixture, FloatForwardMatchesKeras) { expectMatchesKeras<float>(kFixtures + "/" + GetParam()); }
TEST_P(KerasFixture, DoubleForwardMatchesKeras) { expectMatchesKeras<double>(kFixtures + "/" + GetParam()); }

INSTANTIATE_TEST_SUITE_P(Fixtures, KerasFixture,
                         ::testing::Values("seq_autoencoder_small", "skip_autoencoder"));

TEST(KerasImport, ReadsTheFunctionalTopologyInOperandOrder) {
    const KerasImport m = importKerasModel(kFixtures + "/skip_autoencoder/model.json");
    const ModelGraph& g = m.project.graph;
    EXPECT_EQ(g.nodes().size(), 11u);
    const Node* concat = g.nodeByName("concatenate");
    ASSERT_NE(concat, nullptr);
    auto in = g.inputEdges(concat->id);
    ASSERT_EQ(in.size(), 2u);
    EXPECT_EQ(g.node(in[0]->from.node)->name, "dec_1");
    EXPECT_EQ(g.node(in[1]->from.node)->name, "enc_2");
    EXPECT_EQ(m.weights.size(), 20u);
    EXPECT_EQ(m.weights.back().name, "time_distributed/bias");
}

TEST(KerasImport, SequentialGetsAnInputLayer) {
    const KerasImport m = importKerasModel(kFixtures + "/seq_autoencoder_small/model.json");
    const ModelGraph& g = m.project.graph;
    EXPECT_EQ(g.nodes().front().kind, "InputLayer");
    EXPECT_EQ(g.nodes().front().param<Dims>("shape"), (Dims{8, 1}));
    EXPECT_EQ(g.nodes().size(), 9u);
}

TEST(Plan, RefusesWeightsOfTheWrongShapeNamingTheLayer) {
    KerasImport m = importKerasModel(kFixtures + "/skip_autoencoder/model.json");
    Plan<float> plan = Plan<float>::compile(m.project.graph, 2);
    for (NamedTensor& t : m.weights) {
        if (t.name == "dec_2/kernel") t.shape = {4, 32};
    }
    try {
        plan.loadWeights(m.weights);
        FAIL();
    } catch (const PlanError& e) {
        EXPECT_NE(std::string(e.what()).find("dec_2/kernel have shape (4, 32), but layer dec_2 "
                                             "needs (12, 32)"),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace loom
