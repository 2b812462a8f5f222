#pragma once

#include <QString>

class QWidget;

namespace loom::ui {

/// Writes what `widget` shows (as grab() sees it) to a PNG file; false with a reason in `error`.
bool saveWidgetPng(QWidget* widget, const QString& path, QString* error);
/// Asks where to save an export: a file dialog titled `title`, in the folder last used,
/// proposing `name` (with its suffix); empty when the user cancels.
QString askSavePath(QWidget* parent, const QString& title, const QString& name);

}  // namespace loom::ui
