#include "canvas/edge_item.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>
#include <cmath>

#include "canvas/canvas_style.h"

namespace loom::ui {

EdgeItem::EdgeItem(EdgeId id, NodeItem* from, NodeItem* to, int toPort, int fromPort)
    : m_id(id), m_from(from), m_to(to), m_toPort(toPort), m_fromPort(fromPort) {
    setZValue(0.0);
    setAcceptHoverEvents(true);
    updatePath();
}

void EdgeItem::setLabel(QString shape, Status status, QString problem, const QString& note) {
    const QString tip = !problem.isEmpty() ? problem : note.isEmpty() || shape.isEmpty() ? shape + note : shape + "\n" + note;
    if (shape == m_label && status == m_status && tip == toolTip()) return;
    m_label = std::move(shape);
    m_status = status;
    setToolTip(tip);
    updatePath();
}

void EdgeItem::setLabelPlace(double fraction) {
    if (fraction == m_labelAt) return;
    m_labelAt = fraction;
    updatePath();
}

void EdgeItem::setHighlighted(bool on) {
    if (m_highlighted == on) return;
    m_highlighted = on;
    update();
}

void EdgeItem::updatePath() {
    prepareGeometryChange();
    const QPointF a = m_from->outputPortPos(m_fromPort);
    const QPointF b = m_to->inputPortPos(m_toPort);
    const double dy = b.y() - a.y();
    const bool sameColumn = std::abs(b.x() - a.x()) < style::kCardWidth;
    const bool skip = sameColumn && dy > 2.2 * style::kRowPitch;
    static const QFontMetricsF fm(style::monoFont(8.0));
    const double w = fm.horizontalAdvance(m_label) + 10.0;
    const double h = fm.height() + 4.0;
    QPainterPath path(a);
    QPointF labelAt;
    if (skip) {
        // A skip past layers of this column: out to the side through the gap below the source,
        // down beside the column, back in through the gap above the target. Longer skips run
        // further out so that nested skips do not overlap.
        const double gap = 16.0, r = 14.0;
        const double side = std::max(a.x(), b.x()) + style::kCardWidth / 2.0 + 30.0 +
                            std::min(300.0, dy * 0.12);
        const double top = a.y() + gap, bottom = b.y() - gap;
        path.quadTo(a.x(), top, a.x() + r, top);
        path.lineTo(side - r, top);
        path.quadTo(side, top, side, top + r);
        path.lineTo(side, bottom - r);
        path.quadTo(side, bottom, side - r, bottom);
        path.lineTo(b.x() + r, bottom);
        path.quadTo(b.x(), bottom, b.x(), b.y());
        // The label rides where the skip arrives, right of the target card, saying what
        // reaches that port: skips into different layers then never share a label's place,
        // however they nest. Further skips into one layer stack their labels down the side.
        if (m_labelAt <= 0.0) {
            labelAt = QPointF(m_to->sceneBoundingRect().right() + 8.0 + w / 2.0, bottom);
        } else {
            labelAt = QPointF(side, top + (bottom - top) * m_labelAt);
        }
    } else {
        const double reach = std::max(40.0, std::abs(dy) * 0.45);
        path.cubicTo(a + QPointF(0, reach), b - QPointF(0, reach), b);
        labelAt = path.pointAtPercent(m_labelAt);
    }
    m_path = path;
    m_skip = skip;
    setZValue(skip ? -1.0 : 0.0);  // labels of short wires stay readable over skip arcs

    m_labelRect = m_label.isEmpty()
                      ? QRectF()
                      : QRectF(labelAt.x() - w / 2, labelAt.y() - h / 2, w, h);
    update();
}

QRectF EdgeItem::boundingRect() const {
    return m_path.boundingRect().united(m_labelRect).adjusted(-4, -4, 4, 4);
}

QPainterPath EdgeItem::shape() const {
    QPainterPathStroker stroker;
    stroker.setWidth(10.0);
    QPainterPath s = stroker.createStroke(m_path);
    s.addRect(m_labelRect);
    return s;
}

void EdgeItem::paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget*) {
    const bool detailed = option->levelOfDetailFromTransform(p->worldTransform()) >= style::kDetailZoom;
    p->setRenderHint(QPainter::Antialiasing, detailed);
    const QColor color = m_status == Status::Error     ? style::error()
                         : m_status == Status::Warning ? style::warning()
                                                       : style::wire();
    p->setBrush(Qt::NoBrush);
    if (m_highlighted) {
        p->setPen(QPen(style::accept(), 7.0, Qt::SolidLine, Qt::RoundCap));
        p->drawPath(m_path);
    }
    QPen pen(color, m_status == Status::Ok ? 1.8 : 2.4);
    pen.setCosmetic(!detailed);  // stays visible when zoomed far out
    p->setPen(pen);
    p->drawPath(m_path);
    if (m_labelRect.isNull() || !detailed) return;
    p->setPen(QPen(color.darker(140), 1.0));
    p->setBrush(style::canvasBackground());
    p->drawRoundedRect(m_labelRect, 4, 4);
    p->setFont(style::monoFont(8.0));
    p->setPen(m_status == Status::Ok ? style::shapeText() : color);
    p->drawText(m_labelRect, Qt::AlignCenter, m_label);
}

}  // namespace loom::ui
