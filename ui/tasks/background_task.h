#pragma once

#include <QObject>
#include <QString>
#include <QTimer>
#include <functional>
#include <memory>
#include <stop_token>
#include <vector>

namespace loom::ui {

/// What work running in a BackgroundTask sees on its own thread: whether to stop, and two ways
/// to report back. What it reports is delivered on the window's thread, in order, while the
/// task is still the one its owner wants; a cancelled or superseded task's reports are dropped.
class TaskContext {
public:
    /// True once the task is cancelled, superseded by a newer start(), or its owner goes away.
    /// Long work checks it now and then (the core's readers take it as a progress callback
    /// that returns false).
    bool stopRequested() const { return m_stop.stop_requested(); }
    const std::stop_token& stopToken() const { return m_stop; }
    /// How far the work is, from 0 to 1: only the newest value is delivered (progressed()).
    void progress(double fraction);
    /// Runs `deliver` on the window's thread.
    void post(std::function<void()> deliver);

    struct Mailbox;

private:
    friend class BackgroundTask;
    TaskContext(std::shared_ptr<Mailbox> box, std::stop_token stop);
    std::shared_ptr<Mailbox> m_box;
    std::stop_token m_stop;
};

/// The window's one way to run work off its thread: training, reading data, opening files,
/// previews and exports. The work runs on a std::jthread; what it reports waits in a mailbox
/// guarded by a std::mutex, which the window's thread empties every 20 ms. No Qt event crosses
/// the threads, so ThreadSanitizer sees every hand-over.
///
/// Starting again supersedes the work going: it is asked to stop, its reports are dropped, and
/// its thread is joined once it has ended, without the window waiting for it. Going away asks
/// every work to stop and waits for it. An exception thrown by the work arrives as failed()
/// with its message, unless the work was asked to stop (a reader stopped on request throws).
class BackgroundTask : public QObject {
    Q_OBJECT

public:
    explicit BackgroundTask(QObject* parent = nullptr);
    ~BackgroundTask() override;

    /// Runs the work, and each of its threads (the matrix products' ones inherit it), at this
    /// nice value (Linux): a long run that should leave the window's thread a core.
    void setNiceness(int niceness) { m_niceness = niceness; }

    /// Starts `work` on a new thread, superseding the work going.
    void start(std::function<void(TaskContext&)> work);
    /// Asks the work going to stop and drops its reports from now on; does not wait.
    void cancel();
    /// Asks the work going to stop and waits for it to end; with `deliver`, what it reported
    /// before ending is delivered now (finished() included), else dropped.
    void stopAndWait(bool deliver);
    /// Delivers what the work going has reported so far now, instead of at the next 20 ms.
    void collectNow() {
        if (m_current) deliver(m_current);
    }
    /// Whether work started and its end has not been delivered yet.
    bool running() const { return m_current != nullptr; }

signals:
    void progressed(double fraction);
    void failed(const QString& message);
    /// The work ended and everything it reported has been delivered.
    void finished();

private:
    struct Run;
    std::shared_ptr<Run> m_current;
    std::vector<std::shared_ptr<Run>> m_retired;  ///< superseded, joined once they end
    QTimer m_poll;
    int m_niceness = 0;

    void collect();
    /// Delivers what `run` reported; false when a report superseded it.
    bool deliver(std::shared_ptr<Run> run);
};

}  // namespace loom::ui
