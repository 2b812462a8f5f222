#include "window/edit_actions.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCursor>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <algorithm>

#include "canvas/canvas_style.h"
#include "canvas/canvas_view.h"
#include "canvas/graph_scene.h"
#include "canvas/mime.h"
#include "canvas/node_item.h"
#include "canvas/quick_add.h"
#include "document/document.h"
#include "graph/fragment.h"
#include "shape/skip_connection.h"

namespace loom::ui {

namespace {
constexpr double kPasteStep = 40.0;
}  // namespace

EditActions::EditActions(Document* document, GraphScene* scene, CanvasView* view, QObject* parent)
    : QObject(parent), m_document(document), m_scene(scene), m_view(view) {
    connect(m_view, &CanvasView::quickAddRequested, this, &EditActions::quickAdd);
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
    edit->addSeparator();
    QAction* add = edit->addAction(tr("Add &Layer...") + "\tTab", this,
                                   [this] { quickAdd(m_view->mapToScene(m_view->viewport()->rect().center())); });
    add->setStatusTip(tr("Search for a layer kind and add it (Tab or double-click on the canvas)"));
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
    QMenu* unet = edit->addMenu(tr("Symmetric U-Net Skips"));
    unet->setStatusTip(tr("Join every encoder layer to its mirror in the decoder"));
    for (const QString& kind : {QString("Concatenate"), QString("Add")}) {
        unet->addAction(tr("Through %1").arg(kind), this, [this, kind] { symmetricSkips(kind); });
    }
}

std::vector<NodeId> EditActions::selection() const {
    std::vector<NodeId> ids;
    for (QGraphicsItem* item : m_scene->selectedItems()) {
        if (item->type() == NodeItem::Type) ids.push_back(static_cast<NodeItem*>(item)->id());
    }
    // In graph order, so that pasted copies keep the order of the original.
    const ModelGraph& g = m_document->graph();
    std::sort(ids.begin(), ids.end(), [&g](NodeId a, NodeId b) { return g.indexOf(a) < g.indexOf(b); });
    return ids;
}

void EditActions::quickAdd(QPointF scenePos) {
    const std::vector<NodeId> selected = selection();
    const Node* after = selected.size() == 1 ? m_document->graph().node(selected.front()) : nullptr;
    auto* box = new QuickAdd(after ? tr("after %1").arg(QString::fromStdString(after->name)) : QString(),
                             m_view);
    const NodeId afterId = after ? after->id : 0;
    const Point at = after ? Point{after->position.x, after->position.y + style::kRowPitch}
                           : Point{scenePos.x(), scenePos.y() - style::kHeaderHeight / 2.0};
    connect(box, &QuickAdd::chosen, this, [this, at, afterId](const QString& kind) {
        try {
            m_scene->selectOnly({m_document->addLayer(kind, at, 0, afterId)});
        } catch (const EditError& e) {
            emit hint(QString::fromStdString(e.what()));
        }
    });
    const QPoint global = m_view->viewport()->mapToGlobal(m_view->mapFromScene(scenePos));
    box->move(global);
    box->show();
    box->searchField()->setFocus();
}

void EditActions::addLayer(const QString& kind) {
    const std::vector<NodeId> selected = selection();
    const Node* after = selected.size() == 1 ? m_document->graph().node(selected.front()) : nullptr;
    const QPointF centre = m_view->mapToScene(m_view->viewport()->rect().center());
    const Point at = after ? Point{after->position.x, after->position.y + style::kRowPitch}
                           : Point{centre.x(), centre.y()};
    try {
        m_scene->selectOnly({m_document->addLayer(kind, at, 0, after ? after->id : 0)});
    } catch (const EditError& e) {
        emit hint(QString::fromStdString(e.what()));
    }
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
    emit hint(tr("Copied %n layer(s)", "", static_cast<int>(ids.size())));
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
                                             tr("Paste %n layer(s)", "", static_cast<int>(clip.graph.nodes().size())));
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
                                         tr("Duplicate %n layer(s)", "", static_cast<int>(ids.size())));
    m_scene->selectOnly(added);
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
