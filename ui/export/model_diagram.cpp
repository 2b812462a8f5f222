#include "export/model_diagram.h"

#include <QFileInfo>
#include <QFont>
#include <QFontMetricsF>
#include <QHash>
#include <QPainter>
#include <QPainterPath>
#include <QSaveFile>
#include <algorithm>
#include <cmath>
#include <map>

#include "export/paint_file.h"
#include "graph/layout.h"
#include "report/diagram.h"

namespace loom::ui {

namespace {

constexpr double kMargin = 24.0;
constexpr double kPad = 8.0;
constexpr double kLine = 20.0;
constexpr double kGapY = 46.0;  ///< between rows, room for the arrows
constexpr double kGapX = 60.0;  ///< between boxes in one row

QFont diagramFont(bool bold = false) {
    QFont f(QStringLiteral("DejaVu Sans"));
    f.setPointSizeF(9.5);
    f.setBold(bold);
    return f;
}

QString qs(const std::string& s) { return QString::fromStdString(s); }

/// Where each box goes and how wide its three cells are (the same for every box, so the
/// diagram reads as one table).
struct Geometry {
    double nameWidth = 0, labelWidth = 0, shapeWidth = 0;
    double width() const { return nameWidth + labelWidth + shapeWidth; }
    double height() const { return 2 * kLine; }
    QHash<NodeId, QPointF> topCentre;
    QSizeF size;
};

Geometry place(const std::vector<DiagramBox>& boxes) {
    Geometry g;
    const QFontMetricsF regular(diagramFont()), bold(diagramFont(true));
    g.labelWidth = regular.horizontalAdvance("output:") + 2 * kPad;
    for (const DiagramBox& b : boxes) {
        g.nameWidth = std::max(g.nameWidth, bold.horizontalAdvance(qs(b.name)) +
                                                regular.horizontalAdvance(" : " + qs(b.kind)) + 2 * kPad);
        g.shapeWidth = std::max({g.shapeWidth, regular.horizontalAdvance(qs(b.input)) + 2 * kPad,
                                 regular.horizontalAdvance(qs(b.output)) + 2 * kPad});
    }
    // Rows from the layout's layers; columns spread to fit the boxes.
    std::map<double, int> rows;
    for (const DiagramBox& b : boxes) rows.emplace(b.at.y, 0);
    int r = 0;
    for (auto& [y, index] : rows) index = r++;
    const double sx = (g.width() + kGapX) / LayoutSpacing{}.column;
    double minX = 0, maxX = 0;
    for (const DiagramBox& b : boxes) {
        minX = std::min(minX, b.at.x * sx);
        maxX = std::max(maxX, b.at.x * sx);
    }
    const double left = kMargin + g.width() / 2 - minX;
    for (const DiagramBox& b : boxes) {
        g.topCentre.insert(b.id, QPointF(left + b.at.x * sx,
                                         kMargin + rows[b.at.y] * (g.height() + kGapY)));
    }
    g.size = QSizeF(maxX - minX + g.width() + 2 * kMargin + 80.0,  // room for skip arcs
                    2 * kMargin + r * (g.height() + kGapY) - kGapY);
    return g;
}

void drawBox(QPainter& p, const Geometry& g, const DiagramBox& b) {
    const QPointF top = g.topCentre.value(b.id);
    const QRectF box(top.x() - g.width() / 2, top.y(), g.width(), g.height());
    const QColor ink = b.error ? QColor(0xd0, 0x30, 0x30) : QColor(Qt::black);
    p.setPen(QPen(ink, 1.0));
    p.setBrush(Qt::white);
    p.drawRect(box);
    const double x1 = box.left() + g.nameWidth, x2 = x1 + g.labelWidth;
    p.drawLine(QPointF(x1, box.top()), QPointF(x1, box.bottom()));
    p.drawLine(QPointF(x2, box.top()), QPointF(x2, box.bottom()));
    p.drawLine(QPointF(x1, box.top() + kLine), QPointF(box.right(), box.top() + kLine));

    // Name in bold, then ": Kind".
    const QRectF nameCell(box.left() + kPad, box.top(), g.nameWidth - 2 * kPad, box.height());
    p.setFont(diagramFont(true));
    p.setPen(ink);
    p.drawText(nameCell, Qt::AlignVCenter | Qt::AlignLeft, qs(b.name));
    const double nameWidth = QFontMetricsF(diagramFont(true)).horizontalAdvance(qs(b.name));
    p.setFont(diagramFont());
    p.drawText(nameCell.adjusted(nameWidth, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft,
               " : " + qs(b.kind));
    for (int row = 0; row < 2; ++row) {
        const double y = box.top() + row * kLine;
        p.drawText(QRectF(x1 + kPad, y, g.labelWidth - 2 * kPad, kLine), Qt::AlignVCenter | Qt::AlignLeft,
                   row == 0 ? QStringLiteral("input:") : QStringLiteral("output:"));
        p.drawText(QRectF(x2 + kPad, y, g.shapeWidth - 2 * kPad, kLine), Qt::AlignVCenter | Qt::AlignLeft,
                   qs(row == 0 ? b.input : b.output));
    }
}

/// Whether a vertical line at `x` between the y's stays clear of every box.
bool clearColumn(const Geometry& g, double x, double fromY, double toY) {
    for (const QPointF& top : g.topCentre) {
        const bool across = top.y() > fromY && top.y() < toY;
        if (across && std::abs(top.x() - x) < g.width() / 2 + 6.0) return false;
    }
    return true;
}

/// The right edge of the boxes between two heights.
double rightmostBetween(const Geometry& g, double fromY, double toY) {
    double right = -1e9;
    for (const QPointF& top : g.topCentre) {
        if (top.y() > fromY && top.y() < toY) right = std::max(right, top.x() + g.width() / 2);
    }
    return right;
}

void drawArrowHead(QPainter& p, QPointF tip, QPointF from) {
    const double angle = std::atan2(tip.y() - from.y(), tip.x() - from.x());
    const double len = 8.0, spread = 0.4;
    QPolygonF head;
    head << tip << tip - QPointF(len * std::cos(angle - spread), len * std::sin(angle - spread))
         << tip - QPointF(len * std::cos(angle + spread), len * std::sin(angle + spread));
    p.setBrush(Qt::black);
    p.drawPolygon(head);
}

/// An arrow from a box's bottom `a` to a box's top `b`. Wires to the next row are curves;
/// longer ones run straight down a free column, or else around the right of the boxes they
/// pass (`lane` keeps several of those apart).
void drawArrow(QPainter& p, const Geometry& g, QPointF a, QPointF b, int& lane) {
    QPainterPath path(a);
    QPointF towards;  // where the last segment comes from, for the arrow head
    const double half = kGapY / 2;
    const bool nextRow = b.y() - a.y() < g.height() + kGapY + 1.0;
    if (nextRow) {
        const double reach = std::max(14.0, (b.y() - a.y()) * 0.5);
        path.cubicTo(a + QPointF(0, reach), b - QPointF(0, reach), b);
        towards = b - QPointF(0, reach);
    } else if (clearColumn(g, a.x(), a.y(), b.y())) {
        const QPointF bend(a.x(), b.y() - half);
        path.lineTo(bend);
        path.cubicTo(bend + QPointF(0, half * 0.6), b - QPointF(0, half * 0.6), b);
        towards = b - QPointF(0, half * 0.6);
    } else if (clearColumn(g, b.x(), a.y(), b.y())) {
        const QPointF bend(b.x(), a.y() + half);
        path.cubicTo(a + QPointF(0, half * 0.6), bend - QPointF(0, half * 0.6), bend);
        path.lineTo(b);
        towards = bend;
    } else {
        const double side = rightmostBetween(g, a.y(), b.y()) + 18.0 + 12.0 * lane++;
        const double top = a.y() + kGapY / 3, bottom = b.y() - kGapY / 3;
        path.lineTo(a.x(), top);
        path.lineTo(side, top);
        path.lineTo(side, bottom);
        path.lineTo(b.x(), bottom);
        path.lineTo(b);
        towards = QPointF(b.x(), bottom);
    }
    p.setPen(QPen(Qt::black, 1.0));
    p.setBrush(Qt::NoBrush);
    p.drawPath(path);
    drawArrowHead(p, b, towards);
}

/// The wires, then the boxes, on white, at the geometry's own scale.
void paintDiagram(QPainter& p, const ModelGraph& graph, const Geometry& g, const std::vector<DiagramBox>& boxes) {
    p.fillRect(QRectF(QPointF(0, 0), g.size), Qt::white);
    int lane = 0;
    for (const Edge& e : graph.edges()) {
        if (!g.topCentre.contains(e.from.node) || !g.topCentre.contains(e.to.node)) continue;
        const QPointF a = g.topCentre.value(e.from.node) + QPointF(0, g.height());
        // Several inputs enter side by side, in operand order.
        const auto inputs = graph.inputEdges(e.to.node);
        const double n = static_cast<double>(inputs.size());
        double k = 0;
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            if (inputs[i]->id == e.id) k = static_cast<double>(i);
        }
        const QPointF b = g.topCentre.value(e.to.node) + QPointF((k - (n - 1) / 2) * 36.0, 0);
        drawArrow(p, g, a, b, lane);
    }
    for (const DiagramBox& b : boxes) drawBox(p, g, b);
}

}  // namespace

QImage modelDiagramImage(const ModelGraph& graph, const Validation& validation, QSize bound, qreal pixelRatio) {
    const std::vector<DiagramBox> boxes = diagramBoxes(graph, validation);
    if (boxes.empty() || bound.isEmpty()) return {};
    const Geometry g = place(boxes);
    const qreal scale = std::min({1.0, bound.width() / g.size.width(), bound.height() / g.size.height()});
    QImage image((g.size * scale * pixelRatio).toSize().expandedTo(QSize(1, 1)), QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(pixelRatio);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    p.scale(scale, scale);
    paintDiagram(p, graph, g, boxes);
    return image;
}

bool exportModelDiagram(const ModelGraph& graph, const Validation& validation,
                        const QString& title, const QString& path, double pngScale,
                        QString* error) {
    if (QFileInfo(path).suffix().toLower() == "dot") {
        QSaveFile file(path);
        const std::string dot = diagramDot(graph, validation, title.toStdString());
        if (!openToSave(file, error)) return false;
        if (file.write(dot.data(), static_cast<qint64>(dot.size())) != static_cast<qint64>(dot.size()) ||
            !file.commit()) {
            if (error) *error = QObject::tr("Could not write %1: %2").arg(path, file.errorString());
            return false;
        }
        return true;
    }
    const std::vector<DiagramBox> boxes = diagramBoxes(graph, validation);
    if (boxes.empty()) {
        if (error) *error = QObject::tr("The model has no layers to draw.");
        return false;
    }
    const Geometry g = place(boxes);
    return paintToFile(
        path, g.size, pngScale,
        [&](QPainter& p) { paintDiagram(p, graph, g, boxes); },
        error);
}

}  // namespace loom::ui
