// NumPy arrays and LayerLoom weights files.
#include <gtest/gtest.h>

#include <filesystem>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>

#include "core/test_graphs.h"
#include "data/csv_reader.h"
#include "data/npy.h"
#include "engine/plan.h"
#include "data/data_source.h"
#include "engine/weights_file.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
const std::string kData = LAYERLOOM_TEST_DATA_DIR;

fs::path temp(const char* name) { return fs::temp_directory_path() / name; }

TEST(Npy, ReadsFloat32AndRoundTrips) {
    const NpyArray a = readNpy(kData + "/x_f4.npy");
    EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 3, 2}));
    ASSERT_EQ(a.values.size(), 12u);
    EXPECT_FLOAT_EQ(a.values[11], 1.1f);
    writeNpy(temp("layerloom_roundtrip.npy"), a);
    const NpyArray b = readNpy(temp("layerloom_roundtrip.npy"));
    EXPECT_EQ(b.shape, a.shape);
    EXPECT_EQ(b.values, a.values);
    fs::remove(temp("layerloom_roundtrip.npy"));
}

TEST(Npy, ReadsZip64ArchivesLikeNumpyWrites) {
    const auto arrays = readNpz(kData + "/arrays.npz");
    ASSERT_EQ(arrays.size(), 2u);
    EXPECT_EQ(arrays.at("x").shape, (std::vector<std::int64_t>{2, 3, 2}));
    EXPECT_FLOAT_EQ(arrays.at("x").values[5], 0.5f);  // from float64
    EXPECT_EQ(arrays.at("labels").values, (std::vector<float>{1, 0}));  // from int64
}


TEST(SampleWeights, AnNpzSampleWeightArrayWeighsEachSampleAndSplitsWithTheSamples) {
    const fs::path file = temp("layerloom_weighted.npz");
    const NpyArray x{{6, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}};
    const NpyArray y{{6}, {0, 1, 0, 1, 0, 1}};
    writeNpz(file, {{"x", x}, {"y", y}, {"sample_weight", {{6}, {1, 2, 3, 4, 5, 6}}}});
    DataSpec spec;
    spec.source = file.string();
    spec.validationSplit = 1.0 / 3;
    const PreparedData d = prepareData(spec, {2}, {2});
    EXPECT_EQ(d.train.weights, (std::vector<float>{1, 2, 3, 4}));
    EXPECT_EQ(d.validation.weights, (std::vector<float>{5, 6}));

    const auto refused = [&](NpyArray w, const std::string& words) {
        writeNpz(file, {{"x", x}, {"y", y}, {"sample_weight", std::move(w)}});
        try {
            (void)prepareData(spec, {2}, {2});
            ADD_FAILURE() << "accepted: " << words;
        } catch (const DataError& e) {
            EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
        }
    };
    refused({{5}, {1, 1, 1, 1, 1}}, "one weight per sample, shaped (6,); it is shaped (5,)");
    refused({{6}, {1, 1, -1, 1, 1, 1}}, "sample_weight of sample 2 is -1");
    refused({{6}, {1, 1, 1, 1, NAN, 1}}, "sample_weight of sample 4 is nan");
    fs::remove(file);
}

TEST(Npy, SaysWhatItCannotRead) {
    try {
        readNpz(kData + "/arrays_compressed.npz");
        FAIL();
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("np.savez_compressed"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parseNpy("not numpy", "x.npy"), DataError);
    std::string bytes = "\x93NUMPY\x01";
    bytes += '\0';
    std::string header = "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n";
    bytes += static_cast<char>(header.size());
    bytes += '\0';
    bytes += header + std::string(8, '\0');
    try {
        parseNpy(bytes, "complex.npy");
        FAIL();
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("'<c8'"), std::string::npos) << e.what();
    }
}

TEST(WeightsFile, RoundTripIntoAFreshPlan) {
    ModelGraph g;
    test::add(g, "Dense", {{"units", std::int64_t{3}}},
              {test::lstm(g, 4, true, test::input(g, {5, 2}))});
    Plan<float> a = Plan<float>::compile(g, 2);
    a.initialize(11);
    saveWeights(temp("layerloom.weights"), a.exportWeights());
    Plan<float> b = Plan<float>::compile(g, 7);
    b.loadWeights(loadWeights(temp("layerloom.weights")));
    EXPECT_EQ(b.exportWeights(), a.exportWeights());
    fs::remove(temp("layerloom.weights"));
}

TEST(WeightsFile, RefusesOtherFilesAndNewerVersions) {
    std::ofstream(temp("layerloom_bad.weights")) << "hello";
    EXPECT_THROW(loadWeights(temp("layerloom_bad.weights")), std::runtime_error);
    std::string header = R"({"format":"layerloom-weights","version":7,"tensors":[]})";
    std::ofstream out(temp("layerloom_new.weights"), std::ios::binary);
    const auto len = static_cast<std::uint32_t>(header.size());
    out.write("LLWEIGHT", 8);
    out.write(reinterpret_cast<const char*>(&len), 4);
    out << header;
    out.close();
    try {
        loadWeights(temp("layerloom_new.weights"));
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("newer LayerLoom"), std::string::npos) << e.what();
    }
    fs::remove(temp("layerloom_bad.weights"));
    fs::remove(temp("layerloom_new.weights"));
}

/// The message loadWeights refuses a file with this header (and no values) with.
std::string refusalOfHeader(const std::string& header) {
    const fs::path file = temp("layerloom_header.weights");
    {
        std::ofstream out(file, std::ios::binary);
        const auto len = static_cast<std::uint32_t>(header.size());
        out.write("LLWEIGHT", 8);
        out.write(reinterpret_cast<const char*>(&len), 4);
        out << header;
    }
    return test::refusalOf([&] { loadWeights(file); });
}

TEST(WeightsFile, ADamagedHeaderSaysWhereWithoutTheLibrarysWords) {
    // Found by fuzzing: a header that is valid JSON but not an object.
    EXPECT_NE(refusalOfHeader(R"("version")").find("weights: the header: expected an object, found text \"version\""),
              std::string::npos) << refusalOfHeader(R"("version")");
    const std::string name = refusalOfHeader(R"({"tensors":[{"name":7,"shape":[1],"offset":0}]})");
    EXPECT_NE(name.find("the header/tensors/0/name: expected text, found a whole number"), std::string::npos) << name;
    const std::string offset = refusalOfHeader(R"({"tensors":[{"name":"a","shape":[1],"offset":-4}]})");
    EXPECT_NE(offset.find("the header/tensors/0/offset: expected a whole number from 0"), std::string::npos) << offset;
    const std::string bad = refusalOfHeader(R"({"tensors":[)");
    EXPECT_NE(bad.find("the header is damaged: line 1, column 13: not valid JSON"), std::string::npos) << bad;
    fs::remove(temp("layerloom_header.weights"));
}

}  // namespace
}  // namespace loom
