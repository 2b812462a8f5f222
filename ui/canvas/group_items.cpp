#include "canvas/group_items.h"

#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>

#include "canvas/canvas_style.h"

namespace loom::ui {

namespace {
constexpr double kFrameMargin = 22.0;
constexpr double kFrameHeader = 20.0;  ///< fits in the gap between rows of cards

bool member(const Group& g, NodeId id) {
    return std::find(g.members.begin(), g.members.end(), id) != g.members.end();
}
}  // namespace

QHash<EdgeId, int> groupInputPorts(const ModelGraph& graph, const Group& group) {
    QHash<EdgeId, int> ports;
    int next = 0;
    for (NodeId id : group.members) {
        for (const Edge* e : graph.inputEdges(id)) {
            if (!member(group, e->from.node)) ports.insert(e->id, next++);
        }
    }
    return ports;
}

NodeCard groupCard(const ModelGraph& graph, const Validation& validation, const Group& group) {
    NodeCard card;
    card.id = groupCardId(group.id);
    card.name = QString::fromStdString(group.name);
    card.kind = QObject::tr("Group");
    card.category = QStringLiteral("Group");
    QStringList names;
    std::int64_t params = 0;
    Status worst = Status::Ok;
    QStringList outputs;
    for (NodeId id : group.members) {
        const Node* n = graph.node(id);
        if (!n) continue;
        names << QString::fromStdString(n->name);
        const NodeReport& r = validation.of(graph, id);
        params += r.params;
        if (r.hasError) worst = Status::Error;
        if (r.hasWarning && worst == Status::Ok) worst = Status::Warning;
        bool leaves = graph.outputEdges(id).empty();  // a model output leaves the group too
        for (const Edge* e : graph.outputEdges(id)) leaves = leaves || !member(group, e->to.node);
        if (leaves) {
            const QString shape = r.output ? QString::fromStdString(r.output->str()) : "?";
            if (!outputs.contains(shape)) outputs << shape;
        }
    }
    card.details << (names.size() == 1 ? QObject::tr("1 layer, %1 parameters")
                                       : QObject::tr("%1 layers, %2 parameters").arg(names.size()))
                        .arg(QLocale().toString(static_cast<qlonglong>(params)));
    QString list = names.join(", ");
    if (list.size() > 30) list = list.left(28) + QString::fromUtf8("\u2026");
    card.details << list;
    card.outputShape = outputs.isEmpty() ? QStringLiteral("?") : outputs.join(", ");
    card.inputPorts = static_cast<int>(groupInputPorts(graph, group).size());
    card.wiredInputs = QList<bool>(card.inputPorts, true);
    card.status = worst;
    card.problems = worst == Status::Ok
                        ? QString()
                        : QObject::tr("A layer inside <b>%1</b> has a problem; double-click to "
                                      "expand the group.").arg(card.name.toHtmlEscaped());
    return card;
}

GroupFrame::GroupFrame(std::uint32_t group, QString name) : m_group(group), m_name(std::move(name)) {
    setZValue(-2.0);
    setToolTip(QObject::tr("Double-click the title to collapse the group"));
}

void GroupFrame::setName(QString name) {
    m_name = std::move(name);
    update();
}

void GroupFrame::fit(const QRectF& members) {
    const QRectF r = members.adjusted(-kFrameMargin, -kFrameHeader - 4.0, kFrameMargin, kFrameMargin);
    if (r == m_rect) return;
    prepareGeometryChange();
    m_rect = r;
}

QRectF GroupFrame::headerRect() const {
    return {m_rect.left(), m_rect.top(), m_rect.width(), kFrameHeader};
}

QRectF GroupFrame::boundingRect() const { return m_rect.adjusted(-2, -2, 2, 2); }

QPainterPath GroupFrame::shape() const {
    QPainterPath path;
    path.addRect(headerRect());
    return path;
}

void GroupFrame::paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) {
    p->setRenderHint(QPainter::Antialiasing);
    QColor fill = style::categoryColor("Group");
    fill.setAlpha(28);
    QColor line = style::categoryColor("Group");
    line.setAlpha(180);
    QPen pen(line, 1.5, Qt::DashLine);
    p->setPen(pen);
    p->setBrush(fill);
    p->drawRoundedRect(m_rect, 10, 10);
    p->setPen(style::textPrimary());
    p->setFont(style::uiFont(8.5, true));
    p->drawText(headerRect().adjusted(12, 0, -12, 0), Qt::AlignVCenter | Qt::AlignLeft,
                m_name + QString::fromUtf8("  \u25be"));
}

}  // namespace loom::ui
