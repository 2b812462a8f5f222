#include "layers/elementwise_merge.h"

#include "shape/explain.h"
#include "shape/fixes.h"
#include "layers/onnx_layer.h"

namespace loom {

namespace {

std::string num(std::int64_t v) { return v == kNone ? "None" : std::to_string(v); }

/// The operand every other one is compared with: the highest rank, then the most features.
std::size_t referenceInput(std::span<const LayerInput> inputs) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < inputs.size(); ++i) {
        const TensorShape& s = *inputs[i].shape;
        const TensorShape& b = *inputs[best].shape;
        if (s.rank() > b.rank() ||
            (s.rank() == b.rank() && s.features().size > b.features().size)) {
            best = i;
        }
    }
    return best;
}

}  // namespace

const std::vector<ParamSpec>& ElementwiseMergeSpec::params() const {
    static const std::vector<ParamSpec> none;
    return none;
}

std::optional<TensorShape> ElementwiseMergeSpec::inferShape(const ShapeContext& ctx) const {
    const MergeWords w = words();
    const std::string does(w.verb), to(w.joiner);
    std::string cannot = "cannot ";
    cannot += w.infinitive;
    cannot += ' ';
    const std::size_t ref = referenceInput(ctx.inputs);
    const LayerInput& r = ctx.inputs[ref];
    const TensorShape& rs = *r.shape;
    TensorShape out = rs;
    const std::string head = nodeLabel(ctx.node) + " ";

    for (std::size_t i = 0; i < ctx.inputs.size(); ++i) {
        if (i == ref) continue;
        const LayerInput& in = ctx.inputs[i];
        const TensorShape& s = *in.shape;
        const std::int64_t fs = s.features().size;
        const std::int64_t fr = rs.features().size;
        const bool sameFeatures = fs == fr;

        if (s.isVector() && rs.isSequence()) {
            const std::string why = " (" + num(fs) + " features because " +
                                    explainDim(ctx.graph, s.features()) + ")";
            if (sameFeatures || fs == 1 || fr == 1) {
                reportVectorMeetsSequence(
                    ctx, i, ref, DiagCode::MergeBroadcastVector, Severity::Warning,
                    head + does + " " + describeInput(in) + ", a vector, " + to + " " + describeInput(r) +
                        ", a sequence of " + num(rs.time().size) +
                        " steps. Keras accepts this silently and repeats the vector at every "
                        "step. Say so explicitly with a RepeatVector, or, if " +
                        (in.producer ? in.producer->name : std::string("the producer")) +
                        " was meant to pass its whole sequence, set return_sequences=True.");
            } else {
                reportVectorMeetsSequence(
                    ctx, i, ref, DiagCode::MergeShapeMismatch, Severity::Error,
                    head + cannot + describeInput(in) + " and " + describeInput(r) +
                        ": the first is a vector with no time axis" + why +
                        ", the second a sequence of " + num(rs.time().size) + " steps with " +
                        num(fr) + " features because " + explainDim(ctx.graph, rs.features()) +
                        ". Make the vector a sequence first; its width still has to match.");
            }
            continue;
        }

        bool timeOk = true;
        if (s.isSequence()) {
            const std::int64_t ts = s.time().size, tr = rs.time().size;
            if (ts != kNone && tr != kNone && ts != tr) {
                if (ts == 1 || tr == 1) {
                    ctx.diagnostics.push_back(makeDiagnostic(
                        ctx, i, DiagCode::MergeBroadcastSize1, Severity::Warning,
                        head + does + " " + describeInput(in) + " and " + describeInput(r) +
                            ": Keras silently stretches the sequence of 1 step to " +
                            num(std::max(ts, tr)) +
                            " steps. Make both branches the same length if that is not meant."));
                } else {
                    reportTimeMismatch(ctx, i, ref, w.infinitive);
                    timeOk = false;
                }
            }
            if (ts != kNone && (out.dims[0].size == kNone || out.dims[0].size == 1)) out.dims[0] = s.time();
        }

        if (sameFeatures) continue;
        const std::string axes =
            s.isSequence() ? (timeOk ? " while the time axis matches (" +
                                           num(rs.time().size) + " steps)"
                                     : "")
                           : "";
        if (fs == 1) {
            Diagnostic d = makeDiagnostic(
                ctx, i, DiagCode::MergeBroadcastSize1, Severity::Warning,
                head + does + " " + describeInput(in) + " and " + describeInput(r) +
                    ": Keras silently copies the single feature of " +
                    (in.producer ? in.producer->name : std::string("the first")) + " " +
                    num(fr) + " times. Project it to " + num(fr) +
                    " features explicitly if a learned mix is meant.");
            d.fixes.push_back(projectionFix(ctx.graph, *in.edge, fr, s.isSequence()));
            ctx.diagnostics.push_back(std::move(d));
            continue;
        }
        Diagnostic d = makeDiagnostic(
            ctx, i, DiagCode::MergeShapeMismatch, Severity::Error,
            head + cannot + describeInput(in) + " and " + describeInput(r) +
                ": the feature axis differs (" + num(fs) + " vs " + num(fr) + ")" + axes + ". " +
                num(fs) + " because " + explainDim(ctx.graph, s.features()) + "; " + num(fr) +
                " because " + explainDim(ctx.graph, rs.features()) +
                ". " + std::string(kind()) + " needs equal shapes: project the narrower branch to " + num(fr) +
                " features, or concatenate the branches instead.");
        // An attention's width is its output_shape: set it to the other branch's.
        for (const auto& [dim, other] : {std::pair{&s.features(), fr}, std::pair{&rs.features(), fs}}) {
            const Node* from = ctx.graph.node(dim->origin);
            if (!from || from->kind != "MultiHeadAttention") continue;
            d.fixes.push_back(setParamFix(*from, "output_shape", other, "Set output_shape=" + num(other) + " on " + from->name));
        }
        d.fixes.push_back(projectionFix(ctx.graph, *in.edge, fr, s.isSequence()));
        if (timeOk) d.fixes.push_back(changeKindFix(ctx.graph, ctx.node, "Concatenate"));
        ctx.diagnostics.push_back(std::move(d));
    }
    return out;
}

PyTorchLayer ElementwiseMergeSpec::pytorch(const Node&, std::span<const Dims> inputs, const std::string&,
                                           std::span<const std::string> args) const {
    // Keras repeats a vector at every step of a sequence; PyTorch's broadcasting would align it
    // with the batch axis instead, so it gets its step axis first.
    bool sequence = false;
    for (const Dims& d : inputs) sequence = sequence || d.size() == 2;
    std::vector<std::string> operands(args.begin(), args.end());
    for (std::size_t k = 0; k < operands.size() && k < inputs.size(); ++k) {
        if (sequence && inputs[k].size() == 1) operands[k] += ".unsqueeze(1)";
    }
    return {"", pytorchOf(operands)};
}

std::vector<std::string> ElementwiseMergeSpec::onnx(const Node&, OnnxGraph& graph, const OnnxLayerInputs& in) const {
    // As in PyTorch, a vector among sequences gets its step axis first (Keras repeats it at every step).
    bool sequence = false;
    for (const Dims& d : in.dims) sequence = sequence || d.size() == 2;
    std::vector<std::string> operands(in.values.begin(), in.values.end());
    for (std::size_t k = 0; k < operands.size() && k < in.dims.size(); ++k) {
        if (sequence && in.dims[k].size() == 1) operands[k] = graph.unsqueeze(operands[k], {1});
    }
    const std::string_view k = kind();
    if (k == "Subtract") return {graph.op("Sub", {operands[0], operands[1]})};
    if (k == "Multiply") {
        std::string y = operands[0];
        for (std::size_t i = 1; i < operands.size(); ++i) y = graph.op("Mul", {y, operands[i]});
        return {y};
    }
    return {graph.op(k == "Add" ? "Sum" : k == "Average" ? "Mean" : "Max", std::move(operands))};
}

namespace {

std::string joined(std::span<const std::string> operands, std::string_view op) {
    std::string s = operands.front();
    for (std::size_t k = 1; k < operands.size(); ++k) s += std::string(op) + operands[k];
    return s;
}

}  // namespace

std::string AddSpec::pytorchOf(std::span<const std::string> operands) const {
    return joined(operands, " + ");
}

std::string SubtractSpec::pytorchOf(std::span<const std::string> operands) const {
    return joined(operands, " - ");
}

std::string MultiplySpec::pytorchOf(std::span<const std::string> operands) const {
    return joined(operands, " * ");
}

std::string AverageSpec::pytorchOf(std::span<const std::string> operands) const {
    std::string s = "(";
    s += joined(operands, " + ");
    s += ") / ";
    s += std::to_string(operands.size());
    return s;
}

std::string MaximumSpec::pytorchOf(std::span<const std::string> operands) const {
    std::string s = operands.front();
    for (std::size_t k = 1; k < operands.size(); ++k) {
        std::string call = "torch.maximum(";
        call += s;
        call += ", ";
        call += operands[k];
        call += ')';
        s = std::move(call);
    }
    return s;
}

}  // namespace loom
