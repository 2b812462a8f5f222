// A series' CSV columns grouped by the Inputs and outputs of a model: the windows each end takes,
// the checks that name the layer, and a run on a file.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/test_graphs.h"
#include "data/column_groups.h"
#include "data/data_preview.h"
#include "train/config_json.h"
#include "train/session.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
using test::add;
using test::input;

/// Steps 0..n-1 of columns a = t, b = 100 + t, c = 200 + t: every value says where it came from.
Series counting(std::int64_t n) {
    Series s;
    s.steps = n;
    s.features = 3;
    s.names = {"a", "b", "c"};
    for (std::int64_t t = 0; t < n; ++t) {
        for (double base : {0.0, 100.0, 200.0}) s.values.push_back(base + static_cast<double>(t));
    }
    return s;
}

DataSpec unscaled() {
    DataSpec spec;
    spec.source = "test";
    spec.normalize = Normalizer::Kind::None;
    spec.validationSplit = 0.0;
    return spec;
}

std::vector<float> inputOf(const Dataset& d, std::size_t k, std::int64_t i) {
    std::vector<float> out(static_cast<std::size_t>(Dataset::product(d.inputDims(k))));
    d.copyInput(k, i, out.data());
    return out;
}

std::vector<float> targetOf(const Dataset& d, std::size_t k, std::int64_t i) {
    std::vector<float> out(static_cast<std::size_t>(Dataset::product(d.targetDims(k))));
    d.copyTarget(k, i, out.data());
    return out;
}

TEST(ColumnGroups, EachInputTakesItsColumnsOfTheSameWindowAndEachOutputItsTarget) {
    DataSpec spec = unscaled();
    spec.layerColumns = {{"signal", {"a", "b"}}, {"calendar", {"c"}}, {"next_a", {"a"}}, {"next_bc", {"c", "b"}}};
    // Both outputs forecast the next step; next_bc's columns in its own order.
    const ModelEnds oneStep{{"signal", "calendar"}, {"next_a", "next_bc"}, {{3, 2}, {3, 1}}, {{1}, {2}}};
    const ModelEnds ends{oneStep.inputs, oneStep.outputs, oneStep.inputDims, {{1}, {2, 2}}};
    const ColumnGroups groups = resolveColumnGroups(spec, oneStep, {"a", "b", "c"});
    EXPECT_EQ(groups.columns, (std::vector<std::string>{"a", "b", "c"}));
    const Series s = seriesColumns(counting(10), groups.columns, "test");
    const PreparedData d = prepareGroupedSeries(spec, s, {}, groups, oneStep);
    ASSERT_EQ(d.task->target, WindowSpec::Target::Forecast);
    ASSERT_EQ(d.train.size(), 7);  // windows of 3 with one step after each, in 10 steps
    ASSERT_EQ(d.train.inputCount(), 2u);
    ASSERT_EQ(d.train.targetCount(), 2u);
    EXPECT_EQ(inputOf(d.train, 0, 2), (std::vector<float>{2, 102, 3, 103, 4, 104}));
    EXPECT_EQ(inputOf(d.train, 1, 2), (std::vector<float>{202, 203, 204}));
    EXPECT_EQ(targetOf(d.train, 0, 2), (std::vector<float>{5}));
    EXPECT_EQ(targetOf(d.train, 1, 2), (std::vector<float>{205, 105}));
    EXPECT_EQ(d.notes.back(), "columns by layer: signal: a, b; calendar: c; next_a: a; next_bc: c, b");

    // Outputs that forecast different horizons do not train on one series.
    EXPECT_EQ(test::refusalOf([&] { prepareGroupedSeries(spec, s, {}, groups, ends); }),
              "the output 'next_a' forecasts the next step, but 'next_bc' forecasts the next 2 steps; every output of "
              "a series does the same");
}

TEST(ColumnGroups, AReconstructionTakesItsWindowAndValidationItsOwnPart) {
    DataSpec spec = unscaled();
    spec.validationSplit = 0.5;
    spec.normalize = Normalizer::Kind::ZScore;
    // One Input of every column; the output reconstructs c only.
    spec.layerColumns = {{"out", {"c"}}};
    const ModelEnds ends{{"in"}, {"out"}, {{4, 3}}, {{4, 1}}};
    const ColumnGroups groups = resolveColumnGroups(spec, ends, {"a", "b", "c"});
    const PreparedData d = prepareGroupedSeries(spec, counting(20), {}, groups, ends);
    EXPECT_EQ(d.task->target, WindowSpec::Target::Reconstruction);
    ASSERT_EQ(d.validation.size(), 7);
    // Normalised on the training half (steps 0..9): c's mean is 204.5.
    const std::vector<float> target = targetOf(d.validation, 0, 0);
    ASSERT_EQ(target.size(), 4u);
    const double scale = d.normalizer.scale[2];
    for (std::size_t t = 0; t < 4; ++t) {
        EXPECT_NEAR(target[t] * scale + 204.5, 210.0 + static_cast<double>(t), 1e-4);
    }
    EXPECT_EQ(inputOf(d.validation, 0, 0).size(), 12u);
}

TEST(ColumnGroups, WhatDoesNotFitNamesTheLayerAndItsColumns) {
    DataSpec spec = unscaled();
    const ModelEnds two{{"signal", "calendar"}, {"out"}, {{3, 2}, {3, 1}}, {{1}}};
    const std::vector<std::string> all{"a", "b", "c"};
    spec.layerColumns = {{"signal", {"a", "b"}}};
    EXPECT_EQ(test::refusalOf([&] { resolveColumnGroups(spec, two, all); }),
              "the model's Input 'calendar' has no columns: with 2 Inputs, choose the columns each one reads, or give "
              "the samples as an .npz archive with an array for each Input and output");
    spec.layerColumns = {{"signal", {"a", "b"}}, {"calendar", {"c"}}, {"extra", {"a"}}};
    EXPECT_EQ(test::refusalOf([&] { resolveColumnGroups(spec, two, all); }),
              "the data gives columns for 'extra', which is neither an Input nor an output of the model ('signal', "
              "'calendar' and 'out')");
    spec.layerColumns = {{"signal", {"a", "a"}}, {"calendar", {"c"}}};
    EXPECT_EQ(test::refusalOf([&] { resolveColumnGroups(spec, two, all); }), "the columns of 'signal' name 'a' twice");
    spec.layerColumns = {{"signal", {}}, {"calendar", {"c"}}};
    EXPECT_EQ(test::refusalOf([&] { resolveColumnGroups(spec, two, all); }), "the data gives 'signal' no columns; choose at least one");

    spec.layerColumns = {{"signal", {"a"}}, {"calendar", {"c"}}};
    ColumnGroups g = resolveColumnGroups(spec, two, all);
    EXPECT_EQ(test::refusalOf([&] { prepareGroupedSeries(spec, seriesColumns(counting(10), g.columns, "t"), {}, g, two); }),
              "the Input 'signal' takes 2 features per step, but its columns are 1 column ('a')");
    spec.layerColumns = {{"signal", {"a", "b"}}, {"calendar", {"c"}}};
    g = resolveColumnGroups(spec, two, all);
    const ModelEnds lengths{two.inputs, two.outputs, {{3, 2}, {5, 1}}, {{1}}};
    EXPECT_EQ(test::refusalOf([&] { prepareGroupedSeries(spec, seriesColumns(counting(10), g.columns, "t"), {}, g, lengths); }),
              "the Inputs 'signal' (3 steps) and 'calendar' (5 steps) take windows of different lengths; a series feeds "
              "every Input the same steps");
    // The output without columns forecasts every Input's column: 3 of them, not 1.
    EXPECT_NE(test::refusalOf([&] { prepareGroupedSeries(spec, seriesColumns(counting(10), g.columns, "t"), {}, g, two); })
                  .find("the output 'out' (columns 'a', 'b' and 'c'): "),
              std::string::npos);
    // A label is one output's target.
    spec.labelColumn = "label";
    spec.layerColumns.clear();
    const ModelEnds twoOut{{"in"}, {"x", "y"}, {{3, 3}}, {{2}, {2}}};
    EXPECT_EQ(test::refusalOf([&] { resolveColumnGroups(spec, twoOut, all); }),
              "a label column is the target of one output; this model has 2 outputs: give their targets as columns, or "
              "the samples as an .npz archive");
}

TEST(ColumnGroups, TheProjectKeepsThemAndTheSeriesPreviewShowsEachEnd) {
    DataSpec spec;
    spec.source = "synthetic:sines";
    spec.layerColumns = {{"a", {"sines"}}, {"b", {"sines"}}};
    const DataSpec back = dataSpecFromJson(dataSpecToJson(spec));
    EXPECT_EQ(back.layerColumns, spec.layerColumns);
    EXPECT_FALSE(dataSpecToJson(DataSpec{}).contains("layer_columns"));
    nlohmann::json bad = dataSpecToJson(spec);
    bad["layer_columns"] = {{"a", 3}};
    EXPECT_NE(test::refusalOf([&] { dataSpecFromJson(bad); }).find("training setting 'layer_columns' has the wrong type"),
              std::string::npos);

    const ModelEnds ends{{"a", "b"}, {"out"}, {{kNone, 1}, {kNone, 1}}, {{1}}};
    spec.window = 12;
    spec.layerColumns["out"] = {"sines"};
    const DataPreview p = previewData(spec, std::nullopt, "", {}, std::nullopt, ends);
    EXPECT_EQ(p.problem, "");
    EXPECT_EQ(p.inputsText, "a (12, 1), b (12, 1)");
    EXPECT_EQ(p.targetsText, "out (1,)");
    EXPECT_EQ(p.window.target, WindowSpec::Target::Forecast);
    EXPECT_GT(p.trainWindows, 1000);
}

/// A file of 400 steps: time, then a and b (two sines) and c (their sum, shifted by a step).
/// Named after the test: tests run side by side (ctest -j), and one must not read the file
/// while another writes it.
fs::path writeCsv() {
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    const fs::path file = fs::temp_directory_path() / ("layerloom_column_groups_" + test + ".csv");
    std::ofstream out(file);
    out << "step,a,b,c\n";
    double last = 0;
    for (int t = 0; t < 400; ++t) {
        const double a = std::sin(0.2 * t), b = std::cos(0.13 * t);
        out << t << ',' << a << ',' << b << ',' << last << '\n';
        last = a + b;
    }
    return file;
}

TEST(ColumnGroups, AModelWithTwoInputsAndTwoOutputsTrainsOnACsvFile) {
    ModelGraph g;
    const NodeId signal = input(g, {16, 2});
    const NodeId other = input(g, {16, 1});
    g.rename(signal, "signal");
    g.rename(other, "other");
    const NodeId joined = add(g, "Concatenate", {}, {signal, other});
    const NodeId encoded = add(g, "LSTM", {{"units", std::int64_t{8}}}, {joined});
    const NodeId sum = add(g, "Dense", {{"units", std::int64_t{1}}}, {encoded});
    const NodeId both = add(g, "Dense", {{"units", std::int64_t{2}}}, {encoded});
    g.rename(sum, "next_c");
    g.rename(both, "next_ab");
    const fs::path file = writeCsv();
    SessionSetup s;
    s.graph = g;
    s.data.source = file.string();
    s.data.layerColumns = {{"signal", {"a", "b"}}, {"other", {"c"}}, {"next_c", {"c"}}, {"next_ab", {"a", "b"}}};
    s.config.epochs = 2;
    s.config.batchSize = 32;
    TrainingSession session(s);
    session.prepare();
    const PreparedData& d = session.data();
    EXPECT_EQ(d.columns, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(d.task->target, WindowSpec::Target::Forecast);
    // The first output's previews are c's next step, in the file's units.
    const PreviewSet& p = session.previewSet();
    EXPECT_EQ(p.features, std::vector<std::string>{"c"});
    ASSERT_FALSE(p.indexes.empty());
    const std::int64_t start = d.validation.starts[static_cast<std::size_t>(p.indexes.front())];
    // The validation part is the last 80 of the 400 steps; c at step t is a + b at step t - 1.
    const double t = static_cast<double>(320 + start + 16);
    EXPECT_NEAR(p.targets.front(), std::sin(0.2 * (t - 1)) + std::cos(0.13 * (t - 1)), 1e-4);
    TrainingControl control;
    const TrainResult r = session.run(control, nullptr);
    ASSERT_EQ(r.reason, StopReason::Finished) << r.message;
    for (const char* key : {"next_c_loss", "next_ab_loss", "val_next_c_loss", "val_next_ab_loss"}) {
        EXPECT_TRUE(r.history.back().metrics.contains(key)) << key;
    }

    // Without groups, the message says what such a model takes.
    s.data.layerColumns.clear();
    TrainingSession plain(s);
    EXPECT_EQ(test::refusalOf([&] { plain.prepare(); }),
              "the model's Input 'signal' has no columns: with 2 Inputs, choose the columns each one reads, or give "
              "the samples as an .npz archive with an array for each Input and output");
    fs::remove(file);
}

TEST(ColumnGroups, OneInputForecastsOneColumnFromEvery) {
    ModelGraph g;
    const NodeId in = input(g, {16, 3});
    const NodeId encoded = add(g, "LSTM", {{"units", std::int64_t{8}}}, {in});
    const NodeId out = add(g, "Dense", {{"units", std::int64_t{1}}}, {encoded});
    g.rename(out, "next_c");
    const fs::path file = writeCsv();
    SessionSetup s;
    s.graph = g;
    s.data.source = file.string();
    s.data.layerColumns = {{"next_c", {"c"}}};
    s.config.epochs = 1;
    TrainingSession session(s);
    session.prepare();
    EXPECT_EQ(session.data().train.inputDims(0), (Dims{16, 3}));
    EXPECT_EQ(session.data().train.targetDims(0), (Dims{1}));
    TrainingControl control;
    EXPECT_EQ(session.run(control, nullptr).reason, StopReason::Finished);
    fs::remove(file);
}

}  // namespace
}  // namespace loom
