#pragma once

#include <QGraphicsPathItem>
#include <QHash>
#include <QPointF>
#include <QString>
#include <memory>
#include <optional>

#include "graph/graph_edit.h"
#include "shape/validator.h"

namespace loom::ui {

class Document;
class GraphScene;
class NodeItem;

/// One wire being dragged on the canvas. It starts at a port:
/// - an output port: a new wire, to be dropped on an input port;
/// - a free input port: a new wire drawn backwards, to be dropped on an output port;
/// - an input port that holds a wire: that wire's end is picked up, to be re-routed to another
///   input port or dropped on empty canvas to detach it.
/// Every port where the wire's shapes would fit lights up; the others are dimmed, and hovering
/// one tells the core's reason (the shape rule it would break). A wire that breaks a shape rule
/// can still be dropped (validation then explains it and offers fixes); loops, wires into an
/// Input and missing ports are refused.
class WireDrag {
public:
    /// Starts a drag at the port under `scenePos`, if there is one.
    /// `grab`: how near (scene units) a port must be.
    static std::unique_ptr<WireDrag> startAt(GraphScene* scene, const Document& document,
                                             QPointF scenePos, double grab);
    ~WireDrag();
    WireDrag(const WireDrag&) = delete;
    WireDrag& operator=(const WireDrag&) = delete;

    /// Follows the cursor, snapping to the nearest port.
    void moveTo(QPointF scenePos);
    /// The port under the cursor: its verdict text (why it refuses, or what dropping does).
    QString hoverText() const;

    /// What releasing here does: an edit and its undo text, or nothing (empty edit).
    struct Outcome {
        GraphEdit edit;
        QString text;
        QString refusal;  ///< released on a port that refuses: the reason
    };
    Outcome finish() const;

private:
    struct Target {
        NodeId node = 0;
        int port = 0;  ///< input port, or (drawing backwards) output port
        bool operator==(const Target&) const = default;
    };

    WireDrag(GraphScene* scene, const Document& document);
    void lightPorts();
    QPointF anchor() const;

    GraphScene* m_scene;
    const Document& m_document;
    ConnectionProbe m_probe;
    NodeId m_node = 0;      ///< the fixed end: the wire's source, or (backwards) its target
    int m_port = 0;         ///< the fixed end's input port when drawing backwards
    int m_fromPort = 0;     ///< the source's output port (0, or a recurrent layer's state)
    bool m_backwards = false;
    double m_grab = 0.0;
    EdgeId m_detached = 0;  ///< the wire picked up, if any
    Target m_origin;        ///< where the picked-up wire ended
    QHash<QPair<NodeId, int>, ConnectionVerdict> m_verdicts;
    std::optional<Target> m_hover;
    QGraphicsPathItem* m_wire = nullptr;
};

}  // namespace loom::ui
