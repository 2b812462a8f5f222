// Known anomaly windows: read from CSV and JSON, matched to the series' times, and compared
// with flagged intervals event by event.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include "analysis/labels.h"
#include "core/test_graphs.h"

namespace loom {
namespace {

namespace fs = std::filesystem;

fs::path write(const char* name, const std::string& text) {
    const fs::path file = fs::temp_directory_path() / name;
    std::ofstream(file) << text;
    return file;
}

using Span = std::pair<std::int64_t, std::int64_t>;

/// The windows as (start, end) pairs, to compare in one go.
std::vector<Span> spans(const std::vector<LabelWindow>& windows) {
    std::vector<Span> out;
    for (const LabelWindow& w : windows) out.emplace_back(w.start, w.end);
    return out;
}

RowIndex hours() {
    RowIndex index;
    index.name = "time";
    for (int h = 0; h < 10; ++h) index.texts.push_back("2026-01-05 0" + std::to_string(h) + ":00");
    return index;
}

TEST(Labels, ReadCsvWithOrWithoutHeaderAndMatchTimes) {
    const auto windows = readLabelWindows(write("ll_labels.csv", "start,end\n2026-01-05 02:00,2026-01-05 03:00\n"
                                                                 "\"2026-01-05 06:30\",2026-01-05 08:59\n"),
                                          "series.csv", hours(), 10);
    // 06:30 to 08:59 falls between rows: the next row starts it and the one before ends it.
    EXPECT_EQ(spans(windows), (std::vector<Span>{{2, 3}, {7, 8}}));
    // Row numbers, from 1, for a series without a time column.
    const auto rows = readLabelWindows(write("ll_labels_rows.csv", "3,4\n"), "s.csv", RowIndex{}, 10);
    EXPECT_EQ(spans(rows), (std::vector<Span>{{2, 3}}));
}

TEST(Labels, ReadTheBenchmarksJsonForTheSeriesFile) {
    const fs::path file = write("ll_labels.json", R"({"realKnownCause/other.csv": [],
        "realKnownCause/series.csv": [["2026-01-05 01:00:00.000000", "2026-01-05 02:00:00"]]})");
    RowIndex index = hours();
    for (std::string& t : index.texts) t += ":00";
    const auto windows = readLabelWindows(file, "series.csv", index, 10);
    EXPECT_EQ(spans(windows), (std::vector<Span>{{1, 2}}));
    EXPECT_EQ(test::refusalOf([&] { readLabelWindows(file, "mine.csv", index, 10); }),
              file.string() + ": no labels for 'mine.csv'; the file has labels for realKnownCause/other.csv, "
                              "realKnownCause/series.csv");
    const auto list = readLabelWindows(write("ll_labels_list.json", "[[2, 3], [5, 5]]"), "s.csv", RowIndex{}, 10);
    EXPECT_EQ(list.size(), 2u);
}

TEST(Labels, RefuseWhatDoesNotFitTheSeries) {
    const fs::path late = write("ll_labels_late.csv", "2027-01-01 00:00,2027-01-02 00:00\n");
    EXPECT_EQ(test::refusalOf([&] { readLabelWindows(late, "s.csv", hours(), 10); }),
              late.string() + ": none of its 1 windows lies within the series (2026-01-05 00:00 to 2026-01-05 09:00)");
    const fs::path other = write("ll_labels_other.csv", "5 Jan,6 Jan\n");
    EXPECT_EQ(test::refusalOf([&] { readLabelWindows(other, "s.csv", hours(), 10); }),
              other.string() + ": line 1: '5 Jan' is not a time in the series' 'time' column");
    const fs::path backwards = write("ll_labels_back.csv", "5,2\n");
    EXPECT_EQ(test::refusalOf([&] { readLabelWindows(backwards, "s.csv", RowIndex{}, 10); }),
              backwards.string() + ": line 1: the window ends before it starts");
    const fs::path broken = write("ll_labels_broken.json", "[[1, 2]");
    EXPECT_TRUE(test::refusalOf([&] { readLabelWindows(broken, "s.csv", RowIndex{}, 10); }).starts_with(broken.string() + ": line 1"));
}

TEST(Labels, WindowsOutsideTheSeriesAreLeftOutAndOnesOverItsEndsCut) {
    std::int64_t outside = -1;
    const auto windows = readLabelWindows(write("ll_labels_partly.csv", "2026-01-04 22:00,2026-01-05 01:00\n"
                                                                        "2026-01-05 08:00,2026-01-05 23:00\n"
                                                                        "2026-01-06 02:00,2026-01-06 03:00\n"
                                                                        "2026-01-01 02:00,2026-01-01 03:00\n"),
                                          "s.csv", hours(), 10, &outside);
    EXPECT_EQ(spans(windows), (std::vector<Span>{{0, 1}, {8, 9}}));
    EXPECT_EQ(outside, 2);
    const auto rows = readLabelWindows(write("ll_labels_partly_rows.csv", "0,3\n8,12\n11,12\n"), "s.csv", RowIndex{}, 10,
                                       &outside);
    EXPECT_EQ(spans(rows), (std::vector<Span>{{0, 2}, {7, 9}}));
    EXPECT_EQ(outside, 1);
    EXPECT_EQ(test::refusalOf([] { readLabelWindows(write("ll_labels_rows_late.csv", "11,12\n"), "s.csv", RowIndex{}, 10); }),
              (fs::temp_directory_path() / "ll_labels_rows_late.csv").string() +
                  ": none of its 1 windows lies within the series (rows 1 to 10)");
}

TEST(Labels, AgreementEventByEvent) {
    const std::vector<AnomalyInterval> intervals = {{2, 3, 1, 1, -1}, {20, 22, 1, 1, -1}, {40, 41, 1, 1, -1}};
    const std::vector<LabelWindow> windows = {{0, 2}, {21, 30}, {60, 70}, {80, 81}};
    const LabelAgreement a = agreement(intervals, windows);
    EXPECT_EQ(a.found, 2);
    EXPECT_EQ(a.trueAlarms, 2);
    EXPECT_DOUBLE_EQ(a.precision, 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(a.recall, 0.5);
    EXPECT_DOUBLE_EQ(a.f1, 2 * (2.0 / 3.0) * 0.5 / (2.0 / 3.0 + 0.5));
    // Nested known windows, in any order: a long one holding a short one that nothing flags.
    const LabelAgreement nested = agreement({{50, 60, 1, 1, -1}}, {{0, 100}, {10, 20}});
    EXPECT_EQ(nested.found, 1);
    EXPECT_EQ(nested.trueAlarms, 1);
    EXPECT_EQ(nested.flaggedSteps, 11);
    EXPECT_EQ(nested.flaggedInWindows, 11);
}

TEST(Labels, AgreementCountsTheFlaggedTimeInsideKnownWindows) {
    // Steps 2-3 (one inside {0,2}), 20-22 (two inside {21,30}), 40-41 (none).
    const LabelAgreement a = agreement({{2, 3, 1, 1, -1}, {20, 22, 1, 1, -1}, {40, 41, 1, 1, -1}},
                                       {{0, 2}, {21, 30}, {60, 70}, {80, 81}});
    EXPECT_EQ(a.flaggedSteps, 7);
    EXPECT_EQ(a.flaggedInWindows, 3);
    // One interval over the whole series finds every window, F1 1, with little of its time in them.
    const LabelAgreement all = agreement({{0, 99, 1, 1, -1}}, {{10, 14}, {12, 19}, {50, 54}});
    EXPECT_DOUBLE_EQ(all.f1, 1.0);
    EXPECT_EQ(all.flaggedSteps, 100);
    EXPECT_EQ(all.flaggedInWindows, 15);  // 10-19 (overlapping windows counted once) and 50-54
}

}  // namespace
}  // namespace loom
