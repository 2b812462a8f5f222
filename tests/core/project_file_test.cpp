#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/test_graphs.h"
#include "graph/base64.h"
#include "graph/project_file.h"
#include "version.h"

namespace loom {
namespace {

namespace fs = std::filesystem;

Project sampleProject() {
    Project p;
    p.name = "round trip";
    ModelGraph& g = p.graph;
    const NodeId in = test::input(g, {kNone, 3});
    const NodeId l = test::add(g, "LSTM",
                               {{"units", std::int64_t{7}},
                                {"activation", std::string("selu")},
                                {"dropout", 0.125},
                                {"kernel_regularizer", Regularizer{Regularizer::Kind::L1L2, 0.01, 1e-4}}},
                               {in});
    const NodeId d = test::add(g, "Dense", {{"units", std::int64_t{7}}}, {in});
    test::add(g, "Concatenate", {{"axis", std::int64_t{-1}}}, {l, d});
    g.node(l)->position = {12.5, -40.25};
    p.training = {{"loss", "mse"}, {"epochs", 20}};
    return p;
}

std::string expectError(const std::string& text) {
    try {
        parseProject(text, "bad.loom");
    } catch (const ProjectError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no error for: " << text;
    return {};
}

TEST(ProjectFile, RoundTripIsLossless) {
    const Project p = sampleProject();
    const std::string text = serializeProject(p);
    const Project back = parseProject(text);
    EXPECT_EQ(back, p);
    EXPECT_EQ(serializeProject(back), text);
}

TEST(ProjectFile, SaysWhichLayerLoomWroteIt) {
    const nlohmann::json doc = nlohmann::json::parse(serializeProject(sampleProject()));
    EXPECT_EQ(doc.at("generatedBy"), std::string("LayerLoom ") + kVersion);
}

TEST(ProjectFile, ExamplesRoundTrip) {
    for (const auto& entry : fs::directory_iterator(LAYERLOOM_EXAMPLES_DIR)) {
        const Project p = loadProject(entry.path());
        EXPECT_EQ(parseProject(serializeProject(p)), p) << entry.path();
    }
}

TEST(ProjectFile, SavesAtomicallyAndLeavesNoTemporaryFiles) {
    const fs::path dir = fs::temp_directory_path() / "layerloom_save_test";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path file = dir / "model.loom";
    {
        std::ofstream old(file);
        old << "previous content";
    }
    const Project p = sampleProject();
    saveProject(p, file);
    EXPECT_EQ(loadProject(file), p);
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
    EXPECT_THROW(saveProject(p, dir / "missing" / "x.loom"), std::runtime_error);
    fs::remove_all(dir);
}

TEST(ProjectFile, SavingThroughALinkWritesItsTargetAndNeverReplacesAFolderOrDevice) {
    const fs::path dir = fs::temp_directory_path() / "layerloom_save_link_test";
    fs::remove_all(dir);
    fs::create_directories(dir / "real");
    const Project p = sampleProject();
    // A link keeps pointing where it did; the file it points to gets the project.
    fs::create_symlink(dir / "real" / "model.loom", dir / "latest.loom");
    saveProject(p, dir / "latest.loom");
    EXPECT_TRUE(fs::is_symlink(dir / "latest.loom"));
    EXPECT_EQ(loadProject(dir / "real" / "model.loom"), p);
    saveProject(p, dir / "latest.loom");  // again, now that the target exists
    EXPECT_TRUE(fs::is_symlink(dir / "latest.loom"));
    EXPECT_EQ(std::distance(fs::directory_iterator(dir / "real"), fs::directory_iterator()), 1);
    // What is not a file stays what it is, with a message that says so.
    const auto errorOf = [&](const fs::path& path) -> std::string {
        try {
            saveProject(p, path);
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return "";
    };
    EXPECT_EQ(errorOf(dir / "real"), "cannot write " + (dir / "real").string() + ": it is a folder");
    ASSERT_EQ(::mkfifo((dir / "pipe").c_str(), 0600), 0);
    EXPECT_EQ(errorOf(dir / "pipe"), "cannot write " + (dir / "pipe").string() + ": it is not a regular file");
    EXPECT_TRUE(fs::is_fifo(dir / "pipe"));
    fs::create_symlink(dir / "b.loom", dir / "a.loom");
    fs::create_symlink(dir / "a.loom", dir / "b.loom");
    EXPECT_EQ(errorOf(dir / "a.loom"), "cannot write " + (dir / "a.loom").string() + ": its links go round in a circle");
    fs::remove_all(dir);
}

TEST(ProjectFile, SyntaxErrorsGiveLineAndColumn) {
    try {
        parseProject("{\n  \"format\": \"layerloom-project\",\n  \"version\": 1,,\n}", "bad.loom");
        FAIL();
    } catch (const ProjectError& e) {
        EXPECT_EQ(e.line(), 3);
        EXPECT_EQ(e.column(), 16);
        EXPECT_NE(std::string(e.what()).find("bad.loom:3:16: not valid JSON"), std::string::npos)
            << e.what();
    }
}

TEST(ProjectFile, NewerVersionSaysSo) {
    const std::string m = expectError(
        R"({"format": "layerloom-project", "version": 9, "graph": {"nodes": []}})");
    EXPECT_NE(m.find("newer LayerLoom"), std::string::npos) << m;
    EXPECT_NE(m.find("version 9"), std::string::npos) << m;
}

TEST(ProjectFile, ForeignJsonIsNotAProject) {
    EXPECT_NE(expectError(R"({"format": "layers-model"})").find("not a LayerLoom project"),
              std::string::npos);
    EXPECT_NE(expectError("[1, 2]").find("expected a LayerLoom project"), std::string::npos);
    EXPECT_NE(expectError("").find("not valid JSON"), std::string::npos);
}

struct BrokenCase {
    const char* label;
    const char* graph;  // the value of "graph"
    const char* pointer;
    const char* words;
    const char* layer;
};

void PrintTo(const BrokenCase& c, std::ostream* os) { *os << c.label; }

class BrokenFile : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenFile, SaysWhatAndWhere) {
    const BrokenCase& c = GetParam();
    const std::string text = std::string(R"({"format": "layerloom-project", "version": 1, "graph": )") +
                             c.graph + "}";
    try {
        parseProject(text, "bad.loom");
        FAIL() << "accepted " << text;
    } catch (const ProjectError& e) {
        EXPECT_EQ(e.pointer(), c.pointer) << e.what();
        EXPECT_NE(std::string(e.what()).find(c.words), std::string::npos) << e.what();
        EXPECT_EQ(e.nodeName(), c.layer) << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BrokenFile,
    ::testing::Values(
        BrokenCase{"no_nodes", "{}", "/graph", "missing \"nodes\"", ""},
        BrokenCase{"unknown_kind", R"({"nodes": [{"id": 1, "name": "c", "kind": "Conv9D"}]})",
                   "/graph/nodes/0/kind", "unknown layer kind \"Conv9D\"", "c"},
        BrokenCase{"text_units",
                   R"({"nodes": [{"id": 1, "name": "lstm_1", "kind": "LSTM", "params": {"units": "many"}}]})",
                   "/graph/nodes/0/params/units", "expected a whole number, found text \"many\"",
                   "lstm_1"},
        BrokenCase{"unknown_param",
                   R"({"nodes": [{"id": 1, "name": "d", "kind": "Dense", "params": {"unitz": 3}}]})",
                   "/graph/nodes/0/params/unitz", "Dense has no parameter \"unitz\"", "d"},
        BrokenCase{"duplicate_id",
                   R"({"nodes": [{"id": 1, "name": "a", "kind": "Dense"}, {"id": 1, "name": "b", "kind": "Dense"}]})",
                   "/graph/nodes/1/id", "used twice", ""},
        BrokenCase{"wire_to_nowhere",
                   R"({"nodes": [{"id": 1, "name": "a", "kind": "Dense"}], "edges": [{"id": 1, "from": {"node": 1, "port": 0}, "to": {"node": 5, "port": 0}}]})",
                   "/graph/edges/0/to/node", "layer id 5", ""},
        BrokenCase{"bad_position",
                   R"({"nodes": [{"id": 1, "name": "a", "kind": "Dense", "position": "left"}]})",
                   "/graph/nodes/0/position", "expected [x, y]", "a"},
        BrokenCase{"bad_shape",
                   R"({"nodes": [{"id": 1, "name": "in", "kind": "InputLayer", "params": {"shape": 32}}]})",
                   "/graph/nodes/0/params/shape", "expected a shape", "in"},
        BrokenCase{"bad_regularizer",
                   R"({"nodes": [{"id": 1, "name": "d", "kind": "Dense", "params": {"kernel_regularizer": {"type": "l3"}}}]})",
                   "/graph/nodes/0/params/kernel_regularizer/type", "expected l1, l2 or l1_l2", "d"},
        BrokenCase{"negative_id", R"({"nodes": [{"id": -2, "name": "a", "kind": "Dense"}]})",
                   "/graph/nodes/0/id", "positive", ""},
        // Found by fuzzing: numbers beyond a 64-bit integer were converted regardless.
        BrokenCase{"huge_float_id", R"({"nodes": [{"id": 3.92234e19, "name": "a", "kind": "Dense"}]})",
                   "/graph/nodes/0/id", "expected a whole number", ""},
        BrokenCase{"huge_integer_units",
                   R"({"nodes": [{"id": 1, "name": "d", "kind": "Dense", "params": {"units": 18446744073709551615}}]})",
                   "/graph/nodes/0/params/units", "the number is too large", "d"}),
    [](const auto& p) { return std::string(p.param.label); });

TEST(ProjectFile, WeightsAndRunsRoundTripBitForBit) {
    Project p = sampleProject();
    // Tiny and huge values must come back bit for bit.
    p.weights.push_back({"lstm_1/kernel", {3, 28}, std::vector<float>(84)});
    for (std::size_t i = 0; i < 84; ++i) p.weights[0].values[i] = static_cast<float>(i) * -0.37f + 1e-30f;
    p.weights.push_back({"lstm_1/bias", {28}, std::vector<float>(28, 3.4e38f)});
    p.runs = nlohmann::json::array({{{"name", "run 1"}, {"history", {1.5, 0.25}}}});
    const Project back = parseProject(serializeProject(p));
    EXPECT_EQ(back, p);
}

TEST(ProjectFile, VersionOneFilesStillOpen) {
    const Project p = parseProject(R"({"format": "layerloom-project", "version": 1, "graph": {"nodes": []}})");
    EXPECT_TRUE(p.weights.empty());
    EXPECT_TRUE(p.runs.empty());
}

TEST(Base64, EncodesAndDecodesEveryTailLength) {
    EXPECT_EQ(toBase64(""), "");
    EXPECT_EQ(toBase64("f"), "Zg==");
    EXPECT_EQ(toBase64("fo"), "Zm8=");
    EXPECT_EQ(toBase64("foo"), "Zm9v");
    EXPECT_EQ(toBase64("foobar"), "Zm9vYmFy");
    for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
        EXPECT_EQ(fromBase64(toBase64(s)), s);
    }
    EXPECT_FALSE(fromBase64("Zm9"));     // not a multiple of 4
    EXPECT_FALSE(fromBase64("Zm=v"));    // padding inside
    EXPECT_FALSE(fromBase64("Zm9v!A=="));  // not in the alphabet
}

TEST(ProjectFile, BrokenWeightsSayWhatAndWhere) {
    auto withWeights = [](const std::string& weights) {
        return R"({"format": "layerloom-project", "version": 2, "graph": {"nodes": []}, "weights": )" +
               weights + "}";
    };
    auto pointerOf = [](const std::string& text, std::string* what) {
        try {
            parseProject(text, "bad.loom");
        } catch (const ProjectError& e) {
            *what = e.what();
            return e.pointer();
        }
        return std::string("accepted");
    };
    std::string what;
    EXPECT_EQ(pointerOf(withWeights(R"({"encoding": "float64", "tensors": []})"), &what), "/weights/encoding");
    EXPECT_EQ(pointerOf(withWeights(R"({"encoding": "float32-le-base64", "tensors": [{"name": "d/bias", "shape": [2], "data": "AAAAAA=="}]})"), &what),
              "/weights/tensors/0/data");
    EXPECT_NE(what.find("d/bias hold 1 values; their shape needs 2"), std::string::npos) << what;
    EXPECT_EQ(pointerOf(withWeights(R"({"encoding": "float32-le-base64", "tensors": [{"name": "d/bias", "shape": [1], "data": "A*AAAA=="}]})"), &what),
              "/weights/tensors/0/data");
    EXPECT_NE(what.find("not valid base64"), std::string::npos) << what;
    EXPECT_EQ(pointerOf(withWeights(R"({"encoding": "float32-le-base64", "tensors": [{"name": "d/bias", "shape": [0], "data": ""}]})"), &what),
              "/weights/tensors/0/shape/0");
    EXPECT_EQ(pointerOf(R"({"format": "layerloom-project", "version": 2, "graph": {"nodes": []}, "runs": {}})", &what),
              "/runs");
}

TEST(ProjectFile, MissingFileSaysSo) {
    EXPECT_THROW(loadProject("/nonexistent/model.loom"), ProjectError);
}

}  // namespace
}  // namespace loom
