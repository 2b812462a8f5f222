#pragma once

#include <QGraphicsScene>
#include <QHash>
#include <QMultiHash>
#include <functional>

#include "graph/ids.h"

namespace loom::ui {

class Document;
class EdgeItem;
class NodeItem;

/// The canvas content: one NodeItem per layer and one EdgeItem per wire, rebuilt from the
/// Document whenever it changes. Items are views; the Document holds the model.
class GraphScene : public QGraphicsScene {
    Q_OBJECT

public:
    explicit GraphScene(Document* document, QObject* parent = nullptr);

    NodeItem* nodeItem(NodeId id) const { return m_nodes.value(id); }
    const QHash<NodeId, NodeItem*>& nodeItems() const { return m_nodes; }
    const QHash<EdgeId, EdgeItem*>& edgeItems() const { return m_edges; }
    /// The bounding box of all cards and wires, with a margin.
    QRectF contentRect() const;

protected:
    void drawBackground(QPainter* painter, const QRectF& rect) override;
    /// A drag of cards ends here: their new places go to the Document as one undo step.
    void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;
    /// Right-click on a card: the fixes for its problems, and Delete.
    void contextMenuEvent(QGraphicsSceneContextMenuEvent* event) override;

private:
    Document* m_document;
    QHash<NodeId, NodeItem*> m_nodes;
    QHash<EdgeId, EdgeItem*> m_edges;
    QMultiHash<NodeId, EdgeItem*> m_edgesOfNode;

    void rebuild();
    void later(std::function<void()> change);
};

}  // namespace loom::ui
