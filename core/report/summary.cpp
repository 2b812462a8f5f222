#include "report/summary.h"

#include <algorithm>

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
    for (NodeId id : validation.order) {
        const Node& n = *graph.node(id);
        const NodeReport& r = validation.of(graph, id);
        SummaryRow row;
        row.id = id;
        row.name = n.name;
        row.kind = n.kind;
        row.outputShape = r.output ? r.output->str() : "?";
        if (n.isInput()) row.outputShape = "[" + row.outputShape + "]";
        if (r.output && !r.moreOutputs.empty()) {  // the output and the states, as Keras lists them
            row.outputShape = "[" + row.outputShape;
            for (const TensorShape& state : r.moreOutputs) row.outputShape += ", " + state.str();
            row.outputShape += "]";
        }
        row.params = r.params;
        for (const Edge* e : graph.inputEdges(id)) {
            if (const Node* from = graph.node(e->from.node)) {
                row.connectedTo.push_back(from->name + "[0][" + std::to_string(e->from.port) + "]");
            }
        }
        s.totalParams += r.params;
        s.nonTrainableParams += r.frozenParams;
        s.rows.push_back(std::move(row));
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
