#pragma once

#include <QGraphicsItem>
#include <QStringList>
#include <functional>

#include "canvas/node_card.h"
#include "graph/ids.h"

namespace loom::ui {

/// A layer on the canvas: a card with a coloured header (name, kind), its key parameters and
/// its output shape; input ports on the top edge, the output port at the bottom.
class NodeItem : public QGraphicsItem {
public:
    enum { Type = UserType + 1 };

    explicit NodeItem(NodeCard card);

    void setCard(NodeCard card);
    const NodeCard& card() const { return m_card; }
    NodeId id() const { return m_card.id; }

    /// Scene position of an input port (port order = operand order, unless setPortPlaces says
    /// otherwise) and of an output port (0, or a recurrent layer's states after it).
    QPointF inputPortPos(int port) const;
    /// Where each input port is drawn, left to right, for a layer whose inputs may come in any
    /// order: places[port]. Empty: in port order. Returns whether anything moved.
    bool setPortPlaces(QList<int> places);
    /// The x, from the card's middle, of input place `place` of `count` along the top edge.
    static double inputPlaceX(int place, int count);
    QPointF outputPortPos(int port = 0) const;
    int outputPorts() const { return std::max<int>(1, static_cast<int>(m_card.outputNames.size())); }

    /// The input (output) port within `radius` of a scene point, or -1.
    int inputPortNear(QPointF scenePos, double radius) const;
    int outputPortNear(QPointF scenePos, double radius) const;

    /// Lights up or dims ports while a wire is dragged; empty lists clear it.
    void setPortStates(QList<PortState> inputs, QList<PortState> outputs);

    /// Called whenever the card moves, so that its wires can follow.
    void setMoveListener(std::function<void(NodeId)> listener) { m_onMove = std::move(listener); }

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    /// The card and its ports: what clicks, hovers and drops hit (not the badge's margin).
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option,
               QWidget* widget) override;

protected:
    void hoverMoveEvent(QGraphicsSceneHoverEvent* event) override;
    QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;

private:
    NodeCard m_card;
    QList<PortState> m_inputStates, m_outputStates;
    QList<int> m_portPlaces;
    double m_height = 0.0;
    std::function<void(NodeId)> m_onMove;

    QRectF cardRect() const;
    void paintPort(QPainter* p, QPointF at, bool wired, PortState state) const;
};

}  // namespace loom::ui
