#pragma once

#include <QImage>
#include <QString>
#include <QWidget>
#include <cstdint>
#include <vector>

namespace loom::ui {

/// A heat map of attention scores: a row per query step, a column per value step, brighter
/// where the query step reads the value step more (each row sums to 1). Hovering a cell tells
/// its steps and score; with nothing to show, it says why.
class AttentionMap : public QWidget {
    Q_OBJECT

public:
    explicit AttentionMap(QWidget* parent = nullptr);

    /// Row-major rows x cols scores.
    void setScores(std::vector<float> scores, std::int64_t rows, std::int64_t cols);
    void setNote(const QString& text);

    std::int64_t rows() const { return m_rows; }
    std::int64_t cols() const { return m_cols; }
    const QString& note() const { return m_note; }
    /// The cell under a point of the widget: (query step, value step), or (-1, -1).
    QPoint cellAt(QPointF at) const;
    /// What hovering `cell` says.
    QString cellText(QPoint cell) const;
    QSize sizeHint() const override { return {260, 220}; }
    QSize minimumSizeHint() const override { return {140, 120}; }

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    std::vector<float> m_scores;
    std::int64_t m_rows = 0, m_cols = 0;
    float m_most = 0.0f;
    QImage m_image;
    QString m_note;

    /// Where the cells are drawn: square cells as large as fit, beside the labels.
    QRectF cellArea() const;
};

}  // namespace loom::ui
