#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "graph/model_graph.h"
#include "shape/diagnostic.h"

namespace loom {

/// Builders for the repairs diagnostics offer. Each returns one Fix whose edit is complete and
/// can be applied as a single step.

/// Adds a layer of `kind` into `edge`: producer -> new layer -> consumer, at `at` (default:
/// halfway along the wire, or beside that point when a card is there, as on a long skip
/// wire). The editor's drop-onto-a-wire uses it as the fixes below do.
GraphEdit spliceInto(const ModelGraph& graph, const Edge& edge, std::string kind, ParamMap params,
                     std::optional<Point> at = std::nullopt);

/// Splices a linear projection to `width` features into `edge`: TimeDistributed(Dense) when the
/// wire carries a sequence, Dense when it carries a vector.
Fix projectionFix(const ModelGraph& graph, const Edge& edge, std::int64_t width, bool sequence);
/// Splices RepeatVector(steps) into `edge`, turning a vector into a sequence of `steps`.
Fix repeatVectorFix(const ModelGraph& graph, const Edge& edge, std::int64_t steps);
/// Inserts an Embedding on `edge`, which carries token ids.
Fix embeddingFix(const ModelGraph& graph, const Edge& edge);
/// Makes the sequence on `edge` `steps` steps shorter (Cropping1D, steps > 0) or longer
/// (ZeroPadding1D, steps < 0), at its end; or, with `keepLast` (what remains), shorter at its
/// start, keeping its last steps as a forecast wants.
Fix stepsFix(const ModelGraph& graph, const Edge& edge, std::int64_t steps,
             std::optional<std::int64_t> keepLast = std::nullopt);
/// Sets return_sequences on `rnn`.
Fix returnSequencesFix(const Node& rnn, bool value);
/// Turns `node` into `kind`, renaming it when it still has its default name.
Fix changeKindFix(const ModelGraph& graph, const Node& node, std::string_view kind);
/// Sets one parameter.
/// The parameters a new layer of `kind` starts with in `graph`, beyond its kind's defaults: a
/// RepeatVector repeats to the model Input's time steps and a TimeDistributed(Dense) maps to
/// its features, as an autoencoder's decoder needs. Empty when the graph has not one Input.
ParamMap suggestedParams(const ModelGraph& graph, std::string_view kind);

/// For a layer whose output goes nowhere beside the model's real output: put it between its
/// producer and each other layer that producer feeds (the wire it was meant for), and delete it.
std::vector<Fix> extraOutputFixes(const ModelGraph& graph, const Node& layer);

Fix setParamFix(const Node& node, std::string_view key, ParamValue value, std::string title);

/// The recurrent layer whose return_sequences decides what reaches `start`'s output: `start`
/// itself, or the first recurrent layer upstream through shape-keeping layers (Dropout, Dense).
const Node* recurrentSource(const ModelGraph& graph, NodeId start);

}  // namespace loom
