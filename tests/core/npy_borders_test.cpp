// .npy and .npz files are outside data: sizes are checked against the file before anything is
// allocated, and every damaged byte ends in a DataError, never a read past the buffer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "data/npy.h"
#include "data/csv_reader.h"

namespace fs = std::filesystem;

namespace loom {
namespace {

std::string npyWithHeader(const std::string& dict, std::size_t dataBytes) {
    std::string header = dict;
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string b = "\x93NUMPY\x01";
    b += '\0';
    b += static_cast<char>(header.size() & 0xFF);
    b += static_cast<char>(header.size() >> 8);
    return b + header + std::string(dataBytes, '\0');
}

std::string errorOf(const std::string& bytes) {
    try {
        parseNpy(bytes, "x.npy");
    } catch (const DataError& e) {
        return e.what();
    }
    return "";
}

TEST(NpyBorders, ShapesAreCheckedAgainstTheFileBeforeAllocating) {
    // A 144-byte file claiming 750 million values used to take 2.9 GB before it was refused.
    EXPECT_EQ(errorOf(npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (750000000,), }", 16)),
              "x.npy: the shape (750000000,) needs more values than the file's 16 bytes hold");
    EXPECT_EQ(errorOf(npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", 20)),
              "x.npy: the file holds fewer values than its shape (3, 2) says");
    EXPECT_EQ(errorOf(npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }", 0)),
              "x.npy: the array (0, 4) holds no values");
    EXPECT_NE(errorOf(npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 0))
                  .find("is too large"),
              std::string::npos);
    EXPECT_EQ(errorOf(npyWithHeader("{'descr': '<f4', 'fortran_order': False, }", 0)),
              "x.npy: the .npy header does not give the array's shape");
    EXPECT_EQ(errorOf(npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 12)), "");
}

std::string readBytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Every byte of a real file set to 0xFF and to 0x00 in turn, and every shorter prefix:
/// each read either succeeds or ends in a DataError (AddressSanitizer watches the rest).
template <class Read>
void everyDamage(const fs::path& original, const std::string& name, Read read) {
    const std::string bytes = readBytes(original);
    ASSERT_GT(bytes.size(), 0u);
    const fs::path file = fs::temp_directory_path() / name;
    auto attempt = [&](const std::string& damaged) {
        std::ofstream(file, std::ios::binary | std::ios::trunc) << damaged;
        try {
            read(file);
        } catch (const DataError&) {
        }
    };
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        for (char value : {'\xff', '\0'}) {
            std::string damaged = bytes;
            damaged[i] = value;
            attempt(damaged);
        }
        attempt(bytes.substr(0, i));
    }
    fs::remove(file);
}

TEST(NpyBorders, EveryDamagedByteOfAnNpzIsAnError) {
    everyDamage(fs::path(LAYERLOOM_TEST_DATA_DIR) / "arrays.npz", "layerloom_damaged.npz",
                [](const fs::path& f) { readNpz(f); });
}

TEST(NpyBorders, EveryDamagedByteOfAnNpyIsAnError) {
    everyDamage(fs::path(LAYERLOOM_TEST_DATA_DIR) / "x_f4.npy", "layerloom_damaged.npy",
                [](const fs::path& f) { readNpy(f); });
}

}  // namespace
}  // namespace loom
