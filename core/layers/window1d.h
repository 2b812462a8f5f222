#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "graph/model_graph.h"

namespace loom {

/// A window sliding along the time axis, as Keras's Conv1D and 1-D pooling slide theirs: `size`
/// taps `dilation` steps apart, moved `stride` steps at a time, over the input padded as
/// `padding` says. valid: no padding, the window stays inside; same: zeros (or, for pooling,
/// nothing) around the input so that the output has ceil(T / stride) steps, the odd one after;
/// causal: size - 1 dilated steps before the input only, so no output sees the future.
struct Window1D {
    enum class Padding { Valid, Same, Causal };
    std::int64_t size = 1;
    std::int64_t stride = 1;
    std::int64_t dilation = 1;
    Padding padding = Padding::Valid;

    static Padding paddingOf(std::string_view name) {
        if (name == "same") return Padding::Same;
        if (name == "causal") return Padding::Causal;
        return Padding::Valid;
    }
    /// Steps the window covers from its first tap to its last.
    std::int64_t span() const { return dilation * (size - 1) + 1; }
    /// The output length for `steps` input steps (kNone stays kNone); below 1 when the window
    /// does not fit.
    std::int64_t outLength(std::int64_t steps) const {
        if (steps == kNone) return kNone;
        if (padding == Padding::Valid) return steps < span() ? 0 : (steps - span()) / stride + 1;
        return (steps + stride - 1) / stride;
    }
    /// Padding steps before the input; the rest of the padding goes after it.
    std::int64_t padBefore(std::int64_t steps) const {
        switch (padding) {
            case Padding::Valid: return 0;
            case Padding::Causal: return span() - 1;
            case Padding::Same: break;
        }
        const std::int64_t total = std::max<std::int64_t>((outLength(steps) - 1) * stride + span() - steps, 0);
        return total / 2;
    }
};

/// The window of Conv1DTranspose, which spreads each input step over `size` taps `dilation`
/// steps apart, `stride` steps after the previous one's: Keras's deconv_output_length. With no
/// output_padding (-1, Keras's None), valid makes T * stride + max(span - stride, 0) steps and
/// same T * stride; with one, (T - 1) * stride + span - 2 * pad + output_padding, pad being 0
/// for valid and span / 2 for same.
struct TransposedWindow1D {
    std::int64_t size = 1;
    std::int64_t stride = 1;
    std::int64_t dilation = 1;
    bool same = false;
    std::int64_t outputPadding = -1;  ///< -1: None

    std::int64_t span() const { return dilation * (size - 1) + 1; }
    std::int64_t outLength(std::int64_t steps) const {
        if (steps == kNone) return kNone;
        if (outputPadding < 0) return same ? steps * stride : steps * stride + std::max<std::int64_t>(span() - stride, 0);
        const std::int64_t pad = same ? span() / 2 : 0;
        return (steps - 1) * stride + span() - 2 * pad + outputPadding;
    }
    /// Output steps cut before the first tap of the first input step: the padding a forward
    /// convolution of the output would have had before it.
    std::int64_t padBefore(std::int64_t steps) const {
        if (!same) return 0;
        return std::max<std::int64_t>((steps - 1) * stride + span() - outLength(steps), 0) / 2;
    }
};

/// The window of MaxPooling1D and AveragePooling1D: pool_size steps, moved `strides` steps
/// (0, Keras's None, moves it by its own length).
inline Window1D poolingWindow(const Node& node) {
    const std::int64_t size = node.param<std::int64_t>("pool_size");
    const std::int64_t strides = node.param<std::int64_t>("strides");
    return {size, strides > 0 ? strides : size, 1, Window1D::paddingOf(node.param<std::string>("padding"))};
}

}  // namespace loom
