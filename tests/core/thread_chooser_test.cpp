#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "train/thread_chooser.h"

namespace loom {
namespace {

/// Runs `batches` batches of 32 samples through the chooser, each taking what `seconds` says
/// for the count the chooser gave it; returns the counts, one character per batch ("2221...").
std::string run(ThreadChooser& chooser, int batches, const std::function<double(int threads)>& seconds) {
    std::string counts;
    for (int b = 0; b < batches; ++b) {
        const int n = chooser.threads();
        counts += std::to_string(n);
        chooser.measured(seconds(n), 32);
    }
    return counts;
}

TEST(ThreadChooser, OneThreadIsAllItEverUses) {
    ThreadChooser chooser(1);
    EXPECT_EQ(run(chooser, 12, [](int) { return 1.0; }), std::string(12, '1'));
}

TEST(ThreadChooser, AnIdleMachineKeepsEveryCore) {
    ThreadChooser chooser(2);
    // An untimed batch, one on 2 threads, one on 1 (far slower: out at once), then 2 for good.
    EXPECT_EQ(run(chooser, 14, [](int n) { return n == 2 ? 0.1 : 0.16; }), "22122222222222");
}

TEST(ThreadChooser, ABusyCoreMovesTheRunToOneThread) {
    ThreadChooser chooser(2);
    // One slow batch on both cores is all it costs.
    EXPECT_EQ(run(chooser, 14, [](int n) { return n == 2 ? 0.3 : 0.1; }), "22111111111111");
}

TEST(ThreadChooser, FewerThreadsMustBeClearlyFaster) {
    ThreadChooser chooser(2);
    // One thread 2% faster is noise: after three batches each, the run stays on both cores.
    EXPECT_EQ(run(chooser, 12, [](int n) { return n == 2 ? 0.100 : 0.098; }), "221212122222");
}

TEST(ThreadChooser, TheRunsFirstBatchIsNotTimed) {
    ThreadChooser chooser(2);
    int batch = 0;
    // The run's first batch allocates and is held up; the others are fast.
    EXPECT_EQ(run(chooser, 12, [&](int n) { return ++batch == 1 ? 5.0 : (n == 2 ? 0.1 : 0.16); }), "221222222222");
}

TEST(ThreadChooser, OneSlowBatchAmongThreeDoesNotDecide) {
    ThreadChooser chooser(2);
    int batch = 0;
    // Close counts, and the second batch on 2 threads is held up (a page-fault storm, say):
    // the medians decide, and both cores stay.
    EXPECT_EQ(run(chooser, 10, [&](int n) { return ++batch == 4 ? 0.5 : (n == 2 ? 0.1 : 0.11); }), "2212121222");
}

TEST(ThreadChooser, GoesDownOnlyWhileHalvingHelps) {
    ThreadChooser chooser(8);
    // 4 threads are slower than 8: 2 and 1 are never tried.
    EXPECT_EQ(run(chooser, 12, [](int n) { return n == 8 ? 0.1 : n == 4 ? 0.15 : 1.0; }), "884848488888");
    // Where every halving helps, it goes all the way down and keeps the fastest.
    ThreadChooser busy(8);
    EXPECT_EQ(run(busy, 17, [](int n) { return 0.1 * n; }), "88421111111111111");
}

TEST(ThreadChooser, SpeedDriftingAwayStartsATrial) {
    ThreadChooser chooser(2);
    bool busy = false;
    const auto seconds = [&](int n) { return busy ? (n == 2 ? 0.5 : 0.12) : (n == 2 ? 0.1 : 0.16); };
    EXPECT_EQ(run(chooser, 10, seconds), "2212222222");
    busy = true;  // another program takes a core
    // Three slow batches in a row, then a trial, which moves the run to one thread.
    EXPECT_EQ(run(chooser, 10, seconds), "2222111111");
}

TEST(ThreadChooser, ABusyRunTriesAgainAfterAWhile) {
    ThreadChooser::Settings s;
    s.firstRecheck = 1.0;
    ThreadChooser chooser(2, s);
    bool busy = true;
    // Times that add up exactly, so that the second of batches is reached at a known batch.
    const auto seconds = [&](int n) { return busy ? (n == 2 ? 0.375 : 0.125) : (n == 2 ? 0.0625 : 0.125); };
    EXPECT_EQ(run(chooser, 3, seconds), "221");
    busy = false;  // the other program ended; one thread is as fast as before, so no drift shows
    // After a second of batches (8 at 0.125 s) a trial finds both cores faster again.
    EXPECT_EQ(run(chooser, 12, seconds), "111111112122");
}

TEST(ThreadChooser, TheRecheckSpacingGrowsWhileTheChoiceHolds) {
    ThreadChooser::Settings s;
    s.firstRecheck = 1.0;
    s.lastRecheck = 4.0;
    ThreadChooser chooser(2, s);
    const std::string counts = run(chooser, 110, [](int n) { return n == 2 ? 0.125 : 0.25; });
    EXPECT_EQ(counts.substr(0, 3), "221");
    // Where each later trial's batch on one thread is.
    std::vector<std::size_t> trials;
    for (std::size_t i = 3; i < counts.size(); ++i) {
        if (counts[i] == '1' && counts[i - 1] == '2') trials.push_back(i);
    }
    ASSERT_EQ(trials.size(), 3u) << counts;
    EXPECT_EQ(trials[0], 3u + 16u + 1u) << counts;           // 2 s of batches after the first trial
    EXPECT_EQ(trials[1] - trials[0], 1u + 32u + 1u) << counts;  // then 4 s
    EXPECT_EQ(trials[2] - trials[1], 1u + 32u + 1u) << counts;  // and no more than that
}

TEST(ThreadChooser, AShortLastBatchIsMeasuredPerSample) {
    ThreadChooser chooser(2);
    run(chooser, 8, [](int n) { return n == 2 ? 0.1 : 0.16; });
    // Epochs of 3 full batches and one of 4 samples, per sample as fast: no trial starts.
    std::string counts;
    for (int b = 0; b < 24; ++b) {
        counts += std::to_string(chooser.threads());
        chooser.measured(b % 4 == 3 ? 0.0125 : 0.1, b % 4 == 3 ? 4 : 32);
    }
    EXPECT_EQ(counts, std::string(24, '2'));
}

TEST(ThreadChooser, IgnoresMeasurementsThatMeanNothing) {
    ThreadChooser chooser(2);
    for (int b = 0; b < 20; ++b) chooser.measured(0.0, 32);
    for (int b = 0; b < 20; ++b) chooser.measured(0.1, 0);
    EXPECT_EQ(chooser.threads(), 2);
}

}  // namespace
}  // namespace loom
