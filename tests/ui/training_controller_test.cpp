// The training controller without a window: the worker thread, its reports, pause, resume,
// stop, finishing at once, and going away mid-run. Its threading is what the ThreadSanitizer
// build checks most closely (no painting, so none of Qt's own threads are involved).
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "document/document.h"
#include "training/sample_data.h"
#include "training/training_controller.h"
#include "training_test_helpers.h"

using namespace loom;
using namespace loom::ui;
using test::waitFor;

namespace {

/// The small autoencoder on a synthetic series of `steps` steps, trained for `epochs`.
Project autoencoder(int epochs, int steps) {
    Project p = test::smallAutoencoder(6);
    p.training = {{"epochs", epochs},
                  {"batch_size", 16},
                  {"data", {{"source", "synthetic:sines"}, {"synthetic_steps", steps}, {"stride", 2}}}};
    return p;
}

}  // namespace

class TrainingControllerTest : public QObject {
    Q_OBJECT

private slots:
    void theProgressLineSaysWhenTheRunTrainsOnFewerCores() {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        BatchReport r;
        r.epoch = 2;
        r.batch = 5;
        r.batches = 10;
        r.samplesPerSecond = 1234.4;
        r.elapsedSeconds = 15.0;  // 15 of 30 batches: 15 s to go
        r.threads = r.mostThreads = 2;
        QCOMPARE(TrainingController::progressLine(r, 3),
                 QString("Epoch 2/3 · batch 5/10 · 1,234 samples/s · ETA 0:15"));
        r.threads = 1;
        QCOMPARE(TrainingController::progressLine(r, 3),
                 QString("Epoch 2/3 · batch 5/10 · 1,234 samples/s on 1 of 2 cores · ETA 0:15"));
        // A run on one core of one says nothing of cores.
        r.mostThreads = 1;
        QCOMPARE(TrainingController::progressLine(r, 3),
                 QString("Epoch 2/3 · batch 5/10 · 1,234 samples/s · ETA 0:15"));
        QLocale::setDefault(QLocale::system());
    }

    void aSampleSeriesIsFoundByItsFileOrItsName() {
        QStandardPaths::setTestModeEnabled(true);
        for (const std::string source : {"sample:nile.csv", "sample:nile"}) {
            const QString path = QString::fromStdString(readableSource(source));
            QVERIFY2(path.endsWith("/nile.csv"), qPrintable(path));
            QVERIFY(QFile::exists(path));
        }
        // Anything else is left for the core to refuse, with its list of series.
        QCOMPARE(readableSource("sample:rainfall"), std::string("sample:rainfall"));
        QCOMPARE(readableSource("sample:../nile"), std::string("sample:../nile"));
    }

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
        QTRY_VERIFY_WITH_TIMEOUT(c.holding(), 60000);
        c.collectReports();
        const std::size_t frozen = c.run().batchLosses.size();
        QCoreApplication::processEvents();
        c.collectReports();
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
        QCoreApplication::processEvents();
        QVERIFY(doc.structureLock().isEmpty());
    }

    void readingALargeFileShowsProgressAndStopsAtOnce() {
        // 2,000,000 rows: a fraction of a second to read, and checked every 65,536.
        QTemporaryDir dir;
        const QString file = dir.filePath("long.csv");
        {
            std::ofstream out(file.toStdString());
            out << "value\n";
            for (int i = 0; i < 2000000; ++i) out << (i % 1000) * 0.001 << '\n';
        }
        Document doc;
        Project p = autoencoder(3, 400);
        p.training["data"] = {{"source", file.toStdString()}, {"stride", 1000}};
        doc.setProject(p, QString());
        TrainingController c(&doc);
        QSignalSpy finished(&c, &TrainingController::finished);
        QString why;
        // Read to the end once: the progress climbs to the whole file, and training follows.
        QStringList texts;
        connect(&c, &TrainingController::progressChanged, this, [&] { texts << c.progressText(); });
        QVERIFY2(c.start(&why), qPrintable(why));
        QVERIFY(waitFor([&] { return !c.busy(); }, 120000));
        QVERIFY(finished.front().at(0).toBool());
        QVERIFY2(texts.filter("Reading the data…").size() >= 2, qPrintable(texts.join(" | ")));
        QCOMPARE(doc.project().runs.size(), 1u);
        // Stopped while reading: nothing is trained, nothing is recorded, and it says so.
        finished.clear();
        QVERIFY(c.start(&why));
        c.stop();
        QVERIFY(waitFor([&] { return !c.busy(); }, 120000));
        QCOMPARE(finished.size(), 1);
        QVERIFY(finished.front().at(0).toBool());
        QCOMPARE(finished.front().at(1).toString(), QString("Stopped while reading the data; nothing was trained."));
        QCOMPARE(doc.project().runs.size(), 1u);
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
