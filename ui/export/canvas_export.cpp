#include "export/canvas_export.h"

#include <QFileInfo>
#include <QGraphicsItem>
#include <QImage>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include "canvas/canvas_style.h"
#include "canvas/graph_scene.h"

namespace loom::ui {

namespace {

/// Renders the content rectangle of `scene` into `target` on `painter`, background included.
void render(GraphScene* scene, QPainter& painter, const QRectF& target, const QRectF& source) {
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    painter.fillRect(target, style::canvasBackground());
    scene->render(&painter, target, source);
}

}  // namespace

bool exportCanvas(GraphScene* scene, const QString& path, double scale, QString* error) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != "png" && suffix != "svg" && suffix != "pdf") {
        if (error) *error = QObject::tr("Choose a file ending in .png, .svg or .pdf.");
        return false;
    }
    const QRectF source = scene->contentRect();
    QList<QGraphicsItem*> selected = scene->selectedItems();
    for (QGraphicsItem* item : selected) item->setSelected(false);

    // Written through QSaveFile, so that a failed export never leaves half a file.
    QSaveFile file(path);
    bool ok = file.open(QIODevice::WriteOnly);
    if (ok && suffix == "png") {
        const QSize size = (source.size() * scale).toSize();
        if (size.width() > 30000 || size.height() > 30000) {
            if (error) *error = QObject::tr("The image would be %1 x %2 pixels; choose a smaller scale.")
                                    .arg(size.width()).arg(size.height());
            ok = false;
        } else {
            QImage image(size, QImage::Format_ARGB32_Premultiplied);
            QPainter painter(&image);
            render(scene, painter, QRectF(QPointF(0, 0), size), source);
            painter.end();
            ok = image.save(&file, "PNG");
        }
    } else if (ok && suffix == "svg") {
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setSize(source.size().toSize());
        svg.setViewBox(QRectF(QPointF(0, 0), source.size()));
        svg.setTitle(QFileInfo(path).completeBaseName());
        QPainter painter(&svg);
        render(scene, painter, QRectF(QPointF(0, 0), source.size()), source);
        ok = painter.end();
    } else if (ok) {
        QPdfWriter pdf(&file);
        pdf.setResolution(96);
        pdf.setPageSize(QPageSize(source.size() / 96.0, QPageSize::Inch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QPainter painter(&pdf);
        render(scene, painter, QRectF(QPointF(0, 0), source.size()), source);
        ok = painter.end();
    }
    if (ok) ok = file.commit();
    for (QGraphicsItem* item : selected) item->setSelected(true);
    if (!ok && error && error->isEmpty()) {
        *error = QObject::tr("Could not write %1: %2").arg(path, file.errorString());
    }
    return ok;
}

}  // namespace loom::ui
