#include "window/edit_actions.h"

#include "graph/layout.h"

#include <cmath>
#include <utility>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCursor>
#include <QFileInfo>
#include <QInputDialog>
#include <QUndoStack>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <algorithm>

#include "document/wording.h"
#include "canvas/canvas_style.h"
#include "canvas/canvas_view.h"
#include "canvas/graph_scene.h"
#include "canvas/mime.h"
#include "canvas/node_item.h"
#include "canvas/quick_add.h"
#include "document/user_blocks.h"
#include "document/document.h"
#include "graph/fragment.h"
#include "layers/layer_nodes.h"
#include "shape/skip_connection.h"

namespace loom::ui {

namespace {
constexpr double kPasteStep = 40.0;
}  // namespace

EditActions::EditActions(Document* document, GraphScene* scene, CanvasView* view, QObject* parent)
    : QObject(parent), m_document(document), m_scene(scene), m_view(view) {
    connect(m_view, &CanvasView::quickAddRequested, this, &EditActions::quickAdd);
    connect(m_scene, &GraphScene::blockDropped, this, [this](const QString& path, Point at) { addBlock(path, at); });
    connect(m_scene, &GraphScene::renameGroupRequested, this, &EditActions::renameGroup);
    connect(m_scene, &GraphScene::saveBlockRequested, this, &EditActions::saveBlock);
    connect(m_scene, &GraphScene::callAgainRequested, this, [this](NodeId id) {
        m_scene->selectOnly({id});
        callAgain();
    });
}

QAction* EditActions::action(QMenu* menu, const QString& text, const QKeySequence& key,
                             const QString& tip, void (EditActions::*slot)()) {
    QAction* a = menu->addAction(text, this, slot);
    a->setShortcut(key);
    a->setShortcutContext(Qt::WidgetWithChildrenShortcut);  // text fields keep Ctrl+C/V
    a->setStatusTip(tip);
    a->setToolTip(tip);
    m_view->addAction(a);
    return a;
}

void EditActions::addTo(QMenu* edit) {
    action(edit, tr("Cu&t"), QKeySequence::Cut, tr("Remove the selected layers to the clipboard"),
           &EditActions::cut);
    action(edit, tr("&Copy"), QKeySequence::Copy,
           tr("Copy the selected layers and the wires between them"), &EditActions::copy);
    action(edit, tr("&Paste"), QKeySequence::Paste,
           tr("Paste layers; names already taken get the next free number"), &EditActions::paste);
    action(edit, tr("D&uplicate"), QKeySequence(Qt::CTRL | Qt::Key_D),
           tr("Copy and paste the selected layers in one step"), &EditActions::duplicate);
    action(edit, tr("Call Again with &Shared Weights"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_D),
           tr("Apply the selected layer at another place with the same weights, as a Keras layer called twice "
              "(Siamese encoders, seq2seq's inference models)"),
           &EditActions::callAgain);
    edit->addSeparator();
    QAction* add = edit->addAction(tr("Add &Layer..."), this, [this] {
        m_view->setFocus();
        quickAdd(m_view->mapToScene(m_view->viewport()->rect().center()));
    });
    add->setObjectName("addLayerAction");
    // Works from anywhere in the window (Tab does on the canvas only: elsewhere it moves
    // between fields).
    add->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    add->setShortcutContext(Qt::WindowShortcut);
    add->setStatusTip(tr("Search for a layer kind and add it after the selected layer (Ctrl+Shift+A anywhere; Tab or "
                         "double-click on the canvas)"));
    QMenu* skip = edit->addMenu(tr("Connect with S&kip"));
    skip->setToolTipsVisible(true);
    skip->setStatusTip(tr("Select an encoder and a decoder layer; a merge (and a projection "
                          "where needed) is inserted after the decoder"));
    for (const QString& kind : {QString("Add"), QString("Concatenate")}) {
        QAction* a = skip->addAction(tr("Through %1").arg(kind), this, [this, kind] { connectWithSkip(kind); });
        a->setShortcut(kind == "Add" ? QKeySequence(Qt::CTRL | Qt::Key_K)
                                     : QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        m_view->addAction(a);
    }
    edit->addSeparator();
    action(edit, tr("&Group..."), QKeySequence(Qt::CTRL | Qt::Key_G),
           tr("Gather the selected layers into a named block shown as one card"),
           &EditActions::groupSelection);
    action(edit, tr("U&ngroup"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G),
           tr("Dissolve the selected groups; their layers stay"), &EditActions::ungroupSelection);
    edit->addSeparator();
    QMenu* unet = edit->addMenu(tr("Symmetric U-Net Skips"));
    unet->setStatusTip(tr("Join every encoder layer to its mirror in the decoder"));
    for (const QString& kind : {QString("Concatenate"), QString("Add")}) {
        unet->addAction(tr("Through %1").arg(kind), this, [this, kind] { symmetricSkips(kind); });
    }
}

std::vector<NodeId> EditActions::selection() const { return m_scene->selectedLayers(); }

EditActions::Placement EditActions::placeNewLayer(QPointF fallback) const {
    // Below the one selected layer, wired from it; else where the user pointed.
    const std::vector<NodeId> selected = selection();
    const ModelGraph& graph = m_document->graph();
    const Node* after = selected.size() == 1 ? graph.node(selected.front()) : nullptr;
    if (!after) return {Point{fallback.x(), fallback.y()}, 0, QString()};
    Placement place{Point{after->position.x, after->position.y + style::kRowPitch}, after->id, QString::fromStdString(after->name)};
    // A layer that already feeds others: the new one goes into the chain, on the wire to the
    // consumer nearest below (a skip's merge lies further down); the other wires stay.
    const Edge* main = nullptr;
    const auto distance = [&](const Edge* e) {
        const Point p = graph.node(e->to.node)->position;
        const double dy = p.y - after->position.y;
        return std::pair{dy > 0 ? dy : 1e12 - dy, std::abs(p.x - after->position.x)};
    };
    for (const Edge* e : graph.outputEdges(after->id)) {
        if (e->from.port != 0) continue;  // a recurrent layer's states go where they go
        if (!main || distance(e) < distance(main)) main = e;
    }
    if (!main) return place;
    place.splice = main->id;
    place.beforeName = QString::fromStdString(graph.node(main->to.node)->name);
    for (const Edge* e : graph.outputEdges(after->id)) {
        const QString name = QString::fromStdString(graph.node(e->to.node)->name);
        // The consumer's other ports from the same layer follow the new one (Document::addLayer).
        if (e->from.port == 0 && e->to.node != main->to.node && !place.bypassed.contains(name)) place.bypassed << name;
    }
    return place;
}

void EditActions::addAt(const QString& kind, const Placement& place) {
    try {
        const NodeId added = m_document->addLayer(kind, place.at, place.splice, place.after);
        m_scene->selectOnly({added});
        // The view follows the new card.
        if (QGraphicsItem* card = m_scene->nodeItem(added)) m_view->ensureVisible(card, 60, 60);
        if (added && place.splice && !place.bypassed.isEmpty()) {
            emit hint(tr("%1 now runs between %2 and %3; %4 still read %2 directly")
                          .arg(QString::fromStdString(m_document->graph().node(added)->name), place.afterName, place.beforeName,
                               place.bypassed.join(", ")));
        }
    } catch (const EditError& e) {
        emit hint(QString::fromStdString(e.what()));
    }
}

void EditActions::quickAdd(QPointF scenePos) {
    const Placement place =
        placeNewLayer(QPointF(scenePos.x(), scenePos.y() - style::kHeaderHeight / 2.0));
    const QString where = place.splice  ? tr("between %1 and %2").arg(place.afterName, place.beforeName)
                          : place.after ? tr("after %1").arg(place.afterName)
                                        : QString();
    auto* box = new QuickAdd(where, m_view);
    connect(box, &QuickAdd::chosen, this, [this, place](const QString& kind) { addAt(kind, place); });
    box->move(m_view->viewport()->mapToGlobal(m_view->mapFromScene(scenePos)));
    box->show();
    box->searchField()->setFocus();
}

void EditActions::addLayer(const QString& kind) {
    addAt(kind, placeNewLayer(m_view->mapToScene(m_view->viewport()->rect().center())));
}

void EditActions::copy() {
    const std::vector<NodeId> ids = selection();
    if (ids.empty()) {
        emit hint(tr("Select layers to copy"));
        return;
    }
    Project clip;
    clip.graph = extractFragment(m_document->graph(), ids);
    const QByteArray json = QByteArray::fromStdString(serializeProject(clip));
    auto* data = new QMimeData;
    data->setData(kLayersMime, json);
    data->setText(QString::fromUtf8(json));
    QApplication::clipboard()->setMimeData(data);
    m_pasteCount = 0;
    emit hint(tr("Copied %1").arg(counted(static_cast<int>(ids.size()), "layer")));
}

void EditActions::cut() {
    const std::vector<NodeId> ids = selection();
    if (ids.empty()) return;
    copy();
    m_pasteCount = -1;  // the first paste goes where the layers were
    m_document->removeNodes(QList<NodeId>(ids.begin(), ids.end()));
}

void EditActions::paste() {
    const QMimeData* data = QApplication::clipboard()->mimeData();
    if (!data || !data->hasFormat(kLayersMime)) {
        emit hint(tr("The clipboard holds no layers"));
        return;
    }
    try {
        const QByteArray json = data->data(kLayersMime);
        const Project clip = parseProject(std::string_view(json.constData(), json.size()), "clipboard");
        ++m_pasteCount;
        const double shift = kPasteStep * m_pasteCount;
        const auto added = m_document->paste(clip.graph, {shift, shift},
                                             tr("Paste %1").arg(counted(static_cast<qsizetype>(clip.graph.nodes().size()), "layer")));
        m_scene->selectOnly(added);
    } catch (const std::exception& e) {
        emit hint(tr("Cannot paste: %1").arg(QString::fromStdString(e.what())));
    }
}

void EditActions::duplicate() {
    const std::vector<NodeId> ids = selection();
    if (ids.empty()) {
        emit hint(tr("Select layers to duplicate"));
        return;
    }
    const auto added = m_document->paste(extractFragment(m_document->graph(), ids),
                                         {kPasteStep, kPasteStep},
                                         tr("Duplicate %1").arg(counted(static_cast<int>(ids.size()), "layer")));
    m_scene->selectOnly(added);
}

void EditActions::callAgain() {
    const std::vector<NodeId> ids = selection();
    const ModelGraph& graph = m_document->graph();
    const Node* chosen = ids.size() == 1 ? graph.node(ids.front()) : nullptr;
    if (!chosen || chosen->isInput()) {
        emit hint(tr("Select one layer (not an Input) to call again with its weights"));
        return;
    }
    const Node& owner = *graph.node(graph.weightsOwner(chosen->id));
    // Beside the layer it calls, where its own input will come from another branch.
    const Point at = freePlace(graph, Point{chosen->position.x + LayoutSpacing{}.column, chosen->position.y});
    GraphEdit e;
    e.ops.push_back(edit::AddNode{owner.kind, {}, at});
    e.ops.push_back(edit::Share{NewNode{0}, owner.id});
    const QString name = QString::fromStdString(owner.name);
    try {
        const auto added = m_document->applyEdit(e, tr("Call %1 Again").arg(name));
        m_scene->selectOnly(added);
        emit hint(tr("The new layer calls %1 with its weights: wire its input").arg(name));
    } catch (const EditError& error) {
        emit failed(tr("Call Again with Shared Weights"), QString::fromStdString(error.what()));
    }
}

void EditActions::connectWithSkip(const QString& mergeKind) {
    const std::vector<NodeId> ids = selection();
    if (ids.size() != 2) {
        emit failed(tr("Connect with Skip"),
                    tr("Select exactly two layers (Ctrl+click): the encoder layer whose output "
                       "skips ahead, and the decoder layer it joins."));
        return;
    }
    try {
        const Fix fix = skipConnectionFix(m_document->graph(), m_document->validation(), ids[0],
                                          ids[1], mergeKind.toStdString());
        const auto added = m_document->applyEdit(fix.edit, QString::fromStdString(fix.title));
        m_scene->selectOnly(added);
        emit hint(QString::fromStdString(fix.title));
    } catch (const EditError& e) {
        emit failed(tr("Connect with Skip"), QString::fromStdString(e.what()));
    }
}

void EditActions::symmetricSkips(const QString& mergeKind) {
    try {
        const Fix fix = symmetricSkipsFix(m_document->graph(), m_document->validation(),
                                          mergeKind.toStdString());
        const auto added = m_document->applyEdit(fix.edit, QString::fromStdString(fix.title));
        m_scene->selectOnly(added);
        emit hint(QString::fromStdString(fix.title));
    } catch (const EditError& e) {
        emit failed(tr("Symmetric U-Net Skips"), QString::fromStdString(e.what()));
    }
}

}  // namespace loom::ui

namespace loom::ui {

void EditActions::groupSelection() {
    if (selection().empty()) {
        emit failed(tr("Group"), tr("Select the layers to gather into a group first."));
        return;
    }
    bool ok = false;
    const QString name = QInputDialog::getText(m_view, tr("Group Layers"), tr("Name of the block:"),
                                               QLineEdit::Normal,
                                               QString::fromStdString(m_document->graph().uniqueName("block")),
                                               &ok);
    if (ok && !name.trimmed().isEmpty()) groupSelectionAs(name.trimmed());
}

std::uint32_t EditActions::groupSelectionAs(const QString& name) {
    const std::vector<NodeId> ids = selection();
    if (ids.empty()) return 0;
    const std::uint32_t group = m_document->groupLayers(QList<NodeId>(ids.begin(), ids.end()), name);
    if (NodeItem* card = m_scene->groupItem(group)) m_scene->selectOnly({card->id()});
    emit hint(tr("Grouped %1 as %2; double-click the card to expand it")
                  .arg(counted(static_cast<qsizetype>(ids.size()), "layer"), name));
    return group;
}

void EditActions::ungroupSelection() {
    std::vector<std::uint32_t> groups;
    for (NodeId id : selection()) {
        if (const Group* g = m_document->graph().groupOf(id)) {
            if (std::find(groups.begin(), groups.end(), g->id) == groups.end()) groups.push_back(g->id);
        }
    }
    if (groups.empty()) {
        emit hint(tr("The selection is not in a group"));
        return;
    }
    m_document->undoStack()->beginMacro(tr("Ungroup"));
    for (std::uint32_t g : groups) m_document->ungroup(g);
    m_document->undoStack()->endMacro();
}

void EditActions::renameGroup(std::uint32_t group) {
    const Group* g = m_document->graph().group(group);
    if (!g) return;
    bool ok = false;
    const QString name = QInputDialog::getText(m_view, tr("Rename Group"), tr("Name of the block:"),
                                               QLineEdit::Normal, QString::fromStdString(g->name), &ok);
    if (ok) m_document->renameGroup(group, name.trimmed());
}

void EditActions::saveBlock(std::uint32_t group) {
    const Group* g = m_document->graph().group(group);
    if (!g) return;
    bool ok = false;
    const QString name = QInputDialog::getText(
        m_view, tr("Save as Block"), tr("Name in the palette's My Blocks:"), QLineEdit::Normal,
        QString::fromStdString(g->name), &ok);
    if (!ok || name.trimmed().isEmpty()) return;
    try {
        UserBlocks::save(m_document->graph(), group, name);
    } catch (const std::exception& e) {
        emit failed(tr("Save as Block"), QString::fromStdString(e.what()));
        return;
    }
    emit blocksChanged();
    emit hint(tr("Saved %1 to My Blocks in the Layers panel").arg(name.trimmed()));
}

void EditActions::addBlock(const QString& path, Point at, NodeId after) {
    ModelGraph block;
    try {
        block = UserBlocks::load(path);
    } catch (const std::exception& e) {
        emit failed(tr("Add Block"), tr("The block cannot be read:\n%1").arg(QString::fromStdString(e.what())));
        return;
    }
    if (block.nodes().empty()) return;
    // The block's card (or its top layer) lands at `at`.
    Point anchor = block.nodes().front().position;
    if (!block.groups().empty()) {
        anchor = block.groups().front().position;
    } else {
        for (const Node& n : block.nodes()) anchor.y = std::min(anchor.y, n.position.y);
    }
    const QString name = block.groups().empty() ? QFileInfo(path).completeBaseName()
                                                : QString::fromStdString(block.groups().front().name);
    // One step to undo: the block, and with a layer to follow, the wires into its entry.
    ModelGraph graph = m_document->graph();
    const std::vector<NodeId> added = pasteFragment(graph, block, {at.x - anchor.x, at.y - anchor.y});
    const Node* from = after ? graph.node(after) : nullptr;
    const int wired = from ? feedFreeInputs(graph, after, added) : 0;
    if (!m_document->replaceGraph(std::move(graph), tr("Add block %1").arg(name))) return;
    if (wired > 0) {
        emit hint(tr("%1 reads %2; wire its output on to the next layer")
                      .arg(name, QString::fromStdString(m_document->graph().node(after)->name)));
    }
    std::vector<NodeId> select = added;
    if (const Group* g = added.empty() ? nullptr : m_document->graph().groupOf(added.front())) {
        if (NodeItem* card = m_scene->groupItem(g->id)) select = {card->id()};
    }
    m_scene->selectOnly(select);
}

NodeId EditActions::followedLayer() const {
    const std::vector<NodeId> selected = selection();
    if (selected.size() == 1) return selected.front();
    // One group selected (its card): the member whose output leaves the group, or that nothing
    // reads; none when there are several.
    const ModelGraph& graph = m_document->graph();
    const Group* group = selected.empty() ? nullptr : graph.groupOf(selected.front());
    if (!group || group->members.size() != selected.size()) return 0;
    NodeId exit = 0;
    for (NodeId id : group->members) {
        if (std::find(selected.begin(), selected.end(), id) == selected.end()) return 0;
        const auto readers = graph.outputEdges(id);
        const bool leaves = readers.empty() || std::any_of(readers.begin(), readers.end(), [&](const Edge* e) {
                                return graph.groupOf(e->to.node) != group;
                            });
        if (!leaves) continue;
        if (exit) return 0;
        exit = id;
    }
    return exit;
}

void EditActions::addBlockAtCentre(const QString& path) {
    // Below the one selected layer and wired from it, beside its chain when something already
    // reads it; else in the middle of the view.
    const Node* after = m_document->graph().node(followedLayer());
    if (after) {
        const double aside = m_document->graph().outputEdges(after->id).empty() ? 0.0 : 2.0 * style::kRowPitch + 120.0;
        addBlock(path, {after->position.x + aside, after->position.y + style::kRowPitch}, after->id);
        return;
    }
    const QPointF centre = m_view->mapToScene(m_view->viewport()->rect().center());
    addBlock(path, {centre.x(), centre.y()});
}

}  // namespace loom::ui
