#pragma once

#include <QPixmap>
#include <QTimer>
#include <QWidget>

namespace loom::ui {

class CanvasView;
class GraphScene;

/// An overview of the whole model in the canvas's corner, with the visible part outlined;
/// click or drag in it to move there. It shows itself only when the model does not fit the
/// view. The picture is re-drawn at most ten times a second, so that it costs nothing while
/// cards are dragged.
class Minimap : public QWidget {
    Q_OBJECT

public:
    Minimap(GraphScene* scene, CanvasView* view);

    /// Turns the overview on or off (View > Minimap); when on, it still hides while the whole
    /// model is in view.
    void setEnabledByUser(bool on);
    bool enabledByUser() const { return m_wanted; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    GraphScene* m_scene;
    CanvasView* m_view;
    QPixmap m_picture;
    QRectF m_source;  ///< the scene area the picture shows
    QTimer m_redraw;
    bool m_wanted = true;

    void redraw();
    void place();
    void refreshVisibility();
    QRectF pictureRect() const;
    void moveViewTo(QPointF widgetPos);
};

}  // namespace loom::ui
