// The training controller without a window: the worker thread, its reports, pause, resume,
// stop, finishing at once, and going away mid-run. Its threading is what the ThreadSanitizer
// build checks most closely (no painting, so none of Qt's own threads are involved).
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>

#include "document/document.h"
#include "training/training_controller.h"

using namespace loom;
using namespace loom::ui;

namespace {

Project autoencoder(int epochs, int steps) {
    Project p;
    ModelGraph& g = p.graph;
    const NodeId in = g.addNode("InputLayer", {0, 0});
    g.setParam(in, "shape", Dims{16, 1});
    const NodeId enc = g.addNode("LSTM", {0, 100});
    g.setParam(enc, "units", std::int64_t{6});
    const NodeId rep = g.addNode("RepeatVector", {0, 200});
    g.setParam(rep, "n", std::int64_t{16});
    const NodeId dec = g.addNode("LSTM", {0, 300});
    g.setParam(dec, "units", std::int64_t{6});
    g.setParam(dec, "return_sequences", true);
    const NodeId out = g.addNode("TimeDistributed", {0, 400});
    g.setParam(out, "units", std::int64_t{1});
    g.connect({in, 0}, {enc, 0});
    g.connect({enc, 0}, {rep, 0});
    g.connect({rep, 0}, {dec, 0});
    g.connect({dec, 0}, {out, 0});
    p.training = {{"epochs", epochs},
                  {"batch_size", 16},
                  {"data", {{"source", "synthetic:sines"}, {"synthetic_steps", steps}, {"stride", 2}}}};
    return p;
}

bool waitFor(const std::function<bool()>& done, int ms) {
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > ms) return false;
        QTest::qWait(5);
    }
    return true;
}

}  // namespace

class TrainingControllerTest : public QObject {
    Q_OBJECT

private slots:
    void runsToTheEndAndHandsBackWeightsAndTheRun() {
        Document doc;
        doc.setProject(autoencoder(3, 400), QString());
        TrainingController c(&doc);
        QSignalSpy epochs(&c, &TrainingController::epochEnded);
        QSignalSpy previews(&c, &TrainingController::previewArrived);
        QSignalSpy finished(&c, &TrainingController::finished);
        QString why;
        QVERIFY2(c.start(&why), qPrintable(why));
        QVERIFY(!doc.structureLock().isEmpty());
        QVERIFY(!c.start(&why));  // one run at a time
        QVERIFY(waitFor([&] { return !c.busy(); }, 120000));
        QCOMPARE(finished.count(), 1);
        QVERIFY(finished.front().at(0).toBool());
        QCOMPARE(epochs.count(), 3);
        QCOMPARE(previews.count(), 4);
        QCOMPARE(c.run().history.size(), 3u);
        QVERIFY(!c.run().batchLosses.empty());
        QVERIFY(!doc.weights().empty());
        QCOMPARE(doc.project().runs.size(), 1u);
        QVERIFY(doc.structureLock().isEmpty());
        // A second run continues from the trained weights.
        QVERIFY(c.start(&why));
        QVERIFY(waitFor([&] { return !c.busy(); }, 120000));
        QCOMPARE(doc.project().runs.size(), 2u);
        QCOMPARE(doc.project().runs.back()["number"].get<int>(), 2);
    }

    void pausesResumesAndStops() {
        Document doc;
        doc.setProject(autoencoder(10000, 2000), QString());
        TrainingController c(&doc);
        QString why;
        QVERIFY(c.start(&why));
        QVERIFY(waitFor([&] { return c.run().batchLosses.size() > 3; }, 60000));
        c.pause();
        QCOMPARE(c.state(), TrainingController::State::Paused);
        QTest::qWait(300);
        const std::size_t frozen = c.run().batchLosses.size();
        QTest::qWait(300);
        QCOMPARE(c.run().batchLosses.size(), frozen);
        c.resume();
        QVERIFY(waitFor([&] { return c.run().batchLosses.size() > frozen; }, 60000));
        c.stop();
        QCOMPARE(c.state(), TrainingController::State::Stopping);
        QVERIFY(waitFor([&] { return !c.busy(); }, 60000));
        QCOMPARE(doc.project().runs.back()["ending"].get<std::string>(), std::string("stopped"));
    }

    void finishNowTakesTheResultAtOnce() {
        Document doc;
        doc.setProject(autoencoder(10000, 2000), QString());
        TrainingController c(&doc);
        QString why;
        QVERIFY(c.start(&why));
        QVERIFY(waitFor([&] { return c.run().batchLosses.size() > 3; }, 60000));
        c.finishNow();
        QVERIFY(!c.busy());
        QVERIFY(!doc.weights().empty());
        QCOMPARE(doc.project().runs.size(), 1u);
    }

    void goingAwayMidRunStopsTheWorker() {
        Document doc;
        doc.setProject(autoencoder(10000, 2000), QString());
        {
            TrainingController c(&doc);
            QString why;
            QVERIFY(c.start(&why));
            QVERIFY(waitFor([&] { return c.run().batchLosses.size() > 3; }, 60000));
        }  // the destructor stops and joins; queued reports are dropped
        QTest::qWait(50);
        QVERIFY(doc.structureLock().isEmpty());
    }

    void badDataFailsBeforeTrainingAndChangesNothing() {
        Document doc;
        Project p = autoencoder(3, 10);  // shorter than one window
        doc.setProject(p, QString());
        TrainingController c(&doc);
        QSignalSpy finished(&c, &TrainingController::finished);
        QString why;
        QVERIFY(c.start(&why));
        QVERIFY(waitFor([&] { return !c.busy(); }, 60000));
        QCOMPARE(finished.front().at(0).toBool(), false);
        QVERIFY2(finished.front().at(1).toString().startsWith("Cannot train"), qPrintable(finished.front().at(1).toString()));
        QVERIFY(doc.weights().empty());
        QVERIFY(doc.project().runs.empty());
    }
};

QTEST_MAIN(TrainingControllerTest)
#include "training_controller_test.moc"
