// What a model is for (reconstruct, forecast, classify) is the project's: suggested by the
// shapes for a new model, kept through edits that change the output, said in the file and in
// the runs, and a problem with fixes when the model no longer does it.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/test_graphs.h"
#include "data/data_preview.h"
#include "data/npy.h"
#include "graph/graph_edit.h"
#include "service/project_check.h"
#include "service/training_job.h"
#include "train/config_json.h"
#include "train/session.h"

namespace loom {
namespace {

using test::refusalOf;
namespace fs = std::filesystem;

constexpr auto kReconstruct = WindowSpec::Target::Reconstruction;
constexpr auto kForecast = WindowSpec::Target::Forecast;
constexpr auto kClassify = WindowSpec::Target::Classification;

TEST(Task, TheShapesSuggestOneOnlyWhereTheyMeanOne) {
    EXPECT_EQ(taskFromShapes({32, 1}, {32, 1}, false), (ModelTask{kReconstruct, 1}));
    EXPECT_EQ(taskFromShapes({32, 2}, {2}, false), (ModelTask{kForecast, 1}));
    EXPECT_EQ(taskFromShapes({32, 1}, {24, 1}, false), (ModelTask{kForecast, 24}));
    EXPECT_EQ(taskFromShapes({32, 1}, {2}, true), (ModelTask{kClassify, 1}));
    // A model being built (an encoder's vector, a decoder without its projection) suggests none.
    EXPECT_FALSE(taskFromShapes({32, 1}, {64}, false));
    EXPECT_FALSE(taskFromShapes({32, 1}, {32, 64}, false));
    EXPECT_FALSE(taskFromShapes({32, 1}, {32, 1}, true));
    EXPECT_FALSE(taskFromShapes({32}, {32}, false));
}

TEST(Task, AMismatchSaysWhatTheTaskTakesAndWhatTheModelReturns) {
    const ModelTask reconstruct{kReconstruct, 1};
    EXPECT_EQ(taskMismatch(reconstruct, {25, 1}, {25, 1}), "");
    EXPECT_EQ(taskMismatch(reconstruct, {25, 1}, {24, 1}),
              "the task is to reconstruct each window of 25 steps and 1 feature, but the model's output has "
              "24 steps (None, 24, 1)");
    EXPECT_EQ(taskMismatch(reconstruct, {25, 1}, {25, 16}),
              "the task is to reconstruct each window of 25 steps and 1 feature, but the model's output has "
              "16 features per step (None, 25, 16)");
    EXPECT_EQ(taskMismatch(reconstruct, {25, 1}, {64}),
              "the task is to reconstruct each window of 25 steps and 1 feature, but the model returns (None, 64), "
              "not a sequence");
    EXPECT_EQ(taskMismatch({kForecast, 1}, {25, 1}, {1}), "");
    EXPECT_EQ(taskMismatch({kForecast, 1}, {25, 1}, {24, 1}),
              "the task is to forecast the next step of 1 feature, but the model's output has 24 steps (None, 24, 1)");
    EXPECT_EQ(taskMismatch({kForecast, 12}, {25, 1}, {12, 1}), "");
    EXPECT_EQ(taskMismatch({kForecast, 12}, {25, 2}, {12, 3}),
              "the task is to forecast the next 12 steps of 2 features, but the model's output has 3 features per "
              "step (None, 12, 3)");
    EXPECT_EQ(taskMismatch({kClassify, 1}, {25, 1}, {3}), "");
    EXPECT_EQ(taskMismatch({kClassify, 1}, {25, 1}, {25, 1}),
              "the task is to classify each window, which takes one vector of class scores per window, but the "
              "model returns (None, 25, 1)");
    EXPECT_EQ(describeTask({kForecast, 24}), "forecasts the next 24 steps");
    EXPECT_EQ(describeTask({kForecast, 1}), "forecasts the next step");
}

TEST(Task, IsWrittenInTheDataSettingsAndReadBack) {
    DataSpec spec;
    spec.task = ModelTask{kForecast, 24};
    nlohmann::json j = dataSpecToJson(spec);
    EXPECT_EQ(j["task"], "forecast");
    EXPECT_EQ(j["horizon"], 24);
    EXPECT_EQ(dataSpecFromJson(j).task, spec.task);
    spec.task = ModelTask{kReconstruct, 1};
    j = dataSpecToJson(spec);
    EXPECT_FALSE(j.contains("horizon"));
    EXPECT_EQ(dataSpecFromJson(j).task, spec.task);
    EXPECT_FALSE(dataSpecFromJson(nlohmann::json::object()).task);  // a project from before tasks
    EXPECT_EQ(refusalOf([] { dataSpecFromJson({{"task", "denoise"}}); }),
              "unknown task 'denoise' (reconstruct, forecast or classify)");
    EXPECT_EQ(refusalOf([] { dataSpecFromJson({{"task", "forecast"}, {"horizon", 0}}); }),
              "a forecast's horizon must be from 1 to 100000 steps, not 0");
    EXPECT_EQ(refusalOf([] { dataSpecFromJson({{"task", "forecast"}, {"horizon", 1e30}}); }),
              "a forecast's horizon must be a whole number of steps, not 1e+30");
}

TEST(Task, DataIsPreparedForTheProjectsTaskNotTheShapes) {
    DataSpec spec;
    spec.source = "synthetic:sawtooth";
    spec.syntheticSteps = 200;
    // Without a task, the shapes say it (projects from before tasks train as they did).
    EXPECT_EQ(prepareData(spec, {10, 1}, {3, 1}).task, (ModelTask{kForecast, 3}));
    spec.task = ModelTask{kReconstruct, 1};
    EXPECT_EQ(refusalOf([&] { prepareData(spec, {10, 1}, {3, 1}); }),
              "the task is to reconstruct each window of 10 steps and 1 feature, but the model's output has 3 "
              "steps (None, 3, 1)");
    spec.task = ModelTask{kClassify, 1};
    EXPECT_EQ(refusalOf([&] { prepareData(spec, {10, 1}, {2}); }),
              "classifying windows needs the column of class labels: choose it under Labels");
    spec.task = ModelTask{kForecast, 3};
    const PreparedData forecast = prepareData(spec, {10, 1}, {3, 1});
    EXPECT_EQ(forecast.window.target, kForecast);
    EXPECT_EQ(forecast.window.horizon, 3);
    EXPECT_EQ(forecast.train.yDims, (Dims{3, 1}));
}

/// The odd-length U-Net after the merge's Crop fix: its output is one step short of its input.
struct CroppedUnet {
    Project project = loadProject(std::string(LAYERLOOM_EXAMPLES_DIR) + "/broken_conv1d_unet_odd.loom");
    CroppedUnet() {
        const Validation v = validate(project.graph);
        for (const Diagnostic& d : v.diagnostics) {
            for (const Fix& f : d.fixes) {
                if (d.code == DiagCode::MergeTimeMismatch && f.title.starts_with("Crop")) {
                    project.graph = appliedEdit(project.graph, f.edit);
                    return;
                }
            }
        }
        ADD_FAILURE() << "the odd U-Net offers no Crop fix";
    }
};

TEST(Task, AnEditThatChangesTheOutputRaisesAProblemWithFixesAndKeepsTheTask) {
    CroppedUnet unet;
    Project& p = unet.project;
    const Validation v = validate(p.graph);
    ASSERT_FALSE(v.hasErrors());
    const std::optional<Diagnostic> problem = taskProblem(p.graph, v, p.training);
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->code, DiagCode::TaskMismatch);
    EXPECT_EQ(problem->severity, Severity::Error);
    EXPECT_EQ(p.graph.node(problem->node)->name, "conv1d_6");
    EXPECT_EQ(problem->message,
              "The task is to reconstruct each window of 25 steps and 1 feature, but the model's output has 24 "
              "steps (None, 24, 1). The task is set in the Data panel; editing layers does not change it.");
    ASSERT_EQ(problem->fixes.size(), 2u);
    EXPECT_EQ(problem->fixes[0].title, "Pad conv1d_5's output with 1 step of zeros at the end (ZeroPadding1D)");
    EXPECT_FALSE(problem->fixes[0].task);
    EXPECT_EQ(problem->fixes[1].title, "Change the task: forecast the next 24 steps instead of reconstructing the input");
    EXPECT_EQ(problem->fixes[1].task, (ModelTask{kForecast, 24}));
    EXPECT_TRUE(problem->fixes[1].edit.ops.empty());
    // Either fix leaves no problem: the padded model reconstructs, or the task is what it does.
    const ModelGraph padded = appliedEdit(p.graph, problem->fixes[0].edit);
    const Validation after = validate(padded);
    EXPECT_FALSE(after.hasErrors());
    EXPECT_FALSE(taskProblem(padded, after, p.training));
    EXPECT_FALSE(taskProblem(p.graph, v, withTask(p.training, *problem->fixes[1].task)));
    // Nothing is suggested for a project that says its task.
    EXPECT_FALSE(suggestedTask(p.graph, v, p.training));
}

TEST(Task, AModelWithoutATaskTakesTheOneItsShapesSuggest) {
    Project p;
    p.graph = test::autoencoder();
    const Validation v = validate(p.graph);
    EXPECT_EQ(suggestedTask(p.graph, v, p.training), (ModelTask{kReconstruct, 1}));
    EXPECT_FALSE(taskProblem(p.graph, v, p.training));  // no task, no mismatch
    const nlohmann::json training = withTask(p.training, ModelTask{kForecast, 16});
    EXPECT_EQ(training["data"]["task"], "forecast");
    EXPECT_EQ(training["data"]["horizon"], 16);
    EXPECT_FALSE(withTask(training, ModelTask{kReconstruct, 1})["data"].contains("horizon"));
    // A model whose output says nothing yet suggests nothing.
    ModelGraph encoder;
    test::add(encoder, "LSTM", {{"units", std::int64_t{8}}}, {test::input(encoder, {16, 1})});
    EXPECT_FALSE(suggestedTask(encoder, validate(encoder), nlohmann::json::object()));
}

TEST(Task, ARunRecordsTheTaskItTrainedFor) {
    SessionSetup setup;
    setup.graph = test::autoencoder();
    setup.data.source = "synthetic:sines";
    setup.data.syntheticSteps = 200;
    setup.config.epochs = 1;
    setup.previewSamples = 0;
    TrainingSession session(setup);
    session.prepare();
    const TrainingRun run = beginRun(session, 1, "2026-12-05T08:00:00");
    EXPECT_EQ(run.training["data"]["task"], "reconstruct");
    EXPECT_EQ(trainingSettings(run.training).data.task, (ModelTask{kReconstruct, 1}));
}

TEST(Task, SamplesAlreadyCutAreComparedWithTheModelsShapes) {
    const fs::path dir = fs::temp_directory_path() / "layerloom_task_samples";
    fs::create_directories(dir);
    writeNpy(dir / "x.npy", NpyArray{{10, 16, 1}, std::vector<float>(160, 0.5f)});
    writeNpy(dir / "y.npy", NpyArray{{10, 4, 1}, std::vector<float>(40, 0.25f)});
    DataSpec spec;
    spec.source = (dir / "x.npy").string();
    spec.validationSplit = 0.2;
    DataPreview p = previewData(spec, std::pair{Dims{16, 1}, Dims{16, 1}}, "");
    EXPECT_EQ(p.problem, "");
    EXPECT_EQ(p.trainWindows, 8);
    EXPECT_EQ(p.validationWindows, 2);
    EXPECT_EQ(p.sampleDims, (Dims{16, 1}));
    p = previewData(spec, std::pair{Dims{16, 1}, Dims{4, 1}}, "");
    EXPECT_EQ(p.problem, "without a targets file each sample is its own target, shaped (16, 1), but the model's output "
                         "is (4, 1); choose the targets' .npy file under Targets");
    spec.target = (dir / "y.npy").string();
    p = previewData(spec, std::pair{Dims{16, 1}, Dims{4, 1}}, "");
    EXPECT_EQ(p.problem, "");
    EXPECT_EQ(p.targetDims, (Dims{4, 1}));
    p = previewData(spec, std::pair{Dims{32, 1}, Dims{4, 1}}, "");
    EXPECT_EQ(p.problem, "one sample is shaped (16, 1), but the model's Input takes (32, 1)");
    fs::remove_all(dir);
}

}  // namespace
}  // namespace loom

namespace loom {
namespace {

TEST(Task, AForecastersFixesKeepItsLastStepsOrSetItsWidth) {
    nlohmann::json training = withTask(nlohmann::json::object(), ModelTask{kForecast, 4});
    ModelGraph g;
    const NodeId lstm = test::add(g, "LSTM", {{"units", std::int64_t{8}}, {"return_sequences", true}}, {test::input(g, {10, 1})});
    test::add(g, "TimeDistributed", {{"units", std::int64_t{1}}}, {lstm});
    std::optional<Diagnostic> problem = taskProblem(g, validate(g), training);
    ASSERT_TRUE(problem);
    ASSERT_FALSE(problem->fixes.empty());
    EXPECT_TRUE(problem->fixes[0].title.starts_with("Keep the last 4 steps of ")) << problem->fixes[0].title;
    const ModelGraph cropped = appliedEdit(g, problem->fixes[0].edit);
    EXPECT_FALSE(taskProblem(cropped, validate(cropped), training));
    const Node* crop = nullptr;
    for (const Node& n : cropped.nodes()) {
        if (n.kind == "Cropping1D") crop = &n;
    }
    ASSERT_TRUE(crop);
    EXPECT_EQ(crop->param<std::int64_t>("crop_before"), 6);  // the first steps go, the last stay

    // One vector per window of the wrong width: the next step's features, by the layer's units.
    training = withTask(nlohmann::json::object(), ModelTask{kForecast, 1});
    ModelGraph v;
    test::add(v, "LSTM", {{"units", std::int64_t{12}}}, {test::input(v, {10, 1})});
    problem = taskProblem(v, validate(v), training);
    ASSERT_TRUE(problem);
    ASSERT_FALSE(problem->fixes.empty());
    EXPECT_EQ(problem->fixes[0].title, "Set units=1 on lstm_1");
    const ModelGraph narrow = appliedEdit(v, problem->fixes[0].edit);
    EXPECT_FALSE(taskProblem(narrow, validate(narrow), training));
}

}  // namespace
}  // namespace loom
