#pragma once

#include <QGraphicsItem>
#include <QPainterPath>

#include "canvas/node_item.h"

namespace loom::ui {

/// A wire: a smooth curve from a node's output port to another node's input port, labelled
/// with the shape it carries. Wires that skip past layers in one column bow out to the side so
/// that they never run behind a card, as skip connections do in Keras diagrams.
class EdgeItem : public QGraphicsItem {
public:
    enum { Type = UserType + 2 };

    EdgeItem(EdgeId id, NodeItem* from, NodeItem* to, int toPort, int fromPort = 0);

    EdgeId id() const { return m_id; }
    NodeItem* from() const { return m_from; }
    NodeItem* to() const { return m_to; }
    int toPort() const { return m_toPort; }
    int fromPort() const { return m_fromPort; }
    /// The shape it shows, its state, and its tooltip: the problem, or else the shape with `note`.
    void setLabel(QString shape, Status status, QString problem, const QString& note = {});
    /// Where along the wire its label sits (0.5: the middle); wires leaving one output get
    /// different places so that their labels do not cover each other. A skip's label sits
    /// beside its target at 0, else at that fraction of its run down the side.
    void setLabelPlace(double fraction);
    /// Whether the wire runs beside its column past other layers (set by updatePath()).
    bool isSkip() const { return m_skip; }
    /// The rightmost x of the wire's curve: how far out a skip runs.
    double pathRight() const { return m_path.boundingRect().right(); }
    /// Where the shape label is drawn, in the item's coordinates; null without a label.
    QRectF labelRect() const { return m_labelRect; }
    /// Marks the wire as the target of a layer being dropped onto it.
    void setHighlighted(bool on);
    /// Recomputes the curve from the current port positions.
    void updatePath();

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option,
               QWidget* widget) override;

private:
    EdgeId m_id;
    NodeItem* m_from;
    NodeItem* m_to;
    int m_toPort;
    int m_fromPort;
    QString m_label;
    Status m_status = Status::Ok;
    bool m_highlighted = false;
    double m_labelAt = 0.5;
    bool m_skip = false;
    QPainterPath m_path;
    QRectF m_labelRect;
};

}  // namespace loom::ui
