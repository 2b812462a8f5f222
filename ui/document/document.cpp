#include "document/document.h"

#include "engine/metrics.h"

#include "commands/graph_command.h"
#include "document/wording.h"
#include "engine/metrics.h"
#include "graph/fragment.h"
#include "graph/layout.h"
#include "interop/keras_model.h"
#include "interop/model_file.h"
#include "interop/onnx/onnx_read.h"
#include "layers/layer_registry.h"
#include "service/project_check.h"
#include "shape/fixes.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace loom::ui {

Document::Document(QObject* parent) : QObject(parent) {
    revalidate();
    connect(&m_undo, &QUndoStack::cleanChanged, this, &Document::modificationChanged);
}

void Document::markExtrasModified() {
    const bool was = isModified();
    m_extrasModified = true;
    if (!was) emit modificationChanged();
}

void Document::setWeights(std::vector<NamedTensor> weights, std::string from) {
    m_project.weights = std::move(weights);
    m_project.weightsFrom = m_project.weights.empty() ? std::string() : std::move(from);
    markExtrasModified();
    emit weightsChanged();
}

void Document::setTraining(nlohmann::json training) {
    if (training == m_project.training) return;
    m_project.training = std::move(training);
    markExtrasModified();
    // The task is a training setting and the model's problems depend on it.
    std::vector<Diagnostic> before = m_validation.diagnostics;
    revalidate();
    emit trainingChanged();
    if (before.size() != m_validation.diagnostics.size() ||
        !std::equal(before.begin(), before.end(), m_validation.diagnostics.begin(),
                    [](const Diagnostic& a, const Diagnostic& b) { return a.code == b.code && a.message == b.message; })) {
        emit changed();
    }
}

void Document::revalidate() {
    m_validation = validate(m_project.graph);
    // A model without a task takes the one its shapes suggest once it is whole, and keeps it
    // from then on: later edits raise a problem instead of changing what the model is for.
    if (std::optional<ModelTask> task = suggestedTask(m_project.graph, m_validation, m_project.training)) {
        m_project.training = withTask(std::move(m_project.training), *task);
        m_taskAdopted = true;
    }
    if (std::optional<Diagnostic> problem = taskProblem(m_project.graph, m_validation, m_project.training)) {
        m_validation.nodes[m_project.graph.indexOf(problem->node)].hasError = true;
        m_validation.diagnostics.push_back(std::move(*problem));
    }
    orderFixesByTask(m_project.graph, m_validation, m_project.training);
}

void Document::setTask(const ModelTask& task) {
    setTraining(withTask(m_project.training, task));
}

void Document::applyFix(const Fix& fix) {
    const Fix chosen = fix;  // `fix` may be one of the diagnostics the change replaces
    if (chosen.task) {
        m_undo.push(new TaskCommand(this, m_project.training, withTask(m_project.training, *chosen.task),
                                    QString::fromStdString(chosen.title)));
        return;
    }
    applyEdit(chosen.edit, QString::fromStdString(chosen.title));
}

void Document::setRuns(nlohmann::json runs) {
    m_project.runs = std::move(runs);
    markExtrasModified();
    emit runsChanged();
}

int Document::nextRunNumber() const {
    int last = 0;
    for (const nlohmann::json& r : m_project.runs) last = std::max(last, r.value("number", 0));
    return last + 1;
}

void Document::setStructureLocked(const QString& reason) {
    if (reason == m_lock) return;
    m_lock = reason;
    emit lockChanged();
}

void Document::undo() {
    const auto* step = dynamic_cast<const GraphCommand*>(m_undo.command(m_undo.index() - 1));
    if (step && step->changesStructure() && refusedByLock()) return;
    m_undo.undo();
}

void Document::redo() {
    const auto* step = dynamic_cast<const GraphCommand*>(m_undo.command(m_undo.index()));
    if (step && step->changesStructure() && refusedByLock()) return;
    m_undo.redo();
}

bool Document::refusedByLock() {
    if (m_lock.isEmpty()) return false;
    emit editRefused(m_lock);
    return true;
}

QString Document::displayName() const {
    if (!m_project.name.empty()) return QString::fromStdString(m_project.name);
    if (!m_filePath.isEmpty()) return QFileInfo(m_filePath).completeBaseName();
    return tr("Untitled");
}

void Document::setProject(Project project, QString filePath) {
    const bool wasModified = isModified();
    m_project = std::move(project);
    m_filePath = std::move(filePath);
    m_undo.clear();
    m_extrasModified = false;
    m_taskAdopted = false;
    revalidate();
    emit replaced();
    emit changed();
    emit weightsChanged();
    emit trainingChanged();
    emit runsChanged();
    if (wasModified) emit modificationChanged();
}

void Document::restoreUnsaved(Project project, QString filePath) {
    setProject(std::move(project), std::move(filePath));
    m_undo.resetClean();  // unsaved until the user saves it
}

bool Document::setGraph(ModelGraph graph) {
    // An output renamed (or renamed back, by undo) keeps its loss and what early stopping
    // watches of it, and an Input or output its columns of a series, which the training
    // settings hold by the layer's name.
    bool renamedLoss = false;
    nlohmann::json& training = m_project.training;
    for (const Node& was : m_project.graph.nodes()) {
        const Node* now = graph.node(was.id);
        if (!training.is_object() || !now || now->name == was.name) continue;
        const auto carry = [&](nlohmann::json& byLayer) {
            if (!byLayer.is_object() || !byLayer.contains(was.name) || byLayer.contains(now->name)) return;
            byLayer[now->name] = std::move(byLayer[was.name]);
            byLayer.erase(was.name);
            renamedLoss = true;
        };
        if (training.contains("outputs")) carry(training["outputs"]);
        if (training.contains("data") && training["data"].is_object() && training["data"].contains("layer_columns")) {
            carry(training["data"]["layer_columns"]);
        }
        nlohmann::json* monitor = training.contains("monitor") ? &training["monitor"] : nullptr;
        if (monitor && monitor->is_object()) monitor = monitor->contains("quantity") ? &(*monitor)["quantity"] : nullptr;
        if (monitor && monitor->is_string()) {
            const std::string quantity = monitor->get<std::string>();
            const bool validation = quantity.starts_with("val_");
            const std::string own = validation ? quantity.substr(4) : quantity;
            // "dense_loss" is dense's; "dense_1_loss" is not, though it starts the same way.
            const std::string suffix = own.size() > was.name.size() + 1 ? own.substr(was.name.size() + 1) : std::string();
            const bool reported = suffix == "loss" || suffix == "accuracy" || parseMetric(suffix).has_value();
            if (own.starts_with(was.name + "_") && reported) {
                *monitor = (validation ? "val_" : "") + now->name + own.substr(was.name.size());
                renamedLoss = true;
            }
        }
    }
    m_project.graph = std::move(graph);
    m_taskAdopted = false;
    revalidate();
    const bool adopted = m_taskAdopted;
    if (adopted || renamedLoss) emit trainingChanged();
    emit changed();
    return adopted;
}

void Document::restoreTraining(nlohmann::json training) {
    m_project.training = std::move(training);
    emit trainingChanged();
}

std::vector<NodeId> Document::applyEdit(const GraphEdit& edit, const QString& text) {
    if (refusedByLock()) return {};
    // Throws EditError and changes nothing when it cannot apply.
    std::vector<NodeId> added;
    ModelGraph after = appliedEdit(m_project.graph, edit, &added);
    m_undo.push(new GraphCommand(this, m_project.graph, std::move(after), text));
    return added;
}

NodeId Document::addLayer(const QString& kind, Point at, EdgeId splice, NodeId after) {
    if (refusedByLock()) return 0;
    const std::string k = kind.toStdString();
    const LayerSpec* spec = findLayer(k);
    if (!spec) throw EditError("unknown layer kind '" + k + "'");
    const bool takesInput = spec->maxInputs() != 0;
    const Edge* wire = m_project.graph.edge(splice);
    GraphEdit edit;
    QString text = tr("Add %1").arg(kind);
    ParamMap params = suggestedParams(m_project.graph, k);
    if (wire && takesInput) {
        edit = spliceInto(m_project.graph, *wire, k, std::move(params), at);
        text = tr("Insert %1 into a wire").arg(kind);
        if (after == wire->from.node) {
            for (const Edge* other : m_project.graph.outputEdges(after)) {
                if (other->id == wire->id || other->to.node != wire->to.node || other->from.port != wire->from.port) continue;
                edit.ops.push_back(edit::RemoveEdge{other->id});
                edit.ops.push_back(edit::Connect{NewNode{0}, 0, other->to.node, other->to.port});
            }
        }
    } else {
        edit.ops.push_back(edit::AddNode{k, std::move(params), at});
        if (after && takesInput && m_project.graph.node(after)) {
            edit.ops.push_back(edit::Connect{after, 0, NewNode{0}, 0});
            text = tr("Add %1 after %2")
                       .arg(kind, QString::fromStdString(m_project.graph.node(after)->name));
        }
    }
    const std::vector<NodeId> added = applyEdit(edit, text);
    return added.empty() ? 0 : added.front();
}

std::vector<NodeId> Document::paste(const ModelGraph& fragment, Point offset, const QString& text) {
    if (fragment.nodes().empty() || refusedByLock()) return {};
    ModelGraph after = m_project.graph;
    std::vector<NodeId> added = pasteFragment(after, fragment, offset);
    m_undo.push(new GraphCommand(this, m_project.graph, std::move(after), text));
    return added;
}

bool Document::replaceGraph(ModelGraph graph, const QString& text) {
    if (refusedByLock() || graph == m_project.graph) return false;
    m_undo.push(new GraphCommand(this, m_project.graph, std::move(graph), text));
    return true;
}

void Document::autoLayout() {
    ModelGraph after = m_project.graph;
    layOut(after);
    if (after == m_project.graph) return;
    m_undo.push(new GraphCommand(this, m_project.graph, std::move(after), tr("Auto-layout")));
}

void Document::removeNodes(const QList<NodeId>& ids) {
    if (refusedByLock()) return;
    ModelGraph after = m_project.graph;
    QStringList names;
    for (NodeId id : ids) {
        if (const Node* n = after.node(id)) {
            names << QString::fromStdString(n->name);
            after.removeNode(id);
        }
    }
    if (names.isEmpty()) return;
    const QString text = names.size() == 1 ? tr("Delete %1").arg(names.front())
                                           : tr("Delete %n layers", "", static_cast<int>(names.size()));
    m_undo.push(new GraphCommand(this, m_project.graph, std::move(after), text));
}

void Document::moveNodes(const QMap<NodeId, Point>& positions,
                         const QMap<std::uint32_t, Point>& groups) {
    ModelGraph after = m_project.graph;
    bool moved = false;
    for (auto it = positions.begin(); it != positions.end(); ++it) {
        Node* n = after.node(it.key());
        if (n && !(n->position == it.value())) {
            n->position = it.value();
            moved = true;
        }
    }
    for (auto it = groups.begin(); it != groups.end(); ++it) {
        Group* g = after.group(it.key());
        if (!g || g->position == it.value()) continue;
        // The hidden layers travel with the card, so that expanding shows them beside it.
        const double dx = it.value().x - g->position.x, dy = it.value().y - g->position.y;
        for (NodeId id : g->members) {
            if (Node* n = after.node(id); n && !positions.contains(id)) {
                n->position = {n->position.x + dx, n->position.y + dy};
            }
        }
        g->position = it.value();
        moved = true;
    }
    if (!moved) return;
    const int count = static_cast<int>(positions.size() + groups.size());
    QString text = tr("Move %n layers", "", count);
    if (count == 1 && !positions.isEmpty()) {
        text = tr("Move %1").arg(QString::fromStdString(m_project.graph.node(positions.firstKey())->name));
    } else if (count == 1) {
        text = tr("Move %1").arg(QString::fromStdString(m_project.graph.group(groups.firstKey())->name));
    }
    m_undo.push(new GraphCommand(this, m_project.graph, std::move(after), text, GraphCommand::Move));
}

std::uint32_t Document::groupLayers(const QList<NodeId>& ids, const QString& name) {
    ModelGraph after = m_project.graph;
    // The card stands where the group's top layer was.
    Point at{0, 0};
    double top = 1e300, sumX = 0;
    int count = 0;
    for (NodeId id : ids) {
        if (const Node* n = after.node(id)) {
            top = std::min(top, n->position.y);
            sumX += n->position.x;
            ++count;
        }
    }
    if (count == 0) return 0;
    at = {sumX / count, top};
    const std::uint32_t id = after.addGroup(name.toStdString(), std::vector<NodeId>(ids.begin(), ids.end()),
                                            true, at);
    m_undo.push(new GraphCommand(this, m_project.graph, std::move(after),
                                 tr("Group %1 as %2").arg(counted(count, "layer"), name)));
    return id;
}

void Document::ungroup(std::uint32_t group) {
    const Group* g = m_project.graph.group(group);
    if (!g) return;
    ModelGraph after = m_project.graph;
    const QString name = QString::fromStdString(g->name);
    after.removeGroup(group);
    m_undo.push(new GraphCommand(this, m_project.graph, std::move(after), tr("Ungroup %1").arg(name)));
}

void Document::setGroupCollapsed(std::uint32_t group, bool collapsed) {
    const Group* g = m_project.graph.group(group);
    if (!g || g->collapsed == collapsed) return;
    ModelGraph after = m_project.graph;
    after.group(group)->collapsed = collapsed;
    const QString name = QString::fromStdString(g->name);
    m_undo.push(new GraphCommand(this, m_project.graph, std::move(after),
                                 collapsed ? tr("Collapse %1").arg(name) : tr("Expand %1").arg(name)));
}

void Document::renameGroup(std::uint32_t group, const QString& name) {
    const Group* g = m_project.graph.group(group);
    if (!g || name.isEmpty() || g->name == name.toStdString()) return;
    ModelGraph after = m_project.graph;
    after.group(group)->name = name.toStdString();
    m_undo.push(new GraphCommand(this, m_project.graph, std::move(after),
                                 tr("Rename group %1 to %2").arg(QString::fromStdString(g->name), name)));
}

void Document::save(const QString& path) {
    saveProject(m_project, path.toStdString());
    m_filePath = path;
    m_extrasModified = false;
    m_undo.setClean();
    emit modificationChanged();
    emit saved();
    emit changed();
}

OpenedModel readModelFile(const QString& path, std::stop_token stop) {
    // Projects and Keras models open by the same rule as in layerloom-cli.
    OpenedModel opened;
    std::vector<std::string> notes;
    try {
        opened.project = openModelFile(path.toStdString(), &notes, stop);
    } catch (const KerasImportError& e) {
        throw ProjectError(e.what());
    } catch (const OnnxReadError& e) {
        throw ProjectError(e.what());
    }
    for (const std::string& note : notes) opened.notes << QString::fromStdString(note);
    // An imported model becomes a new, unsaved project.
    if (!isImportedModelFile(path.toStdString())) opened.filePath = path;
    return opened;
}

void Document::adopt(OpenedModel opened) {
    m_importNotes = std::move(opened.notes);
    setProject(std::move(opened.project), opened.filePath);
}

void Document::load(const QString& path) {
    if (!path.startsWith(":/")) {
        adopt(readModelFile(path));
        return;
    }
    // A built-in example, from the program's resources.
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        throw ProjectError(path.toStdString() + ": cannot open the file (" +
                           file.errorString().toStdString() + ")");
    }
    const QByteArray bytes = file.readAll();
    m_importNotes.clear();
    setProject(parseProject(std::string_view(bytes.constData(), bytes.size()),
                            QFileInfo(path).fileName().toStdString()),
               QString());
}

}  // namespace loom::ui
