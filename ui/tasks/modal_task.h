#pragma once

#include <QString>
#include <functional>

#include "tasks/background_task.h"

class QWidget;

namespace loom::ui {

/// Runs `work` in a BackgroundTask while the window stays live under a window-modal progress
/// dialog (shown after 400 ms, with Cancel), for work the user waits for: opening a file,
/// exporting a training job. Returns true when the work ended, false when the user cancelled
/// it (what it posted after that is dropped). An exception the work throws is thrown here, on
/// the window's thread, as it was thrown.
bool runWithProgress(QWidget* parent, const QString& title, const QString& label,
                     std::function<void(TaskContext&)> work);

}  // namespace loom::ui
