#include "canvas/wire_drag.h"

#include <QPen>

#include "canvas/canvas_style.h"
#include "canvas/edge_item.h"
#include "canvas/graph_scene.h"
#include "canvas/group_items.h"
#include "canvas/node_item.h"
#include "document/document.h"

namespace loom::ui {

namespace {

/// The cards whose ports may lie within `radius` of a scene point.
QList<NodeItem*> cardsNear(GraphScene* scene, QPointF at, double radius) {
    QList<NodeItem*> out;
    const QRectF area(at.x() - radius, at.y() - radius, 2 * radius, 2 * radius);
    for (QGraphicsItem* item : scene->items(area)) {
        if (item->type() == NodeItem::Type) out << static_cast<NodeItem*>(item);
    }
    return out;
}

QString nameOf(const ModelGraph& graph, NodeId id) {
    const Node* n = graph.node(id);
    return n ? QString::fromStdString(n->name) : QString("?");
}

const Edge* wireInto(const ModelGraph& graph, NodeId node, int port) {
    for (const Edge* e : graph.inputEdges(node)) {
        if (e->to.port == port) return e;
    }
    return nullptr;
}

}  // namespace

WireDrag::WireDrag(GraphScene* scene, const Document& document)
    : m_scene(scene), m_document(document), m_probe(document.graph(), document.validation()) {}

std::unique_ptr<WireDrag> WireDrag::startAt(GraphScene* scene, const Document& document,
                                            QPointF scenePos, double grab) {
    for (NodeItem* card : cardsNear(scene, scenePos, grab)) {
        if (isGroupCard(card->id())) continue;  // expand a group to wire its layers
        std::unique_ptr<WireDrag> drag(new WireDrag(scene, document));
        drag->m_grab = grab;
        const ModelGraph& graph = document.graph();
        if (const int out = card->outputPortNear(scenePos, grab); out >= 0) {
            drag->m_node = card->id();
            drag->m_fromPort = out;
        } else if (const int port = card->inputPortNear(scenePos, grab); port >= 0) {
            if (const Edge* e = wireInto(graph, card->id(), port)) {
                drag->m_node = e->from.node;
                drag->m_fromPort = e->from.port;
                drag->m_detached = e->id;
                drag->m_origin = {card->id(), port};
                if (EdgeItem* item = scene->edgeItems().value(e->id)) item->hide();
            } else {
                drag->m_node = card->id();
                drag->m_port = port;
                drag->m_backwards = true;
            }
        } else {
            continue;
        }
        drag->m_wire = new QGraphicsPathItem;
        QPen pen(style::selection(), 2.0, Qt::DashLine);
        pen.setCosmetic(true);
        drag->m_wire->setPen(pen);
        drag->m_wire->setZValue(5.0);
        scene->addItem(drag->m_wire);
        drag->lightPorts();
        drag->moveTo(scenePos);
        return drag;
    }
    return nullptr;
}

WireDrag::~WireDrag() {
    for (NodeItem* card : m_scene->nodeItems()) card->setPortStates({}, {});
    if (m_detached) {
        if (EdgeItem* item = m_scene->edgeItems().value(m_detached)) item->show();
    }
    delete m_wire;
}

void WireDrag::lightPorts() {
    const auto stateOf = [](const ConnectionVerdict& v) {
        switch (v.kind) {
            case ConnectionVerdict::Fits: return PortState::Accept;
            case ConnectionVerdict::FitsWithWarning: return PortState::Warn;
            default: return PortState::Refuse;
        }
    };
    for (NodeItem* card : m_scene->nodeItems()) {
        if (!card->isVisible()) continue;
        if (m_backwards) {
            if (card->id() == m_node) continue;
            QList<PortState> outputs;
            for (int out = 0; out < card->outputPorts(); ++out) {
                const ConnectionVerdict v = m_probe.check(card->id(), m_node, m_port, out);
                m_verdicts.insert({card->id(), out}, v);
                outputs << stateOf(v);
            }
            card->setPortStates({}, outputs);
            continue;
        }
        QList<PortState> states;
        for (int port = 0; port < card->card().inputPorts; ++port) {
            ConnectionVerdict v = m_probe.check(m_node, card->id(), port, m_fromPort);
            if (m_detached && Target{card->id(), port} == m_origin) {
                v = {ConnectionVerdict::Fits, "Leaves the wire where it was."};
            }
            m_verdicts.insert({card->id(), port}, v);
            states << stateOf(v);
        }
        card->setPortStates(states, {});
    }
}

QPointF WireDrag::anchor() const {
    const NodeItem* card = m_scene->nodeItem(m_node);
    if (!card) return {};
    return m_backwards ? card->inputPortPos(m_port) : card->outputPortPos(m_fromPort);
}

void WireDrag::moveTo(QPointF scenePos) {
    // Snap to the nearest port the wire could end at, refused or not (to tell why).
    m_hover.reset();
    QPointF end = scenePos;
    double best = m_grab * 1.8;
    for (NodeItem* card : cardsNear(m_scene, scenePos, best)) {
        if (card->id() == m_node || isGroupCard(card->id())) continue;
        if (m_backwards) {
            for (int out = 0; out < card->outputPorts(); ++out) {
                const double d = QLineF(card->outputPortPos(out), scenePos).length();
                if (d <= best) {
                    best = d;
                    m_hover = Target{card->id(), out};
                    end = card->outputPortPos(out);
                }
            }
            continue;
        }
        for (int port = 0; port < card->card().inputPorts; ++port) {
            const double d = QLineF(card->inputPortPos(port), scenePos).length();
            if (d <= best) {
                best = d;
                m_hover = Target{card->id(), port};
                end = card->inputPortPos(port);
            }
        }
    }
    // Drawn from output to input, so that it bends like the wire it will become.
    const QPointF a = m_backwards ? end : anchor();
    const QPointF b = m_backwards ? anchor() : end;
    const double reach = std::max(40.0, std::abs(b.y() - a.y()) * 0.45);
    QPainterPath path(a);
    path.cubicTo(a + QPointF(0, reach), b - QPointF(0, reach), b);
    m_wire->setPath(path);
    const bool refused = m_hover && !m_verdicts.value({m_hover->node, m_hover->port}).fits();
    QPen pen = m_wire->pen();
    pen.setColor(!m_hover ? style::selection() : refused ? style::error() : style::accept());
    m_wire->setPen(pen);
}

QString WireDrag::hoverText() const {
    if (!m_hover) return {};
    return QString::fromStdString(m_verdicts.value({m_hover->node, m_hover->port}).reason);
}

WireDrag::Outcome WireDrag::finish() const {
    const ModelGraph& graph = m_document.graph();
    Outcome out;
    if (!m_hover) {
        if (m_detached) {
            out.edit.ops.push_back(edit::RemoveEdge{m_detached});
            out.text = QObject::tr("Disconnect %1 from %2")
                           .arg(nameOf(graph, m_node), nameOf(graph, m_origin.node));
        }
        return out;
    }
    const ConnectionVerdict verdict = m_verdicts.value({m_hover->node, m_hover->port});
    if (!verdict.allowed()) {
        out.refusal = QString::fromStdString(verdict.reason);
        return out;
    }
    // A wire that breaks a shape rule is still made: the Problems dock then explains it and
    // offers the fixes, which is how users learn the rule.
    if (m_backwards) {
        out.edit.ops.push_back(edit::Connect{m_hover->node, m_hover->port, m_node, m_port});
        out.text = QObject::tr("Connect %1 to %2")
                       .arg(nameOf(graph, m_hover->node), nameOf(graph, m_node));
        return out;
    }
    if (m_detached && *m_hover == m_origin) return out;  // put back where it was
    if (m_detached) out.edit.ops.push_back(edit::RemoveEdge{m_detached});
    if (const Edge* occupant = wireInto(graph, m_hover->node, m_hover->port);
        occupant && occupant->id != m_detached) {
        out.edit.ops.push_back(edit::RemoveEdge{occupant->id});
    }
    out.edit.ops.push_back(edit::Connect{m_node, m_fromPort, m_hover->node, m_hover->port});
    out.text = (m_detached ? QObject::tr("Reconnect %1 to %2") : QObject::tr("Connect %1 to %2"))
                   .arg(nameOf(graph, m_node), nameOf(graph, m_hover->node));
    return out;
}

}  // namespace loom::ui
