#include "training/attention_map.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <array>
#include <cmath>

namespace loom::ui {

namespace {

constexpr double kLabelWidth = 34.0;   // left: the query steps
constexpr double kLabelHeight = 18.0;  // top: the value steps; bottom: the colour scale
constexpr double kScaleHeight = 36.0;  // the colour bar and its labels

/// Viridis, from dark (0) to bright yellow (1): ordered for every reader, colour-blind or not.
QColor viridis(double v) {
    static constexpr std::array<std::array<double, 3>, 5> stops = {{
        {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}}};
    v = std::clamp(v, 0.0, 1.0) * (stops.size() - 1);
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(v), stops.size() - 2);
    const double f = v - static_cast<double>(i);
    const auto mix = [&](int c) { return static_cast<int>(std::lround(stops[i][c] + f * (stops[i + 1][c] - stops[i][c]))); };
    return QColor(mix(0), mix(1), mix(2));
}

/// A step label every `every` steps, as many as fit in `length` pixels for `count` steps.
std::int64_t labelEvery(std::int64_t count, double length, double each) {
    for (std::int64_t every : {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000}) {
        if (static_cast<double>(count) / static_cast<double>(every) * each <= length) return every;
    }
    return std::max<std::int64_t>(count, 1);
}

}  // namespace

AttentionMap::AttentionMap(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setToolTip(tr("Each row is a query step, each column a value step: the brighter the cell, the more "
                  "that query step reads that value step. Each row sums to 1."));
}

void AttentionMap::setScores(std::vector<float> scores, std::int64_t rows, std::int64_t cols) {
    m_note.clear();
    m_scores = std::move(scores);
    m_rows = rows;
    m_cols = cols;
    m_most = m_scores.empty() ? 0.0f : *std::max_element(m_scores.begin(), m_scores.end());
    m_image = QImage(static_cast<int>(cols), static_cast<int>(rows), QImage::Format_RGB32);
    for (std::int64_t r = 0; r < rows; ++r) {
        auto* line = reinterpret_cast<QRgb*>(m_image.scanLine(static_cast<int>(r)));
        for (std::int64_t c = 0; c < cols; ++c) {
            const float v = m_scores[static_cast<std::size_t>(r * cols + c)];
            line[c] = viridis(m_most > 0.0f ? v / m_most : 0.0).rgb();
        }
    }
    update();
}

void AttentionMap::setNote(const QString& text) {
    m_scores.clear();
    m_rows = m_cols = 0;
    m_image = QImage();
    m_note = text;
    update();
}

QRectF AttentionMap::cellArea() const {
    if (m_rows <= 0 || m_cols <= 0) return {};
    const double w = width() - kLabelWidth - 4.0, h = height() - kLabelHeight - kScaleHeight - 2.0;
    // As large as fits, below a pixel for long sequences: the map is scaled, never cut.
    const double cell = std::min(w / static_cast<double>(m_cols), h / static_cast<double>(m_rows));
    if (cell <= 0.0) return {};
    return {kLabelWidth, kLabelHeight, cell * static_cast<double>(m_cols), cell * static_cast<double>(m_rows)};
}

QPoint AttentionMap::cellAt(QPointF at) const {
    const QRectF area = cellArea();
    if (area.isEmpty() || !area.contains(at)) return {-1, -1};
    const auto col = static_cast<int>((at.x() - area.left()) / area.width() * static_cast<double>(m_cols));
    const auto row = static_cast<int>((at.y() - area.top()) / area.height() * static_cast<double>(m_rows));
    return {std::clamp(row, 0, static_cast<int>(m_rows) - 1), std::clamp(col, 0, static_cast<int>(m_cols) - 1)};
}

QString AttentionMap::cellText(QPoint cell) const {
    if (cell.x() < 0 || cell.x() >= m_rows || cell.y() < 0 || cell.y() >= m_cols) return {};
    const float v = m_scores[static_cast<std::size_t>(cell.x() * m_cols + cell.y())];
    return tr("Query step %1 reads value step %2 with weight %3").arg(cell.x()).arg(cell.y()).arg(QString::number(static_cast<double>(v), 'g', 3));
}

bool AttentionMap::event(QEvent* event) {
    // Over a cell, what it holds; elsewhere, what the map shows.
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = cellText(cellAt(help->pos()));
        QToolTip::showText(help->globalPos(), text.isEmpty() ? toolTip() : text, this);
        return true;
    }
    return QWidget::event(event);
}

void AttentionMap::mouseMoveEvent(QMouseEvent* event) {
    // The tip follows the cells while it is up.
    if (QToolTip::isVisible()) {
        const QString text = cellText(cellAt(event->position()));
        if (!text.isEmpty()) QToolTip::showText(event->globalPosition().toPoint(), text, this);
    }
    QWidget::mouseMoveEvent(event);
}

void AttentionMap::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    p.setPen(palette().text().color());
    if (m_image.isNull()) {
        p.drawText(rect().adjusted(6, 6, -6, -6), Qt::AlignCenter | Qt::TextWordWrap, m_note);
        return;
    }
    const QRectF area = cellArea();
    p.drawImage(area, m_image);  // nearest: each score keeps its own cell
    p.setPen(palette().mid().color());
    p.drawRect(area);
    p.setPen(palette().text().color());
    const QFontMetricsF fm(font());
    const double cell = area.width() / static_cast<double>(m_cols);
    // Value steps along the top, query steps down the left.
    const std::int64_t across = labelEvery(m_cols, area.width(), fm.horizontalAdvance(QString::number(m_cols)) + 8.0);
    for (std::int64_t c = 0; c < m_cols; c += across) {
        const double x = area.left() + (static_cast<double>(c) + 0.5) * cell;
        p.drawText(QRectF(x - 20.0, 0.0, 40.0, kLabelHeight), Qt::AlignCenter, QString::number(c));
    }
    const std::int64_t down = labelEvery(m_rows, area.height(), fm.height() + 2.0);
    for (std::int64_t r = 0; r < m_rows; r += down) {
        const double y = area.top() + (static_cast<double>(r) + 0.5) * cell;
        p.drawText(QRectF(0.0, y - fm.height() / 2.0, kLabelWidth - 4.0, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
                   QString::number(r));
    }
    // The colour scale under the map: 0 to the largest score shown.
    const QRectF scale(area.left(), area.bottom() + 6.0, std::min(area.width(), 160.0), 8.0);
    QLinearGradient gradient(scale.topLeft(), scale.topRight());
    for (int k = 0; k <= 4; ++k) gradient.setColorAt(k / 4.0, viridis(k / 4.0));
    p.fillRect(scale, gradient);
    const QString most = QString::number(static_cast<double>(m_most), 'g', 3);
    p.drawText(QRectF(scale.left(), scale.bottom(), scale.width(), fm.height()), Qt::AlignLeft | Qt::AlignTop, QStringLiteral("0"));
    p.drawText(QRectF(scale.left(), scale.bottom(), scale.width(), fm.height()), Qt::AlignRight | Qt::AlignTop, most);
}

}  // namespace loom::ui
