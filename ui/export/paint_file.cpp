#include "export/paint_file.h"

#include <QFileInfo>
#include <QImage>
#include <QObject>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include "io/atomic_file.h"

namespace loom::ui {

bool openToSave(QSaveFile& file, QString* error) {
    const std::string problem = replaceProblem(file.fileName().toStdString());
    if (problem.empty() && file.open(QIODevice::WriteOnly)) return true;
    if (error) {
        *error = QObject::tr("Could not write %1: %2")
                     .arg(file.fileName(), problem.empty() ? file.errorString() : QString::fromStdString(problem));
    }
    return false;
}

bool saveBytes(const QString& path, const QByteArray& bytes, QString* error) {
    QSaveFile file(path);
    if (!openToSave(file, error)) return false;
    if (file.write(bytes) != bytes.size() || !file.commit()) {
        if (error) *error = QObject::tr("Could not write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool paintToFile(const QString& path, QSizeF size, double pngScale,
                 const std::function<void(QPainter&)>& paint, QString* error) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != "png" && suffix != "svg" && suffix != "pdf") {
        if (error) *error = QObject::tr("Choose a file ending in .png, .svg or .pdf.");
        return false;
    }
    QSaveFile file(path);
    bool ok = openToSave(file, error);
    const auto draw = [&paint](QPainter& painter) {
        painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
        paint(painter);
    };
    if (ok && suffix == "png") {
        const QSize pixels = (size * pngScale).toSize();
        if (pixels.width() > 30000 || pixels.height() > 30000 || pixels.isEmpty()) {
            if (error) {
                *error = QObject::tr("The image would be %1 x %2 pixels; choose a smaller scale.")
                             .arg(pixels.width())
                             .arg(pixels.height());
            }
            ok = false;
        } else {
            QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
            image.fill(Qt::white);
            QPainter painter(&image);
            painter.scale(pngScale, pngScale);
            draw(painter);
            painter.end();
            ok = image.save(&file, "PNG");
        }
    } else if (ok && suffix == "svg") {
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setSize(size.toSize());
        svg.setViewBox(QRectF(QPointF(0, 0), size));
        svg.setTitle(QFileInfo(path).completeBaseName());
        QPainter painter(&svg);
        draw(painter);
        ok = painter.end();
    } else if (ok) {
        QPdfWriter pdf(&file);
        pdf.setResolution(96);
        pdf.setPageSize(QPageSize(size / 96.0, QPageSize::Inch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QPainter painter(&pdf);
        draw(painter);
        ok = painter.end();
    }
    if (ok) ok = file.commit();
    if (!ok && error && error->isEmpty()) {
        *error = QObject::tr("Could not write %1: %2").arg(path, file.errorString());
    }
    return ok;
}

}  // namespace loom::ui
