#pragma once

#include <QGraphicsItem>
#include <QHash>

#include "canvas/node_item.h"
#include "graph/model_graph.h"
#include "shape/validator.h"

namespace loom::ui {

/// Cards of collapsed groups share the id space of layers with this bit set, so that wires and
/// selection treat them like any card.
inline constexpr NodeId kGroupCardBit = 0x80000000u;
inline NodeId groupCardId(std::uint32_t group) { return kGroupCardBit | group; }
inline bool isGroupCard(NodeId id) { return (id & kGroupCardBit) != 0; }
inline std::uint32_t groupOfCard(NodeId id) { return id & ~kGroupCardBit; }

/// The wires that enter a group from outside, in the order of its input ports (by member, then
/// port), as edge id -> port.
QHash<EdgeId, int> groupInputPorts(const ModelGraph& graph, const Group& group);

/// What a collapsed group's card shows: its name, "Group" and how many layers, the layers'
/// names, the shapes leaving it, a port per wire entering it, and the worst status inside.
NodeCard groupCard(const ModelGraph& graph, const Validation& validation, const Group& group);

/// The outline drawn around the layers of an expanded group, with its name in a header strip.
/// Only the strip takes clicks (double-click collapses, right-click offers the group's
/// actions); the inside lets clicks through to the canvas.
class GroupFrame : public QGraphicsItem {
public:
    enum { Type = UserType + 3 };

    GroupFrame(std::uint32_t group, QString name);

    std::uint32_t group() const { return m_group; }
    void setName(QString name);
    /// Surrounds `members` (scene rectangle of the member cards).
    void fit(const QRectF& members);
    QRectF headerRect() const;

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option,
               QWidget* widget) override;

private:
    std::uint32_t m_group;
    QString m_name;
    QRectF m_rect;
};

}  // namespace loom::ui
