#pragma once

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QString>

namespace loom::ui {

/// Where a file dialog opens: `remembered` (the folder used last) while it exists, else the
/// user's documents, else home; never the folder the app happened to start in.
inline QString startFolder(const QString& remembered) {
    if (!remembered.isEmpty() && QFileInfo(remembered).isDir()) return QFileInfo(remembered).absoluteFilePath();
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return QFileInfo(documents).isDir() ? documents : QDir::homePath();
}

}  // namespace loom::ui
