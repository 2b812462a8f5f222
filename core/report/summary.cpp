#include "report/summary.h"

#include "graph/graph_algorithms.h"

#include <algorithm>
#include <map>

namespace loom {

std::string groupThousands(std::int64_t value) {
    std::string digits = std::to_string(value < 0 ? -value : value);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return value < 0 ? "-" + out : out;
}

ModelSummary summarize(const ModelGraph& graph, const Validation& validation, std::string name) {
    ModelSummary s;
    s.name = std::move(name);
    // A tensor as Keras names it: its layer, the call (a shared layer's later calls are 1, 2,
    // ...) and the output port.
    // A shared layer's calls are numbered as Keras's nodes are, in an order the model can
    // compute them in (the layer's own node among them, first where nothing else decides).
    std::map<NodeId, int> callNumber, callsSoFar;
    for (NodeId id : stableOrder(graph)) callNumber[id] = callsSoFar[graph.weightsOwner(id)]++;
    const auto callIndex = [&](NodeId id) { return callNumber.contains(id) ? callNumber.at(id) : 0; };
    const auto tensorName = [&](PortRef from) {
        return graph.node(graph.weightsOwner(from.node))->name + "[" + std::to_string(callIndex(from.node)) + "][" +
               std::to_string(from.port) + "]";
    };
    std::map<NodeId, std::size_t> rowOf;  // a shared layer's one row, by the layer
    std::map<NodeId, std::map<int, std::vector<std::string>>> callInputs;  // by layer and call
    for (NodeId id : validation.order) {
        const NodeId owner = graph.weightsOwner(id);
        const Node& n = *graph.node(owner);
        const NodeReport& r = validation.of(graph, id);
        std::string shape = r.output ? r.output->str() : "?";
        if (n.isInput()) shape = "[" + shape + "]";
        if (r.output && !r.moreOutputs.empty()) {  // the output and the states, as Keras lists them
            shape = "[" + shape;
            for (const TensorShape& state : r.moreOutputs) shape += ", " + state.str();
            shape += "]";
        }
        std::vector<std::string> connected;
        for (const Edge* e : graph.inputEdges(id)) {
            if (graph.node(e->from.node)) connected.push_back(tensorName(e->from));
        }
        // A shared layer is one row, as Keras prints it: every call's inputs, and "multiple"
        // where its calls give differently shaped outputs.
        callInputs[owner][callIndex(id)] = connected;
        if (const auto it = rowOf.find(owner); it != rowOf.end()) {
            SummaryRow& row = s.rows[it->second];
            if (row.outputShape != shape) row.outputShape = "multiple";
            continue;
        }
        const NodeReport& own = validation.of(graph, owner);
        SummaryRow row;
        row.id = owner;
        row.name = n.name;
        row.kind = n.kind;
        row.outputShape = shape;
        row.params = own.params;
        s.totalParams += own.params;
        s.nonTrainableParams += own.frozenParams;
        rowOf.emplace(owner, s.rows.size());
        s.rows.push_back(std::move(row));
    }
    // Every call's inputs, in the order of the calls.
    for (const auto& [owner, calls] : callInputs) {
        SummaryRow& row = s.rows[rowOf.at(owner)];
        for (const auto& [index, inputs] : calls) row.connectedTo.insert(row.connectedTo.end(), inputs.begin(), inputs.end());
    }
    s.trainableParams = s.totalParams - s.nonTrainableParams;
    return s;
}

namespace {

void appendPadded(std::string& line, const std::string& text, std::size_t column) {
    line += text;
    if (line.size() < column) line.append(column - line.size(), ' ');
    else line += ' ';
}

}  // namespace

std::string formatSummary(const ModelSummary& summary) {
    // Keras's column stops for a 98-character table, widened when a cell needs more room.
    std::size_t c1 = 32, c2 = 21, c3 = 12, c4 = 32;
    for (const SummaryRow& r : summary.rows) {
        c1 = std::max(c1, r.name.size() + r.kind.size() + 5);
        c2 = std::max(c2, r.outputShape.size() + 2);
        c3 = std::max(c3, std::to_string(r.params).size() + 2);
        for (const std::string& c : r.connectedTo) c4 = std::max(c4, c.size() + 5);
    }
    const std::size_t width = c1 + c2 + c3 + c4;
    const std::string thin(width, '_'), thick(width, '=');

    auto row = [&](const std::string& a, const std::string& b, const std::string& c,
                   const std::string& d) {
        std::string line;
        appendPadded(line, " " + a, c1);
        appendPadded(line, b, c1 + c2);
        appendPadded(line, c, c1 + c2 + c3);
        line += d;
        while (!line.empty() && line.back() == ' ') line.pop_back();
        return line + "\n";
    };

    std::string out = "Model: \"" + summary.name + "\"\n" + thin + "\n";
    out += row("Layer (type)", "Output Shape", "Param #", "Connected to");
    out += thick + "\n";
    for (std::size_t i = 0; i < summary.rows.size(); ++i) {
        const SummaryRow& r = summary.rows[i];
        std::vector<std::string> links;
        for (std::size_t k = 0; k < r.connectedTo.size(); ++k) {
            const bool first = k == 0, last = k + 1 == r.connectedTo.size();
            links.push_back(std::string(first ? "[" : " ") + "'" + r.connectedTo[k] + "'" +
                            (last ? "]" : ","));
        }
        if (links.empty()) links.push_back("[]");
        out += row(r.name + " (" + r.kind + ")", r.outputShape, std::to_string(r.params),
                   links.front());
        for (std::size_t k = 1; k < links.size(); ++k) out += row("", "", "", links[k]);
        if (i + 1 < summary.rows.size()) out += "\n";
    }
    out += thick + "\n";
    out += "Total params: " + groupThousands(summary.totalParams) + "\n";
    out += "Trainable params: " + groupThousands(summary.trainableParams) + "\n";
    out += "Non-trainable params: " + groupThousands(summary.nonTrainableParams) + "\n";
    out += thin + "\n";
    return out;
}

}  // namespace loom
