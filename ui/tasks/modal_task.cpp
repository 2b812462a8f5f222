#include "tasks/modal_task.h"

#include <QApplication>
#include <QEventLoop>
#include <QProgressDialog>
#include <QScopeGuard>
#include <exception>

namespace loom::ui {

bool runWithProgress(QWidget* parent, const QString& title, const QString& label,
                     std::function<void(TaskContext&)> work) {
    QProgressDialog progress(label, QObject::tr("Cancel"), 0, 0, parent);
    progress.setWindowTitle(title);
    progress.setMinimumWidth(420);
    progress.setWindowModality(Qt::WindowModal);
    progress.setAutoReset(false);
    progress.setMinimumDuration(400);
    progress.setValue(0);  // starts the 400 ms until it shows
    QApplication::setOverrideCursor(Qt::BusyCursor);
    const auto restore = qScopeGuard([] { QApplication::restoreOverrideCursor(); });

    std::exception_ptr error;
    bool cancelled = false;
    QEventLoop loop;
    BackgroundTask task;  // after what its reports write to: it goes first, waiting for the work
    QObject::connect(&task, &BackgroundTask::finished, &loop, &QEventLoop::quit);
    QObject::connect(&task, &BackgroundTask::progressed, &progress, [&progress](double fraction) {
        progress.setRange(0, 1000);
        progress.setValue(static_cast<int>(fraction * 1000));
    });
    QObject::connect(&progress, &QProgressDialog::canceled, &loop, [&] {
        cancelled = true;
        task.cancel();
        loop.quit();
    });
    task.start([work = std::move(work), &error](TaskContext& context) {
        try {
            work(context);
        } catch (...) {
            if (!context.stopRequested()) context.post([&error, e = std::current_exception()] { error = e; });
        }
    });
    loop.exec();
    progress.reset();
    if (error) std::rethrow_exception(error);
    return !cancelled;
}

}  // namespace loom::ui
