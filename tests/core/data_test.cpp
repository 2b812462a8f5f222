// The data path on the shipped public-domain series and on broken files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "data/csv_reader.h"
#include "data/data_preview.h"
#include "data/row_dates.h"
#include "data/series.h"
#include "data/synthetic.h"
#include "data/synthetic_samples.h"
#include "data/windowing.h"
#include "train/config_json.h"
#include "core/test_graphs.h"

namespace loom {
namespace {

/// Every sample's input, or target, one after the other.
std::vector<float> inputsOf(const Dataset& d) {
    std::vector<float> out(static_cast<std::size_t>(d.size() * d.xSize()));
    for (std::int64_t i = 0; i < d.size(); ++i) d.copyX(i, out.data() + i * d.xSize());
    return out;
}
std::vector<float> targetsOf(const Dataset& d) {
    std::vector<float> out(static_cast<std::size_t>(d.size() * d.ySize()));
    for (std::int64_t i = 0; i < d.size(); ++i) d.copyY(i, out.data() + i * d.ySize());
    return out;
}

const std::string kData = LAYERLOOM_SAMPLE_DATA_DIR;

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string errorOf(const std::string& csv) {
    try {
        parseCsv(csv, "bad.csv");
    } catch (const DataError& e) {
        return e.what();
    }
    return "no error";
}

TEST(Csv, ReadsSunspotsWithQuotedHeader) {
    const CsvTable t = readCsv(kData + "/sunspots.csv");
    EXPECT_TRUE(t.hasHeader);
    EXPECT_EQ(t.rows, 309);
    ASSERT_EQ(t.columns.size(), 2u);
    EXPECT_EQ(t.columns[1].name, "SUNACTIVITY");
    EXPECT_EQ(t.columns[1].values[0], 5.0);
    EXPECT_TRUE(t.columns[1].missingRows.empty());
}

TEST(Csv, DetectsTheDateColumnOfElecEquip) {
    const CsvTable t = readCsv(kData + "/elec_equip.csv");
    EXPECT_EQ(t.rows, 257);
    EXPECT_EQ(t.columns[0].kind, CsvColumn::Kind::Date);
    EXPECT_EQ(t.columns[1].name, "STS.M.I7.W.TOVT.NS0016.4.000");
    EXPECT_NEAR(t.columns[1].values[0], 66.19, 1e-9);
    try {
        t.numericColumn("DATE");
        FAIL();
    } catch (const DataError& e) {
        EXPECT_TRUE(has(e.what(), "column 'DATE' holds dates")) << e.what();
        EXPECT_TRUE(has(e.what(), "'STS.M.I7.W.TOVT.NS0016.4.000'")) << e.what();
    }
    EXPECT_EQ(&t.numericColumn("1"), &t.columns[1]);  // by index
}

TEST(Csv, NileByName) {
    const CsvTable t = readCsv(kData + "/nile.csv");
    const Series s = seriesFromCsv(t, {"volume"});
    EXPECT_EQ(s.steps, 100);
    EXPECT_EQ(s.at(0, 0), 1120.0);
}

TEST(Csv, DelimitersAndHeaderlessFiles) {
    const CsvTable t = parseCsv("1;2\n3;4\n5;6\n", "x.csv");
    EXPECT_EQ(t.delimiter, ';');
    EXPECT_FALSE(t.hasHeader);
    EXPECT_EQ(t.rows, 3);
    EXPECT_EQ(t.columns[1].name, "column 2");
    EXPECT_EQ(parseCsv("a\tb\n1\t2\n", "x.tsv").delimiter, '\t');
}

TEST(Csv, GapsAreCountedWithRowNumbers) {
    const CsvTable t = parseCsv("t,v\n1,1.5\n2,\n3,NA\n4,2\n", "gaps.csv");
    const CsvColumn& v = t.numericColumn("v");
    EXPECT_EQ(v.missingRows, (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(describeMissing(v), "2 missing values in 'v', at rows 2 and 3");
}

// A gap is named by the file's line, counting the header and blank lines as an editor does,
// with the time column's cell beside it.
TEST(Missing, GapsAreNamedByTheFilesLineAndTheirTime) {
    const CsvTable t = parseCsv("date,v\n1995-01-01,1\n1995-02-01,NA\n\n\n1995-03-01,3\n1995-04-01,\n", "gaps.csv");
    EXPECT_EQ(t.lineOf(1), 2);
    EXPECT_EQ(t.lineOf(2), 3);
    EXPECT_EQ(t.lineOf(3), 6);
    EXPECT_EQ(t.lineOf(4), 7);
    Series s = seriesFromCsv(t, {"v"});
    const std::string dated = test::refusalOf<DataError>([&] { handleMissing(s, MissingPolicy::Error); });
    EXPECT_TRUE(has(dated, "2 missing values in 'v', at line 3 (1995-02-01) and line 7 (1995-04-01)")) << dated;
    const CsvTable plain = parseCsv("1\nNA\n", "plain.csv");  // no header: the first line is data
    Series p = seriesFromCsv(plain, {"column 1"});
    const std::string undated = test::refusalOf<DataError>([&] { handleMissing(p, MissingPolicy::Error); });
    EXPECT_TRUE(has(undated, "1 missing value in 'column 1', at line 2.")) << undated;
}

TEST(Csv, AStrayWordAmongNumbersReadsAsAGapOnlyToShowTheFile) {
    std::string text = "t,v\n";
    for (int r = 1; r <= 20; ++r) text += std::to_string(r) + "," + (r == 7 ? "NA" : r == 12 ? "oops" : std::to_string(r * 2)) + "\n";
    const std::string refusal = test::refusalOf<DataError>([&] { parseCsv(text, "s.csv"); });
    EXPECT_EQ(refusal, "s.csv:13: column 'v' holds numbers, but this row has \"oops\"");
    CsvOptions shown;
    shown.strayWordsAsMissing = true;
    const CsvTable t = parseCsv(text, "s.csv", shown);
    EXPECT_EQ(t.strayWords, std::vector<std::string>{refusal});
    const CsvColumn& v = t.numericColumn("v");
    EXPECT_EQ(v.missingRows, (std::vector<std::int64_t>{7, 12}));
    EXPECT_TRUE(std::isnan(v.values[11]));
    EXPECT_EQ(v.values[12], 26.0);
    // A column of words stays one: its words are not gaps.
    const CsvTable words = parseCsv("t,name\n1,a\n2,b\n3,c\n", "w.csv", shown);
    EXPECT_TRUE(words.strayWords.empty());
    EXPECT_EQ(words.columns[1].kind, CsvColumn::Kind::Text);
}

TEST(RowDates, DatesAsSpreadsheetsWriteThem) {
    EXPECT_EQ(dateSeconds("1970-01-02"), 86400);
    EXPECT_EQ(dateSeconds("1970-01-02 01:00"), 90000);
    EXPECT_EQ(dateSeconds("1970-01-02T01:00:30"), 90030);
    EXPECT_EQ(dateSeconds("Jan-2-1970"), 86400);
    EXPECT_EQ(dateSeconds("02/01/1970"), 86400);
    EXPECT_EQ(dateSeconds("01/02/1970", false), 86400);
    EXPECT_EQ(dateSeconds("1970-02"), 31 * 86400);
    EXPECT_EQ(dateSeconds("2024-02-29"), dateSeconds("2024-03-01").value() - 86400);
    for (const char* no : {"2023-02-30", "2023-13-01", "hello", "12", "2023-01-01 25:00", "1970-01-01 x", ""}) {
        EXPECT_FALSE(dateSeconds(no).has_value()) << no;
    }
}

TEST(RowDates, SkippedStepsAreFoundInDaysMonthsAndHours) {
    const auto days = [](int from, int to, std::vector<int> skip) {
        std::vector<std::string> texts;
        for (int d = from; d <= to; ++d) {
            if (std::find(skip.begin(), skip.end(), d) != skip.end()) continue;
            texts.push_back("2023-03-" + std::string(d < 10 ? "0" : "") + std::to_string(d));
        }
        return texts;
    };
    EXPECT_EQ(skippedDatesNote(days(1, 31, {})), "");
    const std::string note = skippedDatesNote(days(1, 31, {10, 11, 12, 20}));
    EXPECT_TRUE(has(note, "The dates skip 4 steps: from 2023-03-09 to 2023-03-13 and from 2023-03-19 to 2023-03-21.")) << note;
    // Business days (2023-03-04 is a Saturday): the weekends are no skip; a weekday is.
    EXPECT_EQ(skippedDatesNote(days(1, 31, {4, 5, 11, 12, 18, 19, 25, 26})), "");
    EXPECT_TRUE(has(skippedDatesNote(days(1, 31, {4, 5, 11, 12, 15, 18, 19, 25, 26})), "skip 1 step: from 2023-03-14 to 2023-03-16"));
    // A holiday beside a weekend (Friday 2023-03-17) is one business day, not three steps.
    EXPECT_TRUE(has(skippedDatesNote(days(1, 31, {4, 5, 11, 12, 17, 18, 19, 25, 26})), "skip 1 step: from 2023-03-16 to 2023-03-20"));
    // A calendar-daily series that misses a weekend misses two days.
    EXPECT_TRUE(has(skippedDatesNote(days(1, 31, {18, 19})), "skip 2 steps: from 2023-03-17 to 2023-03-20"));
    // Months of uneven length, as the shipped monthly sample writes them, and one missing.
    std::vector<std::string> months{"Jan-1-1995", "Feb-1-1995", "Mar-1-1995", "Apr-1-1995", "May-1-1995"};
    EXPECT_EQ(skippedDatesNote(months), "");
    months.erase(months.begin() + 2);
    EXPECT_TRUE(has(skippedDatesNote(months), "skip 1 step: from Feb-1-1995 to Apr-1-1995"));
    // Hours; not dates, or not rising: nothing said.
    EXPECT_TRUE(has(skippedDatesNote({"2026-03-06 00:00", "2026-03-06 01:00", "2026-03-06 02:00", "2026-03-06 05:00"}),
                    "skip 2 steps"));
    EXPECT_EQ(skippedDatesNote({"a", "b", "c"}), "");
    // The shipped samples with dates skip none.
    for (const char* sample : {"elec_equip.csv", "machine_normal.csv", "machine_incidents.csv"}) {
        const CsvTable t = readCsv(std::string(LAYERLOOM_SAMPLE_DATA_DIR) + "/" + sample);
        EXPECT_FALSE(t.columns.front().texts.empty()) << sample;
        EXPECT_EQ(skippedDatesNote(t.columns.front().texts), "") << sample;
    }
    EXPECT_EQ(skippedDatesNote({"2023-01-03", "2023-01-02", "2023-01-01"}), "");
}

TEST(Csv, BrokenFilesSayWhere) {
    EXPECT_TRUE(has(errorOf("a,b\n1,2\n3\n"), "bad.csv:3: this row has 1 cells, the header has 2"));
    EXPECT_TRUE(has(errorOf("a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n11,12\n13,14\n15,16\n17,18\n19,x\n"),
                    "bad.csv:11: column 'b' holds numbers, but this row has \"x\""));
    EXPECT_TRUE(has(errorOf(""), "the file is empty"));
    EXPECT_TRUE(has(errorOf("a,b\n"), "no data rows"));
    EXPECT_THROW(readCsv("/nonexistent.csv"), DataError);
}

TEST(Missing, PoliciesAreExplicit) {
    const CsvTable t = parseCsv("v\n1\n\n\n4\n\n", "g.csv");
    // Blank lines are not rows; use NA for gaps inside the data.
    const CsvTable g = parseCsv("v\nNA\n1\nNA\nNA\n4\nNA\n", "g.csv");
    Series s = seriesFromCsv(g, {"v"});
    EXPECT_EQ(s.missingCount(), 4);
    Series copy = s;
    const std::string refusal = test::refusalOf<DataError>([&] { handleMissing(copy, MissingPolicy::Error); });
    // As an editor numbers the file's lines: the header is line 1.
    EXPECT_TRUE(has(refusal, "4 missing values in 'v', at lines 2, 4, 5 and 7")) << refusal;
    Series filled = s;
    handleMissing(filled, MissingPolicy::Interpolate);
    EXPECT_EQ(filled.values, (std::vector<double>{1, 1, 2, 3, 4, 4}));
    EXPECT_EQ(t.rows, 2);
}

TEST(Windows, ReconstructionAndForecastTargets) {
    Series s;
    s.steps = 10;
    s.features = 1;
    for (int i = 0; i < 10; ++i) s.values.push_back(i);
    WindowSpec spec;
    spec.length = 4;
    spec.stride = 3;
    const Windows r = makeWindows(s, spec);
    EXPECT_EQ(r.starts, (std::vector<std::int64_t>{0, 3, 6}));
    EXPECT_EQ(inputsOf(r.data), targetsOf(r.data));
    EXPECT_EQ(inputsOf(r.data), (std::vector<float>{0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9}));
    // Views into one copy of the series, whatever the number of windows.
    ASSERT_TRUE(r.data.source);
    EXPECT_EQ(r.data.source->values.size(), 10u);
    EXPECT_TRUE(r.data.x.empty());
    spec.target = WindowSpec::Target::Forecast;
    spec.horizon = 2;
    spec.stride = 1;
    const Windows f = makeWindows(s, spec);
    EXPECT_EQ(f.data.size(), 5);
    EXPECT_EQ(f.data.yDims, (Dims{2, 1}));
    EXPECT_EQ(targetsOf(f.data)[0], 4.0f);
    EXPECT_EQ(targetsOf(f.data)[1], 5.0f);
    EXPECT_EQ(targetsOf(f.data.slice(4, 5)), (std::vector<float>{8, 9}));
}

TEST(Windows, DropThoseTouchingGapsAndRefuseShortSeries) {
    Series s;
    s.steps = 8;
    s.features = 1;
    s.values = {0, 1, 2, NAN, 4, 5, 6, 7};
    WindowSpec spec;
    spec.length = 3;
    const Windows w = makeWindows(s, spec);
    EXPECT_EQ(w.dropped, 3);
    EXPECT_EQ(w.starts, (std::vector<std::int64_t>{0, 4, 5}));
    spec.length = 20;
    try {
        makeWindows(s, spec);
        FAIL();
    } catch (const DataError& e) {
        EXPECT_TRUE(has(e.what(), "8 steps, fewer than one window (20)")) << e.what();
    }
}

TEST(Normalizer, FitsOnTrainingOnlyAndInverts) {
    const Series all = seriesFromCsv(readCsv(kData + "/sunspots.csv"), {"SUNACTIVITY"});
    auto [train, val] = splitByTime(all, 0.2);
    EXPECT_EQ(train.steps, 247);
    EXPECT_EQ(val.steps, 62);
    EXPECT_EQ(val.at(0, 0), all.at(247, 0));  // validation follows training in time
    const Normalizer z = Normalizer::fit(train, Normalizer::Kind::ZScore);
    Series t2 = train;
    z.apply(t2);
    double mean = 0;
    for (double v : t2.values) mean += v;
    EXPECT_NEAR(mean / static_cast<double>(t2.steps), 0.0, 1e-9);
    EXPECT_NEAR(z.invert(t2.at(10, 0), 0), train.at(10, 0), 1e-9);
    const Normalizer m = Normalizer::fit(train, Normalizer::Kind::MinMax);
    Series v2 = val;
    m.apply(v2);
    EXPECT_NEAR(m.invert(v2.at(3, 0), 0), val.at(3, 0), 1e-9);
}

TEST(Normalizer, AStoredOneIsCheckedBeforeUse) {
    auto errorOf = [](const char* text) -> std::string {
        try {
            normalizerFromJson(nlohmann::json::parse(text));
        } catch (const std::exception& e) {
            return e.what();
        }
        return "";
    };
    EXPECT_EQ(errorOf(R"({"kind": "zscore"})"),
              "the normalizer needs one shift and one scale per feature; it has 0 shifts and 0 scales");
    EXPECT_EQ(errorOf(R"({"kind": "zscore", "shift": [1, 2], "scale": [3]})"),
              "the normalizer needs one shift and one scale per feature; it has 2 shifts and 1 scales");
    EXPECT_TRUE(has(errorOf(R"({"kind": "minmax", "shift": [1], "scale": [0]})"), "a scale must be finite and not 0"));
    EXPECT_EQ(errorOf(R"({"kind": "robust"})"), "the normalizer's kind is 'robust', not zscore, minmax or none");
    EXPECT_EQ(errorOf(R"({"kind": "none"})"), "");
    // One made for other data is refused where it is applied.
    const Normalizer two = normalizerFromJson(nlohmann::json::parse(R"({"kind": "zscore", "shift": [0, 0], "scale": [1, 1]})"));
    Series one = syntheticSeries("sines", 100, 1);
    ASSERT_EQ(one.features, 1);
    try {
        two.apply(one);
        FAIL();
    } catch (const DataError& e) {
        EXPECT_TRUE(has(e.what(), "the normalisation is for 2 features; the data has 1")) << e.what();
    }
}

TEST(Normalizer, ConvertsBothWaysForTheCliAndTheWindowAlike) {
    Normalizer n;
    n.kind = Normalizer::Kind::ZScore;
    n.shift = {10.0, -1.0};
    n.scale = {2.0, 0.5};
    std::vector<float> values = {12, -1, 10, 0};  // two steps of two features
    n.toModelUnits(values, 2);
    EXPECT_EQ(values, (std::vector<float>{1, 0, 0, 2}));
    n.toDataUnits(values, 2);
    EXPECT_EQ(values, (std::vector<float>{12, -1, 10, 0}));
    EXPECT_THROW(n.toDataUnits(values, 4), DataError);
    Normalizer none;
    none.toModelUnits(values, 4);  // nothing to undo, whatever the width
    EXPECT_EQ(values, (std::vector<float>{12, -1, 10, 0}));
}

TEST(Synthetic, RepeatableForASeed) {
    for (const std::string& name : syntheticNames()) {
        const Series a = syntheticSeries(name, 500, 7);
        EXPECT_EQ(a.values, syntheticSeries(name, 500, 7).values) << name;
        EXPECT_NE(a.values, syntheticSeries(name, 500, 8).values) << name;
        EXPECT_EQ(a.missingCount(), 0);
    }
    std::vector<int> labels;
    syntheticSeries("anomalies", 1200, 1, &labels);
    EXPECT_GT(std::count(labels.begin(), labels.end(), 1), 5);
    EXPECT_THROW(syntheticSeries("chirp", 10, 1), DataError);
}

}  // namespace
}  // namespace loom

#include "data/data_source.h"

namespace loom {
namespace {

TEST(DataSource, ClassifiesWindowsByTheirLastLabel) {
    const std::string file = (std::filesystem::temp_directory_path() / "layerloom_labels.csv").string();
    {
        std::ofstream out(file);
        out << "a,b,label\n";
        for (int i = 0; i < 40; ++i) out << i << "," << (i % 3) << "," << (i % 10 < 5 ? 0 : 1) << "\n";
    }
    DataSpec spec;
    spec.source = file;
    spec.labelColumn = "label";
    spec.validationSplit = 0.25;
    const PreparedData d = prepareData(spec, {4, 2}, {2});
    EXPECT_EQ(d.columns, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(d.train.yDims, (Dims{1}));
    EXPECT_EQ(d.train.size(), 27);  // 30 training steps, windows of 4
    EXPECT_EQ(targetsOf(d.train)[0], 0.0f);  // label at step 3
    EXPECT_EQ(targetsOf(d.train)[2], 1.0f);  // label at step 5
    try {
        prepareData(spec, {4, 2}, {4, 2});
        FAIL();
    } catch (const DataError& e) {
        EXPECT_TRUE(has(e.what(), "vector of class scores")) << e.what();
    }
    spec.labelColumn = "b";
    spec.columns = {"a"};
    try {
        prepareData(spec, {4, 1}, {2});
        FAIL();
    } catch (const DataError& e) {
        EXPECT_TRUE(has(e.what(), "label 2.000000 at row 3 of column 'b' is not a class from 0 to 1"))
            << e.what();
    }
    std::filesystem::remove(file);
}

// An Input of token ids (time,) reads windows of one CSV column of whole numbers, as they are.
TEST(DataSource, ACsvColumnOfIntegersGivesWindowsOfTokenIds) {
    const std::string file = (std::filesystem::temp_directory_path() / "layerloom_token_ids.csv").string();
    const auto write = [&](int badRow, const char* bad) {
        std::ofstream out(file);
        out << "step,id,label\n";
        for (int i = 0; i < 40; ++i) out << i << "," << (i == badRow ? bad : std::to_string(1 + i % 7)) << "," << (i % 10 < 5 ? 0 : 1) << "\n";
    };
    write(-1, "");
    DataSpec spec;
    spec.source = file;
    spec.columns = {"id"};
    spec.labelColumn = "label";
    spec.validationSplit = 0.25;
    const TokenIdReader reader{"embedding", 8};
    const PreparedData d = prepareData(spec, {6}, {1}, nullptr, {}, reader);
    EXPECT_EQ(d.train.xDims, (Dims{6}));
    EXPECT_EQ(d.validation.xDims, (Dims{6}));
    EXPECT_EQ(d.train.size(), 25);  // 30 training steps, windows of 6
    EXPECT_EQ(d.normalizer.kind, Normalizer::Kind::None);
    std::vector<float> x(6);
    d.train.copyX(2, x.data());
    EXPECT_EQ(x, (std::vector<float>{3, 4, 5, 6, 7, 1}));  // ids, not z-scores
    EXPECT_EQ(targetsOf(d.train)[0], 1.0f);  // the label of step 6
    EXPECT_TRUE(std::any_of(d.notes.begin(), d.notes.end(), [](const std::string& n) { return has(n, "not normalised"); }));

    const auto refusal = [&](const DataSpec& s, const Dims& in) {
        try {
            prepareData(s, in, {1}, nullptr, {}, reader);
        } catch (const DataError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    write(12, "2.5");
    EXPECT_EQ(refusal(spec, {6}), "line 14 of column 'id' holds 2.5, which is not a token id (a whole number)");
    write(30, "8");
    EXPECT_TRUE(refusal(spec, {6}).starts_with("line 32 of column 'id' holds 8, but embedding has input_dim 8: "
                                               "token ids must run from 0 to 7."))
        << refusal(spec, {6});
    write(-1, "");
    DataSpec two = spec;
    two.columns = {"step", "id"};
    EXPECT_TRUE(has(refusal(two, {6}), "reads one column of whole numbers; the data has 2 features")) << refusal(two, {6});
    DataSpec unlabelled = spec;
    unlabelled.labelColumn.clear();
    EXPECT_TRUE(has(refusal(unlabelled, {6}), "choose the column of class labels")) << refusal(unlabelled, {6});
    std::filesystem::remove(file);
}

TEST(DataSource, ForecastTargetsFollowTheModelsOutput) {
    DataSpec spec;
    spec.source = "synthetic:sawtooth";
    spec.syntheticSteps = 200;
    const PreparedData d = prepareData(spec, {10, 1}, {1});
    EXPECT_EQ(d.window.target, WindowSpec::Target::Forecast);
    EXPECT_EQ(d.window.horizon, 1);
    EXPECT_EQ(d.train.yDims, (Dims{1}));
    const PreparedData h = prepareData(spec, {10, 1}, {3, 1});
    EXPECT_EQ(h.window.horizon, 3);
}

TEST(DataSource, ASeriesTooShortSaysWhichPartIsShortAndWhatHelps) {
    const auto errorOf = [](std::int64_t steps, double split, Dims output) -> std::string {
        DataSpec spec;
        spec.source = "synthetic:sines";
        spec.syntheticSteps = steps;
        spec.validationSplit = split;
        try {
            prepareData(spec, {10, 1}, output);
        } catch (const DataError& e) {
            return e.what();
        }
        return "";
    };
    // Long enough as a whole: the split is what makes the training part short.
    EXPECT_EQ(errorOf(11, 0.2, {10, 1}), "the training part (the first 9 of the 11 steps) is shorter than one "
                                         "window (10 steps); use a smaller validation split or a shorter window");
    // Too short as a whole: no split helps.
    EXPECT_EQ(errorOf(8, 0.2, {10, 1}), "the training part (the first 6 of the 8 steps) is shorter than one "
                                        "window (10 steps); the data needs more steps, or the model a shorter window");
    EXPECT_TRUE(has(errorOf(14, 0.2, {3, 1}), "shorter than one window and its forecast horizon (13 steps)"))
        << errorOf(14, 0.2, {3, 1});
    // Without a split the series is the training part.
    EXPECT_EQ(errorOf(8, 0.0, {10, 1}), "the series has 8 steps, fewer than one window (10)");
    EXPECT_EQ(errorOf(1, 0.0, {10, 1}), "the series has 1 step, fewer than one window (10)");
    EXPECT_EQ(errorOf(12, 0.0, {10, 1}), "");
}

TEST(DataSource, AFileOfThousandsOfColumnsGetsAShortMessage) {
    const std::string file = (std::filesystem::temp_directory_path() / "layerloom_wide.csv").string();
    {
        std::ofstream out(file);
        for (int c = 0; c < 10000; ++c) out << (c ? "," : "") << "feature_" << c;
        out << "\n";
        for (int r = 0; r < 20; ++r) {
            for (int c = 0; c < 10000; ++c) out << (c ? "," : "") << r + c;
            out << "\n";
        }
    }
    DataSpec spec;
    spec.source = file;
    try {
        prepareData(spec, {4, 1}, {4, 1});
        FAIL();
    } catch (const DataError& e) {
        const std::string what = e.what();
        EXPECT_TRUE(has(what, "the data has 10000 features ('feature_0', 'feature_1',")) << what;
        EXPECT_TRUE(has(what, "'feature_9', ... 9,990 more), but the model's Input takes 1 feature")) << what;
        EXPECT_LT(what.size(), 400u);
    }
    spec.columns = {"nothing"};
    try {
        prepareData(spec, {4, 1}, {4, 1});
        FAIL();
    } catch (const DataError& e) {
        EXPECT_TRUE(has(e.what(), "there is no column 'nothing'; numeric columns: 'feature_0',")) << e.what();
        EXPECT_TRUE(has(e.what(), ", ... 9,990 more")) << e.what();
    }
    std::filesystem::remove(file);
}

}  // namespace
}  // namespace loom

namespace loom {
namespace {

// A first column that only counts rows or time (a year or time column, or a row counter whose
// values rise in equal steps) is not offered as a feature; a first column that measures
// something is.
TEST(DataSource, ALeadingIndexColumnIsNotADefaultFeature) {
    DataSpec spec;
    const auto defaults = [&](const std::string& text) {
        return defaultFeatureColumns(spec, parseCsv(text, "x.csv"));
    };
    using Names = std::vector<std::string>;
    EXPECT_EQ(defaults("YEAR,spots\n1700,5\n1701,11\n1702,16\n"), (Names{"spots"}));
    EXPECT_EQ(defaults("step,value\n0,0.5\n1,0.7\n2,0.2\n3,0.1\n"), (Names{"value"}));
    EXPECT_EQ(defaults("Unnamed: 0,a,b\n10,1,2\n20,3,4\n30,5,6\n"), (Names{"a", "b"}));
    EXPECT_EQ(defaults(",a,b\n0,1,2\n1,3,4\n2,5,6\n"), (Names{"a", "b"}));  // pandas's index
    EXPECT_EQ(defaults("time,value\n0.5,1\n1.0,2\n1.7,1\n"), (Names{"value"}));
    EXPECT_EQ(defaults("n,value\n0.5,1\n1.0,2\n1.5,1\n"), (Names{"value"}));
    // Measurements stay: a counter's name with uneven steps, a fall, a constant or a gap, or
    // a name that says nothing of counting.
    EXPECT_EQ(defaults("n,temp\n1,20\n2,21\n4,22\n"), (Names{"n", "temp"}));
    EXPECT_EQ(defaults("n,temp\n3,20\n2,21\n1,22\n"), (Names{"n", "temp"}));
    EXPECT_EQ(defaults("n,temp\n1,20\n1,21\n1,22\n"), (Names{"n", "temp"}));
    EXPECT_EQ(defaults("n,temp\n1,20\n,21\n3,22\n"), (Names{"n", "temp"}));
    EXPECT_EQ(defaults("load,temp\n1,20\n2,21\n3,22\n"), (Names{"load", "temp"}));
    // A lone column is the series itself.
    EXPECT_EQ(defaults("step\n0\n1\n2\n3\n"), (Names{"step"}));
    // The label column is never a feature.
    spec.labelColumn = "spots";
    EXPECT_EQ(defaults("YEAR,spots,x\n1700,5,1\n1701,11,1\n1702,16,2\n"), (Names{"x"}));
}

// The rows' own labels travel with a preview, for plots: the year of sunspots, the dates of
// elec_equip as written; a measurement or a chosen feature is never taken for them.
TEST(DataPreview, CarriesTheLeadingYearOrDateColumnAsTheRowIndex) {
    DataSpec spec;
    spec.source = kData + "/sunspots.csv";
    DataPreview p = previewData(spec, std::nullopt, "no model");
    EXPECT_EQ(p.index.name, "YEAR");
    ASSERT_EQ(p.index.values.size(), 309u);
    EXPECT_EQ(p.index.values.front(), 1700.0);
    EXPECT_EQ(p.index.values.back(), 2008.0);
    EXPECT_TRUE(p.index.texts.empty());

    spec.source = kData + "/elec_equip.csv";
    p = previewData(spec, std::nullopt, "no model");
    EXPECT_EQ(p.index.name, "DATE");
    ASSERT_EQ(p.index.texts.size(), 257u);
    EXPECT_EQ(p.index.texts.front(), "Jan-1-1995");
    EXPECT_TRUE(p.index.values.empty());

    // Chosen as a feature, the year is data, not labels.
    spec.source = kData + "/sunspots.csv";
    spec.columns = {"YEAR", "SUNACTIVITY"};
    EXPECT_TRUE(previewData(spec, std::nullopt, "no model").index.name.empty());
    // A first column of text labels nothing; a date left out is an empty label.
    const std::filesystem::path dir = std::filesystem::temp_directory_path();
    const auto previewOf = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir / name) << text;
        DataSpec s;
        s.source = (dir / name).string();
        return previewData(s, std::nullopt, "no model");
    };
    EXPECT_TRUE(previewOf("ll_text_index.csv", "site,v\na,1\nb,2\nc,3\n").index.name.empty());
    DataPreview gap = previewOf("ll_gap_index.csv", "day,v\n2001-01-01,1\n,2\n2001-01-03,3\n");
    EXPECT_EQ(gap.index.name, "day");
    EXPECT_EQ(gap.index.texts, (std::vector<std::string>{"2001-01-01", "", "2001-01-03"}));
}

/// One one-hot row over addition_rnn's characters, as the character.
std::string decodeAddition(const float* row, std::int64_t steps) {
    const std::string chars = " +0123456789";
    std::string text;
    for (std::int64_t t = 0; t < steps; ++t) {
        const float* one = row + t * 12;
        text += chars[static_cast<std::size_t>(std::max_element(one, one + 12) - one)];
    }
    return text;
}

TEST(SyntheticSamples, AdditionWritesReversedQuestionsAndTheirSums) {
    const Dataset d = syntheticSamples("addition", 200, 3);
    ASSERT_EQ(d.size(), 200);
    EXPECT_EQ(d.xDims, (Dims{7, 12}));
    EXPECT_EQ(d.yDims, (Dims{4, 12}));
    std::set<std::string> questions;
    for (std::int64_t i = 0; i < d.size(); ++i) {
        std::string q = decodeAddition(d.x.data() + i * 84, 7);
        std::reverse(q.begin(), q.end());
        EXPECT_TRUE(questions.insert(q).second) << q;
        const auto plus = q.find('+');
        ASSERT_NE(plus, std::string::npos) << q;
        const int sum = std::stoi(q.substr(0, plus)) + std::stoi(q.substr(plus + 1));
        std::string answer = std::to_string(sum);
        answer.resize(4, ' ');
        EXPECT_EQ(decodeAddition(d.y.data() + i * 48, 4), answer) << q;
    }
    EXPECT_EQ(syntheticSamples("addition", 200, 3).x, d.x);  // repeatable for a seed
}

TEST(SyntheticSamples, ReviewsAreImdbShapedTokenIdsWithBothSentiments) {
    const Dataset d = syntheticSamples("reviews", 300, 1);
    ASSERT_EQ(d.size(), 300);
    EXPECT_EQ(d.xDims, (Dims{200}));
    int positive = 0, padded = 0;
    for (std::int64_t i = 0; i < d.size(); ++i) {
        const float* review = d.x.data() + i * 200;
        const float* first = std::find_if(review, review + 200, [](float v) { return v != 0.0f; });
        padded += first != review ? 1 : 0;
        // A review that fits starts with 1, as keras.datasets.imdb's do.
        if (first != review) {
            EXPECT_EQ(*first, 1.0f);
        }
        for (const float* v = first; v != review + 200; ++v) {
            EXPECT_TRUE(*v >= 1.0f && *v < 20000.0f && *v == std::floor(*v)) << *v;
        }
        positive += d.y[static_cast<std::size_t>(i)] == 1.0f ? 1 : 0;
    }
    EXPECT_GT(positive, 100);
    EXPECT_LT(positive, 200);
    EXPECT_GT(padded, 50);
}

TEST(SyntheticSamples, EngineRecordingsAreScaledPerSample) {
    const Dataset d = syntheticSamples("engine", 20, 2);
    EXPECT_EQ(d.xDims, (Dims{500, 1}));
    for (std::int64_t i = 0; i < d.size(); ++i) {
        double mean = 0, square = 0;
        for (int t = 0; t < 500; ++t) mean += d.x[static_cast<std::size_t>(i * 500 + t)];
        mean /= 500;
        for (int t = 0; t < 500; ++t) square += std::pow(d.x[static_cast<std::size_t>(i * 500 + t)] - mean, 2);
        EXPECT_NEAR(mean, 0.0, 1e-4);
        EXPECT_NEAR(std::sqrt(square / 500), 1.0, 1e-3);
    }
}

// The weather example's windows: 120 hours of 7 standardised features; the target is the
// temperature (feature 1) 12 hours after the window, so it is the input of a later window.
TEST(SyntheticSamples, WeatherWindowsStepByAnHourAndForecastTheTemperature12HoursOn) {
    const Dataset d = syntheticSamples("weather", 300, 4);
    EXPECT_EQ(d.xDims, (Dims{120, 7}));
    EXPECT_EQ(d.yDims, (Dims{1}));
    ASSERT_EQ(d.size(), 300);
    // Sample i + 1 begins an hour after sample i.
    EXPECT_EQ(d.x[7 * 1], d.x[static_cast<std::size_t>(120 * 7)]);
    // The target of sample 0 is hour 131: hour 11 of sample 120.
    EXPECT_EQ(d.y[0], d.x[static_cast<std::size_t>(120 * 120 * 7 + 11 * 7 + 1)]);
    double mean = 0;
    for (float v : d.y) mean += v;
    EXPECT_LT(std::abs(mean / 300), 2.0);
    // Temperature and saturation vapour pressure rise together; air density falls with warmth.
    double tv = 0, td = 0;
    for (int h = 0; h < 120; ++h) {
        tv += d.x[static_cast<std::size_t>(h * 7 + 1)] * d.x[static_cast<std::size_t>(h * 7 + 2)];
        td += d.x[static_cast<std::size_t>(h * 7 + 1)] * d.x[static_cast<std::size_t>(h * 7 + 5)];
    }
    EXPECT_GT(tv, 0);
    EXPECT_LT(td, 0);
}

TEST(SyntheticSamples, EegRecordingsAreScaledToUnitRangeWithOneHotStimuli) {
    const Dataset d = syntheticSamples("eeg", 400, 3);
    EXPECT_EQ(d.xDims, (Dims{512, 1}));
    EXPECT_EQ(d.yDims, (Dims{19}));
    std::vector<int> seen(19, 0);
    for (std::int64_t i = 0; i < d.size(); ++i) {
        const auto first = d.x.begin() + i * 512;
        EXPECT_EQ(*std::min_element(first, first + 512), 0.0f);
        EXPECT_EQ(*std::max_element(first, first + 512), 1.0f);
        const auto row = d.y.begin() + i * 19;
        EXPECT_EQ(std::accumulate(row, row + 19, 0.0f), 1.0f);
        ++seen[static_cast<std::size_t>(std::max_element(row, row + 19) - row)];
    }
    // Uneven, as the recordings are: blinking (1) is rarer than the colour rounds (17).
    EXPECT_LT(seen[1], seen[17]);
    EXPECT_GT(std::count_if(seen.begin(), seen.end(), [](int n) { return n > 0; }), 15);
}

TEST(SyntheticSamples, TextWindowsStepBy3AndEachTargetIsTheNextCharacter) {
    const Dataset d = syntheticSamples("text", 50, 4);
    EXPECT_EQ(d.xDims, (Dims{40, 33}));
    EXPECT_EQ(d.yDims, (Dims{33}));
    const auto row = [&](std::int64_t sample, std::int64_t step) {
        const float* one = d.x.data() + (sample * 40 + step) * 33;
        EXPECT_EQ(std::count(one, one + 33, 1.0f), 1);
        return std::max_element(one, one + 33) - one;
    };
    for (std::int64_t i = 0; i + 1 < d.size(); ++i) {
        for (std::int64_t k = 0; k + 3 < 40; ++k) EXPECT_EQ(row(i + 1, k), row(i, k + 3));
        const float* y = d.y.data() + i * 33;
        EXPECT_EQ(std::max_element(y, y + 33) - y, row(i + 1, 37));
    }
}

TEST(SyntheticSamples, TheirOwnLengthFitsAFreeTimeAxis) {
    DataSpec spec;
    spec.source = "synthetic:reviews";
    spec.syntheticSteps = 40;
    EXPECT_EQ(previewData(spec, std::pair{Dims{kNone}, Dims{1}}, "").problem, "");
    EXPECT_EQ(previewData(spec, std::pair{Dims{100}, Dims{1}}, "").problem,
              "one sample is shaped (200,), but the model's Input takes (100,)");
}

TEST(SyntheticSamples, ThePreviewRefusesTokenIdsOutsideTheEmbedding) {
    DataSpec spec;
    spec.source = "synthetic:reviews";
    spec.syntheticSteps = 40;
    const std::pair dims{Dims{kNone}, Dims{1}};
    EXPECT_EQ(previewData(spec, dims, "", {}, TokenIdReader{"embedding", 20000}).problem, "");
    const std::string problem = previewData(spec, dims, "", {}, TokenIdReader{"embedding", 1000}).problem;
    EXPECT_TRUE(problem.starts_with("sample 1 of the training data holds ")) << problem;
    EXPECT_NE(problem.find("but embedding has input_dim 1000: token ids must run from 0 to 999."), std::string::npos) << problem;
}

TEST(SyntheticSamples, UnknownNamesAndCountsAreRefusedInWords) {
    EXPECT_THROW(syntheticSamples("addition", 0, 1), DataError);
    try {
        syntheticSamples("imdb", 10, 1);
        FAIL();
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(), "there is no synthetic sample set 'imdb'; choose one of: addition, reviews, engine, text, weather, eeg");
    }
    EXPECT_TRUE(isSyntheticSampleSet("synthetic:reviews"));
    EXPECT_FALSE(isSyntheticSampleSet("synthetic:sines"));
    EXPECT_TRUE(holdsCutSamples("synthetic:engine"));
}

}  // namespace
}  // namespace loom
