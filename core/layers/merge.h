#pragma once

#include "layers/layer_spec.h"

namespace loom {

/// What Add and Concatenate share: any number of inputs (at least two), operand order by port.
class MergeSpec : public LayerSpec {
public:
    LayerCategory category() const override { return category::kMerge; }
    int minInputs() const override { return 2; }
    int maxInputs() const override { return -1; }
    /// The inputs' step masks are combined (see stepMasks).
    MaskRule maskRule(const Node&) const override { return MaskRule::Merge; }

protected:
    /// Reports inputs `a` and `b`, both sequences of known different lengths, as a time mismatch;
    /// offers to set n on a RepeatVector that decided one of the lengths.
    static void reportTimeMismatch(const ShapeContext& ctx, std::size_t a, std::size_t b,
                                   std::string_view verb);
    /// Reports input `vec` (a vector) meeting input `seq` (a sequence), with the fixes that make
    /// the vector a sequence: RepeatVector(T), or return_sequences on the recurrent layer.
    static void reportVectorMeetsSequence(const ShapeContext& ctx, std::size_t vec, std::size_t seq,
                                          DiagCode code, Severity severity, std::string message);
    /// The length `axis` would have with `changed` in place of the layer of the same id: its
    /// story of changes replayed through each layer's timeAfter().
    static std::int64_t lengthWith(const ModelGraph& graph, const Dim& axis, const Node& changed);
    static Diagnostic makeDiagnostic(const ShapeContext& ctx, std::size_t input, DiagCode code,
                                     Severity severity, std::string message);
};

}  // namespace loom
