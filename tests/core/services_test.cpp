// The services both front ends use: the sample catalogue, the training job (settings, the rule
// for starting weights, the run record) and the model export.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/test_graphs.h"
#include "data/csv_reader.h"
#include "data/sample_catalogue.h"
#include "engine/weights_file.h"
#include "graph/project_file.h"
#include "service/evaluation.h"
#include "service/model_export.h"
#include "service/training_job.h"
#include "train/config_json.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
using test::add;
using test::autoencoder;
using test::input;


/// Weights of another model: nothing in them fits autoencoder().
std::vector<NamedTensor> foreignWeights() {
    ModelGraph g;
    add(g, "Dense", {{"units", std::int64_t{3}}}, {input(g, {5})});
    Plan<float> plan = Plan<float>::compile(g, 1);
    plan.initialize(2);
    return plan.exportWeights();
}

std::string readBytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("layerloom_services_" + name);
    fs::remove_all(dir);
    return dir;
}

TEST(SampleCatalogue, FindsASeriesByItsFileOrItsNameAndNothingElse) {
    ASSERT_NE(findSample("sample:nile.csv"), nullptr);
    EXPECT_EQ(findSample("sample:nile")->column, "volume");
    EXPECT_EQ(findSample("sample:rainfall"), nullptr);
    EXPECT_EQ(findSample("sample:../data/nile.csv"), nullptr);
    EXPECT_EQ(findSample("nile.csv"), nullptr);  // a file path, not a sample
    EXPECT_EQ(sampleCatalogue().front().file, "sunspots.csv");
}

TEST(SampleCatalogue, ResolvesASampleInTheGivenFolderAndSaysWhatShips) {
    const fs::path folder = scratch("samples");
    EXPECT_EQ(resolveDataSource("sample:nile", folder), (folder / "nile.csv").string());
    EXPECT_EQ(resolveDataSource("/data/my.csv", folder), "/data/my.csv");
    EXPECT_EQ(test::refusalOf([&] { resolveDataSource("sample:../nile", folder); }),
              "there is no sample series '../nile'; LayerLoom ships sunspots.csv, nile.csv, elec_equip.csv, "
              "machine_normal.csv, machine_incidents.csv");
    // The folder that ships with LayerLoom, by default (the build tree's share/layerloom).
    const auto shipped = shippedSampleFolder();
    ASSERT_TRUE(shipped);
    EXPECT_TRUE(fs::exists(resolveDataSource("sample:sunspots")));
}

TEST(TrainingSettings, AProjectWithoutDataTrainsOnTheDefaultSample) {
    const TrainingSettings none = trainingSettings(nlohmann::json::object());
    EXPECT_EQ(none.data.source, "sample:sunspots.csv");
    EXPECT_EQ(none.data.columns, (std::vector<std::string>{"SUNACTIVITY"}));
    EXPECT_DOUBLE_EQ(none.data.validationSplit, 0.2);
    // A data section without a source keeps its other settings.
    const TrainingSettings windowOnly = trainingSettings({{"data", {{"window", 12}}}, {"epochs", 4}});
    EXPECT_EQ(windowOnly.data.source, "sample:sunspots.csv");
    EXPECT_EQ(windowOnly.data.window, 12);
    EXPECT_EQ(windowOnly.config.epochs, 4);
    // Written out, every default is there, and it reads back the same.
    const nlohmann::json j = trainingSettingsJson(windowOnly);
    EXPECT_EQ(j["batch_size"], 32);
    EXPECT_EQ(j["data"]["validation_split"], 0.2);
    EXPECT_EQ(trainingSettingsJson(trainingSettings(j)), j);
    EXPECT_THROW(trainingSettings({{"epochs", 0}}), std::runtime_error);
}

SessionSetup sineSetup(std::vector<NamedTensor> weights, WeightsOrigin origin) {
    TrainingSettings s = trainingSettings({{"epochs", 1}, {"batch_size", 16}});
    s.data.source = "synthetic:sines";
    s.data.columns.clear();
    s.data.syntheticSteps = 300;
    s.data.stride = 4;
    SessionSetup setup = sessionSetup(autoencoder(), s, {std::move(weights), origin, "weights.llw"});
    setup.previewSamples = 0;
    return setup;
}

TEST(TrainingJob, RefusesChosenWeightsThatFitNothingAndNotesTheModelsOwn) {
    TrainingSession chosen(sineSetup(foreignWeights(), WeightsOrigin::Given));
    EXPECT_EQ(test::refusalOf([&] { chosen.prepare(); }).rfind("the given weights fit none of the model's layers: ", 0), 0u);

    TrainingSession own(sineSetup(foreignWeights(), WeightsOrigin::Model));
    own.prepare();
    EXPECT_TRUE(own.weightMatch().none());
    ASSERT_FALSE(own.data().notes.empty());
    EXPECT_NE(own.data().notes.back().find("the model's saved weights fit none of its layers any more"),
              std::string::npos) << own.data().notes.back();
    // Fresh weights are the seeded initialisers, as without any weights.
    TrainingSession fresh(sineSetup({}, WeightsOrigin::Model));
    fresh.prepare();
    EXPECT_EQ(own.weights(), fresh.weights());
    EXPECT_TRUE(fresh.previewSet().indexes.empty());  // no previews asked for
}

TEST(TrainingJob, TheRunRecordHoldsResolvedSettingsAndTheFittedNormaliser) {
    TrainingSession session(sineSetup({}, WeightsOrigin::Model));
    session.prepare();
    const TrainingRun run = beginRun(session, 3, "2026-12-04T10:00:00");
    EXPECT_EQ(run.number, 3);
    EXPECT_EQ(run.training["data"]["source"], "synthetic:sines");
    EXPECT_EQ(run.training["epochs"], 1);
    EXPECT_EQ(run.training["optimizer"]["name"], "adam");
    const Normalizer n = normalizerFromJson(run.training["normalizer"]);
    EXPECT_EQ(n.shift, session.data().normalizer.shift);
    EXPECT_EQ(run.parameters, validate(autoencoder()).totalParams);
    const RunRecord record = beginRunRecord(session, "model.loom", "2026-12-04T10:00:00");
    EXPECT_EQ(record.model, "model.loom");
    EXPECT_EQ(record.normalizer.shift, n.shift);
    EXPECT_EQ(record.run.training, run.training);
}

TEST(TrainingJob, TheRunSaysWhatItsWeightsStartedFrom) {
    TrainingSession fresh(sineSetup({}, WeightsOrigin::Model));
    fresh.prepare();
    EXPECT_EQ(startingPoint(fresh), "Keras's initialisers (seed 1)");
    Plan<float> trained = Plan<float>::compile(autoencoder(), 1);
    trained.initialize(5);
    TrainingSession all(sineSetup(trained.exportWeights(), WeightsOrigin::Given));
    all.prepare();
    EXPECT_EQ(startingPoint(all), "weights.llw");
    EXPECT_EQ(beginRun(all, 1, "").startedFrom, "weights.llw");
    // A wider decoder keeps only the encoder's weights.
    Plan<float> narrow = Plan<float>::compile(autoencoder(4), 1);
    narrow.initialize(5);
    SessionSetup wider = sineSetup(trained.exportWeights(), WeightsOrigin::Model);
    wider.graph = autoencoder(4);
    wider.graph.setParam(wider.graph.nodes()[1].id, "units", std::int64_t{6});
    TrainingSession part(wider);
    part.prepare();
    EXPECT_EQ(startingPoint(part).rfind("weights.llw for lstm_1, Keras's initialisers (seed 1) elsewhere", 0), 0u)
        << startingPoint(part);
}

TEST(TrainingJob, SaysWhereSeveralProcessesSplitTheBatchStatistics) {
    const auto warningsFor = [](const ModelGraph& graph, const std::string& name) {
        SessionSetup setup = sineSetup({}, WeightsOrigin::Model);
        setup.graph = graph;
        TrainingSession session(setup);
        session.prepare();
        Project project;
        project.graph = graph;
        return exportTrainingJob(session, project, "model.loom", scratch(name)).warnings;
    };
    ModelGraph g;
    const NodeId norm = add(g, "BatchNormalization", {}, {input(g, {16, 1})});
    const NodeId rep = add(g, "RepeatVector", {{"n", std::int64_t{16}}}, {test::lstm(g, 4, false, norm)});
    add(g, "TimeDistributed", {{"units", std::int64_t{1}}}, {test::lstm(g, 4, true, rep)});
    const auto warned = warningsFor(g, "job_batchnorm");
    ASSERT_EQ(warned.size(), 1u);
    EXPECT_EQ(warned[0], "batch_normalization_1: with several processes, BatchNormalization normalises "
                         "by each process's share of the batch");
    EXPECT_TRUE(warningsFor(autoencoder(), "job_plain").empty());
}

TEST(Evaluation, ScoresARunsWeightsWithTheRunsDataLossAndNormaliser) {
    TrainingSession session(sineSetup({}, WeightsOrigin::Model));
    session.prepare();
    const RunRecord record = beginRunRecord(session, "model.loom", "");
    // The project has since moved on to another loss and no data; the run's settings hold.
    Project project;
    project.graph = autoencoder();
    project.training = {{"loss", "mae"}, {"batch_size", 4}};
    EvaluationRequest request = evaluationRequest(project, &record);
    EXPECT_EQ(request.data.source, "synthetic:sines");
    EXPECT_EQ(request.loss, Loss::MeanSquaredError);
    EXPECT_EQ(request.batchSize, 4);
    ASSERT_TRUE(request.normalizer.has_value());
    EXPECT_EQ(request.normalizer->shift, session.data().normalizer.shift);
    request.weights = session.weights();
    const EvaluationResult result = evaluateModel(request);

    // The same by hand: every window (no validation part), the run's normaliser.
    Plan<float> plan = Plan<float>::compile(project.graph, 4, request.data.window);
    plan.loadWeights(request.weights);
    DataSpec all = request.data;
    all.validationSplit = 0;
    const PreparedData data = prepareData(all, plan.dims(plan.inputs()[0]), plan.dims(plan.outputs()[0]),
                                          &record.normalizer);
    EXPECT_EQ(result.samples, data.train.size());
    EXPECT_GT(result.samples, session.data().train.size());
    EXPECT_DOUBLE_EQ(result.scores.loss, evaluate(plan, data.train, Loss::MeanSquaredError).loss);

    // Without a run: the project's loss, and its data as it names it (none: the default
    // series is chosen when it is scored, after the caller's own choices).
    const EvaluationRequest own = evaluationRequest(project, nullptr);
    EXPECT_EQ(own.loss, Loss::MeanAbsoluteError);
    EXPECT_TRUE(own.data.source.empty()) << own.data.source;
    EXPECT_TRUE(own.data.columns.empty());
    EXPECT_FALSE(own.normalizer.has_value());
}

TEST(Evaluation, RefusesWeightsThatDoNotFitAndModelsTooLargeForMemory) {
    TrainingSession session(sineSetup({}, WeightsOrigin::Model));
    session.prepare();
    const RunRecord record = beginRunRecord(session, "model.loom", "");
    Project project;
    project.graph = autoencoder();
    EvaluationRequest request = evaluationRequest(project, &record);
    request.weights = foreignWeights();
    EXPECT_EQ(test::refusalOf([&] { evaluateModel(request); }).rfind("no weights for ", 0), 0u);
    request.weights = session.weights();
    request.batchSize = 1 << 30;
    const std::string tooLarge = test::refusalOf([&] { evaluateModel(request); });
    EXPECT_NE(tooLarge.find("more than this machine's"), std::string::npos) << tooLarge;
    request.batchSize = 8;
    request.data.source = "/nonexistent/series.csv";
    EXPECT_THROW(evaluateModel(request), DataError);
}

TEST(TrainingSettings, RunsCompareByTheirResolvedSettingsInWords) {
    // A run recorded with only what was chosen, and one with every default written out.
    const nlohmann::json sparse = {{"epochs", 20}, {"data", {{"source", "sample:nile.csv"}}}};
    nlohmann::json full = trainingSettingsJson(trainingSettings(sparse));
    full["normalizer"] = {{"kind", "zscore"}, {"shift", {1.0}}, {"scale", {2.0}}};  // fitted, not chosen
    EXPECT_TRUE(settingsChanges(sparse, full).empty());
    full["optimizer"]["learning_rate"] = 0.0005;
    full["shuffle"] = false;
    full["data"]["source"] = "data.csv";
    EXPECT_EQ(settingsChanges(sparse, full),
              (std::vector<std::string>{"data source sample:nile.csv -> data.csv", "learning rate 0.001 -> 0.0005",
                                        "shuffle on -> off"}));
    const std::vector<std::string> lines = settingsLines(sparse);
    EXPECT_NE(std::find(lines.begin(), lines.end(), "optimizer: adam"), lines.end());
    EXPECT_NE(std::find(lines.begin(), lines.end(), "batch size: 32"), lines.end());
    EXPECT_NE(std::find(lines.begin(), lines.end(), "data columns: none"), lines.end());
}

TEST(ProjectFile, KeepsWhereTheWeightsCameFrom) {
    Project p;
    p.graph = autoencoder();
    Plan<float> plan = Plan<float>::compile(p.graph, 1);
    plan.initialize(1);
    p.weights = plan.exportWeights();
    p.weightsFrom = "run 3's weights";
    EXPECT_EQ(parseProject(serializeProject(p)).weightsFrom, "run 3's weights");
    EXPECT_THROW(parseProject(R"({"format": "layerloom-project", "version": 2, "graph": {"nodes": [], "edges": []},
                                  "weights": {"encoding": "float32-le-base64", "tensors": [], "from": 7}})"),
                 ProjectError);
}

Project exampleProject() {
    Project p;
    p.name = "exported";
    p.graph = autoencoder();
    p.training = {{"seed", 7}};
    return p;
}

TEST(ModelExport, SeedsFreshLayersWithTheProjectsSeedAndWritesTheSameBytes) {
    const fs::path dir = scratch("export_seed");
    ModelExportRequest request;
    request.project = exampleProject();
    request.format = ModelFormat::Layers;
    request.target = dir / "a";
    const ModelExportResult a = exportModel(request);
    EXPECT_EQ(a.seed, 7u);
    EXPECT_FALSE(a.trained);
    EXPECT_EQ(a.tensors, 8u);
    request.target = dir / "b";
    exportModel(request);
    EXPECT_EQ(readBytes(dir / "a" / "weights.bin"), readBytes(dir / "b" / "weights.bin"));
    request.seed = 8;
    request.target = dir / "c";
    EXPECT_EQ(exportModel(request).seed, 8u);
    EXPECT_NE(readBytes(dir / "a" / "weights.bin"), readBytes(dir / "c" / "weights.bin"));
}

TEST(ModelExport, RefusesErrorsAndChosenWeightsThatFitNothing) {
    const fs::path dir = scratch("export_refusals");
    ModelExportRequest request;
    request.project = exampleProject();
    request.format = ModelFormat::Pytorch;
    request.target = dir / "torch";
    request.weights = foreignWeights();
    request.origin = WeightsOrigin::Given;
    EXPECT_THROW(exportModel(request), PlanError);
    EXPECT_FALSE(fs::exists(dir / "torch"));
    // The model's own, outgrown weights: every layer afresh, and the export goes ahead.
    request.origin = WeightsOrigin::Model;
    const ModelExportResult done = exportModel(request);
    EXPECT_TRUE(done.trained);
    EXPECT_TRUE(done.match.none());
    EXPECT_TRUE(fs::exists(dir / "torch" / "model.py"));

    ModelGraph broken = autoencoder();
    const NodeId wide = add(broken, "Dense", {{"units", std::int64_t{4}}}, {broken.nodes()[0].id});
    add(broken, "Add", {}, {wide, broken.nodes()[3].id});  // (16, 4) + (16, 6)
    request.project.graph = broken;
    request.format = ModelFormat::KerasCode;
    request.target = dir / "broken.py";
    EXPECT_THROW(exportModel(request), PlanError);
    EXPECT_FALSE(fs::exists(dir / "broken.py"));
}

}  // namespace
}  // namespace loom
