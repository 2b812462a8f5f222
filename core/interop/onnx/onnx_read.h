#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "interop/onnx/onnx_graph.h"

namespace loom {

/// A file that is not an ONNX model LayerLoom can read, with what and where.
class OnnxReadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The largest .onnx file LayerLoom opens: protobuf's 2 GB.
inline constexpr std::uintmax_t kMaxOnnxBytes = (std::uintmax_t{1} << 31) - 1;

/// An ONNX model from its bytes, as a graph of nodes and constants (Constant nodes become
/// constants): every size checked before anything is allocated from it, tensors' values against
/// their dims, and external data read only from files inside `folder` (none when it is empty).
/// Throws OnnxReadError.
OnnxGraph parseOnnxModel(std::string_view bytes, const std::filesystem::path& folder);

/// parseOnnxModel of a file, its folder holding the external data.
OnnxGraph readOnnxFile(const std::filesystem::path& file);

}  // namespace loom
