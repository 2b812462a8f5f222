#include "export/canvas_export.h"

#include <QGraphicsItem>
#include <QPainter>

#include "canvas/canvas_style.h"
#include "canvas/graph_scene.h"
#include "export/paint_file.h"

namespace loom::ui {

bool exportCanvas(GraphScene* scene, const QString& path, double scale, QString* error) {
    const QRectF source = scene->contentRect();
    // Selection highlights stay out of the picture.
    QList<QGraphicsItem*> selected = scene->selectedItems();
    for (QGraphicsItem* item : selected) item->setSelected(false);
    const bool ok = paintToFile(
        path, source.size(), scale,
        [&](QPainter& painter) {
            const QRectF target(QPointF(0, 0), source.size());
            painter.fillRect(target, style::canvasBackground());
            scene->render(&painter, target, source);
        },
        error);
    for (QGraphicsItem* item : selected) item->setSelected(true);
    return ok;
}

}  // namespace loom::ui
