// Run folders: checkpoints written as one, read back as hostile input, and resumed runs that
// continue exactly as the uninterrupted run would have.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>

#include "core/test_graphs.h"
#include "engine/weights_file.h"
#include "graph/project_file.h"
#include "train/config_json.h"
#include "train/run_folder.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::add;
using test::input;

/// An autoencoder with dropout (so the random engine matters) on a few sines.
ModelGraph dropoutAutoencoder() {
    ModelGraph g;
    const NodeId in = input(g, {8, 1});
    const NodeId enc = add(g, "LSTM", {{"units", std::int64_t{6}}}, {in});
    const NodeId drop = add(g, "Dropout", {{"rate", 0.3}}, {enc});
    const NodeId rep = add(g, "RepeatVector", {{"n", std::int64_t{8}}}, {drop});
    const NodeId dec = add(g, "LSTM", {{"units", std::int64_t{6}}, {"return_sequences", true}}, {rep});
    add(g, "TimeDistributed", {{"units", std::int64_t{1}}}, {dec});
    return g;
}

Dataset sines(int samples, float phase) {
    Dataset d;
    d.xDims = {8, 1};
    d.yDims = {8, 1};
    for (int s = 0; s < samples; ++s) {
        for (int t = 0; t < 8; ++t) d.x.push_back(std::sin(0.7f * static_cast<float>(t + s) + phase));
    }
    d.y = d.x;
    return d;
}

TrainConfig everyStatefulSetting() {
    TrainConfig c;
    c.epochs = 6;
    c.batchSize = 8;
    c.optimizer.learningRate = 0.01;
    c.optimizer.amsgrad = true;  // a third slot per parameter
    c.optimizer.weightDecay = 0.01;
    c.earlyStopping = {true, 50, 0.0, true};  // keeps best weights, never stops here
    c.schedule.kind = LearningRateSchedule::Kind::ReduceOnPlateau;
    c.schedule.patience = 1;
    return c;
}

/// Keeps the checkpoint of one epoch.
struct Catcher : TrainingObserver {
    int at = 0;
    std::optional<TrainingState> state;
    std::vector<NamedTensor> weights;
    const Plan<float>* plan = nullptr;
    bool wantsCheckpoints() const override { return true; }
    void onCheckpoint(const TrainingState& s) override {
        if (s.epochsDone != at) return;
        state = s;
        weights = plan->exportWeights();
    }
};

TEST(Resume, ContinuesExactlyAsTheUninterruptedRun) {
    const ModelGraph g = dropoutAutoencoder();
    const Dataset data = sines(40, 0.0f), val = sines(16, 0.4f);
    const TrainConfig c = everyStatefulSetting();

    Plan<float> whole = Plan<float>::compile(g, 8);
    whole.initialize(3);
    Catcher catcher;
    catcher.at = 3;
    catcher.plan = &whole;
    const TrainResult full = train(whole, data, &val, c, nullptr, &catcher);
    ASSERT_EQ(full.reason, StopReason::Finished) << full.message;
    ASSERT_TRUE(catcher.state);
    EXPECT_EQ(catcher.state->history.size(), 3u);
    EXPECT_FALSE(catcher.state->optimizer.moments.empty());
    EXPECT_FALSE(catcher.state->bestWeights.empty());

    Plan<float> resumed = Plan<float>::compile(g, 8);
    resumed.loadWeights(catcher.weights);
    const TrainResult rest = train(resumed, data, &val, c, nullptr, nullptr, &*catcher.state);
    ASSERT_EQ(rest.reason, StopReason::Finished) << rest.message;
    ASSERT_EQ(rest.history.size(), 6u);
    EXPECT_EQ(resumed.exportWeights(), whole.exportWeights());
    for (std::size_t e = 0; e < 6; ++e) {
        EXPECT_EQ(rest.history[e].loss, full.history[e].loss) << "epoch " << e + 1;
        EXPECT_EQ(rest.history[e].learningRate, full.history[e].learningRate) << "epoch " << e + 1;
    }
}

TEST(Resume, RefusesAStateThatDoesNotFit) {
    const ModelGraph g = dropoutAutoencoder();
    const Dataset data = sines(40, 0.0f);
    TrainConfig c = everyStatefulSetting();
    Plan<float> plan = Plan<float>::compile(g, 8);
    plan.initialize(3);
    Catcher catcher;
    catcher.at = 2;
    catcher.plan = &plan;
    c.epochs = 2;
    train(plan, data, nullptr, c, nullptr, &catcher);
    ASSERT_TRUE(catcher.state);

    TrainingState done = *catcher.state;
    TrainResult r = train(plan, data, nullptr, c, nullptr, nullptr, &done);
    EXPECT_EQ(r.reason, StopReason::InvalidData);
    EXPECT_EQ(r.message, "Cannot resume: the run has finished 2 of 2 epochs; ask for more epochs to continue it.");

    c.epochs = 4;
    TrainingState shortSlot = *catcher.state;
    shortSlot.optimizer.moments[3].resize(2);
    r = train(plan, data, nullptr, c, nullptr, nullptr, &shortSlot);
    EXPECT_EQ(r.reason, StopReason::InvalidData);
    EXPECT_NE(r.message.find("the optimizer state of lstm_1/"), std::string::npos) << r.message;

    TrainingState badEngine = *catcher.state;
    badEngine.dropoutRng = "12 nonsense";
    r = train(plan, data, nullptr, c, nullptr, nullptr, &badEngine);
    EXPECT_EQ(r.message, "Cannot resume: its random engine state is damaged.");
}

fs::path freshFolder(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("layerloom_run_folder_" + name);
    fs::remove_all(dir);
    return dir;
}

RunRecord recordOf(const ModelGraph& g, const TrainConfig& c) {
    RunRecord r;
    r.model = "model.loom";
    r.run.number = 1;
    r.run.graph = g;
    r.run.training = trainConfigToJson(c);
    r.run.training["data"] = dataSpecToJson(DataSpec{});
    r.window.length = 8;
    r.normalizer.kind = Normalizer::Kind::ZScore;
    r.normalizer.shift = {0.5};
    r.normalizer.scale = {2.0};
    return r;
}

TEST(RunFolder, WritesAndReadsBackEverythingAResumeNeeds) {
    const ModelGraph g = dropoutAutoencoder();
    TrainConfig c = everyStatefulSetting();
    c.epochs = 2;
    Plan<float> plan = Plan<float>::compile(g, 8);
    plan.initialize(3);
    Catcher catcher;
    catcher.at = 2;
    catcher.plan = &plan;
    train(plan, sines(40, 0.0f), nullptr, c, nullptr, &catcher);

    RunRecord record = recordOf(g, c);
    record.run.history = catcher.state->history;
    record.state = catcher.state;
    record.complete = false;
    const fs::path dir = freshFolder("roundtrip");
    checkRunFolderTarget(dir);
    writeRunFolder(dir, record, catcher.weights, &plan);
    // Written again over itself, as every epoch does: replaced as one, nothing left beside.
    writeRunFolder(dir, record, catcher.weights, &plan);
    for (const auto& entry : fs::directory_iterator(dir.parent_path())) {
        EXPECT_FALSE(entry.path().filename().string().starts_with(".layerloom_run_folder_roundtrip"))
            << entry.path();
    }

    const RunFolder back = readRunFolder(dir);
    EXPECT_EQ(back.weights, catcher.weights);
    EXPECT_FALSE(back.record.complete);
    EXPECT_EQ(back.record.normalizer.shift, std::vector<double>{0.5});
    EXPECT_EQ(back.record.window.length, 8);
    const TrainingState s = takeState(back, plan);
    EXPECT_EQ(s.epochsDone, 2);
    EXPECT_EQ(s.optimizer.iterations, catcher.state->optimizer.iterations);
    EXPECT_EQ(s.optimizer.moments, catcher.state->optimizer.moments);
    EXPECT_EQ(s.optimizer.moments.size(), 3 * plan.params().size());  // AMSGrad's slot came back too
    EXPECT_EQ(s.bestWeights, catcher.state->bestWeights);
    EXPECT_EQ(s.dropoutRng, catcher.state->dropoutRng);
    EXPECT_EQ(s.history.size(), 2u);

    // The model changed since: the state does not fit, and says where.
    ModelGraph wider = g;
    wider.setParam(wider.nodeByName("lstm_1")->id, "units", std::int64_t{7});
    const Plan<float> other = Plan<float>::compile(wider, 8);
    try {
        takeState(back, other);
        FAIL() << "a state for another model was taken";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("state.llw's optimizer/lstm_1/kernel/0 has shape (1, 24), the model's lstm_1/kernel (1, 28)"),
                  std::string::npos)
            << e.what();
    }
}

TEST(RunFolder, RefusesFoldersThatHoldOtherFiles) {
    const fs::path dir = freshFolder("others");
    fs::create_directories(dir);
    std::ofstream(dir / "notes.txt") << "mine";
    try {
        checkRunFolderTarget(dir);
        FAIL() << "a folder with other files would be replaced";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("holds files that are not a run's (notes.txt)"), std::string::npos)
            << e.what();
    }
    fs::remove(dir / "notes.txt");
    std::ofstream(dir / "run.json") << "{}";
    EXPECT_NO_THROW(checkRunFolderTarget(dir));  // an earlier run's folder may be replaced

    const fs::path file = freshFolder("file");
    std::ofstream(file) << "x";
    EXPECT_THROW(checkRunFolderTarget(file), std::runtime_error);
    EXPECT_THROW(checkRunFolderTarget(file / "run"), std::runtime_error);  // cannot be created
    EXPECT_THROW(checkRunFolderTarget(fs::current_path()), std::runtime_error);
    EXPECT_THROW(checkRunFolderTarget("."), std::runtime_error);
}

/// The error readRunFolder gives for `dir` after `damage` changed its run.json.
std::string errorAfter(const std::function<void(json&)>& damage) {
    const ModelGraph g = dropoutAutoencoder();
    const fs::path dir = freshFolder("damaged");
    Plan<float> plan = Plan<float>::compile(g, 8);
    plan.initialize(1);
    RunRecord record = recordOf(g, TrainConfig{});
    writeRunFolder(dir, record, plan.exportWeights());
    std::ifstream in(dir / "run.json");
    json j = json::parse(in);
    damage(j);
    std::ofstream(dir / "run.json") << j.dump();
    return test::refusalOf([&] { readRunFolder(dir); });
}

TEST(RunFolder, ADamagedRecordIsRefusedWithWhere) {
    EXPECT_NE(errorAfter([](json& j) { j.erase("model"); }).find("run.json: missing \"model\""), std::string::npos);
    EXPECT_NE(errorAfter([](json& j) { j["complete"] = 3; }).find("run.json: /complete: expected true or false, found a whole number"),
              std::string::npos);
    EXPECT_NE(errorAfter([](json& j) { j["version"] = 9; }).find("version 9 of the run format"), std::string::npos);
    EXPECT_NE(errorAfter([](json& j) { j["window"]["stride"] = -2; }).find("/window/stride: expected a whole number from 0 to 16777216, found -2"),
              std::string::npos);
    EXPECT_NE(errorAfter([](json& j) { j["run"]["training"]["normalizer"]["scale"] = {0.0}; })
                  .find("/run/training/normalizer: "),
              std::string::npos);
    const std::string data = errorAfter([](json& j) { j["run"]["training"]["data"] = 7; });
    EXPECT_NE(data.find("/run/training/data"), std::string::npos) << data;
    const std::string resume = errorAfter([](json& j) {
        j["resume"] = {{"epochs_done", 1}};
    });
    EXPECT_NE(resume.find("/resume: missing \"optimizer_iterations\""), std::string::npos) << resume;
    EXPECT_NE(errorAfter([](json& j) { j = json::array(); }).find("run.json: expected an object, found a list"),
              std::string::npos);
}

// Version 1 kept the normaliser at the top of run.json; the run holds it now, as in projects.
TEST(RunFolder, ReadsVersionOneWithItsNormaliserAtTheTop) {
    const fs::path dir = freshFolder("version1");
    fs::create_directories(dir);
    Plan<float> plan = Plan<float>::compile(dropoutAutoencoder(), 8);
    plan.initialize(1);
    RunRecord r;
    r.model = "m.loom";
    r.run.training = trainConfigToJson(TrainConfig{});
    r.run.training["data"] = dataSpecToJson(DataSpec{});
    r.normalizer.kind = Normalizer::Kind::MinMax;
    r.normalizer.shift = {3.0};
    r.normalizer.scale = {4.0};
    writeRunFolder(dir, r, plan.exportWeights());
    json j = json::parse(std::ifstream(dir / "run.json"));
    EXPECT_EQ(j["version"], 2);
    EXPECT_EQ(j["run"]["training"]["normalizer"]["shift"], json::array({3.0}));
    EXPECT_FALSE(j.contains("normalizer"));
    j["version"] = 1;
    j["normalizer"] = j["run"]["training"]["normalizer"];
    j["run"]["training"].erase("normalizer");
    std::ofstream(dir / "run.json") << j.dump();
    const RunFolder back = readRunFolder(dir);
    EXPECT_EQ(back.record.normalizer.shift, std::vector<double>{3.0});
    EXPECT_EQ(back.record.run.training["normalizer"]["kind"], "minmax");
}

TEST(RunFolder, ReadsTheRunRecordOfLayerLoom010) {
    const fs::path dir = freshFolder("legacy");
    fs::create_directories(dir);
    Plan<float> plan = Plan<float>::compile(dropoutAutoencoder(), 8);
    plan.initialize(1);
    saveWeights(dir / "weights.llw", plan.exportWeights());
    json legacy = {{"model", "m.loom"},
                   {"training", trainConfigToJson(TrainConfig{})},
                   {"data", dataSpecToJson(DataSpec{})},
                   {"window", {{"length", 8}, {"stride", 1}, {"horizon", 1}}},
                   {"normalizer", {{"kind", "none"}}},
                   {"result", "Trained 20 epochs."},
                   {"epochs_completed", 20}};
    std::ofstream(dir / "run.json") << legacy.dump();
    const RunFolder f = readRunFolder(dir);
    EXPECT_EQ(f.record.model, "m.loom");
    EXPECT_EQ(f.record.run.outcome, "Trained 20 epochs.");
    EXPECT_FALSE(f.record.state);
    EXPECT_THROW(takeState(f, plan), std::runtime_error);
}

}  // namespace
}  // namespace loom
