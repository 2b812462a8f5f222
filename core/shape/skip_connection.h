#pragma once

#include <string_view>

#include "graph/model_graph.h"
#include "shape/diagnostic.h"
#include "shape/validator.h"

namespace loom {

/// Builders for skip connections, the editor's "Connect with Skip" and "Symmetric U-Net Skips".
/// Each returns one Fix (a complete edit, one undo step) or throws EditError saying in words why
/// the layers cannot be joined. `mergeKind` is "Add" or "Concatenate"; `validation` is that of
/// `graph`.

/// Joins `encoder`'s output into `decoder`'s: a merge placed after the decoder takes the
/// decoder's output and the encoder's (where Add needs equal features, the narrower of the two
/// goes through a linear projection to the wider width, as the Add mismatch fix does) and feeds everything the decoder fed. Layers further down move
/// one row to make room. The two may be given in either order.
Fix skipConnectionFix(const ModelGraph& graph, const Validation& validation, NodeId encoder,
                      NodeId decoder, std::string_view mergeKind);

/// For an autoencoder (Input -> recurrent encoder -> bottleneck -> RepeatVector -> recurrent
/// decoder), joins every encoder layer that returns sequences into the input of its mirror in
/// the decoder, deepest first, as U-Net does: with lstm 512-256-20 / 20-256-512, lstm_2 (256)
/// joins the input of the decoder's 256 layer and lstm_1 (512) that of its 512 layer. For a
/// convolutional autoencoder without RepeatVector, the input of every layer that shortens the
/// time axis (a pooling) joins the output of the layer that lengthens it back (an
/// up-sampling), deepest first.
Fix symmetricSkipsFix(const ModelGraph& graph, const Validation& validation,
                      std::string_view mergeKind);

}  // namespace loom
