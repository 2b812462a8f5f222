// The window and layerloom-cli are two faces of one program: on the same project and inputs,
// each flow gives the same result from both (the core's services do the work, the front ends
// only ask and show).
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <iterator>

#include "document/document.h"
#include "engine/weights_file.h"
#include "export/training_job_export.h"
#include "graph/project_file.h"
#include "io/atomic_file.h"
#include "train/config_json.h"
#include "train/run_folder.h"
#include "training/training_controller.h"
#include "training_test_helpers.h"
#include "window/main_window.h"

using namespace loom;
using namespace loom::ui;

namespace {

std::string readBytes(const QString& path) {
    std::ifstream in(path.toStdString(), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

/// Runs layerloom-cli with `args`; its exit code, with what it printed in `output`.
int cli(const QStringList& args, QString* output = nullptr) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(LAYERLOOM_CLI, args);
    if (!p.waitForFinished(600000)) return -1;
    if (output) *output = QString::fromUtf8(p.readAll());
    return p.exitCode();
}

/// The small autoencoder with a seed of its own and a short sine series, saved as `path`.
Project savedProject(const QString& path, bool withWeights) {
    Project p = test::smallAutoencoder(6);
    p.training = {{"epochs", 2},
                  {"batch_size", 16},
                  {"seed", 7},
                  {"data", {{"source", "synthetic:sines"}, {"synthetic_steps", 300}, {"stride", 3}}}};
    if (withWeights) {
        Plan<float> plan = Plan<float>::compile(p.graph, 1);
        plan.initialize(42);
        p.weights = plan.exportWeights();
    }
    writeFileAtomically(path.toStdString(), serializeProject(p));
    return p;
}

}  // namespace

class FrontEndsTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void exportsTheSameBytes() {
        QTemporaryDir dir;
        for (const bool withWeights : {false, true}) {
            const QString project = dir.filePath(withWeights ? "trained.loom" : "new.loom");
            savedProject(project, withWeights);
            MainWindow w;
            QVERIFY(w.openPath(project));
            const QString fromWindow = dir.filePath(withWeights ? "window_trained" : "window_new");
            const QString report = w.exportModelTo(fromWindow, MainWindow::ModelExport::LayersFolder);
            QVERIFY2(report.contains(withWeights ? "trained weights" : "seed 7"), qPrintable(report));
            const QString fromCli = dir.filePath(withWeights ? "cli_trained" : "cli_new");
            QString said;
            QCOMPARE(cli({"export", project, fromCli, "--to", "tfjs"}, &said), 0);
            QVERIFY2(withWeights || said.contains("seed 7"), qPrintable(said));
            const std::string bytes = readBytes(fromWindow + "/weights.bin");
            QVERIFY(!bytes.empty());
            QVERIFY(bytes == readBytes(fromCli + "/weights.bin"));
            QVERIFY(readBytes(fromWindow + "/model.json") == readBytes(fromCli + "/model.json"));
        }
    }

    void exportTheSameTrainingJob() {
        QTemporaryDir dir;
        const QString project = dir.filePath("job.loom");
        savedProject(project, true);
        Document doc;
        doc.load(project);
        exportTrainingJob(trainingJobRequest(doc), dir.filePath("window_job"));
        QCOMPARE(cli({"export", project, dir.filePath("cli_job"), "--to", "pytorch-job"}), 0);
        for (const char* file : {"weights.bin", "data/train_series.npy", "data/train_starts.npy",
                                 "data/validation_starts.npy", "model.py"}) {
            const std::string bytes = readBytes(dir.filePath(QString("window_job/") + file));
            QVERIFY2(!bytes.empty(), file);
            QVERIFY2(bytes == readBytes(dir.filePath(QString("cli_job/") + file)), file);
        }
    }

    void prepareTheSameRunAndRecordItAlike() {
        QTemporaryDir dir;
        const QString project = dir.filePath("run.loom");
        savedProject(project, true);
        QCOMPARE(cli({"train", project, "--quiet", "--out", dir.filePath("cli_run")}), 0);
        const RunFolder folder = readRunFolder(dir.filePath("cli_run").toStdString());

        Document doc;
        doc.load(project);
        TrainingController c(&doc);
        QSignalSpy finished(&c, &TrainingController::finished);
        QString why;
        QVERIFY2(c.start(&why), qPrintable(why));
        QVERIFY(finished.wait(120000));
        QVERIFY(finished.first().at(0).toBool());
        const TrainingRun& run = c.run();
        // The same settings, written out in full, the same data with the same fitted
        // normaliser, the same model and parameter count.
        QCOMPARE(run.training.dump(), folder.record.run.training.dump());
        QCOMPARE(run.parameters, folder.record.run.parameters);
        QCOMPARE(run.history.size(), folder.record.run.history.size());
        QVERIFY(architectureChanges(run.graph, folder.record.run.graph).empty());
        QCOMPARE(folder.record.normalizer.shift, normalizerFromJson(run.training["normalizer"]).shift);
    }
};

QTEST_MAIN(FrontEndsTest)
#include "front_ends_test.moc"
