#pragma once

#include <QGraphicsView>

namespace loom::ui {

class GraphScene;

/// The canvas viewport: wheel zoom around the cursor, panning with the middle button or
/// space+drag, fit and 100%; Tab or a double-click on empty canvas asks for the quick-add box.
class CanvasView : public QGraphicsView {
    Q_OBJECT

public:
    explicit CanvasView(GraphScene* scene, QWidget* parent = nullptr);

    double zoom() const;
    void setZoom(double factor, const QPointF& anchorInView);
    /// Grows the scene to hold what the view shows. A scene smaller than the view is centred
    /// in it, so that a card added near its edge would shift everything; one that covers the
    /// view stays where it is.
    void coverViewport();

public slots:
    /// The first view of a model: all of it when it fits at a readable size, else its top
    /// (where the inputs are) at the smallest readable zoom.
    void frameModel();
    /// Fit to Window: all of the model, or where that would make its cards too small to name
    /// their layers, its top at the least zoom where they do (the user may zoom out further).
    void fitAll();
    void actualSize();
    void zoomIn();
    void zoomOut();

signals:
    void zoomChanged(double factor);
    /// Tab or a double-click on empty canvas: add a layer at this scene point.
    void quickAddRequested(QPointF scenePos);

protected:
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;

private:
    GraphScene* m_scene;
    /// Shows the top of the model (where its inputs are), centred, at `zoom`.
    void showTopAt(double zoom);
    bool m_panning = false;
    bool m_spacePan = false;  ///< space is held: left drag pans, cards do not react

    QPointF cursorScenePos() const;
};

}  // namespace loom::ui
