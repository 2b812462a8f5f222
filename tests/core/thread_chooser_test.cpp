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
    // An untimed batch on 1 thread, then two each on 2 and 1 (far slower: out), then 2 for good.
    EXPECT_EQ(run(chooser, 14, [](int n) { return n == 2 ? 0.1 : 0.16; }), "12121222222222");
    EXPECT_EQ(chooser.chosen(), 2);
}

TEST(ThreadChooser, ABusyCoreMovesTheRunToOneThread) {
    ThreadChooser chooser(2);
    // One slow batch on both cores is all it costs.
    EXPECT_EQ(chooser.chosen(), 2);  // every core until a trial says otherwise
    EXPECT_EQ(run(chooser, 2, [](int n) { return n == 2 ? 0.5 : 0.1; }), "12");
    EXPECT_EQ(chooser.chosen(), 2);  // the untimed batch on 1 thread has nothing to compare
    EXPECT_EQ(run(chooser, 1, [](int n) { return n == 2 ? 0.5 : 0.1; }), "1");
    EXPECT_EQ(chooser.chosen(), 1);
    EXPECT_EQ(run(chooser, 11, [](int n) { return n == 2 ? 0.5 : 0.1; }), "11111111111");
    EXPECT_EQ(chooser.chosen(), 1);
    // Three times as slow or less: a second batch to be sure.
    ThreadChooser closer(2);
    EXPECT_EQ(run(closer, 14, [](int n) { return n == 2 ? 0.25 : 0.1; }), "12121111111111");
}

TEST(ThreadChooser, FewerThreadsMustBeClearlyFaster) {
    ThreadChooser chooser(2);
    // One thread 2% faster is noise: after three batches each, the run stays on both cores.
    EXPECT_EQ(run(chooser, 12, [](int n) { return n == 2 ? 0.100 : 0.098; }), "121212122222");
}

TEST(ThreadChooser, TheRunsFirstBatchIsNotTimed) {
    ThreadChooser chooser(2);
    int batch = 0;
    // The run's first batch allocates and is held up; the others are fast.
    EXPECT_EQ(run(chooser, 12, [&](int n) { return ++batch == 1 ? 5.0 : (n == 2 ? 0.1 : 0.16); }), "121212222222");
}

TEST(ThreadChooser, OneSlowBatchAmongThreeDoesNotDecide) {
    ThreadChooser chooser(2);
    int batch = 0;
    // Close counts, and the second batch on 2 threads is held up (a page-fault storm, say):
    // the medians decide, and both cores stay.
    EXPECT_EQ(run(chooser, 10, [&](int n) { return ++batch == 4 ? 0.5 : (n == 2 ? 0.1 : 0.11); }), "1212121222");
}

TEST(ThreadChooser, GoesDownOnlyWhileHalvingHelps) {
    ThreadChooser chooser(8);
    // 4 threads are slower than 8: 2 and 1 are never tried.
    EXPECT_EQ(run(chooser, 12, [](int n) { return n == 8 ? 0.1 : n == 4 ? 0.15 : 1.0; }), "484848488888");
    // Where every halving helps, it goes all the way down and keeps the fastest.
    ThreadChooser busy(8);
    EXPECT_EQ(run(busy, 17, [](int n) { return 0.1 * n; }), "48482412111111111");
}

TEST(ThreadChooser, SpeedDriftingAwayStartsATrial) {
    ThreadChooser chooser(2);
    bool busy = false;
    const auto seconds = [&](int n) { return busy ? (n == 2 ? 0.5 : 0.12) : (n == 2 ? 0.1 : 0.16); };
    EXPECT_EQ(run(chooser, 10, seconds), "1212122222");
    busy = true;  // another program takes a core
    // Three slow batches in a row, then a trial, which moves the run to one thread.
    EXPECT_EQ(run(chooser, 10, seconds), "2222111111");
}

TEST(ThreadChooser, ABriefSlowdownStartsNoTrial) {
    ThreadChooser chooser(2);
    bool slow = false;
    // Small batches: a trial would cost a batch on 2 threads, three times one on 1.
    const auto seconds = [&](int n) { return n == 2 ? 0.004 : (slow ? 0.002 : 0.001); };
    EXPECT_EQ(run(chooser, 3, seconds), "121");
    // Twice as slow for 20 batches, a twentieth of a second: less than the two seconds a drift
    // must last.
    slow = true;
    EXPECT_EQ(run(chooser, 20, seconds), std::string(20, '1'));
    // Two slow batches among five: the median is as before.
    ThreadChooser other(2);
    int batch = 0;
    const auto twoSlow = [&](int n) { return n == 2 ? 1.0 : ((++batch % 5) < 2 ? 1.0 : 0.25); };
    EXPECT_EQ(run(other, 3, twoSlow), "121");
    EXPECT_EQ(run(other, 30, twoSlow), std::string(30, '1'));
}

TEST(ThreadChooser, ABusyRunTriesAgainAfterAWhile) {
    ThreadChooser::Settings s;
    s.firstRecheck = 1.0;
    ThreadChooser chooser(2, s);
    bool busy = true;
    // Times that add up exactly, so that the second of batches is reached at a known batch.
    const auto seconds = [&](int n) { return busy ? (n == 2 ? 0.5 : 0.125) : (n == 2 ? 0.0625 : 0.125); };
    EXPECT_EQ(run(chooser, 3, seconds), "121");
    busy = false;  // the other program ended; one thread is as fast as before, so no drift shows
    // After a second of batches (8 at 0.125 s) a trial finds both cores faster again.
    EXPECT_EQ(run(chooser, 11, seconds), "11111111212");
    EXPECT_EQ(chooser.chosen(), 1);  // the trial's turns are not what the run keeps
    EXPECT_EQ(run(chooser, 3, seconds), "122");
    EXPECT_EQ(chooser.chosen(), 2);
}

TEST(ThreadChooser, TheRecheckSpacingGrowsWhileTheChoiceHolds) {
    ThreadChooser::Settings s;
    s.firstRecheck = 1.0;
    s.lastRecheck = 4.0;
    ThreadChooser chooser(2, s);
    const std::string counts = run(chooser, 110, [](int n) { return n == 2 ? 0.125 : 0.25; });
    EXPECT_EQ(counts.substr(0, 5), "12121");
    // Where each later trial's first batch on one thread is.
    std::vector<std::size_t> trials;
    for (std::size_t i = 5; i < counts.size(); ++i) {
        if (counts[i] == '1' && counts[i - 1] == '2' && counts[i - 2] == '2') trials.push_back(i);
    }
    ASSERT_EQ(trials.size(), 3u) << counts;
    EXPECT_EQ(trials[0], 5u + 16u + 1u) << counts;           // 2 s of batches after the first trial
    EXPECT_EQ(trials[1] - trials[0], 3u + 32u + 1u) << counts;  // then 4 s
    EXPECT_EQ(trials[2] - trials[1], 3u + 32u + 1u) << counts;  // and no more than that
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
    const int before = chooser.threads();
    for (int b = 0; b < 20; ++b) chooser.measured(0.0, 32);
    for (int b = 0; b < 20; ++b) chooser.measured(0.1, 0);
    EXPECT_EQ(chooser.threads(), before);
    // Still the untimed first batch: the first measurement that means something ends it.
    chooser.measured(0.1, 32);
    EXPECT_EQ(chooser.threads(), 2);
}

}  // namespace
}  // namespace loom
