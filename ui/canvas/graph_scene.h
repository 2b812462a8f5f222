#pragma once

#include <QGraphicsScene>
#include <QHash>
#include <QMultiHash>
#include <QSet>
#include <functional>
#include <vector>
#include <memory>

#include "graph/ids.h"
#include "graph/model_graph.h"

class QMenu;

namespace loom::ui {

class Document;
class EdgeItem;
class GroupFrame;
class NodeItem;
struct NodeCard;
class WireDrag;

/// The canvas content: one NodeItem per layer and one EdgeItem per wire, kept in step with the
/// Document (only what changed is touched). Items are views; the Document holds the model.
class GraphScene : public QGraphicsScene {
    Q_OBJECT

public:
    explicit GraphScene(Document* document, QObject* parent = nullptr);
    ~GraphScene() override;

    NodeItem* nodeItem(NodeId id) const { return m_nodes.value(id); }
    /// The card of a collapsed group, or null.
    NodeItem* groupItem(std::uint32_t group) const;
    /// The selected layers, with the layers of selected group cards, in graph order.
    std::vector<NodeId> selectedLayers() const;
    const QHash<NodeId, NodeItem*>& nodeItems() const { return m_nodes; }
    const QHash<EdgeId, EdgeItem*>& edgeItems() const { return m_edges; }
    /// The bounding box of all cards and wires, with a margin.
    QRectF contentRect() const;
    /// Selects exactly these layers.
    void selectOnly(const std::vector<NodeId>& ids);
    /// The wire under a scene point, if any (for dropping a layer onto it).
    EdgeItem* wireAt(QPointF scenePos) const;
    /// How near a port (in scene units) a press must be to take it, at the view's zoom.
    double portGrab() const;
    /// Cards dragged with snapping on land on the background grid.
    void setSnapToGrid(bool on) { m_snap = on; }
    bool snapToGrid() const { return m_snap; }
    /// The grid's spacing in scene units (the background dots).
    static constexpr double kGrid = 24.0;
    /// Whether a wire is being dragged.
    bool isWiring() const { return m_drag != nullptr; }

signals:
    /// A short explanation for the status bar: why a wire was refused, what a gesture did.
    void hint(const QString& text);
    /// The user chose Rename Group or Save as Block on a group; the window asks for a name.
    void renameGroupRequested(std::uint32_t group);
    /// The user asked to call a layer again with its weights (a shared layer).
    void callAgainRequested(loom::NodeId id);
    void saveBlockRequested(std::uint32_t group);
    /// A saved block was dropped on the canvas at `at`.
    void blockDropped(const QString& path, loom::Point at);

protected:
    /// A press on a port starts dragging a wire (see WireDrag); elsewhere, Qt's selection and
    /// moving.
    void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    /// Palette entries dropped on the canvas become layers; dropped on a wire, they are spliced
    /// into it.
    void dragEnterEvent(QGraphicsSceneDragDropEvent* event) override;
    void dragMoveEvent(QGraphicsSceneDragDropEvent* event) override;
    void dragLeaveEvent(QGraphicsSceneDragDropEvent* event) override;
    void dropEvent(QGraphicsSceneDragDropEvent* event) override;
    void drawBackground(QPainter* painter, const QRectF& rect) override;
    /// A drag of cards ends here: their new places go to the Document as one undo step.
    void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;
    /// Right-click on a card: the fixes for its problems, and Delete.
    void contextMenuEvent(QGraphicsSceneContextMenuEvent* event) override;
    /// Double-click a group card to expand it, an expanded group's title to collapse it.
    void mouseDoubleClickEvent(QGraphicsSceneMouseEvent* event) override;

private:
    Document* m_document;
    QHash<NodeId, NodeItem*> m_nodes;
    QHash<EdgeId, EdgeItem*> m_edges;
    QMultiHash<NodeId, EdgeItem*> m_edgesOfNode;
    QHash<NodeId, NodeItem*> m_groupCards;  ///< by groupCardId()
    QHash<std::uint32_t, GroupFrame*> m_frames;
    QHash<NodeId, GroupFrame*> m_frameOfNode;
    std::unique_ptr<WireDrag> m_drag;
    bool m_cardsMoving = false;  ///< the pointer has travelled since the press: cards follow it
    EdgeId m_dropWire = 0;
    bool m_snap = false;  ///< the wire a dragged palette entry would be spliced into

    /// Brings the items in line with the Document's sceneContent(): changed cards and wires are
    /// updated, new ones added, removed ones deleted; nothing else is touched.
    void sync();
    void later(std::function<void()> change);
    NodeItem* placeCard(QHash<NodeId, NodeItem*>& items, NodeCard card, Point at,
                        QSet<NodeId>& reshaped);
    /// Deletes the cards not in `keep`; returns whether one of them was selected.
    bool dropCards(QHash<NodeId, NodeItem*>& items, const QSet<NodeId>& keep);
    void followCard(NodeId id);
    void fitFrame(GroupFrame* frame);
    void syncFrames();
    /// Draws the ports of layers whose inputs may come in any order in the order their wires
    /// arrive from, so that a skip, which comes around the right, crosses no other wire.
    void arrangePorts();
    void addGroupActions(QMenu& menu, std::uint32_t group);
};

}  // namespace loom::ui
