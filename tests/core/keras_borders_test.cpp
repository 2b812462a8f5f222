// A Keras model.json is outside data: its weights manifest may only name regular files inside
// the model's folder, and the sizes it claims are checked before anything is allocated.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

#include "interop/keras_model.h"

namespace fs = std::filesystem;

namespace loom {
namespace {

const fs::path kFixture = fs::path(LAYERLOOM_TEST_DATA_DIR) / "keras_fixtures" / "seq_autoencoder_small";

/// A copy of the small fixture in a fresh folder, its manifest changed by `edit`.
class KerasBorders : public ::testing::Test {
protected:
    // One folder per test: ctest runs them side by side.
    fs::path m_dir = fs::temp_directory_path() /
                     (std::string("layerloom_keras_borders_") +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    void SetUp() override {
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
        fs::copy_file(kFixture / "weights.bin", m_dir / "weights.bin");
    }
    void TearDown() override { fs::remove_all(m_dir); }

    fs::path modelWith(const std::function<void(nlohmann::json&)>& edit) {
        std::ifstream in(kFixture / "model.json");
        nlohmann::json doc = nlohmann::json::parse(in);
        edit(doc);
        std::ofstream(m_dir / "model.json") << doc.dump();
        return m_dir / "model.json";
    }
    fs::path modelWithPath(const std::string& path) {
        return modelWith([&](nlohmann::json& d) { d["weightsManifest"][0]["paths"] = {path}; });
    }
    static std::string errorOf(const fs::path& model) {
        try {
            importKerasModel(model);
        } catch (const KerasImportError& e) {
            return e.what();
        }
        return "";
    }
};

TEST_F(KerasBorders, TheFixtureItselfImports) {
    EXPECT_EQ(errorOf(modelWithPath("weights.bin")), "");
}

TEST_F(KerasBorders, ManifestPathsStayInsideTheModelsFolder) {
    for (const char* path : {"../../../../etc/passwd", "/etc/passwd", "/dev/zero", "sub/../../x.bin", ""}) {
        const std::string m = errorOf(modelWithPath(path));
        EXPECT_NE(m.find("weights files must be inside the model's folder"), std::string::npos)
            << path << ": " << m;
    }
    // A link inside the folder that leads out of it.
    fs::create_symlink("/etc/passwd", m_dir / "link.bin");
    EXPECT_NE(errorOf(modelWithPath("link.bin")).find("leads outside the model's folder"),
              std::string::npos);
    // A FIFO would block forever; a folder is no file either.
    ASSERT_EQ(mkfifo((m_dir / "fifo.bin").c_str(), 0600), 0);
    EXPECT_NE(errorOf(modelWithPath("fifo.bin")).find("fifo.bin is not a regular file"),
              std::string::npos);
    fs::create_directories(m_dir / "folder.bin");
    EXPECT_NE(errorOf(modelWithPath("folder.bin")).find("is not a regular file"), std::string::npos);
    EXPECT_NE(errorOf(modelWithPath("missing.bin")).find("missing.bin is missing"), std::string::npos);
}

TEST_F(KerasBorders, ShapesAreCheckedBeforeAnythingIsAllocated) {
    auto withShape = [&](const nlohmann::json& shape) {
        return errorOf(modelWith([&](nlohmann::json& d) {
            d["weightsManifest"][0]["weights"][0]["shape"] = shape;
        }));
    };
    EXPECT_NE(withShape({4611686018427387904LL, 4}).find("holds more than"), std::string::npos);
    EXPECT_NE(withShape({0, 4}).find("holds 0, not a size of 1 or more"), std::string::npos);
    EXPECT_NE(withShape({-3}).find("holds -3"), std::string::npos);
    EXPECT_NE(withShape("big").find("its shape is \"big\", not a list of sizes"), std::string::npos);
    // Shapes that fit in memory but add up to more than the files hold.
    EXPECT_NE(withShape({1000, 1000}).find("the weights files end before"), std::string::npos);
}

TEST_F(KerasBorders, FilesLargerThanTheManifestSaysAreRefused) {
    std::ofstream(m_dir / "weights.bin", std::ios::app | std::ios::binary) << std::string(64, '\0');
    EXPECT_NE(errorOf(modelWithPath("weights.bin")).find("hold more bytes than the manifest's"),
              std::string::npos);
}

// A recurrent layer of its own that zeroes its padded outputs computes what LayerLoom's does not.
TEST_F(KerasBorders, ZeroOutputForMaskOnARecurrentLayerIsNamed) {
    const fs::path model = modelWith([](nlohmann::json& d) {
        nlohmann::json& topology = d["modelTopology"];
        nlohmann::json& config = topology.contains("model_config") ? topology["model_config"]["config"] : topology["config"];
        config["layers"][1]["config"]["zero_output_for_mask"] = true;
    });
    EXPECT_NE(errorOf(model).find("layer 'lstm_1': zero_output_for_mask=True is not supported"), std::string::npos)
        << errorOf(model);
}

TEST_F(KerasBorders, MissingPartsOfTheTopologyAreSaidByName) {
    // R3: an InputLayer without its shape used to become a Dense(32).
    const fs::path seq = m_dir / "seq.json";
    std::ofstream(seq) << R"({"modelTopology":{"class_name":"Sequential","config":{"layers":[)"
                          R"({"class_name":"InputLayer","config":{"name":"in"}}]}}})";
    EXPECT_NE(errorOf(seq).find("layer 'in': an InputLayer without its shape"), std::string::npos)
        << errorOf(seq);
    std::ofstream(seq) << R"({"modelTopology":{"class_name":"Sequential","config":{"layers":[)"
                          R"({"class_name":"InputLayer","config":{"name":"in","batch_input_shape":[null,8,1]}},)"
                          R"({"class_name":"TimeDistributed","config":{"name":"td"}}]}}})";
    EXPECT_NE(errorOf(seq).find("layer 'td': a TimeDistributed without the layer it wraps"),
              std::string::npos) << errorOf(seq);
    std::ofstream(seq) << R"({"modelTopology":{"class_name":"Sequential","config":{"layers":[)"
                          R"({"class_name":"InputLayer","config":{"name":"in","batch_input_shape":[null,8,1]}},)"
                          R"({"config":{"name":"mystery"}}]}}})";
    EXPECT_NE(errorOf(seq).find("layer 'mystery' does not say its class_name"), std::string::npos)
        << errorOf(seq);
    // The issue's "layer '' is a , which LayerLoom does not support".
    std::ofstream(seq) << R"({"modelTopology":{"class_name":"Sequential","config":{"layers":[)"
                          R"({"class_name":"InputLayer","config":{"name":"in","batch_input_shape":[null,8,1]}},)"
                          R"({"class_name":"","config":{"name":"blank"}}]}}})";
    EXPECT_NE(errorOf(seq).find("layer 'blank' does not say its class_name"), std::string::npos)
        << errorOf(seq);
    std::ofstream(seq) << R"({"modelTopology":{"class_name":"Sequential","config":{"layers":[)"
                          R"({"class_name":"InputLayer","config":{"name":"in","batch_input_shape":[null,8,1]}},)"
                          R"({"class_name":"Conv9D","config":{"name":"c"}}]}}})";
    EXPECT_NE(errorOf(seq).find("layer 'c' is a Conv9D, which LayerLoom does not support"), std::string::npos)
        << errorOf(seq);
    // Values of the wrong kind end in a plain sentence, never the JSON library's.
    std::ofstream(seq) << R"({"modelTopology":{"class_name":"Sequential","config":{"layers":[7]}}})";
    EXPECT_NE(errorOf(seq).find("a layer is 7, not a layer's description"), std::string::npos) << errorOf(seq);
    std::ofstream(seq) << R"({"modelTopology":{"class_name":"Sequential","config":{"layers":[)"
                          R"({"class_name":"InputLayer","config":{"name":"in","batch_input_shape":[null,8,1]}},)"
                          R"({"class_name":"Dense","config":{"name":"d","units":"many"}}]}}})";
    EXPECT_NE(errorOf(seq).find("layer 'd': units is \"many\", which Dense cannot take"), std::string::npos) << errorOf(seq);
}

TEST_F(KerasBorders, FunctionalInputsMustNameALayer) {
    // R4: an empty inbound entry was indexed anyway.
    const fs::path fn = m_dir / "fn.json";
    std::ofstream(fn) << R"({"modelTopology":{"class_name":"Functional","config":{"layers":[)"
                         R"({"class_name":"InputLayer","name":"in","config":{"name":"in","batch_input_shape":[null,8,1]},"inbound_nodes":[]},)"
                         R"({"class_name":"Concatenate","name":"cat","config":{"name":"cat"},"inbound_nodes":[[[]]]}]}}})";
    EXPECT_NE(errorOf(fn).find("layer 'cat': an input in inbound_nodes is [], which names no layer"),
              std::string::npos) << errorOf(fn);
}

}  // namespace
}  // namespace loom
