#include "layers/windowed.h"

#include "shape/explain.h"
#include "shape/fixes.h"

namespace loom {

namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

}  // namespace

const char* const WindowedSpec::kPadTimePython = R"PY(def pad_time(x, size, strides, padding, dilation=1, value=0.0):
    """Pads (batch, channels, time) as Keras pads a window's input: same splits the padding
    with the odd step after, causal puts it all before."""
    span = dilation * (size - 1) + 1
    steps = x.shape[2]
    if padding == "causal":
        return F.pad(x, (span - 1, 0), value=value)
    if padding == "same":
        out = -(-steps // strides)
        total = max((out - 1) * strides + span - steps, 0)
        return F.pad(x, (total // 2, total - total // 2), value=value)
    return x
)PY";

std::optional<Dim> WindowedSpec::inferTime(const ShapeContext& ctx) const {
    const TensorShape& in = *ctx.inputs.front().shape;
    const Window1D w = window(ctx.node);
    const std::string size = std::string(sizeParam());
    if (reportStridesWithDilation(ctx, w.stride, w.dilation)) return std::nullopt;
    const std::int64_t steps = in.time().size;
    const std::int64_t out = w.outLength(steps);
    if (steps != kNone && out < 1) {
        Diagnostic d;
        d.code = DiagCode::WindowTooLong;
        d.node = ctx.node.id;
        d.port = ctx.inputs.front().edge->to.port;
        d.message = nodeLabel(ctx.node) + " cannot slide its window over " + describeInput(ctx.inputs.front()) +
                    ": " + size + "=" + num(w.size) +
                    (w.dilation > 1 ? " with dilation_rate=" + num(w.dilation) : std::string()) + " spans " +
                    num(w.span()) + " steps, but the input has " + num(steps) + " (because " +
                    dimStory(ctx.graph, in.time()) + "). With padding=\"same\" the window may reach past the ends.";
        d.fixes.push_back(setParamFix(ctx.node, "padding", std::string("same"), "Use padding=\"same\""));
        if (steps >= 1 && w.dilation == 1) {
            d.fixes.push_back(setParamFix(ctx.node, size, steps, "Set " + size + "=" + num(steps)));
        }
        ctx.diagnostics.push_back(std::move(d));
        return std::nullopt;
    }
    if (out == steps) return in.time();
    return changedDim(in.time(), out, ctx.node.id);
}

std::vector<OnnxAttribute> WindowedSpec::onnxPadding(const Window1D& w, std::int64_t steps) {
    if (w.padding == Window1D::Padding::Same && steps == kNone) return {{"auto_pad", std::string("SAME_UPPER")}};
    const std::int64_t before = w.padBefore(steps == kNone ? 1 : steps);
    std::int64_t after = 0;
    if (w.padding == Window1D::Padding::Same) {
        after = std::max<std::int64_t>((w.outLength(steps) - 1) * w.stride + w.span() - steps, 0) - before;
    }
    return {{"pads", std::vector<std::int64_t>{before, after}}};
}

std::string WindowedSpec::explainSize(const Node& node, const Dim& dim) const {
    if (!dim.before) return LayerSpec::explainSize(node, dim);
    const Window1D w = window(node);
    const std::int64_t in = dim.before->size, out = dim.size;
    const std::string size = std::string(sizeParam()) + "=" + num(w.size);
    if (w.padding != Window1D::Padding::Valid) {
        const std::string pad = w.padding == Window1D::Padding::Same ? "same" : "causal";
        return node.name + " (strides=" + num(w.stride) + ", padding=\"" + pad + "\") rounds " + num(in) + " / " +
               num(w.stride) + " up to " + num(out);
    }
    if (w.stride == 1) {
        return node.name + " (" + size + (w.dilation > 1 ? ", dilation_rate=" + num(w.dilation) : std::string()) +
               ", padding=\"valid\") shrinks " + num(in) + " to " + num(out);
    }
    if (w.stride == w.size) return node.name + " floors " + num(in) + " / " + num(w.stride) + " to " + num(out);
    return node.name + " (" + size + ", strides=" + num(w.stride) + ", padding=\"valid\") makes " + num(out) +
           " steps of " + num(in);
}

}  // namespace loom
