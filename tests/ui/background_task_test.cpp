// BackgroundTask, the window's one way to work off its thread: reports arrive on the window's
// thread in order, a newer start or a cancel drops the older work's reports, failures arrive
// as messages, and going away stops the work.
#include <QSignalSpy>
#include <QThread>
#include <QtTest>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include "tasks/background_task.h"

using namespace loom::ui;

namespace {

/// Blocks the calling worker until asked to stop.
void waitForStop(const TaskContext& context) {
    std::mutex m;
    std::condition_variable_any wake;
    std::unique_lock lock(m);
    wake.wait(lock, context.stopToken(), [] { return false; });
}

}  // namespace

class BackgroundTaskTest : public QObject {
    Q_OBJECT

private slots:
    void deliversReportsInOrderOnTheWindowsThread() {
        BackgroundTask task;
        QSignalSpy finished(&task, &BackgroundTask::finished);
        QSignalSpy progressed(&task, &BackgroundTask::progressed);
        QList<int> got;
        bool onWindowThread = true;
        task.start([&](TaskContext& c) {
            for (int i = 0; i < 5; ++i) {
                c.progress(0.2 * (i + 1));
                c.post([&, i] {
                    got << i;
                    onWindowThread = onWindowThread && QThread::currentThread() == thread();
                });
            }
        });
        QVERIFY(task.running());
        QVERIFY(finished.wait(30000));
        QCOMPARE(got, (QList<int>{0, 1, 2, 3, 4}));
        QVERIFY(onWindowThread);
        QVERIFY(!task.running());
        QVERIFY(!progressed.isEmpty());
        QCOMPARE(progressed.last().at(0).toDouble(), 1.0);  // only the newest is kept
    }

    void aNewerStartDropsTheOlderWorksReports() {
        BackgroundTask task;
        QSignalSpy finished(&task, &BackgroundTask::finished);
        std::atomic<bool> firstStopped = false;
        QStringList got;
        task.start([&](TaskContext& c) {
            waitForStop(c);
            firstStopped = true;
            c.post([&] { got << "first"; });
        });
        task.start([&](TaskContext& c) { c.post([&] { got << "second"; }); });
        QVERIFY(finished.wait(30000));
        QTRY_VERIFY_WITH_TIMEOUT(firstStopped.load(), 30000);
        // The first work's report, posted after it was superseded, never arrives.
        task.start([&](TaskContext& c) { c.post([&] { got << "third"; }); });
        QVERIFY(finished.wait(30000));
        QCOMPARE(got, (QStringList{"second", "third"}));
    }

    void cancelDropsTheReportsAndEndsTheWork() {
        BackgroundTask task;
        QSignalSpy finished(&task, &BackgroundTask::finished);
        std::atomic<bool> ended = false;
        bool delivered = false;
        task.start([&](TaskContext& c) {
            waitForStop(c);
            c.post([&] { delivered = true; });
            ended = true;
        });
        task.cancel();
        QVERIFY(!task.running());
        QTRY_VERIFY_WITH_TIMEOUT(ended.load(), 30000);
        // A later work's end shows the mailbox was emptied meanwhile.
        task.start([](TaskContext&) {});
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.size(), 1);
        QVERIFY(!delivered);
    }

    void aFailureArrivesAsItsMessageUnlessTheWorkWasStopped() {
        BackgroundTask task;
        QSignalSpy failed(&task, &BackgroundTask::failed);
        QSignalSpy finished(&task, &BackgroundTask::finished);
        task.start([](TaskContext&) { throw std::runtime_error("data.csv: row 3 holds text"); });
        QVERIFY(finished.wait(30000));
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(0).toString(), QString("data.csv: row 3 holds text"));
        // A reader stopped on request throws too: no failure.
        task.start([](TaskContext& c) {
            waitForStop(c);
            throw std::runtime_error("stopped");
        });
        task.stopAndWait(true);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(finished.size(), 2);
    }

    void aReportMayCancelTheTaskThatDeliversIt() {
        // The window's answer to a failure may be to cancel (and start anew): delivering the
        // rest of the reports must not touch the work it has let go of.
        BackgroundTask task;
        QSignalSpy failed(&task, &BackgroundTask::failed);
        connect(&task, &BackgroundTask::failed, &task, [&task] { task.cancel(); });
        task.start([](TaskContext&) { throw std::runtime_error("data.csv: no column 'temperature'"); });
        QVERIFY(failed.wait(30000));
        QVERIFY(!task.running());
        bool ran = false;
        task.start([](TaskContext& c) { c.post([] {}); });
        task.start([&ran](TaskContext& c) { c.post([&ran] { ran = true; }); });
        QTRY_VERIFY_WITH_TIMEOUT(ran, 30000);
    }

    void stopAndWaitDeliversAtOnceOrDrops() {
        BackgroundTask task;
        QStringList got;
        task.start([&](TaskContext& c) {
            c.post([&] { got << "before the stop"; });
            waitForStop(c);
            c.post([&] { got << "last words"; });
        });
        task.stopAndWait(true);
        QCOMPARE(got, (QStringList{"before the stop", "last words"}));
        QVERIFY(!task.running());
        task.start([&](TaskContext& c) {
            waitForStop(c);
            c.post([&] { got << "dropped"; });
        });
        task.stopAndWait(false);
        QCOMPARE(got.size(), 2);
    }

    void goingAwayStopsTheWork() {
        std::atomic<bool> ended = false;
        {
            BackgroundTask task;
            task.start([&](TaskContext& c) {
                waitForStop(c);
                ended = true;
            });
        }
        QVERIFY(ended.load());
    }
};

QTEST_MAIN(BackgroundTaskTest)
#include "background_task_test.moc"
