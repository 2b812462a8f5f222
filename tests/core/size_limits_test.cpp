// Sizes from outside (Input shapes, weight shapes in projects and weights files) are bounded,
// so that no product of them overflows and nothing huge is allocated on a file's word.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/test_graphs.h"
#include "engine/plan.h"
#include "engine/weights_file.h"
#include "graph/project_file.h"
#include "layers/layer_spec.h"
#include "shape/validator.h"

namespace fs = std::filesystem;

namespace loom {
namespace {

using namespace test;

TEST(SizeLimits, AnInputFarBeyondAnySequenceIsAnError) {
    ModelGraph g;
    const NodeId in = input(g, {std::int64_t{1} << 62, 4});
    lstm(g, 8, false, in);
    const Validation v = validate(g);
    ASSERT_TRUE(v.hasErrors());
    const auto bad = test::find(v, DiagCode::InvalidParam);
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_NE(bad[0]->message.find("the time length must be at most 16777216"), std::string::npos)
        << bad[0]->message;

    ModelGraph wide;
    input(wide, {8, kMaxFeatures + 1});
    EXPECT_EQ(test::find(validate(wide), DiagCode::InvalidParam).size(), 1u);
    ModelGraph fine;
    input(fine, {kMaxSteps, kMaxFeatures});
    EXPECT_TRUE(test::find(validate(fine), DiagCode::InvalidParam).empty());
}

TEST(SizeLimits, ValueCountNeverOverflows) {
    EXPECT_EQ(valueCount({32, 256}), 8192u);
    EXPECT_EQ(valueCount({std::int64_t{1} << 62, 4}), std::nullopt);
    EXPECT_EQ(valueCount({65536, 65536, 2}), std::nullopt);
    EXPECT_EQ(valueCount({0, 4}), std::nullopt);
    EXPECT_EQ(valueCount({-1}), std::nullopt);
}

TEST(SizeLimits, ProjectWeightsWithAnImpossibleShapeAreRefused) {
    const std::string text =
        R"({"format": "layerloom-project", "version": 2, "graph": {"nodes": []}, "weights": )"
        R"({"encoding": "float32-le-base64", "tensors": [{"name": "lstm_1/kernel", "shape": [4611686018427387904, 4], "data": ""}]}})";
    try {
        parseProject(text, "huge.loom");
        FAIL();
    } catch (const ProjectError& e) {
        EXPECT_NE(std::string(e.what()).find("holds more values than any weight"), std::string::npos)
            << e.what();
        EXPECT_EQ(e.pointer(), "/weights/tensors/0/shape");
    }
}

TEST(SizeLimits, AWeightsFileClaimingMoreThanItHoldsIsRefused) {
    const fs::path file = fs::temp_directory_path() / "layerloom_huge.llw";
    for (const char* shape : {"[4611686018427387904, 4]", "[1000, 1000]"}) {
        const std::string header = std::string(R"({"format":"layerloom-weights","version":1,"tensors":[)") +
                                   R"({"name":"d/kernel","shape":)" + shape + R"(,"offset":0}]})";
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        const auto len = static_cast<std::uint32_t>(header.size());
        out.write("LLWEIGHT", 8);
        out.write(reinterpret_cast<const char*>(&len), 4);
        out << header << std::string(64, '\0');
        out.close();
        try {
            loadWeights(file);
            FAIL() << shape;
        } catch (const std::runtime_error& e) {
            const std::string m = e.what();
            EXPECT_TRUE(m.find("which no weight has") != std::string::npos ||
                        m.find("the file is cut short in d/kernel") != std::string::npos)
                << shape << ": " << m;
        }
    }
    fs::remove(file);
}

}  // namespace
}  // namespace loom

namespace loom {
namespace {

using namespace test;

TEST(MemoryNeed, CountsParametersGradientsAndMoments) {
    ModelGraph g;
    const NodeId in = input(g, {32, 1});
    const NodeId enc = lstm(g, 16, false, in);
    const Validation v = validate(g);
    const MemoryNeed need = trainingMemory(g, 8);
    // Values, gradients and Adam's two moments of float32 parameters.
    EXPECT_EQ(need.parameterBytes, 16.0L * static_cast<long double>(v.of(g, enc).params));
    EXPECT_GT(need.activationBytes, 0.0L);
    EXPECT_GT(trainingMemory(g, 64).activationBytes, need.activationBytes);
    EXPECT_EQ(memoryProblem(g, 8), "");
    EXPECT_EQ(byteText(512), "512 bytes");
    EXPECT_EQ(byteText(3.2e9L), "3.2 GB");
    EXPECT_EQ(byteText(4.7e12L), "4,700 GB");
}

TEST(MemoryNeed, AModelBeyondThisMachineIsRefusedWithTheNumbers) {
    // The 279-billion-parameter model of a mutated project: valid shapes, impossible to hold.
    ModelGraph g;
    const NodeId in = input(g, {32, kMaxFeatures});
    lstm(g, 65536, false, in);
    EXPECT_FALSE(validate(g).hasErrors());
    const std::string problem = memoryProblem(g, 32);
    EXPECT_NE(problem.find("Training this model with batches of 32 needs about 4,"), std::string::npos) << problem;
    EXPECT_NE(problem.find("for the parameters"), std::string::npos) << problem;
    EXPECT_NE(problem.find("more than this machine's"), std::string::npos) << problem;
    try {
        Plan<float>::compile(g, 1);
        FAIL() << "a plan beyond memory was allocated";
    } catch (const PlanError& e) {
        EXPECT_NE(std::string(e.what()).find("Running this model with batches of 1 needs about"), std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace loom
