// layerloom-cli detect and forecast end to end: a small autoencoder trained on a normal series
// finds the anomalies injected into a copy of it, and nothing else; a small forecaster
// forecasts a series and is compared with the naive forecasts.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <sstream>

#include "cli/cli_helpers.h"

namespace loom::test {
namespace {

/// A Dense autoencoder of windows of 24 steps and `features` features: flattened, squeezed
/// through 8 units and spread back.
std::string autoencoder(int features, bool forecaster = false) {
    const int flat = 24 * features;
    nlohmann::json nodes = nlohmann::json::array(), edges = nlohmann::json::array();
    const auto node = [&](int id, const char* kind, nlohmann::json params) {
        nodes.push_back({{"id", id}, {"kind", kind}, {"name", std::string(kind) + "_" + std::to_string(id)},
                         {"position", {0.0, 100.0 * id}}, {"params", std::move(params)}});
        if (id > 1) edges.push_back({{"id", id - 1}, {"from", {{"node", id - 1}, {"port", 0}}}, {"to", {{"node", id}, {"port", 0}}}});
    };
    node(1, "InputLayer", {{"shape", {24, features}}});
    node(2, "Flatten", nlohmann::json::object());
    if (forecaster) {
        node(3, "Dense", {{"units", features}});  // the next step's features
    } else {
        node(3, "Dense", {{"units", 8}});
        node(4, "Dense", {{"units", flat}});
        node(5, "Reshape", {{"target_shape", {24, features}}});
    }
    const nlohmann::json project = {{"format", "layerloom-project"}, {"version", 1}, {"name", "detector"},
                                    {"graph", {{"nodes", nodes}, {"edges", edges}}}};
    return project.dump(1);
}

/// A daily pattern (24 steps) per feature, each with its own phase, and a little noise.
struct Signal {
    std::uint64_t state = 12345;
    double noise() {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return (static_cast<double>(state >> 11) / 9007199254740992.0 - 0.5) * 0.04;
    }
    double at(std::int64_t t, int feature, double period = 24.0) {
        return std::sin(2 * std::numbers::pi * static_cast<double>(t) / period + feature) + noise();
    }
};

/// A CSV with a time column: "t", then one column per feature.
std::string csv(const std::vector<std::vector<double>>& rows, std::int64_t firstTime) {
    std::ostringstream text;
    text << "t";
    for (std::size_t f = 0; f < rows.front().size(); ++f) text << ",f" << f;
    text << "\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        text << firstTime + static_cast<std::int64_t>(i);
        for (double v : rows[i]) text << "," << v;
        text << "\n";
    }
    return text.str();
}

struct Stretch {
    std::int64_t start, end;  // steps, inclusive
};

/// Trains the autoencoder on 1200 normal steps and writes a scored copy of 2400 steps with
/// `inject` applied; returns the folder.
fs::path trainedDetector(const char* name, int features,
                         const std::function<void(std::vector<std::vector<double>>&, Signal&)>& inject) {
    const fs::path dir = freshDir(name);
    fs::create_directories(dir);
    Signal signal;
    std::vector<std::vector<double>> normal(1200, std::vector<double>(static_cast<std::size_t>(features)));
    for (std::int64_t t = 0; t < 1200; ++t) {
        for (int f = 0; f < features; ++f) normal[static_cast<std::size_t>(t)][static_cast<std::size_t>(f)] = signal.at(t, f);
    }
    std::vector<std::vector<double>> scored(2400, std::vector<double>(static_cast<std::size_t>(features)));
    for (std::int64_t t = 0; t < 2400; ++t) {
        for (int f = 0; f < features; ++f) scored[static_cast<std::size_t>(t)][static_cast<std::size_t>(f)] = signal.at(t, f);
    }
    inject(scored, signal);
    std::ofstream(dir / "model.loom") << autoencoder(features);
    std::ofstream(dir / "normal.csv") << csv(normal, 1000);
    std::ofstream(dir / "scored.csv") << csv(scored, 5000);
    const Result r = run("train " + (dir / "model.loom").string() + " --data " + (dir / "normal.csv").string() +
                         " --epochs 60 --batch-size 32 --lr 0.003 --optimizer adam --seed 3 --threads 1 --quiet --out " +
                         (dir / "run").string());
    EXPECT_EQ(r.exitCode, 0) << r.out;
    return dir;
}

/// The intervals file's rows as (start, end) times.
std::vector<std::pair<std::int64_t, std::int64_t>> intervals(const fs::path& file) {
    std::ifstream in(file);
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        std::stringstream row(line);
        std::string start, end;
        std::getline(row, start, ',');
        std::getline(row, end, ',');
        out.emplace_back(std::stoll(start), std::stoll(end));
    }
    return out;
}

/// Each injected stretch (in steps) is found, by one interval that overlaps it, and every
/// interval overlaps an injected stretch. Times in the file are steps + 5000.
void expectFound(const std::vector<std::pair<std::int64_t, std::int64_t>>& found, const std::vector<Stretch>& injected,
                 const std::string& output) {
    for (const Stretch& s : injected) {
        int hits = 0;
        for (const auto& [a, b] : found) hits += (a - 5000 <= s.end && b - 5000 >= s.start) ? 1 : 0;
        EXPECT_EQ(hits, 1) << "injected at steps " << s.start << ".." << s.end << "\n" << output;
    }
    for (const auto& [a, b] : found) {
        bool real = false;
        for (const Stretch& s : injected) real = real || (a - 5000 <= s.end + 24 && b - 5000 >= s.start - 24);
        EXPECT_TRUE(real) << "a false interval at " << a << ".." << b << "\n" << output;
    }
}

TEST(CliDetect, FindsEveryInjectedAnomalyAndNoFalseOne) {
    const std::vector<Stretch> injected = {{300, 300}, {700, 760}, {1100, 1160}, {1500, 1580}};
    const fs::path dir = trainedDetector("ll_detect_one", 1, [](auto& rows, Signal& signal) {
        rows[300][0] += 3.0;                                         // a spike
        for (std::size_t t = 700; t <= 760; ++t) rows[t][0] += 1.5;  // a level shift
        for (std::size_t t = 1100; t <= 1160; ++t) rows[t][0] = 0.3; // a flat stretch
        for (std::size_t t = 1500; t <= 1580; ++t) rows[t][0] = signal.at(static_cast<std::int64_t>(t), 0, 7.0);
    });
    const std::string model = (dir / "model.loom").string();
    const Result r = run("detect " + model + " --run " + (dir / "run").string() + " --data " +
                         (dir / "scored.csv").string() + " --out " + (dir / "steps.csv").string() + " --intervals " +
                         (dir / "found.csv").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "the largest of the 937 training windows' errors")) << r.out;
    expectFound(intervals(dir / "found.csv"), injected, r.out);

    // One output row per input row, in order, with the input's time column and values.
    std::ifstream steps(dir / "steps.csv");
    std::string header, first;
    std::getline(steps, header);
    std::getline(steps, first);
    EXPECT_EQ(header, "t,f0,score,threshold,anomaly");
    EXPECT_TRUE(first.starts_with("5000,")) << first;
    EXPECT_EQ(lines(dir / "steps.csv"), 2401u);
    EXPECT_EQ(readFile(dir / "found.csv").substr(0, 20), "start,end,peak,mean\n");

    // The same as JSON, and the text table when no --out is given.
    const Result json = run("detect " + model + " --run " + (dir / "run").string() + " --data " +
                            (dir / "scored.csv").string() + " --json");
    ASSERT_EQ(json.exitCode, 0) << json.out;
    const nlohmann::json doc = nlohmann::json::parse(json.out);
    EXPECT_EQ(doc["threshold_rule"], "max-train");
    EXPECT_EQ(doc["rule"], "all");
    EXPECT_EQ(doc["steps"], 2400);
    EXPECT_EQ(doc["intervals"].size(), injected.size());
    const Result table = run("detect " + model + " --run " + (dir / "run").string() + " --data " +
                             (dir / "scored.csv").string());
    EXPECT_TRUE(has(table.out, "4 intervals flagged")) << table.out;
}

TEST(CliDetect, NamesTheStuckSensorAmongThree) {
    const fs::path dir = trainedDetector("ll_detect_three", 3, [](auto& rows, Signal&) {
        for (std::size_t t = 1900; t <= 1980; ++t) rows[t][2] = rows[1899][2];
    });
    const Result r = run("detect " + (dir / "model.loom").string() + " --run " + (dir / "run").string() +
                         " --data " + (dir / "scored.csv").string() + " --intervals " + (dir / "found.csv").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    expectFound(intervals(dir / "found.csv"), {{1900, 1980}}, r.out);
    const std::string found = readFile(dir / "found.csv");
    EXPECT_TRUE(found.starts_with("start,end,peak,mean,feature\n")) << found;
    EXPECT_TRUE(has(found, ",f2\n")) << found;
}

TEST(CliDetect, RefusesWhatItCannotScoreClearly) {
    const fs::path dir = trainedDetector("ll_detect_refusals", 1, [](auto&, Signal&) {});
    const std::string model = (dir / "model.loom").string(), runDir = " --run " + (dir / "run").string();
    std::ofstream(dir / "one_row.csv") << "t,f0\n1,0.5\n";
    {
        std::ofstream gaps(dir / "all_nan.csv");
        gaps << "t,f0\n";
        for (int t = 1; t <= 30; ++t) gaps << t << ",NA\n";
    }
    std::ofstream(dir / "two.csv") << "a,b\n1,2\n3,4\n";
    Result r = run("detect " + model + runDir + " --data " + (dir / "one_row.csv").string());
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(has(r.out, "one_row.csv: the series has 1 step, fewer than one window of 24")) << r.out;
    r = run("detect " + model + runDir + " --data " + (dir / "all_nan.csv").string());
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(has(r.out, "all_nan.csv: every window of 24 steps touches a missing value, so no step can be scored"))
        << r.out;
    r = run("detect " + model + runDir + " --data " + (dir / "two.csv").string() + " --column a,b");
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(has(r.out, "the data has 2 features, and the model was trained on 1")) << r.out;

    // A constant training series cannot say what is normal, unless the threshold is given.
    std::ofstream(dir / "flat.csv") << "t,f0\n" << [] {
        std::string rows;
        for (int t = 0; t < 100; ++t) rows += std::to_string(t) + ",3\n";
        return rows;
    }();
    nlohmann::json flatProject = nlohmann::json::parse(readFile(dir / "model.loom"));
    flatProject["training"] = {{"data", {{"source", (dir / "flat.csv").string()}}}};
    std::ofstream(dir / "flat.loom") << flatProject.dump();
    const std::string weights = " --weights " + (dir / "run" / "weights.llw").string();
    r = run("detect " + (dir / "flat.loom").string() + weights + " --data " + (dir / "scored.csv").string());
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "flat.csv: 'f0' is 3 throughout the training part")) << r.out;
    r = run("detect " + (dir / "flat.loom").string() + weights + " --data " + (dir / "scored.csv").string() +
            " --threshold 0.5");
    EXPECT_EQ(r.exitCode, 0) << r.out;

    // A model that does not reconstruct its input, and rules the command does not know.
    r = run("detect " + example("residual_lstm_classifier.loom") + runDir);
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_TRUE(has(r.out, "does not reconstruct its input")) << r.out;
    r = run("detect " + model + runDir + " --threshold quantile:2");
    EXPECT_EQ(r.exitCode, 64) << r.out;
    r = run("detect " + model + runDir + " --rule most");
    EXPECT_EQ(r.exitCode, 64) << r.out;
    EXPECT_TRUE(has(r.out, "use all, mean or max")) << r.out;
}

TEST(CliForecast, ForecastsAndComparesWithTheNaiveForecasts) {
    const fs::path dir = freshDir("ll_forecast");
    fs::create_directories(dir);
    Signal signal;
    std::vector<std::vector<double>> rows(1200, std::vector<double>(1));
    for (std::int64_t t = 0; t < 1200; ++t) rows[static_cast<std::size_t>(t)][0] = signal.at(t, 0);
    std::ofstream(dir / "series.csv") << csv(rows, 1000);
    std::ofstream(dir / "model.loom") << autoencoder(1, true);
    const std::string model = (dir / "model.loom").string(), runDir = " --run " + (dir / "run").string();
    Result r = run("train " + model + " --data " + (dir / "series.csv").string() +
                   " --epochs 30 --batch-size 32 --lr 0.003 --optimizer adam --seed 3 --threads 1 --quiet --out " +
                   (dir / "run").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;

    r = run("forecast " + model + runDir + " --horizon 5 --out " + (dir / "next.csv").string());
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "Forecast of 5 steps from a window of 24 steps")) << r.out;
    for (const char* row : {"model", "last value", "seasonal naive (period 24)", "mean of the window"}) {
        EXPECT_TRUE(has(r.out, std::string("\n  ") + row)) << row << "\n" << r.out;
    }
    EXPECT_TRUE(has(r.out, "The model beats the last-value forecast")) << r.out;
    // Past the end the time column goes on; no truth there.
    std::string text = readFile(dir / "next.csv");
    EXPECT_TRUE(text.starts_with("t,forecast\n2200,")) << text;
    EXPECT_EQ(lines(dir / "next.csv"), 6u);

    // From a row inside the series: the truth and the error beside the forecast.
    r = run("forecast " + model + runDir + " --at 1101 --horizon 3 --out " + (dir / "inside.csv").string() + " --json");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    const nlohmann::json doc = nlohmann::json::parse(r.out.substr(r.out.find('{')));
    EXPECT_EQ(doc["horizon"], 3);
    EXPECT_EQ(doc["period"], 24);
    EXPECT_EQ(doc["backtest"]["table"].size(), 4u);
    text = readFile(dir / "inside.csv");
    EXPECT_TRUE(text.starts_with("t,forecast,truth,error\n2100,")) << text;
    ASSERT_EQ(doc["forecast"].size(), 3u);
    EXPECT_TRUE(doc["forecast"][0]["truth"].is_array()) << doc["forecast"][0].dump();
    EXPECT_NEAR(doc["forecast"][0]["error"][0].get<double>(),
                doc["forecast"][0]["values"][0].get<double>() - doc["forecast"][0]["truth"][0].get<double>(), 1e-9);
    // The table printed says the same as the file.
    r = run("forecast " + model + runDir + " --at 1101 --horizon 3");
    ASSERT_EQ(r.exitCode, 0) << r.out;
    EXPECT_TRUE(has(r.out, "forecast      truth         error")) << r.out;

    // Each command refuses the other's model.
    r = run("detect " + model + runDir);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(has(r.out, "the model does not reconstruct its input: it takes (None, 24, 1) and returns (None, 1)")) << r.out;
    const fs::path detector = trainedDetector("ll_forecast_detector", 1, [](auto&, Signal&) {});
    r = run("forecast " + (detector / "model.loom").string() + " --run " + (detector / "run").string());
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(has(r.out, "the model does not forecast its input")) << r.out;
}

}  // namespace
}  // namespace loom::test
