#pragma once

#include <QSizeF>
#include <QString>
#include <functional>

class QByteArray;
class QPainter;
class QSaveFile;

namespace loom::ui {

/// Opens `file` for writing a file the user chose, or returns false with the reason in `error`
/// ("Could not write PATH: ..."): a folder, a device or a pipe at its path is never replaced.
bool openToSave(QSaveFile& file, QString* error);
/// Writes `bytes` to `path` through openToSave; false with a reason in `error`.
bool saveBytes(const QString& path, const QByteArray& bytes, QString* error);

/// Writes a picture to a PNG, SVG or PDF file, chosen by the file's extension, through
/// QSaveFile so that a failed export never leaves half a file. `paint` draws it in a
/// coordinate system of `size` units from (0, 0); `pngScale` multiplies the PNG's pixels.
/// SVG keeps text as text. Returns false with a reason in `error`. Needs a QGuiApplication.
bool paintToFile(const QString& path, QSizeF size, double pngScale,
                 const std::function<void(QPainter&)>& paint, QString* error);

}  // namespace loom::ui
