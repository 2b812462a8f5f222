#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "graph/model_graph.h"

namespace loom {

/// How the step mask of a layer's output is made from its inputs' (see MaskRule).
enum class MaskSource {
    None,       ///< the output carries no mask
    Copy,       ///< input 0's mask, unchanged
    Own,        ///< the layer's kernel writes it (Masking, Embedding with mask_zero)
    All,        ///< a step is real where every masked input's is (Add, Subtract, ...)
    Any,        ///< a step is real where any input's is (Concatenate of features; an input
                ///< without a mask counts as real throughout)
    Joined,     ///< the inputs' masks one after the other (Concatenate along time; an input
                ///< without a mask counts as real throughout)
};

/// Which layers' outputs carry a step mask, and how each is made, walking `order` (the
/// graph's topological order) as Keras 3 propagates `_keras_mask`. Layers whose output carries
/// none are left out.
std::unordered_map<NodeId, MaskSource> stepMasks(const ModelGraph& graph, std::span<const NodeId> order);

struct Validation;

/// What an export without step masks (`format`: "PyTorch", "ONNX") cannot compute of a valid
/// model: a layer that skips the padded steps a mask marks, and, for a format that trains
/// (`trains`), an output whose loss counts the real steps only. One sentence each, naming the
/// layer; empty when masks change nothing.
std::vector<std::string> stepMaskProblems(const ModelGraph& graph, const Validation& v, std::string_view format,
                                          bool trains);

}  // namespace loom
