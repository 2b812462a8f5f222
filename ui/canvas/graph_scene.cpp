#include "canvas/graph_scene.h"

#include <QApplication>

#include <algorithm>

#include <QGraphicsSceneContextMenuEvent>
#include <QGraphicsSceneDragDropEvent>
#include <QGraphicsSceneMouseEvent>
#include <QMimeData>
#include <QKeyEvent>
#include <QGraphicsView>
#include <QToolTip>
#include <QMenu>
#include <QPainter>
#include <QSet>
#include <cmath>

#include "document/wording.h"
#include "canvas/canvas_style.h"
#include "canvas/edge_item.h"
#include "canvas/group_items.h"
#include "canvas/mime.h"
#include "canvas/node_item.h"
#include "canvas/scene_content.h"
#include "canvas/wire_drag.h"
#include "document/document.h"

namespace loom::ui {

GraphScene::GraphScene(Document* document, QObject* parent)
    : QGraphicsScene(parent), m_document(document) {
    setItemIndexMethod(QGraphicsScene::BspTreeIndex);
    // Items are kept by layer id across syncs; another model's layer with the same id is
    // another layer, so a replaced model starts with nothing selected.
    connect(m_document, &Document::replaced, this, &QGraphicsScene::clearSelection);
    connect(m_document, &Document::changed, this, &GraphScene::sync);
    sync();
}

GraphScene::~GraphScene() { m_drag.reset(); }

QRectF GraphScene::contentRect() const {
    return itemsBoundingRect().adjusted(-60, -60, 60, 60);
}

void GraphScene::sync() {
    m_drag.reset();  // the model changed under the wire (undo during a drag)
    const ModelGraph& graph = m_document->graph();
    // Another model, not an edit of this one: none of its layers has a card yet.
    const bool anotherModel = std::none_of(graph.nodes().begin(), graph.nodes().end(),
                                           [this](const Node& n) { return m_nodes.contains(n.id); });
    SceneContent content = sceneContent(graph, m_document->validation());

    // Cards: update the ones that changed, add new ones, drop the ones that are gone. Items
    // live on, so selection, hover and the view stay as they are.
    QSet<NodeId> reshaped;  ///< cards that moved or changed size: their wires follow
    QSet<NodeId> present;
    bool selectionChanged = false;
    for (CardContent& c : content.cards) {
        present.insert(c.card.id);
        NodeItem* item = placeCard(m_nodes, std::move(c.card), c.position, reshaped);
        if (c.hidden && item->isSelected()) {
            const QSignalBlocker quiet(this);
            item->setSelected(false);
            selectionChanged = true;
        }
        item->setVisible(!c.hidden);
    }
    QSet<NodeId> groupCards;
    for (CardContent& c : content.groupCards) {
        groupCards.insert(c.card.id);
        placeCard(m_groupCards, std::move(c.card), c.position, reshaped);
    }
    // Wires: the same, keyed by edge id; a wire whose ends changed is made anew.
    QSet<EdgeId> wires;
    QHash<NodeItem*, int> fanOut;     // wires so far from each output
    QHash<NodeItem*, int> skipFanIn;  // skip wires so far into each layer
    QSet<NodeItem*> shapeShown;       // outputs whose shape a short wire shows
    for (WireContent& w : content.wires) {
        NodeItem* from = isGroupCard(w.from) ? m_groupCards.value(w.from) : m_nodes.value(w.from);
        NodeItem* to = isGroupCard(w.to) ? m_groupCards.value(w.to) : m_nodes.value(w.to);
        if (!from || !to) continue;
        wires.insert(w.id);
        EdgeItem* item = m_edges.value(w.id);
        if (item && (item->from() != from || item->to() != to || item->toPort() != w.toPort || item->fromPort() != w.fromPort)) {
            delete item;
            item = nullptr;
        }
        if (!item) {
            item = new EdgeItem(w.id, from, to, w.toPort, w.fromPort);
            addItem(item);
            m_edges.insert(w.id, item);
        } else if (reshaped.contains(from->id()) || reshaped.contains(to->id())) {
            item->updatePath();
        }
        // One output has one shape: of the short wires leaving it, the first says it (a wire
        // with a problem always speaks). Skips are labelled where they arrive.
        if (!w.inside && !item->isSkip() && w.status == Status::Ok) {
            if (shapeShown.contains(from)) w.label.clear();
            if (!w.label.isEmpty()) shapeShown.insert(from);
        }
        item->setLabel(w.label, w.status, w.problem, w.note);
        item->setVisible(!w.inside);
        if (!w.inside) {
            static constexpr double kPlaces[] = {0.5, 0.3, 0.7, 0.4, 0.6};
            if (item->isSkip()) {
                const int k = skipFanIn[to]++;
                item->setLabelPlace(k == 0 ? 0.0 : kPlaces[(k - 1) % 5]);
            } else {
                item->setLabelPlace(kPlaces[fanOut[from]++ % 5]);
            }
        }
    }
    for (auto it = m_edges.begin(); it != m_edges.end();) {
        if (wires.contains(it.key())) {
            ++it;
        } else {
            delete it.value();
            it = m_edges.erase(it);
        }
    }
    // Cards that are gone, after their wires.
    selectionChanged = dropCards(m_nodes, present) || selectionChanged;
    selectionChanged = dropCards(m_groupCards, groupCards) || selectionChanged;
    syncFrames();
    m_edgesOfNode.clear();
    for (EdgeItem* e : std::as_const(m_edges)) {
        m_edgesOfNode.insert(e->from()->id(), e);
        if (e->to() != e->from()) m_edgesOfNode.insert(e->to()->id(), e);
    }
    arrangePorts();
    // While a model is edited the scene only grows: a rect that shrank or shifted with each
    // wire label would move the whole canvas sideways after every wiring and undo.
    const QRectF wanted = contentRect().adjusted(-400, -400, 400, 400);
    setSceneRect(anotherModel ? wanted : sceneRect().united(wanted));
    if (selectionChanged) emit this->selectionChanged();
}

void GraphScene::arrangePorts() {
    // Where each wire arrives from: its source's x, or for a skip, which comes down the right
    // of the column, how far out it runs.
    QHash<NodeItem*, QList<std::pair<double, int>>> arrivals;
    for (EdgeItem* e : std::as_const(m_edges)) {
        if (!e->isVisible() || !e->to()->card().interchangeableInputs) continue;
        const double from = e->isSkip() ? e->pathRight() : e->from()->outputPortPos(e->fromPort()).x();
        arrivals[e->to()].append({from, e->toPort()});
    }
    for (NodeItem* item : std::as_const(m_nodes)) {
        const NodeCard& card = item->card();
        QList<int> places;
        QList<std::pair<double, int>> wired = arrivals.value(item);
        const bool oneWireEach = std::all_of(wired.begin(), wired.end(), [&](const auto& w) {
            return w.second < card.inputPorts &&
                   std::count_if(wired.begin(), wired.end(), [&](const auto& v) { return v.second == w.second; }) == 1;
        });
        if (card.interchangeableInputs && !wired.isEmpty() && oneWireEach) {
            std::stable_sort(wired.begin(), wired.end());
            QList<int> free;
            for (int port = 0; port < card.inputPorts; ++port) {
                if (std::none_of(wired.begin(), wired.end(), [port](const auto& w) { return w.second == port; })) free.append(port);
            }
            // The wired ports take places side by side in the order their wires arrive; the free
            // ones go before or after them, wherever the wires then travel least sideways (a
            // straight wire stays straight, a skip enters the port on its side).
            const int n = card.inputPorts;
            const auto placeX = [&](int place) { return item->pos().x() + NodeItem::inputPlaceX(place, n); };
            int bestOffset = 0;
            double bestCost = INFINITY;
            for (int offset = 0; offset + wired.size() <= n; ++offset) {
                double cost = 0;
                for (int k = 0; k < wired.size(); ++k) cost += std::abs(placeX(offset + k) - wired[k].first);
                if (cost < bestCost - 1e-6) bestCost = cost, bestOffset = offset;
            }
            places = QList<int>(n, 0);
            int next = 0;
            for (int k = 0; k < wired.size(); ++k) places[wired[k].second] = bestOffset + static_cast<int>(k);
            for (int port : free) {
                if (next == bestOffset) next += static_cast<int>(wired.size());
                places[port] = next++;
            }
        }
        if (!item->setPortPlaces(places)) continue;
        for (EdgeItem* e : m_edgesOfNode.values(item->id())) {
            if (e->to() == item) e->updatePath();
        }
    }
}

bool GraphScene::dropCards(QHash<NodeId, NodeItem*>& items, const QSet<NodeId>& keep) {
    bool selected = false;
    for (auto it = items.begin(); it != items.end();) {
        if (keep.contains(it.key())) {
            ++it;
            continue;
        }
        selected = selected || it.value()->isSelected();
        {
            const QSignalBlocker quiet(this);
            delete it.value();
        }
        it = items.erase(it);
    }
    return selected;
}

NodeItem* GraphScene::placeCard(QHash<NodeId, NodeItem*>& items, NodeCard card, Point at,
                                QSet<NodeId>& reshaped) {
    const NodeId id = card.id;
    NodeItem* item = items.value(id);
    if (!item) {
        item = new NodeItem(std::move(card));
        item->setPos(at.x, at.y);
        item->setMoveListener([this](NodeId moved) { followCard(moved); });
        addItem(item);
        items.insert(id, item);
        return item;
    }
    if (!(item->card() == card)) {
        if (item->card().inputPorts != card.inputPorts || item->card().outputNames != card.outputNames ||
            item->card().details.size() != card.details.size()) {
            reshaped.insert(id);
        }
        item->setCard(std::move(card));
    }
    if (item->pos() != QPointF(at.x, at.y)) {
        const QSignalBlocker quiet(this);
        item->setMoveListener({});  // wires follow once, after the sync
        item->setPos(at.x, at.y);
        item->setMoveListener([this](NodeId moved) { followCard(moved); });
        reshaped.insert(id);
    }
    return item;
}

void GraphScene::followCard(NodeId id) {
    for (EdgeItem* e : m_edgesOfNode.values(id)) e->updatePath();
    if (GroupFrame* frame = m_frameOfNode.value(id)) fitFrame(frame);
}

void GraphScene::fitFrame(GroupFrame* frame) {
    const Group* g = m_document->graph().group(frame->group());
    if (!g) return;
    QRectF box;
    for (NodeId id : g->members) {
        if (NodeItem* item = m_nodes.value(id)) box = box.united(item->sceneBoundingRect());
    }
    frame->fit(box);
}

void GraphScene::syncFrames() {
    // An outline around each expanded group's layers.
    QSet<std::uint32_t> expanded;
    m_frameOfNode.clear();
    for (const Group& g : m_document->graph().groups()) {
        if (g.collapsed) continue;
        expanded.insert(g.id);
        GroupFrame* frame = m_frames.value(g.id);
        if (!frame) {
            frame = new GroupFrame(g.id, QString::fromStdString(g.name));
            addItem(frame);
            m_frames.insert(g.id, frame);
        }
        frame->setName(QString::fromStdString(g.name));
        for (NodeId id : g.members) m_frameOfNode.insert(id, frame);
        fitFrame(frame);
    }
    for (auto it = m_frames.begin(); it != m_frames.end();) {
        if (expanded.contains(it.key())) {
            ++it;
        } else {
            delete it.value();
            it = m_frames.erase(it);
        }
    }
}

NodeItem* GraphScene::groupItem(std::uint32_t group) const {
    return m_groupCards.value(groupCardId(group));
}

std::vector<NodeId> GraphScene::selectedLayers() const {
    std::vector<NodeId> ids;
    const ModelGraph& graph = m_document->graph();
    for (QGraphicsItem* item : selectedItems()) {
        if (item->type() != NodeItem::Type) continue;
        const NodeId id = static_cast<NodeItem*>(item)->id();
        if (!isGroupCard(id)) {
            ids.push_back(id);
        } else if (const Group* g = graph.group(groupOfCard(id))) {
            ids.insert(ids.end(), g->members.begin(), g->members.end());
        }
    }
    std::sort(ids.begin(), ids.end(), [&graph](NodeId a, NodeId b) {
        return graph.indexOf(a) < graph.indexOf(b);
    });
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

double GraphScene::portGrab() const {
    return style::portGrab(views().isEmpty() ? 1.0 : views().front()->transform().m11());
}

void GraphScene::selectOnly(const std::vector<NodeId>& ids) {
    {
        const QSignalBlocker quiet(this);
        clearSelection();
        for (NodeId id : ids) {
            NodeItem* item = isGroupCard(id) ? m_groupCards.value(id) : m_nodes.value(id);
            if (item && item->isVisible()) item->setSelected(true);
        }
    }
    emit selectionChanged();
}

EdgeItem* GraphScene::wireAt(QPointF scenePos) const {
    for (QGraphicsItem* item : items(scenePos)) {
        if (item->type() == NodeItem::Type) return nullptr;  // a card hides the wires below
        if (item->type() == EdgeItem::Type) return static_cast<EdgeItem*>(item);
    }
    return nullptr;
}

void GraphScene::dragEnterEvent(QGraphicsSceneDragDropEvent* event) {
    event->setAccepted(event->mimeData()->hasFormat(kLayerKindMime) ||
                       event->mimeData()->hasFormat(kBlockMime));
}

void GraphScene::dragMoveEvent(QGraphicsSceneDragDropEvent* event) {
    if (event->mimeData()->hasFormat(kBlockMime)) {
        event->acceptProposedAction();  // blocks land on the canvas, not into wires
        return;
    }
    if (!event->mimeData()->hasFormat(kLayerKindMime)) {
        event->ignore();
        return;
    }
    EdgeItem* wire = wireAt(event->scenePos());
    const EdgeId id = wire ? wire->id() : 0;
    if (id != m_dropWire) {
        if (EdgeItem* old = m_edges.value(m_dropWire)) old->setHighlighted(false);
        if (wire) wire->setHighlighted(true);
        m_dropWire = id;
    }
    event->acceptProposedAction();
}

void GraphScene::dragLeaveEvent(QGraphicsSceneDragDropEvent* event) {
    if (EdgeItem* old = m_edges.value(m_dropWire)) old->setHighlighted(false);
    m_dropWire = 0;
    event->accept();
}

void GraphScene::dropEvent(QGraphicsSceneDragDropEvent* event) {
    if (event->mimeData()->hasFormat(kBlockMime)) {
        const QString path = QString::fromUtf8(event->mimeData()->data(kBlockMime));
        const Point at{event->scenePos().x(), event->scenePos().y() - style::kHeaderHeight / 2.0};
        event->acceptProposedAction();
        later([this, path, at] { emit blockDropped(path, at); });
        return;
    }
    const QString kind = QString::fromUtf8(event->mimeData()->data(kLayerKindMime));
    if (kind.isEmpty()) {
        event->ignore();
        return;
    }
    const EdgeId wire = m_dropWire;
    if (EdgeItem* old = m_edges.value(m_dropWire)) old->setHighlighted(false);
    m_dropWire = 0;
    // The card's header centre lands under the cursor.
    const Point at{event->scenePos().x(), event->scenePos().y() - style::kHeaderHeight / 2.0};
    event->acceptProposedAction();
    later([this, kind, at, wire] {
        try {
            selectOnly({m_document->addLayer(kind, at, wire)});
        } catch (const EditError& e) {
            emit hint(QString::fromStdString(e.what()));
        }
    });
}

void GraphScene::mousePressEvent(QGraphicsSceneMouseEvent* event) {
    m_cardsMoving = false;
    if (event->button() == Qt::LeftButton && !m_drag) {
        m_drag = WireDrag::startAt(this, *m_document, event->scenePos(), portGrab());
        if (m_drag) {
            event->accept();
            return;
        }
    }
    QGraphicsScene::mousePressEvent(event);
}

void GraphScene::mouseMoveEvent(QGraphicsSceneMouseEvent* event) {
    if (!m_drag) {
        // Cards move only once the pointer itself has travelled: a click that selects a card
        // fills the Inspector, the canvas narrows and the view shifts under the pressed
        // button, and Qt replays that as a move of the card.
        if ((event->buttons() & Qt::LeftButton) && !m_cardsMoving) {
            const QPoint travelled = event->screenPos() - event->buttonDownScreenPos(Qt::LeftButton);
            if (travelled.manhattanLength() < QApplication::startDragDistance()) {
                event->accept();
                return;
            }
            m_cardsMoving = true;
        }
        QGraphicsScene::mouseMoveEvent(event);
        return;
    }
    m_drag->moveTo(event->scenePos());
    const QString text = m_drag->hoverText();
    if (text.isEmpty()) {
        QToolTip::hideText();
    } else {
        QToolTip::showText(event->screenPos(), text);
    }
    event->accept();
}

void GraphScene::keyPressEvent(QKeyEvent* event) {
    if (m_drag && event->key() == Qt::Key_Escape) {
        m_drag.reset();
        emit hint(tr("Wiring cancelled"));
        event->accept();
        return;
    }
    QGraphicsScene::keyPressEvent(event);
}

void GraphScene::mouseReleaseEvent(QGraphicsSceneMouseEvent* event) {
    if (m_drag) {
        const WireDrag::Outcome outcome = m_drag->finish();
        m_drag.reset();
        QToolTip::hideText();
        if (!outcome.refusal.isEmpty()) emit hint(outcome.refusal);
        if (!outcome.edit.ops.empty()) {
            later([this, outcome] {
                try {
                    m_document->applyEdit(outcome.edit, outcome.text);
                    emit hint(outcome.text);
                } catch (const EditError& e) {
                    emit hint(QString::fromStdString(e.what()));
                }
            });
        }
        event->accept();
        return;
    }
    QGraphicsScene::mouseReleaseEvent(event);
    QMap<NodeId, Point> moved;
    QMap<std::uint32_t, Point> movedGroups;
    const ModelGraph& graph = m_document->graph();
    for (NodeItem* item : std::as_const(m_nodes)) {
        const Node* n = graph.node(item->id());
        const Point at{item->pos().x(), item->pos().y()};
        if (n && !(n->position == at)) moved.insert(item->id(), at);
    }
    for (NodeItem* item : std::as_const(m_groupCards)) {
        const Group* g = graph.group(groupOfCard(item->id()));
        const Point at{item->pos().x(), item->pos().y()};
        if (g && !(g->position == at)) movedGroups.insert(g->id, at);
    }
    if (!moved.isEmpty() || !movedGroups.isEmpty()) {
        later([this, moved, movedGroups] { m_document->moveNodes(moved, movedGroups); });
    }
}

void GraphScene::later(std::function<void()> change) {
    // Document changes update items (and may delete some); they wait until the current event
    // is handled.
    QMetaObject::invokeMethod(this, std::move(change), Qt::QueuedConnection);
}

void GraphScene::mouseDoubleClickEvent(QGraphicsSceneMouseEvent* event) {
    // Double-click a group's card to open it, its frame's title to close it again.
    for (QGraphicsItem* item : items(event->scenePos())) {
        if (item->type() == NodeItem::Type && isGroupCard(static_cast<NodeItem*>(item)->id())) {
            const std::uint32_t g = groupOfCard(static_cast<NodeItem*>(item)->id());
            later([this, g] { m_document->setGroupCollapsed(g, false); });
            event->accept();
            return;
        }
        if (item->type() == GroupFrame::Type) {
            const std::uint32_t g = static_cast<GroupFrame*>(item)->group();
            later([this, g] { m_document->setGroupCollapsed(g, true); });
            event->accept();
            return;
        }
        if (item->type() == NodeItem::Type) break;
    }
    QGraphicsScene::mouseDoubleClickEvent(event);
}

void GraphScene::addGroupActions(QMenu& menu, std::uint32_t group) {
    const Group* g = m_document->graph().group(group);
    if (!g) return;
    const QString name = QString::fromStdString(g->name);
    if (g->collapsed) {
        menu.addAction(tr("Expand %1").arg(name), this,
                       [this, group] { later([this, group] { m_document->setGroupCollapsed(group, false); }); });
    } else {
        menu.addAction(tr("Collapse %1").arg(name), this,
                       [this, group] { later([this, group] { m_document->setGroupCollapsed(group, true); }); });
    }
    menu.addAction(tr("Rename Group..."), this, [this, group] { emit renameGroupRequested(group); });
    menu.addAction(tr("Save as Block in the Palette..."), this,
                   [this, group] { emit saveBlockRequested(group); });
    menu.addAction(tr("Ungroup"), this,
                   [this, group] { later([this, group] { m_document->ungroup(group); }); });
}

void GraphScene::contextMenuEvent(QGraphicsSceneContextMenuEvent* event) {
    NodeItem* card = nullptr;
    GroupFrame* frame = nullptr;
    for (QGraphicsItem* item : items(event->scenePos())) {
        if (item->type() == NodeItem::Type) {
            card = static_cast<NodeItem*>(item);
            break;
        }
        if (item->type() == GroupFrame::Type && !frame) frame = static_cast<GroupFrame*>(item);
    }
    QMenu menu;
    if (!card && frame) {
        addGroupActions(menu, frame->group());
        menu.exec(event->screenPos());
        event->accept();
        return;
    }
    if (!card) return;
    const NodeId id = card->id();
    if (isGroupCard(id)) {
        addGroupActions(menu, groupOfCard(id));
        menu.addSeparator();
        const Group* g = m_document->graph().group(groupOfCard(id));
        const QList<NodeId> members = g ? QList<NodeId>(g->members.begin(), g->members.end())
                                        : QList<NodeId>();
        menu.addAction(tr("Delete the group's %1").arg(counted(static_cast<int>(members.size()), "layer")),
                       this, [this, members] { later([this, members] { m_document->removeNodes(members); }); });
        menu.exec(event->screenPos());
        event->accept();
        return;
    }
    for (const Diagnostic& d : m_document->validation().diagnostics) {
        if (d.node != id) continue;
        for (const Fix& f : d.fixes) {
            menu.addAction(tr("Fix: %1").arg(QString::fromStdString(f.title)), this, [this, f] {
                later([this, f] {
                    try {
                        m_document->applyFix(f);
                    } catch (const EditError&) {
                        // The model changed under the menu; the Problems dock shows the rest.
                    }
                });
            });
        }
    }
    if (!menu.isEmpty()) menu.addSeparator();
    if (const Group* g = m_document->graph().groupOf(id)) {
        addGroupActions(menu, g->id);
        menu.addSeparator();
    }
    if (const Node* n = m_document->graph().node(id); n && !n->isInput()) {
        menu.addAction(tr("Call Again with Shared Weights"), this, [this, id] { later([this, id] { emit callAgainRequested(id); }); });
        if (n->shares) {
            menu.addAction(tr("Give %1 Weights of Its Own").arg(card->card().name), this, [this, id] {
                later([this, id] {
                    GraphEdit own;
                    own.ops.push_back(edit::Share{id, 0});
                    m_document->applyEdit(own, tr("Give %1 Weights of Its Own").arg(QString::fromStdString(m_document->graph().node(id)->name)));
                });
            });
        }
        menu.addSeparator();
    }
    menu.addAction(tr("Delete %1").arg(card->card().name), this,
                   [this, id] { later([this, id] { m_document->removeNodes({id}); }); });
    menu.exec(event->screenPos());
    event->accept();
}

void GraphScene::drawBackground(QPainter* painter, const QRectF& rect) {
    painter->fillRect(rect, style::canvasBackground());
    // Dots every 24 units, thinned out when zoomed out so that they stay at least 12 pixels
    // apart (and cheap to draw).
    const double zoom = painter->worldTransform().m11();
    double step = kGrid;
    while (step * zoom < 12.0) step *= 2.0;
    const double left = std::floor(rect.left() / step) * step;
    const double top = std::floor(rect.top() / step) * step;
    const double columns = std::ceil((rect.right() - left) / step);
    const double rows = std::ceil((rect.bottom() - top) / step);
    if (columns * rows > 40000.0) return;
    // Square 2-pixel dots without antialiasing: a round antialiased dot costs a hundred times
    // more, and thousands are drawn per frame.
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, false);
    QPen pen(style::gridDot(), 2.0);
    pen.setCapStyle(Qt::SquareCap);
    pen.setCosmetic(true);
    painter->setPen(pen);
    QVector<QPointF> dots;
    dots.reserve(static_cast<qsizetype>(columns * rows));
    for (double x = left; x < rect.right(); x += step) {
        for (double y = top; y < rect.bottom(); y += step) dots.append(QPointF(x, y));
    }
    painter->drawPoints(dots.constData(), static_cast<int>(dots.size()));
    painter->restore();
}

}  // namespace loom::ui
