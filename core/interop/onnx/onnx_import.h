#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "graph/project_file.h"
#include "interop/onnx/onnx_graph.h"
#include "interop/onnx/onnx_read.h"

namespace loom {

/// An ONNX model as an editable LayerLoom project with its weights (Keras's layouts, named
/// `layer/param`), and what the import changed that the user should know ("folded PyTorch's two
/// LSTM biases into one").
struct OnnxImport {
    Project project;
    std::vector<std::string> notes;
};

/// An ONNX model as a LayerLoom project. A file LayerLoom wrote comes back as the project it
/// was, weights included; another becomes layers by what its operators compute (liftOnnxGraph).
/// Throws OnnxReadError naming the node it cannot map; never gives half a model.
OnnxImport importOnnx(const OnnxGraph& graph);
OnnxImport importOnnxFile(const std::filesystem::path& file);

/// The project a file LayerLoom wrote keeps in its metadata, with the weights read back from
/// its constants through the export's own mapping: the same graph, and the same weights bit
/// for bit. Null when the file holds no such project, or its operators are not what that
/// project exports to (another tool changed them).
std::optional<OnnxImport> importOwnOnnx(const OnnxGraph& graph);

/// Layers from the operators of any ONNX model: PyTorch's recurrent layers with their glue,
/// Gemm and MatMul + Add as Dense, convolutions, pooling, merges, reshapes, normalisations and
/// activations (onnx_lift.cpp).
OnnxImport liftOnnxGraph(const OnnxGraph& graph);

}  // namespace loom
