#pragma once

#include <filesystem>
#include <vector>

#include "engine/tensor.h"

namespace loom {

inline constexpr int kWeightsVersion = 1;

/// Writes weights as a LayerLoom weights file: the magic `LLWEIGHT`, a JSON header (format
/// name, version, each tensor's name, shape and offset), then little-endian float32 values.
/// Written atomically.
void saveWeights(const std::filesystem::path& file, const std::vector<NamedTensor>& weights);
/// Reads a weights file; throws std::runtime_error saying what is wrong (not a weights file, a
/// newer version, cut short).
std::vector<NamedTensor> loadWeights(const std::filesystem::path& file);

}  // namespace loom
