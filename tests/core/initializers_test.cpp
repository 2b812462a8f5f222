// Keras's initialisers as layer parameters: what each draws, where Keras refuses one, and how
// the project file, Keras's configs and the exported code write them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/test_graphs.h"
#include "engine/plan.h"
#include "graph/project_file.h"
#include "interop/keras_code.h"
#include "layers/keras_config.h"
#include "layers/layer_registry.h"
#include "shape/validator.h"

namespace loom {
namespace {

using test::add;
using test::input;

struct Moments {
    double mean = 0.0, stddev = 0.0, lowest = 0.0, highest = 0.0;
};

/// The first weight (the kernel) of a Dense of 200 inputs and 300 units initialised by `init`.
std::vector<float> denseKernel(const Initializer& init, const char* param = "kernel_initializer") {
    ModelGraph g;
    add(g, "Dense", {{"units", std::int64_t{300}}, {param, init}}, {input(g, {200})});
    Plan<float> plan = Plan<float>::compile(g, 1);
    plan.initialize(11);
    const auto& values = plan.params()[std::string(param) == "bias_initializer" ? 1 : 0].value;
    return {values.begin(), values.end()};
}

Moments momentsOf(const std::vector<float>& v) {
    Moments m;
    m.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    double sq = 0.0;
    for (float x : v) sq += (x - m.mean) * (x - m.mean);
    m.stddev = std::sqrt(sq / static_cast<double>(v.size()));
    m.lowest = *std::min_element(v.begin(), v.end());
    m.highest = *std::max_element(v.begin(), v.end());
    return m;
}

TEST(Initializers, DrawAsKerasVarianceScalingAndRandomOnesDo) {
    const double fanIn = 200, fanOut = 300;
    // Uniform in +-sqrt(3 scale / n): standard deviation limit / sqrt(3).
    const struct {
        Init kind;
        double variance;
        bool normal;
    } scaled[] = {{Init::GlorotUniform, 2.0 / (fanIn + fanOut), false}, {Init::GlorotNormal, 2.0 / (fanIn + fanOut), true},
                  {Init::HeUniform, 2.0 / fanIn, false},                {Init::HeNormal, 2.0 / fanIn, true},
                  {Init::LecunUniform, 1.0 / fanIn, false},             {Init::LecunNormal, 1.0 / fanIn, true}};
    for (const auto& s : scaled) {
        const Moments m = momentsOf(denseKernel(Initializer(s.kind)));
        EXPECT_NEAR(m.mean, 0.0, 0.01 * std::sqrt(s.variance)) << initializerName(s.kind);
        EXPECT_NEAR(m.stddev, std::sqrt(s.variance), 0.02 * std::sqrt(s.variance)) << initializerName(s.kind);
        // Uniform within its limit; the truncated normal within 2 of its (widened) deviations.
        const double bound = s.normal ? 2.0 * std::sqrt(s.variance) / 0.87962566103423978 : std::sqrt(3.0 * s.variance);
        EXPECT_LE(std::max(-m.lowest, m.highest), bound * (1 + 1e-6)) << initializerName(s.kind);
        EXPECT_GT(std::max(-m.lowest, m.highest), 0.95 * bound) << initializerName(s.kind);
    }
    Moments m = momentsOf(denseKernel(Initializer(Init::RandomNormal, 1.5, 0.25)));
    EXPECT_NEAR(m.mean, 1.5, 0.002);
    EXPECT_NEAR(m.stddev, 0.25, 0.003);
    EXPECT_GT(m.highest, 1.5 + 3 * 0.25);  // not truncated
    m = momentsOf(denseKernel(Initializer(Init::TruncatedNormal, -1.0, 0.5)));
    EXPECT_NEAR(m.mean, -1.0, 0.003);
    EXPECT_GE(m.lowest, -2.0 - 1e-6);
    EXPECT_LE(m.highest, 0.0 + 1e-6);
    m = momentsOf(denseKernel(Initializer(Init::RandomUniform, 2.0, 3.0)));
    EXPECT_GE(m.lowest, 2.0);
    EXPECT_LE(m.highest, 3.0);
    EXPECT_NEAR(m.mean, 2.5, 0.005);
    for (float v : denseKernel(Initializer(Init::Constant, 0.375, 0.0))) ASSERT_EQ(v, 0.375f);
    for (float v : denseKernel(Initializer(Init::Ones), "bias_initializer")) ASSERT_EQ(v, 1.0f);
}

TEST(Initializers, IdentityAndOrthogonalTakeTheirGain) {
    const std::vector<float> eye = denseKernel(Initializer(Init::Identity, 2.0, 0.0));
    for (std::size_t r = 0; r < 200; ++r) {
        for (std::size_t c = 0; c < 300; ++c) ASSERT_EQ(eye[r * 300 + c], r == c ? 2.0f : 0.0f) << r << "," << c;
    }
    // Orthogonal columns (the kernel is wide: orthonormal rows), scaled by the gain.
    const std::vector<float> q = denseKernel(Initializer(Init::Orthogonal, 3.0, 0.0));
    for (std::size_t a : {0u, 7u, 199u}) {
        for (std::size_t b : {0u, 7u, 199u}) {
            double dot = 0.0;
            for (std::size_t c = 0; c < 300; ++c) dot += static_cast<double>(q[a * 300 + c]) * q[b * 300 + c];
            EXPECT_NEAR(dot, a == b ? 9.0 : 0.0, 1e-4) << a << "," << b;
        }
    }
}

TEST(Initializers, AnLstmBiasTakesItsInitialiserThenOnesForTheForgetGate) {
    ModelGraph g;
    add(g, "LSTM", {{"units", std::int64_t{2}}, {"bias_initializer", Initializer(Init::Constant, 0.5, 0.0)}}, {input(g, {4, 3})});
    Plan<float> plan = Plan<float>::compile(g, 1);
    plan.initialize(1);
    const auto& bias = plan.params()[2].value;
    EXPECT_EQ(std::vector<float>(bias.begin(), bias.end()), (std::vector<float>{0.5f, 0.5f, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f}));
}

TEST(Initializers, IdentityOnAWeightThatIsNoMatrixIsRefusedAsKerasDoes) {
    ModelGraph g;
    const NodeId conv = add(g, "Conv1D", {{"filters", std::int64_t{4}}, {"kernel_initializer", Initializer(Init::Identity, 1.0, 0.0)}},
                            {input(g, {8, 4})});
    const Validation v = validate(g);
    ASSERT_TRUE(v.hasErrors());
    const auto d = std::find_if(v.diagnostics.begin(), v.diagnostics.end(), [&](const Diagnostic& x) { return x.node == conv; });
    ASSERT_NE(d, v.diagnostics.end());
    EXPECT_NE(d->message.find("kernel_initializer identity makes matrices only, but the kernel is (3, 4, 4)"), std::string::npos)
        << d->message;
    ASSERT_FALSE(d->fixes.empty());
    // A Dense's kernel is a matrix: fine.
    ModelGraph dense;
    add(dense, "Dense", {{"units", std::int64_t{4}}, {"kernel_initializer", Initializer(Init::Identity, 1.0, 0.0)}}, {input(dense, {4})});
    EXPECT_FALSE(validate(dense).hasErrors());
    // Orthogonal needs two axes: not a bias.
    ModelGraph bias;
    add(bias, "Dense", {{"bias_initializer", Initializer(Init::Orthogonal)}}, {input(bias, {4})});
    ASSERT_TRUE(validate(bias).hasErrors());
    EXPECT_NE(validate(bias).diagnostics.front().message.find("bias_initializer orthogonal needs two axes or more, but the bias is (32,)"),
              std::string::npos)
        << validate(bias).diagnostics.front().message;
    // Numbers that cannot draw anything: a stddev of 0, minval above maxval.
    ModelGraph bad;
    add(bad, "Dense", {{"kernel_initializer", Initializer(Init::RandomNormal, 0.0, 0.0)}, {"bias_initializer", Initializer(Init::RandomUniform, 1.0, -1.0)}},
        {input(bad, {4})});
    const Validation b = validate(bad);
    EXPECT_EQ(b.count(Severity::Error), 2u);
}

TEST(Initializers, ProjectFilesWriteNamesAndNumbers) {
    Project p;
    add(p.graph, "Dense",
        {{"kernel_initializer", Initializer(Init::HeUniform)}, {"bias_initializer", Initializer(Init::RandomUniform, -0.25, 0.5)}},
        {input(p.graph, {4})});
    const nlohmann::json j = nlohmann::json::parse(serializeProject(p));
    const nlohmann::json& params = j["graph"]["nodes"][1]["params"];
    EXPECT_EQ(params["kernel_initializer"], "he_uniform");
    EXPECT_EQ(params["bias_initializer"], nlohmann::json({{"type", "random_uniform"}, {"minval", -0.25}, {"maxval", 0.5}}));
    const Project back = parseProject(j.dump());
    EXPECT_EQ(back.graph.nodes()[1].params, p.graph.nodes()[1].params);
    // Numbers left out take Keras's defaults; an unknown name says where it is.
    nlohmann::json edited = j;
    edited["graph"]["nodes"][1]["params"]["bias_initializer"] = {{"type", "truncated_normal"}, {"mean", 1.0}};
    EXPECT_EQ(std::get<Initializer>(parseProject(edited.dump()).graph.nodes()[1].params.at("bias_initializer")),
              Initializer(Init::TruncatedNormal, 1.0, 0.05));
    edited["graph"]["nodes"][1]["params"]["bias_initializer"] = "xavier";
    try {
        parseProject(edited.dump());
        ADD_FAILURE() << "an unknown initialiser was read";
    } catch (const ProjectError& e) {
        EXPECT_EQ(e.pointer(), "/graph/nodes/1/params/bias_initializer");
        EXPECT_NE(std::string(e.what()).find("expected an initialiser such as glorot_uniform"), std::string::npos) << e.what();
    }
}

TEST(Initializers, KerasConfigsBothWays) {
    std::string why;
    // tf.keras 2 and TF.js write Glorot, He and LeCun as VarianceScaling; TF.js's "normal" is
    // truncated as Keras's truncated_normal is.
    const auto read = [&](const char* text) { return initializerFromKeras(nlohmann::json::parse(text), why); };
    EXPECT_EQ(read(R"({"class_name": "VarianceScaling", "config": {"scale": 2, "mode": "fan_in", "distribution": "truncated_normal"}})"),
              Initializer(Init::HeNormal));
    EXPECT_EQ(read(R"({"class_name": "VarianceScaling", "config": {"scale": 1, "mode": "fan_avg", "distribution": "normal"}})"),
              Initializer(Init::GlorotNormal));
    EXPECT_EQ(read(R"({"class_name": "VarianceScaling", "config": {"scale": 1, "mode": "fan_in", "distribution": "uniform"}})"),
              Initializer(Init::LecunUniform));
    EXPECT_EQ(read(R"({"module": "keras.initializers", "class_name": "RandomNormal", "config": {"mean": 0.5, "stddev": null}})"),
              Initializer(Init::RandomNormal, 0.5, 0.05));
    EXPECT_EQ(read(R"("he_uniform")"), Initializer(Init::HeUniform));
    EXPECT_EQ(read(R"("uniform")"), Initializer(Init::RandomUniform));
    EXPECT_EQ(why, "");
    read(R"({"class_name": "VarianceScaling", "config": {"scale": 3, "mode": "fan_out", "distribution": "uniform"}})");
    EXPECT_NE(why.find("VarianceScaling(scale=3, mode=fan_out, distribution=uniform) is not one LayerLoom has"), std::string::npos)
        << why;
    read(R"({"class_name": "Orthogonal", "config": {"gain": "big"}})");
    EXPECT_NE(why.find("does not hold numbers"), std::string::npos) << why;
    read(R"("xavier")");
    EXPECT_NE(why, "");

    EXPECT_EQ(kerasInitializer(Initializer(Init::HeNormal), KerasFormat::TfKeras2),
              nlohmann::json::parse(R"({"class_name": "VarianceScaling", "config": {"scale": 2.0, "mode": "fan_in",
                                        "distribution": "truncated_normal", "seed": null}})"));
    EXPECT_EQ(kerasInitializer(Initializer(Init::Constant, 0.25, 0.0), KerasFormat::Keras3),
              nlohmann::json::parse(R"({"module": "keras.initializers", "class_name": "Constant", "config": {"value": 0.25},
                                        "registered_name": null})"));

    // A layer's config: read into its parameters, or refused by name.
    ParamMap params;
    const LayerSpec* dense = findLayer("Dense");
    EXPECT_EQ(readKerasParams(*dense, nlohmann::json::parse(R"({"units": 2, "kernel_initializer": "lecun_normal",
                                                                "bias_initializer": null})"), params), "");
    EXPECT_EQ(std::get<Initializer>(params.at("kernel_initializer")), Initializer(Init::LecunNormal));
    EXPECT_FALSE(params.contains("bias_initializer"));  // None: the layer's default
    // Keras 3's full class names, and class names given as text.
    const LayerSpec* lstm = findLayer("LSTM");
    params.clear();
    EXPECT_EQ(readKerasParams(*lstm, nlohmann::json::parse(R"({"recurrent_initializer": {"module": "keras.initializers",
        "class_name": "OrthogonalInitializer", "config": {"gain": 2.0, "seed": null}}, "kernel_initializer": "HeUniform"})"), params), "");
    EXPECT_EQ(std::get<Initializer>(params.at("recurrent_initializer")), Initializer(Init::Orthogonal, 2.0, 0.0));
    EXPECT_EQ(std::get<Initializer>(params.at("kernel_initializer")), Initializer(Init::HeUniform));
    // One LayerLoom does not have keeps the default, and the import names it.
    params.clear();
    const auto config = nlohmann::json::parse(R"({"kernel_initializer": {"class_name": "VarianceScaling",
        "config": {"scale": 1.0, "mode": "fan_out", "distribution": "uniform"}}, "bias_initializer": "zeros"})");
    EXPECT_EQ(readKerasParams(*dense, config, params), "");
    EXPECT_FALSE(params.contains("kernel_initializer"));
    const std::vector<std::string> notes = initializerNotes(*dense, config, "dense_1");
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("dense_1: kernel_initializer: the initialiser VarianceScaling(scale=1.0, mode=fan_out"), std::string::npos)
        << notes[0];
    EXPECT_NE(notes[0].find("it starts from glorot_uniform when trained afresh"), std::string::npos) << notes[0];
}

TEST(Initializers, TheKerasCodeWritesThoseThatAreNotTheDefault) {
    Project p;
    add(p.graph, "Dense",
        {{"units", std::int64_t{3}},
         {"kernel_initializer", Initializer(Init::RandomNormal, 0.0, 0.125)},
         {"bias_initializer", Initializer(Init::Zeros)}},
        {add(p.graph, "LSTM", {{"units", std::int64_t{4}}, {"recurrent_initializer", Initializer(Init::HeNormal)}},
             {input(p.graph, {5, 2})})});
    const std::string code = kerasCode(p);
    EXPECT_NE(code.find("kernel_initializer=keras.initializers.RandomNormal(mean=0.0, stddev=0.125)"), std::string::npos) << code;
    EXPECT_NE(code.find("recurrent_initializer=\"he_normal\""), std::string::npos) << code;
    EXPECT_EQ(code.find("bias_initializer"), std::string::npos) << code;
}

}  // namespace
}  // namespace loom
