#include "report/report_json.h"

namespace loom {

using nlohmann::json;

json summaryJson(const ModelSummary& summary) {
    json layers = json::array();
    for (const SummaryRow& r : summary.rows) {
        layers.push_back({{"name", r.name},
                          {"type", r.kind},
                          {"output_shape", r.outputShape},
                          {"params", r.params},
                          {"connected_to", r.connectedTo}});
    }
    return {{"model", summary.name},
            {"layers", layers},
            {"total_params", summary.totalParams},
            {"trainable_params", summary.trainableParams},
            {"non_trainable_params", summary.nonTrainableParams}};
}

json diagnosticJson(const ModelGraph& graph, const Diagnostic& d) {
    const Node* node = graph.node(d.node);
    json fixes = json::array();
    for (const Fix& f : d.fixes) fixes.push_back(f.title);
    json related = json::array();
    for (NodeId id : d.related) {
        if (const Node* r = graph.node(id)) related.push_back(r->name);
    }
    return {{"code", codeName(d.code)},
            {"severity", severityName(d.severity)},
            {"layer", node ? json(node->name) : json(nullptr)},
            {"port", d.port ? json(*d.port) : json(nullptr)},
            {"message", d.message},
            {"related", related},
            {"fixes", fixes}};
}

json validationJson(const ModelGraph& graph, const Validation& v) {
    json diags = json::array();
    for (const Diagnostic& d : v.diagnostics) diags.push_back(diagnosticJson(graph, d));
    json shapes = json::object();
    for (const Node& n : graph.nodes()) {
        const NodeReport& r = v.of(graph, n.id);
        shapes[n.name] = r.output ? json(r.output->str()) : json(nullptr);
    }
    return {{"valid", !v.hasErrors()},
            {"errors", v.count(Severity::Error)},
            {"warnings", v.count(Severity::Warning)},
            {"diagnostics", diags},
            {"shapes", shapes}};
}

}  // namespace loom
