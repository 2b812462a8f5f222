#include "layers/concatenate.h"

#include "shape/explain.h"
#include "shape/fixes.h"
#include "layers/onnx_layer.h"

namespace loom {

namespace {

std::string num(std::int64_t v) { return v == kNone ? "None" : std::to_string(v); }

}  // namespace

const std::vector<ParamSpec>& ConcatenateSpec::params() const {
    static const std::vector<ParamSpec> schema = {
        {.name = "axis", .type = ParamType::Int, .defaultValue = std::int64_t{-1},
         .help = "Axis to join along, counting the batch axis as 0: -1 (or 2) joins features, "
                 "1 joins time steps.",
         .minValue = -2, .maxValue = 2, .onCard = true},
    };
    return schema;
}

std::string ConcatenateSpec::explainSize(const Node& node, const Dim&) const {
    return node.name + " adds up its inputs' sizes along that axis";
}

std::optional<TensorShape> ConcatenateSpec::inferShape(const ShapeContext& ctx) const {
    // A vector among sequences: report it; continue as if it had been repeated over time.
    std::optional<std::size_t> firstSeq;
    for (std::size_t i = 0; i < ctx.inputs.size(); ++i) {
        if (ctx.inputs[i].shape->isSequence()) {
            firstSeq = i;
            break;
        }
    }
    std::vector<TensorShape> shapes;
    for (std::size_t i = 0; i < ctx.inputs.size(); ++i) {
        TensorShape s = *ctx.inputs[i].shape;
        if (firstSeq && s.isVector()) {
            const LayerInput& seq = ctx.inputs[*firstSeq];
            reportVectorMeetsSequence(
                ctx, i, *firstSeq, DiagCode::ConcatSequenceVector, Severity::Error,
                nodeLabel(ctx.node) + " cannot join " + describeInput(ctx.inputs[i]) +
                    ", a vector, with " + describeInput(seq) + ", a sequence of " +
                    num(seq.shape->time().size) +
                    " steps: a vector has no time axis to line up. Repeat the vector over the " +
                    num(seq.shape->time().size) +
                    " steps with RepeatVector, or let the recurrent layer return its sequence.");
            s.dims.insert(s.dims.begin(), seq.shape->time());
        }
        shapes.push_back(std::move(s));
    }

    const int dims = static_cast<int>(shapes.front().dims.size());
    const std::int64_t axis = ctx.node.param<std::int64_t>("axis");
    const std::int64_t rank = dims + 1;
    const std::int64_t normalized = axis < 0 ? axis + rank : axis;
    if (normalized < 1 || normalized >= rank) {
        Diagnostic d;
        d.code = DiagCode::InvalidParam;
        d.node = ctx.node.id;
        d.message = nodeLabel(ctx.node) + " has axis=" + std::to_string(axis) + ", but its " +
                    (dims == 1 ? "vector" : "sequence") + " inputs have " +
                    (axis == 0 ? "axis 0 for the batch, which cannot be joined"
                               : "no such axis") +
                    ". Use axis=-1 to join features.";
        d.fixes.push_back(setParamFix(ctx.node, "axis", std::int64_t{-1}, "Set axis=-1"));
        ctx.diagnostics.push_back(std::move(d));
        return std::nullopt;
    }
    const std::size_t joined = static_cast<std::size_t>(normalized - 1);

    TensorShape out = shapes.front();
    out.dims[joined] = Dim{0, ctx.node.id};
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        const TensorShape& s = shapes[i];
        for (std::size_t ax = 0; ax < s.dims.size(); ++ax) {
            if (ax == joined) continue;
            const std::int64_t a = s.dims[ax].size, b = shapes.front().dims[ax].size;
            if (a == kNone || b == kNone || a == b) continue;
            if (s.isSequence() && ax == 0) {
                reportTimeMismatch(ctx, i, 0, "join");
                continue;
            }
            Diagnostic d = makeDiagnostic(
                ctx, i, DiagCode::ConcatAxisMismatch, Severity::Error,
                nodeLabel(ctx.node) + " joins along the time axis (axis=" +
                    std::to_string(axis) + "), but " + describeInput(ctx.inputs[i]) + " and " +
                    describeInput(ctx.inputs[0]) + " differ in features (" + num(a) + " vs " +
                    num(b) + "). " + num(a) + " because " + explainDim(ctx.graph, s.dims[ax]) +
                    "; " + num(b) + " because " +
                    explainDim(ctx.graph, shapes.front().dims[ax]) +
                    ". Join along the features (axis=-1) to put the branches side by side.");
            d.fixes.push_back(setParamFix(ctx.node, "axis", std::int64_t{-1},
                                          "Join along features (axis=-1)"));
            ctx.diagnostics.push_back(std::move(d));
        }
        Dim& sum = out.dims[joined];
        const std::int64_t part = s.dims[joined].size;
        sum.size = (sum.size == kNone || part == kNone) ? kNone : sum.size + part;
    }
    return out;
}

PyTorchLayer ConcatenateSpec::pytorch(const Node& node, std::span<const Dims>, const std::string&,
                                      std::span<const std::string> args) const {
    std::string list;
    for (const std::string& a : args) list += (list.empty() ? "" : ", ") + a;
    return {"", "torch.cat([" + list + "], dim=" + std::to_string(node.param<std::int64_t>("axis")) + ")"};
}

std::vector<std::string> ConcatenateSpec::onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    return {graph.op("Concat", {in.values.begin(), in.values.end()}, {{"axis", node.param<std::int64_t>("axis")}})};
}

}  // namespace loom
