// Known anomaly windows: read from CSV and JSON, matched to the series' times, and compared
// with flagged intervals event by event.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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
    ASSERT_EQ(windows.size(), 2u);
    EXPECT_EQ(windows[0].start, 2);
    EXPECT_EQ(windows[0].end, 3);
    EXPECT_EQ(windows[1].start, 7);  // between rows: the next row starts it
    EXPECT_EQ(windows[1].end, 8);    // and the one before ends it
    // Row numbers, from 1, for a series without a time column.
    const auto rows = readLabelWindows(write("ll_labels_rows.csv", "3,4\n"), "s.csv", RowIndex{}, 10);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].start, 2);
    EXPECT_EQ(rows[0].end, 3);
}

TEST(Labels, ReadTheBenchmarksJsonForTheSeriesFile) {
    const fs::path file = write("ll_labels.json", R"({"realKnownCause/other.csv": [],
        "realKnownCause/series.csv": [["2026-01-05 01:00:00.000000", "2026-01-05 02:00:00"]]})");
    RowIndex index = hours();
    for (std::string& t : index.texts) t += ":00";
    const auto windows = readLabelWindows(file, "series.csv", index, 10);
    ASSERT_EQ(windows.size(), 1u);
    EXPECT_EQ(windows[0].start, 1);
    EXPECT_EQ(windows[0].end, 2);
    EXPECT_EQ(test::refusalOf([&] { readLabelWindows(file, "mine.csv", index, 10); }),
              file.string() + ": no labels for 'mine.csv'; the file has labels for realKnownCause/other.csv, "
                              "realKnownCause/series.csv");
    const auto list = readLabelWindows(write("ll_labels_list.json", "[[2, 3], [5, 5]]"), "s.csv", RowIndex{}, 10);
    EXPECT_EQ(list.size(), 2u);
}

TEST(Labels, RefuseWhatDoesNotFitTheSeries) {
    const fs::path late = write("ll_labels_late.csv", "2027-01-01 00:00,2027-01-02 00:00\n");
    EXPECT_EQ(test::refusalOf([&] { readLabelWindows(late, "s.csv", hours(), 10); }),
              late.string() + ": line 1: '2027-01-01 00:00' is not a time in the series' 'time' column");
    const fs::path backwards = write("ll_labels_back.csv", "5,2\n");
    EXPECT_EQ(test::refusalOf([&] { readLabelWindows(backwards, "s.csv", RowIndex{}, 10); }),
              backwards.string() + ": line 1: the window ends before it starts");
    const fs::path broken = write("ll_labels_broken.json", "[[1, 2]");
    EXPECT_TRUE(test::refusalOf([&] { readLabelWindows(broken, "s.csv", RowIndex{}, 10); }).starts_with(broken.string() + ": line 1"));
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
}

}  // namespace
}  // namespace loom
