#include "canvas/canvas_view.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QResizeEvent>
#include <QScrollBar>
#include <QTimer>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "canvas/graph_scene.h"

namespace loom::ui {

namespace {
constexpr double kMinZoom = 0.1;
constexpr double kMaxZoom = 4.0;
constexpr double kStep = 1.2;
constexpr double kReadableZoom = 0.8;
/// The least zoom Fit to Window goes to: far-out cards still name their layers whole there.
constexpr double kFitFloor = 0.4;
}  // namespace

CanvasView::CanvasView(GraphScene* scene, QWidget* parent)
    : QGraphicsView(scene, parent), m_scene(scene) {
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setTransformationAnchor(QGraphicsView::NoAnchor);
    // A window made larger or smaller keeps the model where it was in the middle of the view.
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setDragMode(QGraphicsView::RubberBandDrag);
    setFrameShape(QFrame::NoFrame);
    setFocusPolicy(Qt::StrongFocus);
    // Queued: the scene's rect is set while it syncs, before the view has laid itself out.
    connect(scene, &QGraphicsScene::sceneRectChanged, this, [this] {
        QTimer::singleShot(0, this, &CanvasView::coverViewport);
    });
}

void CanvasView::coverViewport() {
    const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
    const QRectF rect = m_scene->sceneRect();
    if (!visible.isEmpty() && !rect.contains(visible)) m_scene->setSceneRect(rect.united(visible));
}

void CanvasView::resizeEvent(QResizeEvent* event) {
    QGraphicsView::resizeEvent(event);
    coverViewport();
}

double CanvasView::zoom() const { return transform().m11(); }

void CanvasView::setZoom(double factor, const QPointF& anchorInView) {
    factor = std::clamp(factor, kMinZoom, kMaxZoom);
    const QPointF sceneAnchor = mapToScene(anchorInView.toPoint());
    setTransform(QTransform::fromScale(factor, factor));
    // Keep the scene point under the anchor where it was.
    const QPointF moved = mapFromScene(sceneAnchor);
    const QPointF delta = moved - anchorInView;
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() + static_cast<int>(delta.x()));
    verticalScrollBar()->setValue(verticalScrollBar()->value() + static_cast<int>(delta.y()));
    coverViewport();
    emit zoomChanged(zoom());
}

void CanvasView::fitAll() {
    fitInView(m_scene->contentRect(), Qt::KeepAspectRatio);
    if (zoom() > 1.0) {
        const QPointF center = m_scene->contentRect().center();
        setTransform(QTransform());
        centerOn(center);
    } else if (zoom() < kFitFloor) {
        showTopAt(kFitFloor);
        return;
    }
    coverViewport();
    emit zoomChanged(zoom());
}

void CanvasView::frameModel() {
    fitAll();
    if (zoom() < kReadableZoom) showTopAt(kReadableZoom);
}

void CanvasView::showTopAt(double factor) {
    const QRectF content = m_scene->contentRect();
    setTransform(QTransform::fromScale(factor, factor));
    const double halfHeight = viewport()->height() / (2.0 * factor);
    centerOn(QPointF(content.center().x(), content.top() + halfHeight));
    coverViewport();
    emit zoomChanged(zoom());
}

void CanvasView::actualSize() { setZoom(1.0, viewport()->rect().center()); }
void CanvasView::zoomIn() { setZoom(zoom() * kStep, viewport()->rect().center()); }
void CanvasView::zoomOut() { setZoom(zoom() / kStep, viewport()->rect().center()); }

void CanvasView::wheelEvent(QWheelEvent* event) {
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0.0) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    setZoom(zoom() * std::pow(kStep, steps), event->position());
    event->accept();
}

void CanvasView::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::MiddleButton) {
        // Pan by handing Qt's hand-drag a left press while the middle button is down.
        m_panning = true;
        setDragMode(QGraphicsView::ScrollHandDrag);
        QMouseEvent press(event->type(), event->position(), event->globalPosition(),
                          Qt::LeftButton, Qt::LeftButton, event->modifiers());
        QGraphicsView::mousePressEvent(&press);
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void CanvasView::mouseReleaseEvent(QMouseEvent* event) {
    if (m_panning && event->button() == Qt::MiddleButton) {
        QMouseEvent release(event->type(), event->position(), event->globalPosition(),
                            Qt::LeftButton, Qt::NoButton, event->modifiers());
        QGraphicsView::mouseReleaseEvent(&release);
        setDragMode(QGraphicsView::RubberBandDrag);
        m_panning = false;
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

}  // namespace loom::ui

namespace loom::ui {

QPointF CanvasView::cursorScenePos() const {
    const QPoint local = mapFromGlobal(QCursor::pos());
    const QPoint at = viewport()->rect().contains(local) ? local : viewport()->rect().center();
    return mapToScene(at);
}

bool CanvasView::event(QEvent* event) {
    // Tab would move the focus to the next widget; on the canvas it opens quick-add instead.
    if (event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Tab && key->modifiers() == Qt::NoModifier) {
            emit quickAddRequested(cursorScenePos());
            return true;
        }
    }
    return QGraphicsView::event(event);
}

void CanvasView::mouseDoubleClickEvent(QMouseEvent* event) {
    const QPointF at = mapToScene(event->position().toPoint());
    if (event->button() == Qt::LeftButton && !itemAt(event->position().toPoint())) {
        emit quickAddRequested(at);
        event->accept();
        return;
    }
    QGraphicsView::mouseDoubleClickEvent(event);
}

void CanvasView::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat() && !m_spacePan) {
        m_spacePan = true;
        setInteractive(false);  // a drag pans even when it starts on a card
        setDragMode(QGraphicsView::ScrollHandDrag);
        event->accept();
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void CanvasView::keyReleaseEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat() && m_spacePan) {
        m_spacePan = false;
        setDragMode(QGraphicsView::RubberBandDrag);
        setInteractive(true);
        event->accept();
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

}  // namespace loom::ui
