// Layers TF.js cannot check (it has no Conv1DTranspose or MultiHeadAttention model files)
// against float64 NumPy references written from Keras's definitions (tests/data/references/).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "core/test_graphs.h"
#include "engine/plan.h"

namespace loom {
namespace {

namespace fs = std::filesystem;

/// Runs tests/data/references/`script`.py on the cases, written to a temporary file; the script
/// exits 0 when they agree.
void expectReferenceAgrees(const nlohmann::json& cases, const std::string& script) {
    const fs::path file = fs::temp_directory_path() / ("layerloom_" + script + "_cases.json");
    std::ofstream(file) << cases.dump();
    const std::string command = std::string(LAYERLOOM_PYTHON) + " " + LAYERLOOM_TEST_DATA_DIR + "/references/" +
                                script + ".py " + file.string();
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    fs::remove(file);
}

/// (batch, steps, features) nested lists of a row-major batch.
nlohmann::json nested(const double* v, int batch, std::int64_t steps, std::int64_t features) {
    nlohmann::json out = nlohmann::json::array();
    for (int b = 0; b < batch; ++b) {
        nlohmann::json sample = nlohmann::json::array();
        for (std::int64_t t = 0; t < steps; ++t) {
            const double* row = v + (b * steps + t) * features;
            sample.push_back(std::vector<double>(row, row + features));
        }
        out.push_back(sample);
    }
    return out;
}

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
    c["x"] = nested(x.data(), batch, steps, 3);
    c["y"] = nested(y, batch, out[0], out[1]);
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
    expectReferenceAgrees(cases, "conv1d_transpose");
}

/// One MultiHeadAttention on inputs of the given sizes (query, value and, when given, key),
/// in float64 with random weights; the inputs named in `masked` pass through Masking(0) first
/// and have about one step in three all zero.
nlohmann::json attentionCase(const std::string& name, std::vector<Dims> inputs, const ParamMap& params,
                             const std::set<std::string>& masked = {}) {
    static const char* ports[] = {"query", "value", "key"};
    ModelGraph g;
    std::vector<NodeId> wires;
    std::vector<NodeId> inputIds;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        NodeId in = test::input(g, inputs[i]);
        inputIds.push_back(in);
        if (masked.contains(ports[i])) in = test::add(g, "Masking", {}, {in});
        wires.push_back(in);
    }
    const NodeId attention = test::add(g, "MultiHeadAttention", params, wires);
    // With attention_mask, an Input of (query steps, value steps) into port 3, of 0s and 1s.
    const bool withMask = params.contains("attention_mask") && std::get<bool>(params.at("attention_mask"));
    if (withMask) {
        inputs.push_back({inputs[0][0], inputs[1][0]});
        inputIds.push_back(test::input(g, inputs.back()));
        g.connect({inputIds.back(), 0}, {attention, 3});
    }
    const int batch = 3;
    Plan<double> plan = Plan<double>::compile(g, batch);
    plan.initialize(11);
    std::mt19937_64 rng(5);
    std::normal_distribution<double> normal(0.0, 0.5);
    for (auto& p : plan.params()) {
        for (double& v : p.value) v += normal(rng) * 0.5;
    }
    nlohmann::json c;
    c["name"] = name;
    std::vector<std::vector<double>> xs;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const Dims& d = inputs[i];
        xs.emplace_back(static_cast<std::size_t>(batch * d[0] * d[1]));
        for (double& v : xs.back()) v = normal(rng) * 2.0;
        const bool isMask = withMask && i + 1 == inputs.size();
        if (isMask) {  // the attention mask: about one pair in three may not attend
            for (double& v : xs.back()) v = rng() % 3 == 0 ? 0.0 : 1.0;
        }
        if (!isMask && masked.contains(ports[i])) {
            for (std::int64_t r = 0; r < batch * d[0]; ++r) {
                if (rng() % 3 == 0) std::fill_n(xs.back().begin() + r * d[1], d[1], 0.0);
            }
        }
        c[isMask ? "attention_mask" : ports[i]] = nested(xs.back().data(), batch, d[0], d[1]);
    }
    // The plan takes its Inputs in its own order.
    std::vector<const double*> pointers;
    for (NodeId id : plan.inputs()) {
        pointers.push_back(xs[static_cast<std::size_t>(std::find(inputIds.begin(), inputIds.end(), id) - inputIds.begin())].data());
    }
    plan.forward(pointers, batch);
    const Dims out = plan.dims(plan.outputs()[0]);
    c["y"] = nested(plan.output(0), batch, out[0], out[1]);
    if (!plan.viewOutputs().empty()) {  // return_attention_scores: (batch, heads, T, S)
        Dims shape = plan.viewDims(0);
        const std::size_t size = static_cast<std::size_t>(batch * shape[0] * shape[1] * shape[2]);
        shape.insert(shape.begin(), batch);
        c["scores"] = {{"shape", shape}, {"values", std::vector<double>(plan.viewOutput(0), plan.viewOutput(0) + size)}};
    }
    c["masked"] = masked;
    c["weights"] = nlohmann::json::object();
    for (const auto& p : plan.params()) c["weights"][p.shape.name] = {{"values", p.value}, {"shape", p.shape.shape}};
    const Node& node = *g.nodeByName("multi_head_attention_1");
    c["params"] = {{"key_dim", node.param<std::int64_t>("key_dim")},
                   {"use_causal_mask", node.param<bool>("use_causal_mask")}};
    return c;
}

TEST(ReferenceNumerics, MultiHeadAttentionMatchesKerassDefinition) {
    const auto heads = [](std::int64_t n, std::int64_t key, ParamMap more = {}) {
        more["num_heads"] = n;
        more["key_dim"] = key;
        return more;
    };
    const nlohmann::json cases = {
        attentionCase("self-attention", {{5, 4}, {5, 4}}, heads(2, 3)),
        attentionCase("cross-attention", {{4, 3}, {6, 5}}, heads(3, 2)),
        attentionCase("with a key, value_dim and output_shape", {{4, 3}, {6, 5}, {6, 2}},
                      heads(2, 3, {{"value_dim", std::int64_t{4}}, {"output_shape", std::int64_t{7}}})),
        attentionCase("causal, no biases", {{5, 4}, {5, 4}}, heads(2, 2, {{"use_causal_mask", true}, {"use_bias", false}})),
        attentionCase("causal over a longer value", {{3, 4}, {6, 4}}, heads(1, 4, {{"use_causal_mask", true}})),
        attentionCase("self-attention in PyTorch's shapes", {{5, 6}, {5, 6}}, heads(2, 3)),
        attentionCase("cross-attention with a key in PyTorch's shapes", {{4, 6}, {5, 3}, {5, 2}}, heads(3, 2)),
        attentionCase("masked query and value", {{5, 3}, {6, 3}}, heads(2, 2), {"query", "value"}),
        attentionCase("masked key, causal", {{5, 3}, {5, 3}, {5, 2}}, heads(2, 2, {{"use_causal_mask", true}}),
                      {"key"}),
        attentionCase("attention mask", {{4, 3}, {6, 5}}, heads(2, 3, {{"attention_mask", true}})),
        attentionCase("attention mask, a key, causal, masked value", {{5, 4}, {5, 3}, {5, 2}},
                      heads(3, 2, {{"attention_mask", true}, {"use_causal_mask", true}}), {"value"}),
        attentionCase("attention mask in PyTorch's shapes", {{4, 6}, {5, 6}}, heads(2, 3, {{"attention_mask", true}})),
        attentionCase("scores of cross-attention", {{4, 3}, {6, 5}}, heads(3, 2, {{"return_attention_scores", true}})),
        attentionCase("scores with a key, causal, an attention mask and a masked value", {{5, 4}, {5, 3}, {5, 2}},
                      heads(2, 3, {{"return_attention_scores", true}, {"attention_mask", true}, {"use_causal_mask", true}}),
                      {"value"}),
    };
    expectReferenceAgrees(cases, "multi_head_attention");
}

}  // namespace
}  // namespace loom
