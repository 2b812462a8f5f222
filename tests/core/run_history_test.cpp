// The runs list: saving runs with the project and telling what changed between two of them.
#include <gtest/gtest.h>

#include "core/test_graphs.h"
#include "train/run_history.h"

namespace loom {
namespace {

using test::add;
using test::input;

ModelGraph plain() {
    ModelGraph g;
    const NodeId in = input(g, {32, 1});
    const NodeId enc = add(g, "LSTM", {{"units", std::int64_t{64}}}, {in});
    const NodeId rep = add(g, "RepeatVector", {{"n", std::int64_t{32}}}, {enc});
    const NodeId dec = add(g, "LSTM", {{"units", std::int64_t{64}}, {"return_sequences", true}}, {rep});
    add(g, "TimeDistributed", {{"units", std::int64_t{1}}}, {dec});
    return g;
}

TEST(RunHistory, RoundTripsThroughJson) {
    TrainingRun run;
    run.number = 3;
    run.started = "2026-11-27T10:00:00";
    run.graph = plain();
    run.training = {{"loss", "mse"}, {"epochs", 2}};
    EpochReport e;
    e.epoch = 1;
    e.epochs = 2;
    e.loss = 0.5;
    e.valLoss = 0.75;
    e.gradients = {{"lstm_1", 0.25}, {"lstm_2", 1.5}};
    run.history = {e};
    run.batchLosses = {0.9f, 0.7f, 0.5f};
    run.batchesPerEpoch = 3;
    run.reason = StopReason::EarlyStopped;
    run.outcome = "Stopped early";
    run.parameters = 50000;
    const TrainingRun back = runFromJson(runToJson(run));
    EXPECT_EQ(back.number, 3);
    EXPECT_EQ(back.started, run.started);
    EXPECT_EQ(back.graph, run.graph);
    EXPECT_EQ(back.training, run.training);
    ASSERT_EQ(back.history.size(), 1u);
    EXPECT_EQ(back.history[0].valLoss, 0.75);
    ASSERT_EQ(back.history[0].gradients.size(), 2u);
    EXPECT_EQ(back.history[0].gradients[1].norm, 1.5);
    EXPECT_EQ(back.batchLosses, run.batchLosses);
    EXPECT_EQ(back.reason, StopReason::EarlyStopped);
    EXPECT_EQ(back.parameters, 50000);
    EXPECT_EQ(back.bestLoss(), 0.75);
}

TEST(RunHistory, LongBatchSeriesAreThinnedWhenSaved) {
    TrainingRun run;
    run.graph = plain();
    run.batchLosses.assign(12001, 1.0f);
    const TrainingRun back = runFromJson(runToJson(run));
    EXPECT_LE(back.batchLosses.size(), kKeptBatchLosses);
    EXPECT_EQ(back.batchLossEvery, 3);
}

/// The message runFromJson refuses `j` with.
std::string refusal(const nlohmann::json& j) {
    return test::refusalOf([&] { runFromJson(j); });
}

TEST(RunHistory, DamagedRunsSayWhereAndWhat) {
    EXPECT_EQ(refusal(nlohmann::json::object()), "missing \"number\"");
    nlohmann::json j = runToJson(TrainingRun{});
    j["ending"] = "exploded";
    EXPECT_EQ(refusal(j), "/ending: unknown run ending 'exploded'");
    // Found by fuzzing: these reached the user in the JSON library's words.
    j = runToJson(TrainingRun{});
    j.erase("history");
    EXPECT_EQ(refusal(j), "missing \"history\"");
    j = runToJson(TrainingRun{});
    j["history"] = {{{"epoch", 1}, {"loss", "low"}}};
    EXPECT_EQ(refusal(j), "/history/0/loss: expected a number, found text \"low\"");
    j["history"] = {{{"epoch", 1}, {"loss", 0.5}, {"gradients", {{"lstm_1", nullptr}}}}};
    EXPECT_EQ(refusal(j), "/history/0/gradients/lstm_1: expected a number, found null");
    j["history"] = nlohmann::json::array();
    j["batch_losses"] = {1, "x"};
    EXPECT_EQ(refusal(j), "/batch_losses/1: expected a number, found text \"x\"");
}

TEST(RunHistory, ArchitectureChangesNameTheSkipAndTheUnits) {
    const ModelGraph a = plain();
    ModelGraph b = plain();
    const NodeId enc = b.nodes()[1].id, dec = b.nodes()[3].id, head = b.nodes()[4].id;
    b.setParam(dec, "units", std::int64_t{128});
    // A skip from the encoder's sequences into the decoder's output.
    b.setParam(enc, "return_sequences", true);
    const NodeId proj = add(b, "TimeDistributed", {{"units", std::int64_t{128}}}, {enc});
    b.disconnect(b.inputEdges(head).front()->id);
    const NodeId sum = add(b, "Add", {}, {proj, dec});
    b.connect({sum, 0}, {head, 0});
    const std::vector<std::string> changes = architectureChanges(a, b);
    const auto has = [&](const std::string& line) {
        return std::find(changes.begin(), changes.end(), line) != changes.end();
    };
    EXPECT_TRUE(has("added add_1 (Add)")) << ::testing::PrintToString(changes);
    EXPECT_TRUE(has("added time_distributed_2 (TimeDistributed)"));
    EXPECT_TRUE(has("lstm_2: units 64 -> 128"));
    EXPECT_TRUE(has("lstm_1: return_sequences False -> True")) << ::testing::PrintToString(changes);
    EXPECT_TRUE(has("wired add_1 -> time_distributed_1"));
    EXPECT_TRUE(has("unwired lstm_2 -> time_distributed_1"));
    EXPECT_TRUE(architectureChanges(a, plain()).empty());
}

}  // namespace
}  // namespace loom
