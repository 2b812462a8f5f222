// Models with several Inputs and outputs: their data, their losses and their runs.
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "data/npy.h"
#include "core/test_graphs.h"
#include "data/data_source.h"
#include "interop/keras_code.h"
#include "interop/keras_export.h"
#include "interop/keras_model.h"
#include "train/config_json.h"
#include "train/session.h"
#include "train/trainer.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
using test::add;
using test::input;

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Inputs `a` (4,) and `b` (3,); outputs `values` = Dense(2)(a) and `flag` =
/// Dense(1, sigmoid)(Concatenate(a, b)).
ModelGraph twoByTwo() {
    ModelGraph g;
    const NodeId a = input(g, {4});
    const NodeId b = input(g, {3});
    g.rename(a, "a");
    g.rename(b, "b");
    const NodeId values = add(g, "Dense", {{"units", std::int64_t{2}}}, {a});
    const NodeId joined = add(g, "Concatenate", {}, {a, b});
    const NodeId flag = add(g, "Dense", {{"units", std::int64_t{1}}, {"activation", std::string("sigmoid")}}, {joined});
    g.rename(values, "values");
    g.rename(flag, "flag");
    return g;
}

/// `rows` x `cols` values from a seeded engine.
std::vector<float> randomValues(std::int64_t rows, std::int64_t cols, std::uint64_t seed, bool binary = false) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> v(static_cast<std::size_t>(rows * cols));
    for (float& x : v) x = binary ? (u(rng) > 0 ? 1.0f : 0.0f) : u(rng);
    return v;
}

Matrix asMatrix(const std::vector<float>& v, std::int64_t rows, std::int64_t cols) {
    Matrix m(rows, cols);
    for (std::int64_t i = 0; i < rows * cols; ++i) m(i / cols, i % cols) = v[static_cast<std::size_t>(i)];
    return m;
}

Matrix weight(const std::vector<NamedTensor>& weights, const std::string& name) {
    for (const NamedTensor& t : weights) {
        if (t.name != name) continue;
        const std::int64_t rows = t.shape.front(), cols = t.shape.size() == 2 ? t.shape[1] : 1;
        return asMatrix(t.values, rows, cols);
    }
    ADD_FAILURE() << "no weight " << name;
    return {};
}

Dataset twoByTwoData(std::int64_t n) {
    Dataset d;
    d.xDims = {4};
    d.x = randomValues(n, 4, 1);
    d.yDims = {2};
    d.y = randomValues(n, 2, 2);
    d.moreInputs.push_back({"b", randomValues(n, 3, 3), {3}});
    d.moreTargets.push_back({"flag", randomValues(n, 1, 4, true), {1}});
    return d;
}

TEST(SeveralEnds, EachOutputsLossAndOneStepMatchAHandComputation) {
    const std::int64_t n = 6;
    Plan<float> plan = Plan<float>::compile(twoByTwo(), static_cast<int>(n));
    plan.initialize(7);
    ASSERT_EQ(plan.inputs().size(), 2u);
    ASSERT_EQ(plan.outputs().size(), 2u);
    ASSERT_EQ(plan.name(plan.inputs()[0]), "a");
    const Dataset data = twoByTwoData(n);
    const std::vector<NamedTensor> before = plan.exportWeights();

    TrainConfig c;
    c.epochs = 1;
    c.batchSize = static_cast<int>(n);
    c.shuffle = false;
    c.optimizer = *OptimizerConfig::defaultsFor("sgd");
    c.optimizer.learningRate = 0.1;
    c.outputLosses = {{"values", Loss::MeanSquaredError, false, 0.5, {Metric::MeanAbsoluteError}},
                      {"flag", Loss::BinaryCrossentropy, false, 2.0, {}}};
    const TrainResult r = train(plan, data, nullptr, c);
    ASSERT_EQ(r.reason, StopReason::Finished) << r.message;

    // By hand, in double: the outputs, each loss as Keras takes it, and SGD's step.
    const Matrix a = asMatrix(data.x, n, 4), b = asMatrix(data.moreInputs[0].values, n, 3);
    const Matrix t1 = asMatrix(data.y, n, 2), t2 = asMatrix(data.moreTargets[0].values, n, 1);
    const Matrix w1 = weight(before, "values/kernel"), b1 = weight(before, "values/bias");
    const Matrix w2 = weight(before, "flag/kernel"), b2 = weight(before, "flag/bias");
    Matrix ab(n, 7);
    ab << a, b;
    const Matrix y1 = (a * w1).rowwise() + b1.transpose().row(0);
    const Matrix z2 = (ab * w2).array() + b2(0, 0);
    const Matrix y2 = (1.0 / (1.0 + (-z2.array()).exp())).matrix();
    const double mse = (y1 - t1).array().square().mean();
    const double mae = (y1 - t1).array().abs().mean();
    const double bce = -(t2.array() * y2.array().log() + (1 - t2.array()) * (1 - y2.array()).log()).mean();
    const EpochReport& e = r.history.front();
    EXPECT_NEAR(e.metrics.at("values_loss"), mse, 1e-5);
    EXPECT_NEAR(e.metrics.at("values_mae"), mae, 1e-5);
    EXPECT_NEAR(e.metrics.at("flag_loss"), bce, 1e-5);
    EXPECT_TRUE(e.metrics.contains("flag_accuracy"));
    EXPECT_NEAR(e.loss, 0.5 * mse + 2.0 * bce, 1e-5);
    EXPECT_EQ(e.accuracy, -1.0);

    // d(0.5 mse)/dy1 = 0.5 * 2 (y1 - t1) / (n * 2); d(2 bce)/dz2 = 2 (y2 - t2) / n.
    const Matrix g1 = 0.5 * 2.0 * (y1 - t1) / static_cast<double>(n * 2);
    const Matrix g2 = 2.0 * (y2 - t2) / static_cast<double>(n);
    const std::vector<NamedTensor> after = plan.exportWeights();
    const Matrix w1After = w1 - 0.1 * a.transpose() * g1;
    const Matrix w2After = w2 - 0.1 * ab.transpose() * g2;
    EXPECT_LT((weight(after, "values/kernel") - w1After).cwiseAbs().maxCoeff(), 1e-5);
    EXPECT_LT((weight(after, "flag/kernel") - w2After).cwiseAbs().maxCoeff(), 1e-5);
    EXPECT_NEAR(weight(after, "flag/bias")(0, 0), b2(0, 0) - 0.1 * g2.sum(), 1e-5);

    // Evaluating reports the same names, and a monitor may watch one output's loss.
    const Evaluation ev = evaluate(plan, data, c);
    EXPECT_TRUE(ev.metrics.contains("values_loss"));
    EXPECT_TRUE(ev.metrics.contains("flag_accuracy"));
    c.monitor.quantity = "flag_loss";
    const std::vector<OutputColumns> outputs{{"values", 2}, {"flag", 1}};
    EXPECT_EQ(metricsProblem(c, outputs), "");
    c.monitor.quantity = "values_mae";
    EXPECT_EQ(metricsProblem(c, outputs), "");
    c.monitor.quantity = "other_loss";
    EXPECT_NE(metricsProblem(c, outputs).find("watch other_loss, which is not one of the run's metrics"), std::string::npos);
    c.monitor.quantity = "loss";
    c.classWeight = {{0, 1.0}, {1, 3.0}};
    EXPECT_NE(metricsProblem(c, outputs).find("class weights apply to a model with one output"), std::string::npos);
}

TEST(SeveralEnds, DataOfTheWrongShapeNamesTheEnd) {
    Plan<float> plan = Plan<float>::compile(twoByTwo(), 4);
    plan.initialize(1);
    Dataset d = twoByTwoData(4);
    d.moreInputs[0].dims = {1};
    d.moreInputs[0].values.resize(4);
    TrainConfig c;
    c.epochs = 1;
    TrainResult r = train(plan, d, nullptr, c);
    EXPECT_EQ(r.reason, StopReason::InvalidData);
    EXPECT_NE(r.message.find("the training samples for the Input b have shape (None, 1), but it takes (None, 3)"), std::string::npos)
        << r.message;
    d = twoByTwoData(4);
    d.moreTargets.clear();
    r = train(plan, d, nullptr, c);
    EXPECT_NE(r.message.find("the model has 2 Inputs and 2 outputs, but the training data holds samples for 2 and targets for 1"),
              std::string::npos)
        << r.message;
}

TEST(SeveralEnds, AnArchiveFeedsEachEndByItsNameOrItsPlace) {
    const fs::path file = fs::temp_directory_path() / "layerloom_several_ends.npz";
    const std::int64_t n = 10;
    writeNpz(file, {{"a", {{n, 4}, randomValues(n, 4, 1)}},
                          {"x_1", {{n, 3}, randomValues(n, 3, 2)}},
                          {"values", {{n, 2}, randomValues(n, 2, 3)}},
                          {"y_1", {{n}, randomValues(n, 1, 4, true)}},
                          {"notes", {{n}, randomValues(n, 1, 5)}}});
    DataSpec spec;
    spec.source = file.string();
    spec.validationSplit = 0.2;
    const ModelEnds ends{{"a", "b"}, {"values", "flag"}, {}, {}};
    std::int64_t steps = 0;
    const PreparedData d = *readCutSamples(spec, steps, {}, ends);
    EXPECT_EQ(d.train.size(), 8);
    EXPECT_EQ(d.validation.size(), 2);
    ASSERT_EQ(d.train.inputCount(), 2u);
    ASSERT_EQ(d.train.targetCount(), 2u);
    EXPECT_EQ(d.train.inputDims(1), (Dims{3}));
    EXPECT_EQ(d.train.targetDims(1), (Dims{1}));
    // The validation part holds the last samples of every array.
    std::vector<float> b(3);
    d.validation.copyInput(1, 1, b.data());
    const std::vector<float> all = randomValues(n, 3, 2);
    EXPECT_EQ(b, std::vector<float>(all.end() - 3, all.end()));
    ASSERT_FALSE(d.notes.empty());
    EXPECT_NE(d.notes.back().find("the array 'notes' feeds none of the model's Inputs and outputs"), std::string::npos);

    const ModelEnds other{{"a", "c"}, {"values", "flag"}, {}, {}};
    writeNpz(file, {{"a", {{n, 4}, randomValues(n, 4, 1)}}, {"values", {{n, 2}, randomValues(n, 2, 3)}}});
    EXPECT_EQ(test::refusalOf([&] { readCutSamples(spec, steps, {}, other); }),
              file.string() + ": the model has 2 Inputs and 2 outputs, each read from its own array; there is none for "
                              "the Input 'c' (an array named 'c' or 'x_1'); the output 'flag' (an array named 'flag' or "
                              "'y_1'). The archive holds 'a', 'values'");
    // An array feeds one end: Inputs named x and y leave the output without a target.
    writeNpz(file, {{"x", {{n, 4}, randomValues(n, 4, 1)}}, {"y", {{n, 3}, randomValues(n, 3, 2)}}});
    const ModelEnds xy{{"x", "y"}, {"out"}, {}, {}};
    EXPECT_NE(test::refusalOf([&] { readCutSamples(spec, steps, {}, xy); })
                  .find("there is none for the output 'out' (an array named 'out' or 'y')"),
              std::string::npos);
    fs::remove(file);
}

TEST(SeveralEnds, ARunTrainsOnAnArchiveWhoseInputsHaveTheirOwnLengths) {
    // An encoder's and a decoder's sequences, both of free length, each its own.
    ModelGraph g;
    const NodeId enc = input(g, {kNone, 2});
    const NodeId dec = input(g, {kNone, 3});
    g.rename(enc, "encoder_in");
    g.rename(dec, "decoder_in");
    const NodeId pooled = add(g, "GlobalAveragePooling1D", {}, {enc});
    const NodeId summary = add(g, "Dense", {{"units", std::int64_t{3}}}, {pooled});
    const NodeId steps = add(g, "TimeDistributed", {{"units", std::int64_t{2}}}, {dec});
    g.rename(summary, "summary");
    g.rename(steps, "steps");
    const fs::path file = fs::temp_directory_path() / "layerloom_several_lengths.npz";
    const std::int64_t n = 40;
    writeNpz(file, {{"x", {{n, 5, 2}, randomValues(n * 5, 2, 1)}},
                          {"x_1", {{n, 7, 3}, randomValues(n * 7, 3, 2)}},
                          {"summary", {{n, 3}, randomValues(n, 3, 3)}},
                          {"steps", {{n, 7, 2}, randomValues(n * 7, 2, 4)}}});
    SessionSetup s;
    s.graph = g;
    s.data.source = file.string();
    s.data.validationSplit = 0.25;
    s.config.epochs = 3;
    s.config.batchSize = 8;
    s.config.outputLosses = {{"steps", Loss::MeanAbsoluteError, false, 0.25, {}}};
    TrainingSession session(s);
    session.prepare();
    EXPECT_EQ(session.plan().dims(session.plan().inputs()[0]), (Dims{5, 2}));
    EXPECT_EQ(session.plan().dims(session.plan().inputs()[1]), (Dims{7, 3}));
    TrainingControl control;
    const TrainResult r = session.run(control, nullptr);
    ASSERT_EQ(r.reason, StopReason::Finished) << r.message;
    ASSERT_EQ(r.history.size(), 3u);
    const EpochReport& last = r.history.back();
    for (const char* key : {"summary_loss", "steps_loss", "val_summary_loss", "val_steps_loss"}) {
        EXPECT_TRUE(last.metrics.contains(key)) << key;
    }
    EXPECT_NEAR(last.valLoss, last.metrics.at("val_summary_loss") + 0.25 * last.metrics.at("val_steps_loss"), 1e-6);
    EXPECT_LT(last.loss, r.history.front().loss);
    // The previews show the first output for samples fed to both Inputs.
    const Preview p = session.preview(3);
    EXPECT_EQ(p.outputs.size(), session.previewSet().indexes.size() * 3);

    // A series feeds them in column groups: the message says what such a model takes.
    s.data.source = "synthetic:sines";
    s.data.window = 6;
    TrainingSession series(s);
    EXPECT_EQ(test::refusalOf([&] { series.prepare(); }),
              "the model's Input 'encoder_in' has no columns: with 2 Inputs, choose the columns each one reads, or "
              "give the samples as an .npz archive with an array for each Input and output");
    fs::remove(file);
}

TEST(SeveralEnds, EachOutputsLossIsKeptInTheProjectsTrainingSettings) {
    TrainConfig c;
    c.outputLosses = {{"flag", Loss::BinaryCrossentropy, true, 2.5, {Metric::Auc}}};
    const TrainConfig back = trainConfigFromJson(trainConfigToJson(c));
    EXPECT_EQ(back.outputLosses, c.outputLosses);
    EXPECT_EQ(back.lossOf("flag", 2).weight, 2.5);
    EXPECT_EQ(back.lossOf("values", 2).loss, Loss::MeanSquaredError);
    EXPECT_EQ(back.lossOf("values", 2).weight, 1.0);
    nlohmann::json bad = trainConfigToJson(c);
    bad["outputs"]["flag"]["loss_weight"] = -1;
    EXPECT_EQ(test::refusalOf([&] { trainConfigFromJson(bad); }),
              "training setting 'outputs' for 'flag' gives the loss weight -1; weights are numbers of at least 0");
    bad["outputs"]["flag"] = {{"loss", "hinge"}};
    EXPECT_EQ(test::refusalOf([&] { trainConfigFromJson(bad); }), "training setting 'outputs' for 'flag' names the unknown loss 'hinge'");
    bad["outputs"] = {{"flag", {{"loss", "mse"}}}};
    bad["monitor"] = "val_flag_loss";
    EXPECT_EQ(trainConfigFromJson(bad).monitor.quantity, "flag_loss");
}

TEST(SeveralEnds, KerasFilesAndCodeCarryEachOutputsLoss) {
    Project p;
    p.name = "two_by_two";
    p.graph = twoByTwo();
    TrainConfig c;
    c.metrics = {Metric::MeanAbsoluteError};
    c.outputLosses = {{"flag", Loss::BinaryCrossentropy, false, 2.0, {Metric::Auc}}};
    p.training = trainConfigToJson(c);
    Plan<float> plan = Plan<float>::compile(p.graph, 4);
    plan.initialize(3);
    const std::string code = kerasCode(p);
    EXPECT_NE(code.find("loss={\"values\": \"mse\", \"flag\": \"binary_crossentropy\"}"), std::string::npos) << code;
    EXPECT_NE(code.find("loss_weights={\"values\": 1.0, \"flag\": 2.0}"), std::string::npos) << code;
    EXPECT_NE(code.find("model = keras.Model(inputs=[a, b], outputs=[values, flag]"), std::string::npos) << code;
    EXPECT_NE(code.find("# model.fit({\"a\": data[\"a\"], \"b\": data[\"b\"]},"), std::string::npos) << code;

    const fs::path dir = fs::temp_directory_path() / "layerloom_several_keras";
    fs::create_directories(dir);
    for (const char* name : {"two.keras", "two.h5"}) {
        exportKerasFile(p, plan.exportWeights(), dir / name);
        const KerasImport back = importKerasFile(dir / name);
        const TrainConfig read = trainConfigFromJson(back.project.training);
        EXPECT_EQ(read.lossOf("flag", 2).loss, Loss::BinaryCrossentropy) << name;
        EXPECT_EQ(read.lossOf("flag", 2).weight, 2.0) << name;
        EXPECT_EQ(read.lossOf("flag", 2).metrics, std::vector<Metric>{Metric::Auc}) << name;
        EXPECT_EQ(read.lossOf("values", 2).loss, Loss::MeanSquaredError) << name;
        EXPECT_EQ(read.lossOf("values", 2).metrics, std::vector<Metric>{Metric::MeanAbsoluteError}) << name;
        // The Inputs keep their order: a feeds x, b feeds x_1.
        const Validation v = validate(back.project.graph);
        ASSERT_EQ(v.inputs.size(), 2u);
        EXPECT_EQ(back.project.graph.node(v.inputs[0])->name, "a") << name;
    }
    fs::remove_all(dir);
}

}  // namespace
}  // namespace loom
