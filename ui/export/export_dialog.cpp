#include "export/export_dialog.h"

#include <QBuffer>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>
#include <QWidget>

#include "export/paint_file.h"

namespace loom::ui {

bool saveWidgetPng(QWidget* widget, const QString& path, QString* error) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!widget->grab().save(&buffer, "PNG")) {
        if (error) *error = QObject::tr("Could not draw the picture for %1").arg(path);
        return false;
    }
    return saveBytes(path, bytes, error);
}

QString askSavePath(QWidget* parent, const QString& title, const QString& name) {
    const QString dir = QSettings().value("lastDirectory").toString();
    const QString suffix = QFileInfo(name).suffix();
    return QFileDialog::getSaveFileName(parent, title, QFileInfo(dir).absolutePath() + "/" + name,
                                        suffix.toUpper() + " (*." + suffix + ")");
}

}  // namespace loom::ui
