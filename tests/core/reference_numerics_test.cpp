// Layers TF.js cannot check (it has no Conv1DTranspose) against float64 NumPy references
// written from Keras's definitions (tests/data/references/).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "core/test_graphs.h"
#include "engine/plan.h"

namespace loom {
namespace {

namespace fs = std::filesystem;

/// One Conv1DTranspose on `steps` x 3 inputs, computed in float64 with random weights and
/// inputs: the case as the reference script reads it.
nlohmann::json conv1dTransposeCase(const std::string& name, std::int64_t steps, const ParamMap& params) {
    ModelGraph g;
    const NodeId in = test::input(g, {steps, 3});
    const NodeId layer = test::add(g, "Conv1DTranspose", params, {in});
    const int batch = 2;
    Plan<double> plan = Plan<double>::compile(g, batch);
    plan.initialize(11);
    std::mt19937_64 rng(5);
    std::normal_distribution<double> normal(0.0, 0.5);
    for (auto& p : plan.params()) {
        for (double& v : p.value) v += normal(rng);
    }
    std::vector<double> x(static_cast<std::size_t>(batch * steps * 3));
    for (double& v : x) v = normal(rng) * 2.0;
    const double* inputs[] = {x.data()};
    plan.forward(inputs, batch);
    const Dims out = plan.dims(plan.outputs()[0]);
    const double* y = plan.output(0);

    nlohmann::json c;
    c["name"] = name;
    const Node& node = *g.node(layer);
    c["params"] = {{"strides", node.param<std::int64_t>("strides")},
                   {"padding", node.param<std::string>("padding")},
                   {"output_padding", node.param<std::int64_t>("output_padding")},
                   {"dilation_rate", node.param<std::int64_t>("dilation_rate")},
                   {"activation", node.param<std::string>("activation")}};
    nlohmann::json xs = nlohmann::json::array(), ys = nlohmann::json::array();
    for (int b = 0; b < batch; ++b) {
        nlohmann::json xb = nlohmann::json::array(), yb = nlohmann::json::array();
        for (std::int64_t t = 0; t < steps; ++t) {
            xb.push_back(std::vector<double>(x.begin() + (b * steps + t) * 3, x.begin() + (b * steps + t + 1) * 3));
        }
        for (std::int64_t t = 0; t < out[0]; ++t) {
            const double* row = y + (b * out[0] + t) * out[1];
            yb.push_back(std::vector<double>(row, row + out[1]));
        }
        xs.push_back(xb);
        ys.push_back(yb);
    }
    c["x"] = xs;
    c["y"] = ys;
    c["bias"] = nullptr;
    for (const auto& p : plan.params()) {
        if (p.shape.name == "kernel") {
            c["kernel"] = p.value;
            c["kernel_shape"] = p.shape.shape;
        }
        if (p.shape.name == "bias") c["bias"] = p.value;
    }
    return c;
}

ParamMap conv(std::int64_t filters, std::int64_t size, std::int64_t strides, const char* padding,
              std::int64_t outputPadding = -1, std::int64_t dilation = 1, bool bias = true) {
    return {{"filters", filters},          {"kernel_size", size},
            {"strides", strides},          {"padding", std::string(padding)},
            {"output_padding", outputPadding}, {"dilation_rate", dilation},
            {"use_bias", bias},            {"activation", std::string("tanh")}};
}

TEST(ReferenceNumerics, Conv1DTransposeMatchesKerassDefinition) {
    const nlohmann::json cases = {
        conv1dTransposeCase("valid, strides 2", 5, conv(2, 3, 2, "valid")),
        conv1dTransposeCase("valid, kernel shorter than strides", 4, conv(2, 2, 3, "valid")),
        conv1dTransposeCase("same, strides 2, kernel 7", 6, conv(3, 7, 2, "same")),
        conv1dTransposeCase("same, output_padding 0 (the odd length)", 6, conv(3, 7, 2, "same", 0)),
        conv1dTransposeCase("same, strides 3, output_padding 2", 4, conv(2, 4, 3, "same", 2)),
        conv1dTransposeCase("valid, output_padding 1", 4, conv(2, 3, 2, "valid", 1)),
        conv1dTransposeCase("same, dilation 2, no bias", 5, conv(2, 3, 1, "same", -1, 2, false)),
    };
    const fs::path file = fs::temp_directory_path() / "layerloom_conv1d_transpose_cases.json";
    std::ofstream(file) << cases.dump();
    const std::string command = std::string(LAYERLOOM_PYTHON) + " " + LAYERLOOM_TEST_DATA_DIR +
                                "/references/conv1d_transpose.py " + file.string();
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    fs::remove(file);
}

}  // namespace
}  // namespace loom
