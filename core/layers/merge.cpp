#include "layers/merge.h"

#include <algorithm>

#include "layers/layer_registry.h"
#include "shape/explain.h"
#include "shape/fixes.h"

namespace loom {

Diagnostic MergeSpec::makeDiagnostic(const ShapeContext& ctx, std::size_t input, DiagCode code,
                                     Severity severity, std::string message) {
    Diagnostic d;
    d.code = code;
    d.severity = severity;
    d.node = ctx.node.id;
    d.port = ctx.inputs[input].edge->to.port;
    d.message = std::move(message);
    if (ctx.inputs[input].producer) d.related.push_back(ctx.inputs[input].producer->id);
    return d;
}

void MergeSpec::reportTimeMismatch(const ShapeContext& ctx, std::size_t a, std::size_t b,
                                   std::string_view verb) {
    const TensorShape& sa = *ctx.inputs[a].shape;
    const TensorShape& sb = *ctx.inputs[b].shape;
    std::string msg = nodeLabel(ctx.node) + " cannot " + std::string(verb) + " " +
                      describeInput(ctx.inputs[a]) + " and " + describeInput(ctx.inputs[b]) +
                      ": the time axis differs (" + std::to_string(sa.time().size) + " vs " +
                      std::to_string(sb.time().size) + " steps). " +
                      std::to_string(sa.time().size) + " because " +
                      dimStory(ctx.graph, sa.time()) + "; " + std::to_string(sb.time().size) +
                      " because " + dimStory(ctx.graph, sb.time()) +
                      ". Both branches must have the same number of steps.";
    Diagnostic d = makeDiagnostic(ctx, a, DiagCode::MergeTimeMismatch, Severity::Error,
                                  std::move(msg));
    // A RepeatVector that decided one length can simply take the other.
    const std::pair<const Dim*, const Dim*> sides[] = {{&sa.time(), &sb.time()},
                                                       {&sb.time(), &sa.time()}};
    for (auto [mine, other] : sides) {
        const Node* origin = ctx.graph.node(mine->origin);
        if (origin && origin->kind == "RepeatVector") {
            d.fixes.push_back(setParamFix(*origin, "n", other->size,
                                          "Set n=" + std::to_string(other->size) + " on " +
                                              origin->name));
        }
    }
    // A pooling or convolution whose padding="same" would make the lengths meet (replayed on
    // both branches: the layer may feed both).
    std::vector<NodeId> tried;
    for (auto [mine, other] : sides) {
        for (const Dim* link = mine; link && link->before; link = link->before.get()) {
            const Node* origin = ctx.graph.node(link->origin);
            const LayerSpec* spec = origin ? findLayer(origin->kind) : nullptr;
            if (!spec || !spec->param("padding") || origin->param<std::string>("padding") == "same") continue;
            if (std::find(tried.begin(), tried.end(), origin->id) != tried.end()) continue;
            tried.push_back(origin->id);
            Node trial = *origin;
            trial.params["padding"] = std::string("same");
            if (lengthWith(ctx.graph, *mine, trial) == lengthWith(ctx.graph, *other, trial)) {
                d.fixes.push_back(setParamFix(*origin, "padding", std::string("same"),
                                              "Use padding=\"same\" on " + origin->name));
            }
        }
    }
    // A transposed convolution whose output_padding would make the lengths meet.
    std::vector<NodeId> triedPadding;
    for (auto [mine, other] : sides) {
        for (const Dim* link = mine; link && link->before; link = link->before.get()) {
            const Node* origin = ctx.graph.node(link->origin);
            const LayerSpec* spec = origin ? findLayer(origin->kind) : nullptr;
            if (!spec || !spec->param("output_padding") || !spec->param("strides")) continue;
            if (std::find(triedPadding.begin(), triedPadding.end(), origin->id) != triedPadding.end()) continue;
            triedPadding.push_back(origin->id);
            const std::int64_t current = origin->param<std::int64_t>("output_padding");
            for (std::int64_t padding = -1; padding < origin->param<std::int64_t>("strides"); ++padding) {
                if (padding == current) continue;
                Node trial = *origin;
                trial.params["output_padding"] = padding;
                if (lengthWith(ctx.graph, *mine, trial) != lengthWith(ctx.graph, *other, trial)) continue;
                d.fixes.push_back(setParamFix(*origin, "output_padding", padding,
                                              "Set output_padding=" + (padding < 0 ? std::string("None") : std::to_string(padding)) +
                                                  " on " + origin->name));
                break;
            }
        }
    }
    // Steps taken from the longer branch, or zeros added to the shorter.
    const bool aLonger = sa.time().size > sb.time().size;
    const std::int64_t diff = aLonger ? sa.time().size - sb.time().size : sb.time().size - sa.time().size;
    d.fixes.push_back(stepsFix(ctx.graph, *ctx.inputs[aLonger ? a : b].edge, diff));
    d.fixes.push_back(stepsFix(ctx.graph, *ctx.inputs[aLonger ? b : a].edge, -diff));
    ctx.diagnostics.push_back(std::move(d));
}

std::int64_t MergeSpec::lengthWith(const ModelGraph& graph, const Dim& axis, const Node& changed) {
    // The axis's changes, oldest first, replayed with `changed` in place of its node.
    std::vector<const Dim*> links;
    const Dim* start = &axis;
    for (; start->before; start = start->before.get()) links.push_back(start);
    std::int64_t steps = start->size;
    for (auto it = links.rbegin(); it != links.rend(); ++it) {
        const Node* node = (*it)->origin == changed.id ? &changed : graph.node((*it)->origin);
        const LayerSpec* spec = node ? findLayer(node->kind) : nullptr;
        if (!spec) return kNone;
        steps = spec->timeAfter(*node, steps);
    }
    return steps;
}

void MergeSpec::reportVectorMeetsSequence(const ShapeContext& ctx, std::size_t vec,
                                          std::size_t seq, DiagCode code, Severity severity,
                                          std::string message) {
    Diagnostic d = makeDiagnostic(ctx, vec, code, severity, std::move(message));
    const LayerInput& v = ctx.inputs[vec];
    const std::int64_t steps = ctx.inputs[seq].shape->time().size;
    if (steps != kNone) d.fixes.push_back(repeatVectorFix(ctx.graph, *v.edge, steps));
    if (const Node* rnn = v.edge->from.port == 0 ? recurrentSource(ctx.graph, v.edge->from.node) : nullptr;
        rnn && !rnn->param<bool>("return_sequences")) {
        d.fixes.push_back(returnSequencesFix(*rnn, true));
    }
    ctx.diagnostics.push_back(std::move(d));
}

}  // namespace loom
