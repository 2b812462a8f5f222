#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/named_tensor.h"
#include "graph/project_file.h"
#include "interop/onnx/onnx_graph.h"

namespace loom {

/// The metadata_props key under which an ONNX file LayerLoom writes keeps its project.
inline constexpr const char* kOnnxProjectKey = "layerloom.project";

/// What keeps a valid model out of ONNX, one sentence per layer: step masks that change what
/// a layer computes, and what ONNX's standard operators cannot compute (LayerSpec::onnxLimitation).
/// Empty when the model can be exported.
std::vector<std::string> onnxLimitations(const ModelGraph& graph);

/// The model as an ONNX graph of standard operators with these weights (named as
/// Plan::exportWeights names them): inputs named after the Input layers (a dynamic batch
/// axis, and a free time axis as `<input>_steps`), outputs after the output layers, and the
/// attention scores beside them (viewOutputName). Throws std::invalid_argument when the model
/// has errors or limitations, naming them.
OnnxGraph onnxGraph(const Project& project, const std::vector<NamedTensor>& weights, int opset);

/// The bytes of an ONNX ModelProto for the graph: the opset's IR version, LayerLoom as the
/// producer, `name` as the graph's name and `doc` as the model's doc string. Throws
/// std::runtime_error when the model is beyond the 2 GB protobuf holds.
std::string onnxModelBytes(const OnnxGraph& graph, const std::string& name, const std::string& doc);

/// Writes the model as OUT.onnx, atomically. Throws std::invalid_argument as onnxGraph does, and
/// std::runtime_error when the file cannot be written.
void exportOnnxModel(const Project& project, const std::vector<NamedTensor>& weights,
                     const std::filesystem::path& file, int opset = kOnnxNewestOpset);

}  // namespace loom
