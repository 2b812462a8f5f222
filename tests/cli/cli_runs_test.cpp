// Training runs that survive interruption: Ctrl+C, SIGTERM and kill -9 keep every finished
// epoch in the run folder, and `train --resume` continues from it.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/cli_helpers.h"

namespace {

using namespace loom::test;
using nlohmann::json;

json runRecord(const fs::path& dir) {
    return json::parse(readFile(dir / "run.json"), nullptr, false);
}

/// Training that takes a while: half a second per epoch here, much more under sanitizers.
std::string longTraining(const fs::path& dir) {
    return "train " + kFixture + "/model.json --data synthetic:sines --steps 20000 --epochs 400 "
           "--quiet --out " + dir.string();
}

/// Runs `command` in the shell with `signal` sent after `seconds`; returns the exit status.
int runThenSignal(const std::string& command, const char* signal, int seconds) {
    const std::string line = "timeout --preserve-status -s " + std::string(signal) + " " +
                             std::to_string(seconds) + " " + LAYERLOOM_CLI + " " + command +
                             " > /dev/null 2>&1";
    return WEXITSTATUS(std::system(line.c_str()));
}

TEST(CliRun, CtrlCStopsAfterTheCurrentBatchAndKeepsTheFinishedEpochs) {
    const fs::path dir = freshDir("layerloom_cli_interrupt");
    EXPECT_EQ(runThenSignal(longTraining(dir), "INT", 3), 130);
    const json record = runRecord(dir);
    ASSERT_TRUE(record.is_object()) << readFile(dir / "run.json");
    const std::string outcome = record["run"]["outcome"].get<std::string>();
    EXPECT_TRUE(has(outcome, "Stopped at epoch")) << outcome;
    EXPECT_TRUE(has(outcome, "--resume " + dir.string())) << outcome;
    EXPECT_TRUE(record["complete"].get<bool>());
    const int kept = record["resume"]["epochs_done"].get<int>();
    EXPECT_EQ(record["run"]["history"].size(), static_cast<std::size_t>(kept));
    EXPECT_EQ(lines(dir / "history.csv"), static_cast<std::size_t>(kept) + 1);
    EXPECT_TRUE(fs::exists(dir / "weights.llw"));
}

TEST(CliRun, SigtermStopsLikeCtrlC) {
    const fs::path dir = freshDir("layerloom_cli_sigterm");
    EXPECT_EQ(runThenSignal(longTraining(dir), "TERM", 3), 130);
    const json record = runRecord(dir);
    ASSERT_TRUE(record.is_object());
    EXPECT_TRUE(has(record["run"]["outcome"].get<std::string>(), "Stopped at epoch"));
}

TEST(CliRun, KillMinus9LosesAtMostTheCurrentEpochAndTheRunResumes) {
    const fs::path dir = freshDir("layerloom_cli_kill9");
    const fs::path pidFile = fs::temp_directory_path() / "layerloom_cli_kill9.pid";
    const std::string start = std::string(LAYERLOOM_CLI) + " " + longTraining(dir) +
                              " > /dev/null 2>&1 & echo $! > " + pidFile.string();
    ASSERT_EQ(std::system(start.c_str()), 0);
    const pid_t pid = std::stoi(readFile(pidFile));
    // Wait for two finished epochs, then kill without warning.
    int done = 0;
    for (int tries = 0; tries < 1200 && done < 2; ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const json record = runRecord(dir);  // always whole: folders are replaced as one
        if (record.is_object() && record.contains("resume")) done = record["resume"]["epochs_done"].get<int>();
    }
    ::kill(pid, SIGKILL);
    ASSERT_GE(done, 2) << "the run wrote no checkpoints";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));

    const json record = runRecord(dir);
    ASSERT_TRUE(record.is_object());
    EXPECT_FALSE(record["complete"].get<bool>());
    const int kept = record["resume"]["epochs_done"].get<int>();
    EXPECT_GE(kept, 2);
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        EXPECT_TRUE(name == "run.json" || name == "weights.llw" || name == "history.csv" || name == "state.llw")
            << name;
    }
    // evaluate takes the checkpoint as it is.
    Result r = run("evaluate " + kFixture + "/model.json --run " + dir.string());
    EXPECT_EQ(r.exitCode, 0) << r.out;

    r = run("train " + kFixture + "/model.json --resume " + dir.string() + " --epochs " +
            std::to_string(kept + 1));
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "resuming " + dir.string() + " after epoch " + std::to_string(kept))) << r.out;
    EXPECT_TRUE(has(r.out, "Trained " + std::to_string(kept + 1) + " epochs.")) << r.out;
    EXPECT_EQ(runRecord(dir)["run"]["history"].size(), static_cast<std::size_t>(kept + 1));
}

TEST(CliRun, AResumedRunEndsWithTheWeightsOfTheUninterruptedOne) {
    const std::string data = " --data sample:nile.csv --column volume --batch-size 8 --seed 5 --quiet";
    const fs::path whole = freshDir("layerloom_cli_whole"), parts = freshDir("layerloom_cli_parts");
    ASSERT_EQ(run("train " + kFixture + "/model.json" + data + " --epochs 4 --out " + whole.string()).exitCode, 0);
    ASSERT_EQ(run("train " + kFixture + "/model.json" + data + " --epochs 2 --out " + parts.string()).exitCode, 0);
    const Result r = run("train " + kFixture + "/model.json --resume " + parts.string() + " --epochs 4 --quiet");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_EQ(readFile(parts / "weights.llw"), readFile(whole / "weights.llw"));

    const Result again = run("train " + kFixture + "/model.json --resume " + parts.string() + " --quiet");
    EXPECT_EQ(again.exitCode, 1) << again.out;
    EXPECT_TRUE(has(again.out, "the run has finished 4 of 4 epochs; ask for more epochs")) << again.out;
    const Result changed = run("train " + kFixture + "/model.json --resume " + parts.string() + " --lr 0.1");
    EXPECT_EQ(changed.exitCode, 64) << changed.out;
    EXPECT_TRUE(has(changed.out, "--lr cannot change them")) << changed.out;
}

TEST(CliRun, AnOutFolderThatCannotTakeTheRunIsRefusedBeforeTraining) {
    const fs::path dir = freshDir("layerloom_cli_out_others");
    fs::create_directories(dir);
    std::ofstream(dir / "thesis.tex") << "mine";
    const std::string train = "train " + kFixture + "/model.json --data sample:nile.csv --column volume --epochs 1 --out ";
    Result r = run(train + dir.string());
    EXPECT_EQ(r.exitCode, 2) << r.out;
    EXPECT_TRUE(has(r.out, "--out: " + dir.string() + " holds files that are not a run's (thesis.tex)")) << r.out;
    EXPECT_FALSE(has(r.out, "epoch 1/1")) << r.out;
    EXPECT_EQ(readFile(dir / "thesis.tex"), "mine");

    r = run(train + (dir / "thesis.tex" / "run").string());
    EXPECT_EQ(r.exitCode, 2) << r.out;
    EXPECT_TRUE(has(r.out, "--out: cannot create the folder")) << r.out;
    EXPECT_FALSE(has(r.out, "epoch 1/1")) << r.out;
}

TEST(CliRun, ChangedLayersStartAfreshAsInTheWindow) {
    const fs::path dir = freshDir("layerloom_cli_warm");
    const std::string data = " --data sample:nile.csv --column volume --epochs 1 --batch-size 8 --quiet";
    ASSERT_EQ(run("train " + kFixture + "/model.json" + data + " --out " + (dir / "run").string()).exitCode, 0);
    // The same model with a wider middle layer, and no weights of its own.
    json model = json::parse(readFile(kFixture + "/model.json"));
    for (json& layer : model["modelTopology"]["config"]["layers"]) {
        if (layer["config"]["name"] == "lstm_3") layer["config"]["units"] = 6;
    }
    model.erase("weightsManifest");
    std::ofstream(dir / "wider.json") << model.dump();
    const Result r = run("train " + (dir / "wider.json").string() + " --weights " +
                         (dir / "run" / "weights.llw").string() +
                         " --data sample:nile.csv --column volume --epochs 1 --batch-size 8 --out " +
                         (dir / "run2").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "layers start from the given weights, 2 afresh (lstm_3: ")) << r.out;
    // export takes the weights by the same rule (as File > Export does).
    const Result e = run("export " + (dir / "wider.json").string() + " " + (dir / "tfjs").string() +
                         " --to tfjs --weights " + (dir / "run" / "weights.llw").string());
    EXPECT_EQ(e.exitCode, 0) << e.out;
    EXPECT_TRUE(has(e.out, "warning: exported with new weights: lstm_3: ")) << e.out;
}

TEST(CliRun, DataThatCannotTrainWritesNothing) {
    const fs::path dir = freshDir("layerloom_cli_cannot_train");
    const Result r = run("train " + kFixture + "/model.json --data sample:nile.csv --column volume "
                         "--validation-split 0.999 --out " + dir.string());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_FALSE(fs::exists(dir / "run.json")) << r.out;
}

}  // namespace

namespace {

// A model with two Inputs and two outputs trains on an archive with an array for each, reports
// each output's loss, and predicts an array per output.
TEST(CliRun, AModelWithSeveralInputsAndOutputsTrainsEvaluatesAndPredicts) {
    const std::string data = std::string(LAYERLOOM_TEST_DATA_DIR) + "/several_ends/";
    const fs::path dir = freshDir("layerloom_cli_several");
    Result r = run("train " + data + "two_by_two.loom --data " + data + "two.npz --epochs 2 --out " + (dir / "run").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    const std::string history = readFile(dir / "run" / "history.csv");
    for (const char* column : {"flag_loss,val_flag_loss", "values_loss,val_values_loss", "flag_accuracy,val_flag_accuracy"}) {
        EXPECT_TRUE(has(history, column)) << column << "\n" << history;
    }
    r = run("evaluate " + data + "two_by_two.loom --run " + (dir / "run").string() + " --data " + data + "two.npz --json");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    const auto scores = nlohmann::json::parse(r.out.substr(r.out.find('{')));
    EXPECT_NEAR(scores["loss"].get<double>(), scores["values_loss"].get<double>() + 2.0 * scores["flag_loss"].get<double>(), 1e-5);
    EXPECT_EQ(scores["samples"], 48);

    r = run("predict " + data + "two_by_two.loom --run " + (dir / "run").string() + " --input " + data + "inputs.npz");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    const auto predicted = nlohmann::json::parse(r.out.substr(r.out.find('{')));
    ASSERT_EQ(predicted["values"].size(), 5u);
    EXPECT_EQ(predicted["values"][0].size(), 2u);
    ASSERT_EQ(predicted["flag"].size(), 5u);
    for (const auto& row : predicted["flag"]) EXPECT_TRUE(row[0] > 0.0 && row[0] < 1.0);
    r = run("predict " + data + "two_by_two.loom --run " + (dir / "run").string() + " --input " + data + "inputs.npz --out " +
            (dir / "y.npz").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(fs::exists(dir / "y.npz"));

    // One array for a model of two Inputs says what to give.
    r = run("predict " + data + "two_by_two.loom --run " + (dir / "run").string() + " --input " +
            std::string(LAYERLOOM_TEST_DATA_DIR) + "/x_f4.npy");
    EXPECT_NE(r.exitCode, 0);
    EXPECT_TRUE(has(r.out, "the model has 2 Inputs and 2 outputs; give --input an .npz archive with an array per Input")) << r.out;
    fs::remove_all(dir);
}

}  // namespace

namespace {

// A series feeds a model with two Inputs and two outputs by the columns the project (or
// --layer-columns) gives each; evaluation reads them the same way.
TEST(CliRun, ASeriesFeedsSeveralInputsAndOutputsByTheirColumns) {
    const std::string data = std::string(LAYERLOOM_TEST_DATA_DIR) + "/several_ends/";
    const fs::path dir = freshDir("layerloom_cli_column_groups");
    Result r = run("train " + data + "signal_and_calendar.loom --data " + data + "three_columns.csv --out " +
                   (dir / "run").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "columns by layer: signal: a, b; calendar: c; next_c: c; next_ab: a, b")) << r.out;
    const std::string history = readFile(dir / "run" / "history.csv");
    EXPECT_TRUE(has(history, "next_c_loss")) << history;
    r = run("evaluate " + data + "signal_and_calendar.loom --run " + (dir / "run").string() + " --data " + data +
            "three_columns.csv --json");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    const auto scores = json::parse(r.out.substr(r.out.find('{')));
    EXPECT_NEAR(scores["loss"].get<double>(), scores["next_c_loss"].get<double>() + scores["next_ab_loss"].get<double>(), 1e-5);

    // The command line regroups them: the calendar Input reads b, which next_ab does not forecast.
    r = run("train " + data + "signal_and_calendar.loom --data " + data + "three_columns.csv --epochs 1 "
            "--layer-columns \"signal=a,c;calendar=b;next_c=c;next_ab=a,c\" --out " + (dir / "run2").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "signal: a, c; calendar: b")) << r.out;
    r = run("train " + data + "signal_and_calendar.loom --data " + data + "three_columns.csv --epochs 1 "
            "--layer-columns \"signal=a\" --out " + (dir / "run3").string());
    EXPECT_NE(r.exitCode, 0);
    EXPECT_TRUE(has(r.out, "the model's Input 'calendar' has no columns")) << r.out;
    r = run("train " + data + "signal_and_calendar.loom --data " + data + "three_columns.csv --layer-columns signal");
    EXPECT_NE(r.exitCode, 0);
    EXPECT_TRUE(has(r.out, "--layer-columns takes LAYER=COLUMNS groups separated by ';'")) << r.out;
    // Anomaly detection takes a model with one Input and one output.
    r = run("detect " + data + "signal_and_calendar.loom --run " + (dir / "run").string() + " --data " + data + "three_columns.csv");
    EXPECT_NE(r.exitCode, 0);
    EXPECT_TRUE(has(r.out, "anomaly detection takes a model with one Input and one output")) << r.out;
    fs::remove_all(dir);
}

}  // namespace
