// The HDF5 writer and reader: what one writes the other reads back, and h5py (as Keras reads
// with it) sees the layout Keras's own saving code makes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/test_graphs.h"
#include "interop/hdf5_file.h"

namespace loom {
namespace {

namespace fs = std::filesystem;

/// A fresh folder for one test (ctest runs the tests of this file in parallel).
fs::path scratch() {
    const fs::path dir = fs::temp_directory_path() /
                         (std::string("layerloom_hdf5_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

/// What a Keras .h5 file holds, in small: a model's JSON, a list of names long enough to be
/// split in chunks, an empty list, weights in nested groups.
void writeSample(Hdf5Writer& w, const std::vector<std::string>& many) {
    w.text("", "model_config", R"({"class_name": "Sequential", "config": {"name": "é"}})");
    w.names("model_weights", "layer_names", {"lstm", "time_distributed"});
    w.names("model_weights/lstm", "weight_names", {"lstm/lstm_cell/kernel:0"});
    w.names("model_weights/repeat_vector", "weight_names", {});
    w.names("model_weights", "many", many);
    w.floats("model_weights/lstm/lstm/lstm_cell/kernel:0", {2, 3}, {1, 2, 3, 4, 5, 6.5f});
    w.floats("scalar", {}, {7});
    w.group("layers/input_layer/vars");
}

void expectSample(const Hdf5File& f, const std::vector<std::string>& many) {
    EXPECT_EQ(f.text("", "model_config").value(), R"({"class_name": "Sequential", "config": {"name": "é"}})");
    EXPECT_EQ(f.texts("model_weights", "layer_names").value(), (std::vector<std::string>{"lstm", "time_distributed"}));
    EXPECT_EQ(f.texts("model_weights/repeat_vector", "weight_names").value(), std::vector<std::string>{});
    EXPECT_EQ(f.texts("model_weights", "many").value(), many);  // joined from many0, many1, ...
    EXPECT_FALSE(f.texts("model_weights", "absent"));
    const Hdf5File::Floats k = f.floats("model_weights/lstm/lstm/lstm_cell/kernel:0", 100);
    EXPECT_EQ(k.shape, (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(k.values, (std::vector<float>{1, 2, 3, 4, 5, 6.5f}));
    EXPECT_EQ(f.floats("scalar", 1).values, std::vector<float>{7});
    EXPECT_TRUE(f.isGroup("layers/input_layer/vars"));
    EXPECT_EQ(f.members("model_weights"), (std::vector<std::string>{"lstm", "repeat_vector"}));
    // Sizes are checked before anything is read.
    EXPECT_NE(test::refusalOf([&] { f.floats("model_weights/lstm/lstm/lstm_cell/kernel:0", 5); }).find("more than 5 values"),
              std::string::npos);
    EXPECT_NE(test::refusalOf([&] { f.floats("model_weights", 5); }).find("/model_weights: no such dataset"), std::string::npos);
}

std::vector<std::string> manyNames() {
    std::vector<std::string> many;
    for (int i = 0; i < 2000; ++i) many.push_back("time_distributed_" + std::to_string(i) + "/kernel_of_a_long_name:0");
    return many;  // about 90 KB: more than one object header holds
}

TEST(Hdf5, WhatIsWrittenReadsBackFromAFileAndFromMemory) {
    const fs::path dir = scratch();
    const std::vector<std::string> many = manyNames();
    Hdf5Writer file = Hdf5Writer::create(dir / "model.h5");
    writeSample(file, many);
    EXPECT_FALSE(fs::exists(dir / "model.h5"));  // in place only once whole
    file.close();
    expectSample(Hdf5File::open(dir / "model.h5"), many);
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);

    Hdf5Writer memory = Hdf5Writer::inMemory("model.weights.h5");
    writeSample(memory, many);
    expectSample(Hdf5File::fromMemory(memory.image(), "model.weights.h5"), many);
}

// Keras reads its files with h5py: the attributes must come out as Keras expects them (names
// as byte strings, the JSON as text, an empty list iterable), the datasets as float32.
TEST(Hdf5, H5pySeesTheLayoutKerasWrites) {
    const fs::path dir = scratch();
    const std::vector<std::string> many = manyNames();
    Hdf5Writer file = Hdf5Writer::create(dir / "model.h5");
    writeSample(file, many);
    file.close();
    std::ofstream(dir / "check.py") << R"(import json, sys
import h5py
f = h5py.File(sys.argv[1], "r")
config = f.attrs["model_config"]
config = config.decode("utf8") if hasattr(config, "decode") else config
assert json.loads(config)["config"]["name"] == "\u00e9", config
assert [n.decode("utf8") for n in f["model_weights"].attrs["layer_names"]] == ["lstm", "time_distributed"]
assert [n.decode("utf8") for n in f["model_weights/repeat_vector"].attrs["weight_names"]] == []
many = [n.decode("utf8") for k in range(9) if f"many{k}" in f["model_weights"].attrs for n in f["model_weights"].attrs[f"many{k}"]]
assert len(many) == 2000 and many[1999] == "time_distributed_1999/kernel_of_a_long_name:0", len(many)
kernel = f["model_weights/lstm/lstm/lstm_cell/kernel:0"]
assert kernel.dtype == "float32" and kernel.shape == (2, 3) and float(kernel[1, 2]) == 6.5
print("ok")
)";
    const std::string command = std::string(LAYERLOOM_PYTHON) + " " + (dir / "check.py").string() + " " + (dir / "model.h5").string();
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

}  // namespace
}  // namespace loom
