#pragma once

#include <QGraphicsView>

namespace loom::ui {

class GraphScene;

/// The canvas viewport: wheel zoom around the cursor, middle-button panning, fit and 100%.
class CanvasView : public QGraphicsView {
    Q_OBJECT

public:
    explicit CanvasView(GraphScene* scene, QWidget* parent = nullptr);

    double zoom() const;
    void setZoom(double factor, const QPointF& anchorInView);

public slots:
    /// The first view of a model: all of it when it fits at a readable size, else its top
    /// (where the inputs are) at the smallest readable zoom.
    void frameModel();
    void fitAll();
    void actualSize();
    void zoomIn();
    void zoomOut();

signals:
    void zoomChanged(double factor);

protected:
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    GraphScene* m_scene;
    bool m_panning = false;
};

}  // namespace loom::ui
