#include "canvas/node_item.h"

#include <QFontMetricsF>
#include <QGraphicsSceneHoverEvent>
#include <QLineF>
#include <cmath>
#include <QPainter>
#include <QPainterPath>
#include <QStyleOptionGraphicsItem>

#include "canvas/canvas_style.h"
#include "canvas/graph_scene.h"

namespace loom::ui {

namespace {

QColor statusColor(Status s) {
    return s == Status::Error ? style::error() : style::warning();
}

}  // namespace

NodeItem::NodeItem(NodeCard card) {
    setFlags(ItemIsSelectable | ItemIsMovable | ItemSendsGeometryChanges);
    setAcceptHoverEvents(true);
    setZValue(1.0);
    setCard(std::move(card));
}

void NodeItem::setCard(NodeCard card) {
    prepareGeometryChange();
    m_card = std::move(card);
    m_height = style::kHeaderHeight + 8.0 + style::kLineHeight * static_cast<double>(m_card.details.size() + 1);
    setToolTip(m_card.problems.isEmpty()
                   ? QString("<b>%1</b> (%2)<br>Output: %3%4")
                         .arg(m_card.name.toHtmlEscaped(), m_card.kind, m_card.outputShape,
                              m_card.outputNote.isEmpty() ? QString() : "<br>" + m_card.outputNote.toHtmlEscaped())
                   : m_card.problems);
    update();
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value) {
    if (change == ItemPositionChange) {
        const auto* canvas = qobject_cast<const GraphScene*>(scene());
        if (canvas && canvas->snapToGrid() && (flags() & ItemIsMovable) && isSelected()) {
            // Only cards the user drags snap; positions from the model stay as they are.
            const QPointF at = value.toPointF();
            const double g = GraphScene::kGrid;
            return QPointF(std::round(at.x() / g) * g, std::round(at.y() / g) * g);
        }
    }
    if (change == ItemPositionHasChanged && m_onMove) m_onMove(m_card.id);
    return QGraphicsItem::itemChange(change, value);
}

QRectF NodeItem::cardRect() const {
    return {-style::kCardWidth / 2.0, 0.0, style::kCardWidth, m_height};
}

QRectF NodeItem::boundingRect() const {
    const double m = style::kPortRadius + 12.0;  // ports and the status badge stick out
    return cardRect().adjusted(-m, -m, m, m);
}

QPainterPath NodeItem::shape() const {
    QPainterPath path;
    path.addRoundedRect(cardRect(), style::kCornerRadius, style::kCornerRadius);
    const double r = style::kPortRadius + 2.0;
    for (int i = 0; i < m_card.inputPorts; ++i) path.addEllipse(mapFromScene(inputPortPos(i)), r, r);
    for (int i = 0; i < outputPorts(); ++i) path.addEllipse(mapFromScene(outputPortPos(i)), r, r);
    return path;
}

QPointF NodeItem::inputPortPos(int port) const {
    const int count = std::max(m_card.inputPorts, port + 1);
    const int place = port < m_portPlaces.size() && m_portPlaces.size() == m_card.inputPorts ? m_portPlaces[port] : port;
    return mapToScene(QPointF(inputPlaceX(place, count), 0.0));
}

double NodeItem::inputPlaceX(int place, int count) {
    return -style::kCardWidth / 2.0 + style::kCardWidth * (place + 1) / (count + 1);
}

bool NodeItem::setPortPlaces(QList<int> places) {
    if (places == m_portPlaces) return false;
    prepareGeometryChange();
    m_portPlaces = std::move(places);
    update();
    return true;
}

QPointF NodeItem::outputPortPos(int port) const {
    // One output in the middle; several (a layer and its states) spread like the inputs.
    const int count = outputPorts();
    if (count == 1 && port == 0) return mapToScene(QPointF(0.0, m_height));
    const int n = std::max(count, port + 1);
    const double x = -style::kCardWidth / 2.0 + style::kCardWidth * (port + 1) / (n + 1);
    return mapToScene(QPointF(x, m_height));
}

int NodeItem::inputPortNear(QPointF scenePos, double radius) const {
    int best = -1;
    double bestDistance = radius;
    for (int i = 0; i < m_card.inputPorts; ++i) {
        const double d = QLineF(inputPortPos(i), scenePos).length();
        if (d <= bestDistance) {
            best = i;
            bestDistance = d;
        }
    }
    return best;
}

int NodeItem::outputPortNear(QPointF scenePos, double radius) const {
    int best = -1;
    double bestDistance = radius;
    for (int i = 0; i < outputPorts(); ++i) {
        const double d = QLineF(outputPortPos(i), scenePos).length();
        if (d <= bestDistance) {
            best = i;
            bestDistance = d;
        }
    }
    return best;
}

void NodeItem::setPortStates(QList<PortState> inputs, QList<PortState> outputs) {
    m_inputStates = std::move(inputs);
    m_outputStates = std::move(outputs);
    update();
}

void NodeItem::hoverMoveEvent(QGraphicsSceneHoverEvent* event) {
    // A cross over a port says "drag from here to wire".
    const auto* canvas = qobject_cast<const GraphScene*>(scene());
    const double grab = canvas ? canvas->portGrab() : style::kPortGrab;
    const bool port = inputPortNear(event->scenePos(), grab) >= 0 || outputPortNear(event->scenePos(), grab) >= 0;
    setCursor(port ? Qt::CrossCursor : Qt::ArrowCursor);
    QGraphicsItem::hoverMoveEvent(event);
}

void NodeItem::paintPort(QPainter* p, QPointF at, bool wired, PortState state) const {
    double r = style::kPortRadius;
    QColor fill = style::wire().lighter(130);
    QColor ring = style::canvasBackground();
    switch (state) {
        case PortState::Idle: break;
        case PortState::Accept:
            fill = style::accept();
            ring = style::accept().lighter(150);
            r += 2.5;
            break;
        case PortState::Warn:
            fill = style::warning();
            ring = style::warning().lighter(150);
            r += 2.5;
            break;
        case PortState::Refuse:
            fill = style::cardBorder();
            fill.setAlpha(120);
            ring = style::canvasBackground();
            break;
    }
    p->setPen(QPen(ring, 1.5));
    if (wired || state == PortState::Accept || state == PortState::Warn) {
        p->setBrush(fill);
    } else {
        p->setBrush(style::cardBody());
        p->setPen(QPen(state == PortState::Refuse ? fill : style::wire(), 1.5));
    }
    p->drawEllipse(at, r, r);
}

void NodeItem::paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget* widget) {
    const QRectF r = cardRect();
    const double radius = style::kCornerRadius;
    if (const double lod = option->levelOfDetailFromTransform(p->worldTransform()); lod < style::kDetailZoom) {
        // Far out: a compact card in the category's colour, its name and kind in text that
        // stays readable (about 12 and 10 pixels), outlined by status or selection; the
        // shape is in the tooltip.
        p->fillRect(r, style::cardBody());
        p->fillRect(QRectF(r.left(), r.top(), r.width(), style::kHeaderHeight),
                    style::categoryColor(m_card.category));
        // In a view (not the minimap's overview, which renders the scene without one).
        if (lod > 0.0 && widget) {
            const QRectF text = r.adjusted(6.0, style::kHeaderHeight, -6.0, 0.0);
            QFont name = p->font();
            name.setBold(true);
            // 12 pixels, down to 9 for a long name, which is elided in the middle past that.
            for (const double px : {12.0, 11.0, 10.0, 9.0}) {
                name.setPixelSize(std::max(1, static_cast<int>(px / lod)));
                if (QFontMetricsF(name).horizontalAdvance(m_card.name) <= text.width()) break;
            }
            QFont kind = p->font();
            kind.setPixelSize(std::max(1, static_cast<int>(10.0 / lod)));
            const double nameHeight = QFontMetricsF(name).height(), kindHeight = QFontMetricsF(kind).height();
            const bool both = nameHeight + kindHeight <= text.height();
            p->setPen(style::textPrimary());
            p->setFont(name);
            const QRectF nameRect(text.left(), text.top() + (text.height() - nameHeight - (both ? kindHeight : 0.0)) / 2.0,
                                  text.width(), nameHeight);
            p->drawText(nameRect, Qt::AlignHCenter | Qt::AlignVCenter,
                        QFontMetricsF(name).elidedText(m_card.name, Qt::ElideMiddle, text.width()));
            if (both) {
                p->setPen(style::textSecondary());
                p->setFont(kind);
                p->drawText(QRectF(text.left(), nameRect.bottom(), text.width(), kindHeight), Qt::AlignHCenter | Qt::AlignVCenter,
                            QFontMetricsF(kind).elidedText(m_card.kind, Qt::ElideRight, text.width()));
            }
        }
        if (isSelected() || m_card.status != Status::Ok) {
            QPen pen(m_card.status != Status::Ok ? statusColor(m_card.status) : style::selection(), 0);
            pen.setWidthF(3.0);
            pen.setCosmetic(true);
            p->setPen(pen);
            p->setBrush(Qt::NoBrush);
            p->drawRect(r);
        }
        return;
    }
    p->setRenderHint(QPainter::Antialiasing);

    // Body and header.
    QPainterPath body;
    body.addRoundedRect(r, radius, radius);
    p->fillPath(body, style::cardBody());
    QPainterPath header;
    header.addRoundedRect(QRectF(r.left(), r.top(), r.width(), style::kHeaderHeight + radius),
                          radius, radius);
    p->save();
    p->setClipRect(QRectF(r.left(), r.top(), r.width(), style::kHeaderHeight));
    p->fillPath(header, style::categoryColor(m_card.category));
    p->restore();

    QPen border(isSelected() ? style::selection() : style::cardBorder(), isSelected() ? 2.0 : 1.0);
    if (m_card.status != Status::Ok) border = QPen(statusColor(m_card.status), 2.0);
    p->setPen(border);
    p->setBrush(Qt::NoBrush);
    p->drawPath(body);

    // Header text: name on the left, kind on the right. The name comes first: the kind gives
    // way when both do not fit (the colour and the details say it too).
    const QRectF headerText(r.left() + 10, r.top(), r.width() - 20, style::kHeaderHeight);
    const QFontMetricsF nameMetrics(style::uiFont(9.0, true));
    const QFontMetricsF kindMetrics(style::uiFont(8.0));
    const QString name = nameMetrics.elidedText(m_card.name, Qt::ElideRight, headerText.width() - 30);
    const double kindRoom = headerText.width() - nameMetrics.horizontalAdvance(name) - 10;
    const QString kind = kindMetrics.elidedText(m_card.kind, Qt::ElideRight, kindRoom);
    p->setFont(style::uiFont(8.0));
    p->setPen(QColor(255, 255, 255, 190));
    if (kindRoom > 30) p->drawText(headerText, Qt::AlignVCenter | Qt::AlignRight, kind);
    p->setFont(style::uiFont(9.0, true));
    p->setPen(Qt::white);
    p->drawText(headerText, Qt::AlignVCenter | Qt::AlignLeft, name);

    // Parameters, then the output shape.
    double y = r.top() + style::kHeaderHeight + 4;
    p->setFont(style::uiFont(8.5));
    p->setPen(style::textSecondary());
    for (const QString& line : m_card.details) {
        p->drawText(QRectF(r.left() + 10, y, r.width() - 20, style::kLineHeight),
                    Qt::AlignVCenter | Qt::AlignLeft, line);
        y += style::kLineHeight;
    }
    p->setFont(style::monoFont(8.5));
    p->setPen(m_card.outputShape == "?" ? style::textSecondary() : style::shapeText());
    p->drawText(QRectF(r.left() + 10, y, r.width() - 20, style::kLineHeight),
                Qt::AlignVCenter | Qt::AlignLeft, QString::fromUtf8("\u2192 ") + m_card.outputShape);

    // Ports: filled where a wire ends, hollow where one may be attached.
    for (int i = 0; i < m_card.inputPorts; ++i) {
        const bool wired = i < m_card.wiredInputs.size() && m_card.wiredInputs[i];
        const PortState state = i < m_inputStates.size() ? m_inputStates[i] : PortState::Idle;
        paintPort(p, mapFromScene(inputPortPos(i)), wired, state);
        if (i < m_card.inputNames.size()) {
            // The argument's name just above its port.
            const QPointF at = mapFromScene(inputPortPos(i));
            p->setFont(style::uiFont(7.5));
            p->setPen(style::textSecondary());
            p->drawText(QRectF(at.x() - 30, at.y() - style::kPortRadius - 12, 60, 11), Qt::AlignCenter,
                        m_card.inputNames[i]);
        }
    }
    for (int i = 0; i < outputPorts(); ++i) {
        const QPointF at = mapFromScene(outputPortPos(i));
        paintPort(p, at, true, i < m_outputStates.size() ? m_outputStates[i] : PortState::Idle);
        if (i < m_card.outputNames.size() && outputPorts() > 1) {
            // Which tensor leaves here, just below its port.
            p->setFont(style::uiFont(7.5));
            p->setPen(style::textSecondary());
            p->drawText(QRectF(at.x() - 30, at.y() + style::kPortRadius + 1, 60, 11), Qt::AlignCenter, m_card.outputNames[i]);
        }
    }

    // Status badge in the top-right corner.
    if (m_card.status != Status::Ok) {
        const QPointF c(r.right() - 2, r.top() + 2);
        p->setPen(QPen(style::canvasBackground(), 2.0));
        p->setBrush(statusColor(m_card.status));
        p->drawEllipse(c, 9.0, 9.0);
        p->setPen(Qt::white);
        p->setFont(style::uiFont(9.0, true));
        p->drawText(QRectF(c.x() - 9, c.y() - 9, 18, 18), Qt::AlignCenter, "!");
    }
}

}  // namespace loom::ui
