#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace loom {

/// A NumPy array as LayerLoom uses it: float32 values in C order.
struct NpyArray {
    std::vector<std::int64_t> shape;
    std::vector<float> values;
};

/// Reads a `.npy` file of float32, float64, int32 or int64 values in C order (little-endian).
/// Throws DataError saying what the file holds when it is anything else.
NpyArray readNpy(const std::filesystem::path& file);
/// Writes float32 values in C order, NumPy format version 1.0.
void writeNpy(const std::filesystem::path& file, const NpyArray& array);
/// Writes int64 values in C order: of `shape`, or one-dimensional when it is empty.
void writeNpyInt64(const std::filesystem::path& file, const std::vector<std::int64_t>& values,
                   std::vector<std::int64_t> shape = {});
/// An `.npz` archive of float32 arrays, as np.savez writes one (entries stored, not compressed).
void writeNpz(const std::filesystem::path& file, const std::map<std::string, NpyArray>& arrays);
/// The arrays of an `.npz` archive (np.savez), by name without `.npy`. Archives written by
/// np.savez_compressed are refused with a message saying so.
std::map<std::string, NpyArray> readNpz(const std::filesystem::path& file);

/// Parses the bytes of one `.npy` file; `source` names it in messages.
NpyArray parseNpy(const std::string& bytes, const std::string& source);

}  // namespace loom
