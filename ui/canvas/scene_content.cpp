#include "canvas/scene_content.h"

#include <QHash>
#include <QObject>
#include <QPair>
#include <QSet>

#include <algorithm>
#include <tuple>

#include "canvas/group_items.h"
#include "document/wording.h"
#include "layers/input.h"
#include "layers/layer_registry.h"

namespace loom::ui {

namespace {

/// A node's output shape as cards and wires show it: "(None, 20)", with "int32" after the
/// shape of token ids and "masked" after a sequence that carries a step mask.
QString outputText(const Node& node, const NodeReport& report, bool unresolved) {
    if (!report.output) return "?";
    QString shape = QString::fromStdString(report.output->str());
    if (holdsTokenIds(node)) shape += " int32";
    if (report.masked) shape += QObject::tr(" masked");
    // A merge of mismatched branches has no output yet: what it gives once fixed (the shape
    // its first fix makes), said as such.
    if (unresolved) return QObject::tr("? (%1 once fixed)").arg(shape);
    return shape;
}

/// Whether the node merges branches whose shapes do not fit (its output is a guess).
bool mergeUnresolved(const Validation& validation, NodeId id) {
    return std::any_of(validation.diagnostics.begin(), validation.diagnostics.end(), [id](const Diagnostic& d) {
        return d.node == id && d.severity == Severity::Error &&
               (d.code == DiagCode::MergeShapeMismatch || d.code == DiagCode::MergeTimeMismatch);
    });
}

/// What "masked" after a shape means, for tooltips; empty for an output without a mask.
QString maskNote(const NodeReport& report) {
    if (!report.masked) return {};
    return QObject::tr("masked: it carries a step mask saying which steps are padding. LSTM, GRU, SimpleRNN, "
                       "Bidirectional and GlobalAveragePooling1D skip those steps, and so does the loss.");
}

/// Short forms of the parameters the schema marks for the card, wrapped into lines.
QStringList cardDetails(const Node& node, const LayerSpec* spec) {
    QStringList tokens;
    if (!spec) return tokens;
    if (const std::string inner = spec->wrapped(node); !inner.empty()) tokens << QString::fromStdString(inner);
    for (const ParamSpec& p : spec->params()) {
        if (!p.onCard || !spec->paramApplies(node, p.name)) continue;
        auto it = node.params.find(p.name);
        if (it == node.params.end()) continue;
        const ParamValue& v = it->second;
        const QString name = QString::fromStdString(p.name);
        // A value standing for Keras's None (no cap, no output padding) or a default the schema
        // calls quiet (no shared axes, float32) says nothing worth a card's room.
        const bool none = (!p.noneText.empty() && formatParam(v) == formatParam(p.type == ParamType::Int
                                                                                   ? ParamValue{static_cast<std::int64_t>(p.minValue)}
                                                                                   : ParamValue{p.minValue})) ||
                          (p.cardOnlyIfChanged && formatParam(v) == formatParam(p.defaultValue));
        if (none) continue;
        switch (p.type) {
            case ParamType::Bool:
                if (std::get_if<bool>(&v) && std::get<bool>(v)) tokens << name;
                break;
            case ParamType::Choice: {
                // A list of axes reads as such only with its name: shared_axes=[1].
                const QString text = QString::fromStdString(formatParam(v));
                tokens << (text.startsWith('[') ? name + "=" + text : text);
                break;
            }
            default: tokens << name + "=" + QString::fromStdString(formatParam(v)); break;
        }
    }
    QStringList lines;
    for (const QString& t : tokens) {
        if (!lines.isEmpty() && lines.back().size() + t.size() + 3 <= 30) {
            lines.back() += QString::fromUtf8(" \u00b7 ") + t;
        } else {
            lines << t;
        }
    }
    return lines;
}

QString severityWord(Severity s) {
    return s == Severity::Error ? QObject::tr("Error") : QObject::tr("Warning");
}

NodeCard layerCard(const ModelGraph& graph, const Validation& validation, const Node& n,
                   const QStringList& problems) {
    const LayerSpec* spec = findLayer(n.kind);
    const NodeReport& report = validation.of(graph, n.id);
    NodeCard card;
    card.id = n.id;
    card.name = QString::fromStdString(n.name);
    card.kind = QString::fromStdString(n.kind);
    card.category = spec ? qText(spec->category().name) : QString();
    card.details = cardDetails(n, spec);
    // A shared layer and its calls say so first: one set of weights, several places.
    if (n.shares && graph.node(n.shares)) {
        card.details.prepend(QObject::tr("calls %1 (shared weights)").arg(QString::fromStdString(graph.node(n.shares)->name)));
    } else if (const std::size_t calls = graph.callsOf(n.id).size(); calls > 0) {
        card.details.prepend(QObject::tr("shared: called at %1 places").arg(calls + 1));
    }
    card.outputShape = outputShapeText(graph, validation, n.id);
    card.outputNote = maskNote(report);
    int used = 0;
    const auto inputs = graph.inputEdges(n.id);
    for (const Edge* e : inputs) used = std::max(used, e->to.port + 1);
    // Merges offer one free port beyond their wires, so that another branch can join.
    const bool grows = spec && spec->maxInputs() < 0;
    card.inputPorts = std::max(spec ? spec->minInputs() : 1, grows ? used + 1 : used);
    card.interchangeableInputs = spec && spec->inputsInterchangeable();
    // A layer whose call names its inputs (MultiHeadAttention) shows every one, named.
    if (spec && !spec->callTensorNames().empty()) {
        card.inputPorts = std::max(card.inputPorts, spec->inputPorts(n));
        for (std::string_view name : spec->callTensorNames()) {
            // The attention mask's port is "mask", short enough for the space between ports.
            if (card.inputNames.size() < card.inputPorts) card.inputNames << (name.ends_with("_mask") ? QStringLiteral("mask") : qText(name));
        }
    }
    // A recurrent layer that takes its starting states shows their ports, named.
    if (spec && !spec->inputPortNames(n).empty()) {
        card.inputPorts = std::max(card.inputPorts, spec->inputPorts(n));
        card.inputNames.clear();
        for (const std::string& name : spec->inputPortNames(n)) card.inputNames << QString::fromStdString(name);
    }
    // One that returns its states shows a port for each beside its output.
    if (const std::vector<std::string> more = spec ? spec->moreOutputNames(n) : std::vector<std::string>{}; !more.empty()) {
        card.outputNames << QObject::tr("output");
        for (const std::string& name : more) card.outputNames << QString::fromStdString(name);
    }
    card.wiredInputs = QList<bool>(card.inputPorts, false);
    for (const Edge* e : inputs) {
        if (e->to.port < card.inputPorts) card.wiredInputs[e->to.port] = true;
    }
    card.status = report.hasError ? Status::Error : report.hasWarning ? Status::Warning : Status::Ok;
    card.problems = problems.join("<br><br>");
    return card;
}

}  // namespace

QString outputShapeText(const ModelGraph& graph, const Validation& validation, NodeId id) {
    const Node* n = graph.node(id);
    if (!n) return "?";
    const NodeReport& report = validation.of(graph, id);
    return outputText(*n, report, report.hasError && mergeUnresolved(validation, id));
}

SceneContent sceneContent(const ModelGraph& graph, const Validation& validation) {
    QHash<NodeId, QStringList> problems;
    // The worst problem on each input port, for its wire.
    QHash<QPair<NodeId, int>, QPair<Status, QString>> portProblems;
    for (const Diagnostic& d : validation.diagnostics) {
        if (d.port) {
            const Status st = d.severity == Severity::Error ? Status::Error : Status::Warning;
            auto& worst = portProblems[{d.node, *d.port}];
            if (static_cast<int>(st) >= static_cast<int>(worst.first)) {
                worst = {st, QString::fromStdString(d.message)};
            }
        }
        if (d.node == 0) continue;
        problems[d.node] << QString("<b>%1</b> [%2]: %3")
                                .arg(severityWord(d.severity), qText(codeName(d.code)),
                                     QString::fromStdString(d.message).toHtmlEscaped());
    }

    SceneContent content;
    // Layers inside collapsed groups are hidden; their outside wires end at the group's card.
    QHash<NodeId, std::uint32_t> hiddenIn;
    QHash<EdgeId, int> groupPorts;
    for (const Group& g : graph.groups()) {
        if (!g.collapsed) continue;
        for (NodeId id : g.members) hiddenIn.insert(id, g.id);
        groupPorts.insert(groupInputPorts(graph, g));
        content.groupCards.push_back({groupCard(graph, validation, g), g.position, false});
    }
    for (const Node& n : graph.nodes()) {
        content.cards.push_back({layerCard(graph, validation, n, problems.value(n.id)), n.position,
                                 hiddenIn.contains(n.id)});
    }

    QSet<QPair<NodeId, NodeId>> labelled;  // parallel wires (into a group) share one label
    for (const Edge& e : graph.edges()) {
        if (!graph.node(e.from.node) || !graph.node(e.to.node)) continue;
        const auto fromGroup = hiddenIn.find(e.from.node);
        const auto toGroup = hiddenIn.find(e.to.node);
        WireContent w;
        w.id = e.id;
        w.inside = fromGroup != hiddenIn.end() && toGroup != hiddenIn.end() &&
                   fromGroup.value() == toGroup.value();
        const bool fromOutside = fromGroup != hiddenIn.end() && !w.inside;
        const bool toOutside = toGroup != hiddenIn.end() && !w.inside;
        w.from = fromOutside ? groupCardId(fromGroup.value()) : e.from.node;
        w.to = toOutside ? groupCardId(toGroup.value()) : e.to.node;
        w.toPort = toOutside ? groupPorts.value(e.id) : e.to.port;
        w.fromPort = fromOutside ? 0 : e.from.port;
        std::tie(w.status, w.problem) =
            portProblems.value({e.to.node, e.to.port}, {Status::Ok, QString()});
        const NodeReport& source = validation.of(graph, e.from.node);
        if (e.from.port > 0) {
            // A state: one vector per sample, never masked.
            if (const TensorShape* state = validation.shapeAt(graph, e.from)) w.label = QString::fromStdString(state->str());
        } else {
            // A wire out of a mismatched merge carries the guess too, without repeating the words.
            if (source.output) w.label = outputText(*graph.node(e.from.node), source, false);
            w.note = maskNote(source);
        }
        if (!w.inside && w.status == Status::Ok && labelled.contains({w.from, w.to})) w.label.clear();
        labelled.insert({w.from, w.to});
        content.wires.push_back(std::move(w));
    }
    return content;
}

}  // namespace loom::ui
