// Interactive training through the window's own controls, offscreen: data, Start, live
// curves and reconstructions, pause, resume, stop, errors, the lock, and weights that survive
// saving.
#include <QApplication>
#include <QChartView>
#include <QCheckBox>
#include <QLineEdit>
#include <QMenu>
#include <QToolButton>
#include <QComboBox>
#include <QLabel>
#include <QFile>
#include <QImage>
#include <QListWidget>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QDir>
#include <QSettings>
#include <QWheelEvent>
#include <QScrollBar>
#include <QScrollArea>
#include <QSlider>
#include <QSpinBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QStandardPaths>
#include <QTabBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QTableView>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <QtTest>

#include "canvas/canvas_view.h"
#include "document/autosave.h"
#include "document/document.h"
#include "document/start_folder.h"
#include "engine/weights_file.h"
#include "data/npy.h"
#include "graph/graph_edit.h"
#include "graph/project_file.h"
#include "layers/layer_nodes.h"
#include "panels/palette_panel.h"
#include "train/config_json.h"
#include "train/run_history.h"
#include "training/data_panel.h"
#include "training/decimate.h"
#include "training/gradient_chart.h"
#include "training/loss_chart.h"
#include "training/reconstruction_view.h"
#include "training/runs_panel.h"
#include "training/training_controller.h"
#include "training/training_panel.h"
#include "window/main_window.h"
#include "window/training_workspace.h"
#include "training_test_helpers.h"
#include "window_test_helpers.h"

using namespace loom;
using namespace loom::ui;
using test::answerNextDialog;
using test::choose;
using test::typeInto;
using test::smallAutoencoder;
using test::settle;
using test::waitFor;

namespace {

/// Opens a tool button's menu with a click and clicks the entry whose data is `data`, as a
/// user does (the menu runs its own loop while it is open).
void pickFromMenu(QToolButton* button, const QString& data) {
    bool clicked = false;
    QTimer::singleShot(100, [&] {
        auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
        if (!menu) return;
        for (QAction* action : menu->actions()) {
            if (action->data().toString() != data) continue;
            QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(action).center());
            clicked = true;
            return;
        }
        menu->close();
    });
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY2(clicked, qPrintable(data));
}

}  // namespace

class TrainingTest : public QObject {
    Q_OBJECT

    std::unique_ptr<MainWindow> m_window;
    TrainingWorkspace* ws() { return m_window->training(); }
    TrainingController* controller() { return ws()->controller(); }

    /// A window on the small autoencoder with synthetic sines and `epochs` epochs set through
    /// the panels' own widgets.
    void openWithData(int epochs, int steps = 600, QSize size = {1400, 1000}) {
        m_window = std::make_unique<MainWindow>();
        m_window->document()->setProject(smallAutoencoder(), QString());
        m_window->resize(size);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        DataPanel* data = ws()->dataPanel();
        choose(data->sourceBox(), "synthetic:sines");
        auto* stepsBox = data->findChild<QSpinBox*>("dataSteps");  // the generator's length
        typeInto(stepsBox, QString::number(steps));
        typeInto(ws()->trainingPanel()->epochsBox(), QString::number(epochs));
        QVERIFY(waitFor([&] { return ws()->trainingPanel()->startButton()->isEnabled(); }, 3000));
        QVERIFY2(data->ready(), qPrintable(data->problem()));
    }

    void clickStart() {
        QPushButton* start = ws()->trainingPanel()->startButton();
        // As a person would: click once the button says it can start (its tooltip says why not).
        QVERIFY2(waitFor([&] { return start->isEnabled(); }, 5000), qPrintable(start->toolTip()));
        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(controller()->busy());
    }

    void waitUntilIdle(int ms = 60000) { QVERIFY(waitFor([&] { return !controller()->busy(); }, ms)); }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        // One thread in Qt's own pool (Qt Gui converts images there): two pool threads share
        // Qt's data in ways ThreadSanitizer cannot follow inside the uninstrumented Qt.
        QThreadPool::globalInstance()->setMaxThreadCount(1);
    }
    void cleanup() { m_window.reset(); }

    // File > Export Training Job writes a PyTorch job for the data and settings chosen in the
    // window; PyTorch trains it; the Runs dock's Import Run brings the run back with its loss
    // curve and its weights.
    void aTrainingJobGoesToPyTorchAndItsRunComesBack() {
#ifdef __SANITIZE_THREAD__
        // ThreadSanitizer cannot follow QProcess's forked child to Python's exec (the child
        // hangs or dies); the release run has this test.
        QSKIP("starts Python, which a ThreadSanitizer build cannot fork to");
#endif
        openWithData(2);
        QTemporaryDir out;
        const QString job = out.filePath("job");  // a new folder, named as a file is
        QAction* exportJob = m_window->findChild<QAction*>("exportTrainingJobAction");
        QVERIFY(exportJob);
        bool answered = false;
        QString said;
        test::answerNextFileDialog(job, &answered);
        answerNextDialog(QMessageBox::Ok, &said);
        exportJob->trigger();
        QVERIFY(answered);
        QTRY_VERIFY(!said.isEmpty());
        QVERIFY2(said.contains("Wrote the training job") && said.contains("2 epochs"), qPrintable(said));
        QVERIFY(said.contains("torchrun --standalone --nproc_per_node=N train.py"));
        for (const char* f : {"train.py", "model.py", "job.json", "data/train_series.npy"}) {
            QVERIFY2(QFileInfo::exists(job + "/" + f), f);
        }

        QProcess torch;
        torch.setWorkingDirectory(job);
        torch.setProcessChannelMode(QProcess::MergedChannels);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("OMP_NUM_THREADS", "1");
        torch.setProcessEnvironment(env);
        torch.start(LAYERLOOM_PYTHON, {"train.py"});
        QVERIFY(torch.waitForFinished(90000));
        QVERIFY2(torch.exitCode() == 0, torch.readAll().constData());

        QDockWidget* runsDock = m_window->findChild<QDockWidget*>("runsDock");
        runsDock->show();
        runsDock->raise();
        QPushButton* import = ws()->runs()->importButton();
        QTRY_VERIFY(import->isVisible());
        answered = false;
        test::answerNextFileDialog(job, &answered);  // the job's folder: its run is in run/
        QTest::mouseClick(import, Qt::LeftButton);
        QVERIFY(answered);
        QTRY_COMPARE(ws()->runs()->runs().size(), 1);
        const TrainingRun& run = ws()->runs()->runs().front();
        QCOMPARE(run.number, 1);
        QCOMPARE(run.history.size(), std::size_t{2});
        QVERIFY(run.history.back().valLoss > 0);
        // Its weights are the model's now, and the loss chart shows its curve.
        const std::vector<NamedTensor> weights = loadWeights((job + "/run/weights.llw").toStdString());
        QCOMPARE(m_window->document()->weights().size(), weights.size());
        for (std::size_t i = 0; i < weights.size(); ++i) QCOMPARE(m_window->document()->weights()[i].values, weights[i].values);
        // Shown on the Loss tab, as a user opens it after the import.
        QTabBar* tabs = nullptr;
        int lossTab = -1;
        for (QTabBar* bar : m_window->findChildren<QTabBar*>()) {
            for (int i = 0; i < bar->count(); ++i) {
                if (bar->tabText(i) == "Loss") tabs = bar, lossTab = i;
            }
        }
        QVERIFY(tabs);
        QTest::mouseClick(tabs, Qt::LeftButton, {}, tabs->tabRect(lossTab).center());
        QTRY_VERIFY(ws()->lossChart()->isVisible());
        QLineSeries* loss = ws()->lossChart()->series("loss");
        QVERIFY(loss);
        QTRY_COMPARE(loss->count(), 2);
        QCOMPARE(loss->at(1).y(), run.history.back().loss);

        // A folder that is not a run says so and changes nothing.
        QString warning;
        answerNextDialog(QMessageBox::Ok, &warning);
        answered = false;
        test::answerNextFileDialog(job + "/data", &answered);
        QTest::mouseClick(import, Qt::LeftButton);
        QTRY_VERIFY(!warning.isEmpty());
        QVERIFY2(warning.contains("no run.json"), qPrintable(warning));
        QCOMPARE(ws()->runs()->runs().size(), 1);
    }

    void trainsThroughTheWindowAndPlotsAsItGoes() {
        openWithData(3);
        QSignalSpy epochs(controller(), &TrainingController::epochEnded);
        QSignalSpy previews(controller(), &TrainingController::previewArrived);
        QSignalSpy finished(controller(), &TrainingController::finished);
        clickStart();
        QCOMPARE(m_window->document()->structureLock().isEmpty(), false);
        waitUntilIdle();
        QCOMPARE(finished.count(), 1);
        QVERIFY2(finished.front().at(0).toBool(), qPrintable(finished.front().at(1).toString()));
        QCOMPARE(epochs.count(), 3);
        QCOMPARE(previews.count(), 4);  // before training, then after each epoch

        // The loss chart holds both curves and the smoothed batch losses.
        LossChart* chart = ws()->lossChart();
        QVERIFY(chart->series("loss"));
        QCOMPARE(chart->series("loss")->count(), 3);
        QCOMPARE(chart->series("val_loss")->count(), 3);
        QVERIFY(chart->series("batch loss (smoothed)")->count() > 3);
        // The reconstruction shows the last epoch's output for the chosen sample.
        ReconstructionView* rec = ws()->reconstruction();
        QCOMPARE(rec->epoch(), 3);
        QCOMPARE(rec->chart()->series().size(), 2);
        QVERIFY(rec->ranking()->rowCount() > 1);
        // Worst first, and the end of the run shows the last epoch's worst.
        QVERIFY(rec->ranking()->item(0, 2)->text().toDouble() >= rec->ranking()->item(1, 2)->text().toDouble());
        const auto sampleOfRow = [&](int row) { return rec->ranking()->item(row, 1)->data(Qt::UserRole).toInt(); };
        QCOMPARE(rec->sample(), sampleOfRow(0));
        // Every way of choosing a row shows its sample: a right-click, the arrow keys.
        QTableWidget* ranking = rec->ranking();
        ranking->scrollToItem(ranking->item(1, 0));
        QTest::mouseClick(ranking->viewport(), Qt::RightButton, Qt::NoModifier, ranking->visualItemRect(ranking->item(1, 0)).center());
        QCOMPARE(rec->sample(), sampleOfRow(1));
        ranking->setFocus();
        QTest::keyClick(ranking, Qt::Key_Up);
        QCOMPARE(rec->sample(), sampleOfRow(0));
        const int shown = rec->sample();
        const bool atEnd = shown == rec->slider()->maximum();
        QTest::keyClick(rec->slider(), atEnd ? Qt::Key_Left : Qt::Key_Right);
        QCOMPARE(rec->sample(), atEnd ? shown - 1 : shown + 1);
        // The ranking marks the sample on show.
        const QList<QTableWidgetItem*> marked = rec->ranking()->selectedItems();
        QVERIFY(!marked.isEmpty());
        QCOMPARE(rec->ranking()->item(marked.front()->row(), 1)->data(Qt::UserRole).toInt(), rec->sample());
        // Gradient flow: one curve per layer with weights.
        QCOMPARE(ws()->gradients()->chart()->series().size(), 3);

        // The weights and the run are the document's now, and the layers are free again.
        QVERIFY(!m_window->document()->weights().empty());
        QCOMPARE(m_window->document()->project().runs.size(), 1u);
        QVERIFY(m_window->document()->structureLock().isEmpty());
        QVERIFY(m_window->document()->isModified());
        QCOMPARE(ws()->trainingPanel()->progressBar()->value(), 1000);

        // The curves leave as a picture and as numbers.
        QTemporaryDir dir;
        QString error;
        QVERIFY2(chart->exportCsv(dir.filePath("loss.csv"), &error), qPrintable(error));
        QFile csv(dir.filePath("loss.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = csv.readAll().trimmed().split('\n');
        QCOMPARE(rows.size(), 4);
        QVERIFY(rows[0].startsWith("epoch,loss,val_loss"));
        const double last = controller()->run().history.back().loss;
        QVERIFY(qAbs(rows[3].split(',').at(1).toDouble() - last) <= 1e-8 * last);  // 9 digits
        QVERIFY(chart->exportPng(dir.filePath("loss.png"), &error));
        QImage png(dir.filePath("loss.png"));
        QVERIFY(!png.isNull() && png.width() > 100);
        QVERIFY(!chart->exportCsv("/nonexistent/dir/loss.csv", &error));
        QVERIFY(error.contains("/nonexistent/dir/loss.csv"));
        // Log scale keeps the curves (all losses are positive).
        chart->setLogScale(true);
        QCOMPARE(chart->series("loss")->count(), 3);
        chart->setLogScale(false);
    }

    // The plots make room for themselves when a run starts, but the canvas keeps more than
    // half of the window's height (on a 768-pixel laptop screen too), whichever plot is shown.
    void theCanvasKeepsItsRoomWhenThePlotsOpen() {
        // A first start on the small screen: no docks sized by the tests before.
        QSettings().remove("window");
        openWithData(2, 600, {1280, 720});
        settle();
        QWidget* canvas = m_window->canvas()->viewport();
        const int before = canvas->height();
        clickStart();
        waitUntilIdle();
        settle();
        for (const char* dock : {"lossDock", "reconstructionDock", "gradientDock", "runsDock", "problemsDock"}) {
            auto* d = m_window->findChild<QDockWidget*>(dock);
            QVERIFY(d);
            d->raise();
            settle();
            // Qt's dock layout may first hand the group more; the window then gives it back.
            QTRY_VERIFY2_WITH_TIMEOUT(canvas->height() * 2 > m_window->height() - 80,
                     qPrintable(QString("%1: canvas %2 px high (was %3) in a %4 px window").arg(dock)
                                    .arg(canvas->height()).arg(before).arg(m_window->height())), 2000);
        }
    }

    void theRecoveryCopyKeepsEveryFinishedEpochWhileTraining() {
        openWithData(200, 2000);
        QTemporaryDir dir;
        const QString path = dir.filePath("saved.loom");
        m_window->document()->save(path);  // nothing unsaved: only the run is new work
        QVERIFY(!m_window->document()->isModified());
        clickStart();
        // The copy a crash would leave behind follows the finished epochs.
        const QString copy = m_window->autosaver()->file();
        Project recovered;
        QVERIFY(waitFor([&] {
            if (!QFile::exists(copy)) return false;
            try {
                recovered = loadProject(copy.toStdString());
            } catch (const std::exception&) {
                return false;
            }
            return !recovered.runs.empty() && recovered.runs.back()["history"].size() >= 2;
        }, 60000));
        QVERIFY(!recovered.weights.empty());
        // Apart from the run and its weights, the copy is the document as it was saved.
        Project expected = loadProject(path.toStdString());
        expected.weights = recovered.weights;
        expected.runs = recovered.runs;
        QVERIFY(recovered == expected);
        const std::string outcome = recovered.runs.back()["outcome"].get<std::string>();
        QVERIFY2(QString::fromStdString(outcome).startsWith("Interrupted after epoch"), outcome.c_str());
        // Its side file names the run, for the question after a crash.
        QVERIFY(waitFor([&] {
            QFile meta(copy + ".json");
            return meta.open(QIODevice::ReadOnly) && meta.readAll().contains("Training run 1: Interrupted after epoch");
        }, 10000));
        // The periodic autosave of an unmodified document leaves the run's copy alone.
        m_window->autosaver()->saveNow();
        QVERIFY(QFile::exists(copy));
        controller()->stop();
        waitUntilIdle();
        // The run ended: its weights are in the document, unsaved, and the copy is the document's.
        QVERIFY(m_window->document()->isModified());
        const Project after = loadProject(copy.toStdString());
        QCOMPARE(after.weights, m_window->document()->weights());
        QVERIFY(QString::fromStdString(after.runs.back()["outcome"].get<std::string>()).startsWith("Stopped"));
    }

    // A training run's snapshots are paced (Autosaver::kSnapshotShare): those that come
    // during a write or its pause give way to the newest, which is written when the pause ends.
    void theNewestSnapshotIsWrittenAndTheEndOfARunDropsTheRest() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/lstm_autoencoder.loom"));
        Autosaver* saver = w.autosaver();
        // Long enough that the snapshots below come within one pause, however slow the machine.
        saver->setMinimumSnapshotPause(std::chrono::milliseconds(1500));
        const auto snapshot = [&](int epochs) {
            Project p = w.document()->project();
            p.runs.push_back({{"number", 1}, {"outcome", "Interrupted after epoch " + std::to_string(epochs)}});
            saver->saveSnapshot(std::move(p));
        };
        const auto written = [&]() -> std::string {
            try {
                const Project p = loadProject(saver->file().toStdString());
                return p.runs.empty() ? std::string() : p.runs.back().value("outcome", std::string());
            } catch (const std::exception&) {
                return {};
            }
        };
        snapshot(1);
        QTRY_COMPARE_WITH_TIMEOUT(written(), std::string("Interrupted after epoch 1"), 10000);
        // The count follows the file: the writer counts a write once it has written it.
        QTRY_COMPARE_WITH_TIMEOUT(saver->snapshotWrites(), 1, 5000);
        for (int epoch = 2; epoch <= 40; ++epoch) snapshot(epoch);
        QTRY_COMPARE_WITH_TIMEOUT(written(), std::string("Interrupted after epoch 40"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(saver->snapshotWrites(), 2, 5000);
        // The run ends with the document unmodified: its copy goes, and the waiting snapshot
        // with it. releaseSnapshot() has waited for the writer, so the count is final.
        snapshot(41);
        saver->releaseSnapshot();
        QVERIFY(!QFile::exists(saver->file()));
        QCOMPARE(saver->snapshotWrites(), 2);
    }

    void trainedWeightsSurviveSaveAndReopen() {
        openWithData(2);
        clickStart();
        waitUntilIdle();
        const std::vector<NamedTensor> trained = m_window->document()->weights();
        QVERIFY(!trained.empty());
        QTemporaryDir dir;
        const QString path = dir.filePath("trained.loom");
        m_window->document()->save(path);
        QVERIFY(!m_window->document()->isModified());

        MainWindow reopened;
        QVERIFY(reopened.openPath(path));
        QCOMPARE(reopened.document()->weights(), trained);
        QCOMPARE(reopened.document()->project().runs.size(), 1u);
        QCOMPARE(reopened.training()->runs()->table()->rowCount(), 1);
        QVERIFY(reopened.training()->trainingPanel()->weightsLabel()->text().contains("fit every layer"));
        // The reopened project shows its run: the loss curve at once, and what the saved
        // weights make of the run's data, opening on the worst window, as the run ended.
        QCOMPARE(reopened.training()->lossChart()->series("loss")->count(),
                 static_cast<int>(controller()->run().history.size()));
        ReconstructionView* before = ws()->reconstruction();
        ReconstructionView* after = reopened.training()->reconstruction();
        QVERIFY(waitFor([&] { return after->ranking()->rowCount() > 0; }, 20000));
        QCOMPARE(after->ranking()->rowCount(), before->ranking()->rowCount());
        QCOMPARE(after->sample(), after->ranking()->item(0, 1)->data(Qt::UserRole).toInt());
        for (int row : {0, after->ranking()->rowCount() - 1}) {
            const double saved = after->ranking()->item(row, 2)->text().toDouble();
            const double live = before->ranking()->item(row, 2)->text().toDouble();
            QVERIFY2(qAbs(saved - live) <= 2e-3 * qAbs(live), qPrintable(QString("%1 vs %2").arg(saved).arg(live)));
        }
        QVERIFY(after->slider()->isEnabled());
        // A click on another window in the ranking shows it.
        reopened.show();
        QVERIFY(QTest::qWaitForWindowExposed(&reopened));
        reopened.findChild<QDockWidget*>("reconstructionDock")->raise();
        settle();
        QTableWidgetItem* second = after->ranking()->item(1, 0);
        after->ranking()->scrollToItem(second);
        QTest::mouseClick(after->ranking()->viewport(), Qt::LeftButton, Qt::NoModifier,
                          after->ranking()->visualItemRect(second).center());
        QCOMPARE(after->sample(), after->ranking()->item(1, 1)->data(Qt::UserRole).toInt());
        // A topology change says which weights no longer fit.
        const Node* dec = reopened.document()->graph().nodeByName("lstm_2");
        GraphEdit edit;
        edit.ops.push_back(edit::SetParam{dec->id, "units", std::int64_t{12}});
        reopened.document()->applyEdit(edit, "units");
        QLabel* weights = reopened.training()->trainingPanel()->weightsLabel();
        QVERIFY2(waitFor([&] { return weights->text().contains("lstm_2: kernel is (8, 48)"); }, 2000),
                 qPrintable(weights->text()));
        // Reconstruction no longer shows the outputs of the model before the edit as if current;
        // an undo shows them again.
        QCOMPARE(after->ranking()->rowCount(), 0);
        QVERIFY2(after->captionLabel()->text().contains("The model changed since these outputs were computed: the trained weights do not fit lstm_2"),
                 qPrintable(after->captionLabel()->text()));
        reopened.document()->undoStack()->undo();
        QVERIFY(waitFor([&] { return after->ranking()->rowCount() > 0; }, 20000));
        reopened.document()->undoStack()->redo();
        QCOMPARE(after->ranking()->rowCount(), 0);
        // Reset weights asks first, then forgets them.
        answerNextDialog(QMessageBox::Reset);
        reopened.training()->resetWeightsAction()->trigger();
        QVERIFY(reopened.document()->weights().empty());
        QVERIFY(reopened.training()->trainingPanel()->weightsLabel()->text().contains("untrained"));
        QCOMPARE(after->ranking()->rowCount(), 0);
    }

    void pausesResumesAndStops() {
        openWithData(500, 3000);
        clickStart();
        QVERIFY(waitFor([&] { return controller()->run().history.size() >= 1; }, 30000));
        QPushButton* pause = ws()->trainingPanel()->pauseButton();
        QTest::mouseClick(pause, Qt::LeftButton);
        QCOMPARE(controller()->state(), TrainingController::State::Paused);
        QCOMPARE(pause->text(), QString("Resume"));
        // The batch that was running when Pause came in reports; then the run is held.
        QTRY_VERIFY_WITH_TIMEOUT(controller()->holding(), 60000);
        controller()->collectReports();
        const std::size_t frozen = controller()->run().batchLosses.size();
        settle();
        controller()->collectReports();
        QCOMPARE(controller()->run().batchLosses.size(), frozen);
        QTest::mouseClick(pause, Qt::LeftButton);
        QCOMPARE(controller()->state(), TrainingController::State::Running);
        QVERIFY(waitFor([&] { return controller()->run().batchLosses.size() > frozen; }, 5000));

        // Stop ends the run after its batch (how fast is measured in bench/, not here).
        QTest::mouseClick(ws()->trainingPanel()->stopButton(), Qt::LeftButton);
        waitUntilIdle();
        QVERIFY(m_window->document()->project().runs.front().value("ending", "") == "stopped");
        QVERIFY(!m_window->document()->weights().empty());

        // Another run goes on from those weights, and the panel says so in a sentence.
        clickStart();
        QLabel* weights = ws()->trainingPanel()->weightsLabel();
        const QRegularExpression sentence("^Weights: training goes on from the model's own weights of (1 layer|[2-9] layers); "
                                          "they join the model when the run ends\\.$");
        QVERIFY2(waitFor([&] { return sentence.match(weights->text()).hasMatch(); }, 5000), qPrintable(weights->text()));
        QTest::mouseClick(ws()->trainingPanel()->stopButton(), Qt::LeftButton);
        waitUntilIdle();
    }

    void aWorkerErrorAppearsWithItsEpochAndKeepsGoodWeights() {
        openWithData(5);
        choose(ws()->trainingPanel()->optimizerBox(), "sgd");
        typeInto(ws()->trainingPanel()->learningRateBox(), "10");
        QSignalSpy finished(controller(), &TrainingController::finished);
        clickStart();
        waitUntilIdle();
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.front().at(0).toBool(), false);
        const QString message = finished.front().at(1).toString();
        QVERIFY2(message.contains("epoch"), qPrintable(message));
        QVERIFY2(message.contains("NaN or infinite"), qPrintable(message));
        // The panel shows it, the status bar too.
        QVERIFY(ws()->trainingPanel()->findChildren<QLabel*>().size() > 0);
        bool shown = false;
        for (QLabel* l : ws()->trainingPanel()->findChildren<QLabel*>()) shown |= l->text() == message;
        QVERIFY(shown);
        for (const NamedTensor& t : m_window->document()->weights()) {
            for (float v : t.values) QVERIFY(std::isfinite(v));
        }
    }

    void layersAreLockedWhileTraining() {
        openWithData(500, 3000);
        clickStart();
        QVERIFY(!ws()->trainingPanel()->startButton()->isEnabled());
        QVERIFY(!m_window->palette()->isEnabled());
        QSignalSpy refused(m_window->document(), &Document::editRefused);
        const std::size_t layers = m_window->document()->graph().nodes().size();
        m_window->canvas()->setFocus();
        m_window->scene()->selectOnly({m_window->document()->graph().nodes().back().id});
        QTest::keyClick(m_window->canvas(), Qt::Key_Delete);
        QCOMPARE(refused.count(), 1);
        QCOMPARE(m_window->document()->graph().nodes().size(), layers);
        QVERIFY(refused.front().front().toString().contains("Training is running"));
        // Moving cards still works.
        const Node& first = m_window->document()->graph().nodes().front();
        m_window->document()->moveNodes({{first.id, Point{first.position.x + 48, first.position.y}}});
        QCOMPARE(refused.count(), 1);
        QTest::keyClick(m_window.get(), Qt::Key_F5, Qt::ShiftModifier);  // Stop
        waitUntilIdle(5000);
        QVERIFY(m_window->palette()->isEnabled());
        QVERIFY(m_window->document()->structureLock().isEmpty());
    }

    // Closing the window in the middle of a run (the test's own teardown, a crash handler's
    // exit): the run stops and nothing touches the document the window has already let go.
    void theWindowGoesAwayWithARunGoing() {
        openWithData(500, 3000);
        clickStart();
        QVERIFY(controller()->busy());
        m_window.reset();
        QVERIFY(!m_window);
    }

    // F5 right after choosing other data: the run starts once that data is read, on it.
    void startWhileTheDataIsReadStartsOnceItIsRead() {
        openWithData(2);
        choose(ws()->dataPanel()->sourceBox(), "synthetic:sawtooth");
        QVERIFY(ws()->dataPanel()->busy());
        m_window->canvas()->setFocus();
        QTest::keyClick(m_window.get(), Qt::Key_F5);
        QVERIFY(!controller()->busy());
        const nlohmann::json& runs = m_window->document()->project().runs;
        QVERIFY(waitFor([&] { return runs.size() == 1 && !controller()->busy(); }, 30000));
        QCOMPARE(runs[0]["training"]["data"]["source"], nlohmann::json("synthetic:sawtooth"));
    }

    void runsOverlayCompareAndRestore() {
        openWithData(2);
        clickStart();
        waitUntilIdle();
        // Change the architecture and train again.
        const Node* dec = m_window->document()->graph().nodeByName("lstm_2");
        GraphEdit edit;
        edit.ops.push_back(edit::SetParam{dec->id, "units", std::int64_t{12}});
        m_window->document()->applyEdit(edit, "units");
        clickStart();
        waitUntilIdle();
        RunsPanel* runs = ws()->runs();
        QCOMPARE(runs->table()->rowCount(), 2);
        runs->setOverlaid(0, true);
        QVERIFY(ws()->lossChart()->series("run 1 val_loss"));
        // Select both: the comparison names the change.
        runs->table()->selectRow(0);
        runs->table()->selectionModel()->select(runs->table()->model()->index(1, 0),
                                                 QItemSelectionModel::Select | QItemSelectionModel::Rows);
        const QString compared = runs->details()->toPlainText();
        QVERIFY2(compared.contains("lstm_2: units 8 -> 12"), qPrintable(compared));
        // The same settings compare as the same, and each run says where its weights started.
        QVERIFY2(compared.contains("Settings:\n  the same\n"), qPrintable(compared));
        QVERIFY2(compared.contains("run 1: Keras's initialisers (seed 1)"), qPrintable(compared));
        QVERIFY2(compared.contains("run 2: run 1's weights for lstm_1, "), qPrintable(compared));
        // One run's settings read as words, not as the file holds them.
        runs->table()->selectRow(1);
        QVERIFY2(runs->details()->toPlainText().contains("  learning rate: 0.001\n"),
                 qPrintable(runs->details()->toPlainText()));
        QVERIFY(!runs->details()->toPlainText().contains("{"));
        // Restore run 1's graph: one undo step.
        runs->table()->selectRow(0);
        QTest::mouseClick(runs->restoreButton(), Qt::LeftButton);
        QCOMPARE(m_window->document()->graph().nodeByName("lstm_2")->param<std::int64_t>("units"), 8);
        m_window->document()->undo();
        QCOMPARE(m_window->document()->graph().nodeByName("lstm_2")->param<std::int64_t>("units"), 12);
    }

    // After training one model, opening another (or File > New) leaves nothing of the first on
    // show: no run in Loss or Gradients, no outputs in Reconstruction, no "Trained ..." line.
    void anotherProjectLeavesNothingOfTheFirstOnShow() {
        openWithData(2);
        clickStart();
        waitUntilIdle();
        QVERIFY(ws()->lossChart()->series("loss")->count() > 0);
        QVERIFY(ws()->reconstruction()->ranking()->rowCount() > 0);
        for (int round = 0; round < 2; ++round) {
            if (round == 0) {
                answerNextDialog(QMessageBox::Discard);  // the trained weights are not saved
                QVERIFY(m_window->openPath(":/examples/lstm_autoencoder.loom"));
            } else {
                m_window->findChild<QAction*>("newAction")->trigger();
            }
            QVERIFY(controller()->run().history.empty());
            QVERIFY(controller()->progressText().isEmpty());
            QLineSeries* loss = ws()->lossChart()->series("loss");
            QVERIFY(!loss || loss->count() == 0);
            QCOMPARE(ws()->reconstruction()->ranking()->rowCount(), 0);
            QVERIFY(m_window->document()->project().runs.empty());
        }
    }

    // Other data chosen after training: the outputs shown were computed on the data before,
    // and Reconstruction says so instead of showing them.
    void otherDataClearsTheOutputsOfTheDataBefore() {
        openWithData(1);
        clickStart();
        waitUntilIdle();
        QVERIFY(ws()->reconstruction()->ranking()->rowCount() > 0);
        typeInto(ws()->dataPanel()->findChild<QSpinBox*>("dataSteps"), "700");
        QTRY_COMPARE_WITH_TIMEOUT(ws()->reconstruction()->ranking()->rowCount(), 0, 30000);
    }

    void aLargeFileIsReadOffTheWindowsThreadWithProgress() {
        QTemporaryDir dir;
        const QString csv = dir.filePath("large.csv");
        {
            QFile f(csv);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray text = "time,value\n";
            for (int i = 0; i < 2'000'000; ++i) {
                text += QByteArray::number(i) + "," + QByteArray::number(std::sin(i * 0.01), 'f', 5) + "\n";
            }
            f.write(text);  // about 30 MB
        }
        openWithData(2);
        DataPanel* data = ws()->dataPanel();
        auto* plot = data->findChild<QChartView*>();
        QVERIFY(plot);
        QVERIFY(waitFor([&] { return !data->busy() && !plot->chart()->series().isEmpty(); }, 10000));
        data->chooseFile(csv);
        QVERIFY(waitFor([&] { return data->busy(); }, 3000));
        QVERIFY(!ws()->trainingPanel()->startButton()->isEnabled());
        QCOMPARE(ws()->trainingPanel()->startButton()->toolTip(), QString("Reading the data…"));
        auto* progress = data->findChild<QProgressBar*>();
        QVERIFY(progress);
        QVERIFY(waitFor([&] { return progress->isVisible(); }, 3000));
        // While the file is read, the earlier source's series is not on show as if it were the
        // file's, and the status names the file and its size.
        QVERIFY(plot->chart()->series().isEmpty());
        bool named = false;
        for (QLabel* label : data->findChildren<QLabel*>()) named = named || label->text().startsWith("Reading large.csv (");
        QVERIFY(named);
        QVERIFY(waitFor([&] { return progress->maximum() == 1000 && progress->value() > 0; }, 20000));
        QVERIFY(waitFor([&] { return !data->busy(); }, 60000));
        QVERIFY2(data->ready(), qPrintable(data->problem()));
        QVERIFY(!progress->isVisible());
        // Counts in the user's locale's digit grouping ("2,000,000" in English).
        QVERIFY2(data->summary().startsWith(QLocale().toString(2'000'000) + " steps of 1 feature"), qPrintable(data->summary()));
        QVERIFY(ws()->trainingPanel()->startButton()->isEnabled());

        // A change while it reads supersedes the reading: the last choice is what shows.
        const QString copy = dir.filePath("copy.csv");
        QVERIFY(QFile::copy(csv, copy));
        data->chooseFile(copy);
        QVERIFY(data->busy());
        QVERIFY(waitFor([&] { return progress->isVisible(); }, 3000));
        choose(data->sourceBox(), "synthetic:sines");
        QVERIFY(waitFor([&] { return !data->busy(); }, 60000));
        QVERIFY2(data->summary().startsWith("600 steps of 1 feature"), qPrintable(data->summary()));
    }

    // AMSGrad shows for Adam, weight decay for every optimizer, from_logits and class weights
    // for the cross-entropies; each goes into the project's training settings as it is set,
    // and class weights that are not yet class weights say why and change nothing.
    void optimizerAndLossOptionsShowWhereTheyApplyAndAreSaved() {
        openWithData(2);
        TrainingPanel* panel = ws()->trainingPanel();
        auto* loss = panel->findChild<QComboBox*>("loss");
        auto* decay = panel->findChild<QDoubleSpinBox*>("weightDecay");
        auto* amsgrad = panel->findChild<QCheckBox*>("amsgrad");
        auto* logits = panel->findChild<QCheckBox*>("fromLogits");
        auto* classes = panel->findChild<QLineEdit*>("classWeight");
        QVERIFY(loss && decay && amsgrad && logits && classes);
        const auto training = [&] { return m_window->document()->project().training; };

        choose(panel->optimizerBox(), "adam");
        settle();
        QVERIFY(amsgrad->isVisible());
        QVERIFY(decay->isVisible());
        QTest::mouseClick(amsgrad, Qt::LeftButton, {}, QPoint(5, amsgrad->height() / 2));
        QCOMPARE(training()["optimizer"]["amsgrad"], true);
        choose(panel->optimizerBox(), "sgd");
        settle();
        QVERIFY(!amsgrad->isVisible());
        QVERIFY(decay->isVisible());
        typeInto(decay, QLocale().toString(0.01));
        QCOMPARE(training()["optimizer"]["weight_decay"].get<double>(), 0.01);
        QCOMPARE(trainConfigFromJson(training()).optimizer.weightDecay, 0.01);

        QVERIFY(!logits->isVisible());  // the autoencoder's mse
        QVERIFY(!classes->isVisible());
        choose(loss, "binary_crossentropy");
        settle();
        QVERIFY(logits->isVisible());
        QVERIFY(classes->isVisible());
        QTest::mouseClick(logits, Qt::LeftButton, {}, QPoint(5, logits->height() / 2));
        QCOMPARE(training()["from_logits"], true);

        classes->setFocus();
        QTest::keyClicks(classes, "0: 1, 1: 4");
        QTest::keyClick(classes, Qt::Key_Enter);
        QCOMPARE(training()["class_weight"], nlohmann::json({{"0", 1.0}, {"1", 4.0}}));
        classes->selectAll();
        QTest::keyClicks(classes, "1 = 4");
        QVERIFY(classes->styleSheet().contains("border"));
        QVERIFY2(classes->toolTip().contains("0: 1, 1: 4.5"), qPrintable(classes->toolTip()));
        QTest::keyClick(classes, Qt::Key_Enter);
        QCOMPARE(training()["class_weight"], nlohmann::json({{"0", 1.0}, {"1", 4.0}}));

        // Back to a loss of values: neither applies, and neither is kept to surprise later.
        choose(loss, "mse");
        settle();
        QVERIFY(!logits->isVisible());
        QVERIFY(!training().contains("class_weight"));
        QCOMPARE(training()["from_logits"], false);
        choose(loss, "binary_crossentropy");
        settle();
        QVERIFY(!logits->isChecked());
        QVERIFY(classes->text().isEmpty());
    }

    // Metrics are chosen from a menu and can be watched by early stopping, in their direction;
    // one the output cannot give blocks Start with the reason. After training the Loss dock
    // draws the chosen metric, the Runs table and history.csv hold it.
    void metricsAreChosenWatchedAndShownAfterTraining() {
        openWithData(2);
        TrainingPanel* panel = ws()->trainingPanel();
        auto* metrics = panel->findChild<QToolButton*>("metrics");
        auto* monitor = panel->findChild<QComboBox*>("monitor");
        auto* mode = panel->findChild<QComboBox*>("monitorMode");
        auto* early = panel->findChild<QCheckBox*>("earlyStopping");
        QVERIFY(metrics && monitor && mode && early);
        const auto training = [&] { return m_window->document()->project().training; };
        QCOMPARE(metrics->text(), QString("none"));

        pickFromMenu(metrics, "mae");
        QCOMPARE(training()["metrics"], nlohmann::json({"mae"}));
        QCOMPARE(metrics->text(), QString("mae"));
        QVERIFY(!monitor->isVisible());  // nothing watches yet
        QTest::mouseClick(early, Qt::LeftButton, {}, QPoint(5, early->height() / 2));
        settle();
        QVERIFY(monitor->isVisible());
        QVERIFY(monitor->findData("mae") >= 0);
        QVERIFY(monitor->findData("accuracy") < 0);  // a regression has none
        choose(monitor, "mae");
        QCOMPARE(mode->currentData().toString(), QString("min"));
        QCOMPARE(trainConfigFromJson(training()).monitor.quantity, std::string("mae"));
        QVERIFY(early->toolTip().contains("mae"));

        // A metric the output cannot give: Start says why, before the run.
        pickFromMenu(metrics, "categorical_accuracy");
        QVERIFY(!panel->startButton()->isEnabled());
        QVERIFY2(panel->blockedLabel()->text().contains("categorical_accuracy needs one-hot targets"),
                 qPrintable(panel->blockedLabel()->text()));
        pickFromMenu(metrics, "categorical_accuracy");
        QVERIFY2(panel->startButton()->isEnabled(), qPrintable(panel->startButton()->toolTip()));
        QCOMPARE(training()["metrics"], nlohmann::json({"mae"}));

        clickStart();
        waitUntilIdle();
        LossChart* chart = ws()->lossChart();
        auto* shown = chart->findChild<QComboBox*>("chartMetric");
        QVERIFY(shown && shown->isVisible());
        QCOMPARE(shown->currentData().toString(), QString("mae"));
        QVERIFY(chart->series("mae") && chart->series("val_mae"));
        QCOMPARE(chart->series("val_mae")->count(), 2);
        choose(shown, QString());  // no metric: the loss alone
        QVERIFY(!chart->series("mae"));
        QTableWidget* runs = ws()->runs()->table();
        QVERIFY2(runs->item(0, 7)->text().startsWith("val_mae "), qPrintable(runs->item(0, 7)->text()));
        QTemporaryDir dir;
        QString error;
        QVERIFY2(chart->exportCsv(dir.filePath("history.csv"), &error), qPrintable(error));
        QFile csv(dir.filePath("history.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QVERIFY(csv.readLine().trimmed().endsWith(",mae,val_mae"));

        // Dropping the watched metric watches the loss again, lower being better.
        choose(mode, "max");
        pickFromMenu(metrics, "mae");
        QCOMPARE(monitor->currentData().toString(), QString("loss"));
        QCOMPARE(mode->currentData().toString(), QString("min"));
        QVERIFY(!training().contains("monitor"));
        // A file that watches what it does not compute shows it so, and Start says why.
        nlohmann::json edited = training();
        edited["monitor"] = "val_auc";
        m_window->document()->setTraining(edited);
        settle();
        QCOMPARE(monitor->currentData().toString(), QString("auc"));
        QVERIFY(monitor->currentText().contains("not computed"));
        QVERIFY2(panel->blockedLabel()->text().contains("watch auc, which is not one of the run's metrics"),
                 qPrintable(panel->blockedLabel()->text()));
        choose(monitor, "loss");
        QVERIFY(panel->startButton()->isEnabled());
    }

    // Scrolling the Data panel with the wheel scrolls it: the settings that pass under the
    // pointer keep their values unless the user clicked into them first.
    void theWheelScrollsPanelsWithoutChangingTheirSettings() {
        openWithData(2);
        m_window->resize(1280, 600);
        settle();
        auto* dock = m_window->findChild<QDockWidget*>("dataDock");
        dock->raise();
        settle();
        auto* normalize = ws()->dataPanel()->findChild<QComboBox*>("dataNormalize");
        QVERIFY(normalize);
        const int before = normalize->currentIndex();
        const QPoint at = normalize->rect().center();
        QWheelEvent wheel(QPointF(at), QPointF(normalize->mapToGlobal(at)), QPoint(), QPoint(0, -120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(normalize, &wheel);
        QCOMPARE(normalize->currentIndex(), before);
        // Declined, so Qt hands a real wheel event on to the panel, which scrolls (checked by
        // hand under X: a sent event is not passed on).
        QVERIFY(!wheel.isAccepted());
        // Clicked into, it takes the wheel as before.
        normalize->setFocus();
        QWheelEvent again(QPointF(at), QPointF(normalize->mapToGlobal(at)), QPoint(), QPoint(0, -120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(normalize, &again);
        QCOMPARE(normalize->currentIndex(), before + 1);
    }

    // Browse opens in the user's documents (or home) the first time, not in whatever folder
    // the app was started from; later in the folder of the last CSV chosen.
    void browseForDataStartsInAFolderOfTheUsers() {
        openWithData(2);
        QSettings().remove("lastDataDirectory");
        QString shown;
        test::whenDialogShows<QFileDialog>([&shown](QFileDialog* dialog) {
            shown = dialog->directory().absolutePath();
            dialog->reject();
        });
        auto* browse = ws()->dataPanel()->findChild<QPushButton*>("dataBrowse");
        QVERIFY(browse);
        QTest::mouseClick(browse, Qt::LeftButton);
        QTRY_VERIFY(!shown.isEmpty());
        QCOMPARE(shown, startFolder(QString()));
        QVERIFY(shown != QDir::currentPath() || shown == QDir::homePath());
        QTemporaryDir dir;
        QFile f(dir.filePath("tiny.csv"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("v\n1\n2\n3\n");
        f.close();
        ws()->dataPanel()->chooseFile(f.fileName());
        shown.clear();
        test::whenDialogShows<QFileDialog>([&shown](QFileDialog* dialog) {
            shown = dialog->directory().absolutePath();
            dialog->reject();
        });
        QTest::mouseClick(browse, Qt::LeftButton);
        QTRY_VERIFY(!shown.isEmpty());
        QCOMPARE(shown, QFileInfo(dir.path()).absoluteFilePath());
    }

    // The data plot's x axis is the file's own: sunspots' years, elec_equip's dates as
    // written; a synthetic series has only its time steps.
    void theDataPlotRunsAlongTheFilesYearsOrDates() {
        openWithData(2);
        DataPanel* data = ws()->dataPanel();
        auto* plot = data->findChild<QChartView*>();
        QVERIFY(plot);
        const auto xAxis = [&]() -> QAbstractAxis* {
            const auto axes = plot->chart()->axes(Qt::Horizontal);
            return axes.isEmpty() ? nullptr : axes.front();
        };
        const auto shows = [&](const QString& source) {
            choose(data->sourceBox(), source);
            return waitFor([&] { return !data->busy() && !plot->chart()->series().isEmpty(); }, 10000);
        };
        QVERIFY(shows("sample:sunspots.csv"));
        auto* years = qobject_cast<QValueAxis*>(xAxis());
        QVERIFY(years);
        QCOMPARE(years->titleText(), QString("YEAR"));
        QCOMPARE(years->min(), 1700.0);
        QCOMPARE(years->max(), 2008.0);
        auto* line = qobject_cast<QLineSeries*>(plot->chart()->series().front());
        QCOMPARE(line->at(0), QPointF(1700, 5));
        auto* table = data->findChild<QTableView*>("dataTable");
        QVERIFY(table);
        QCOMPARE(table->model()->headerData(0, Qt::Horizontal).toString(), QString("YEAR"));
        QCOMPARE(table->model()->index(1, 0).data().toString(), QString("1701"));

        QVERIFY(shows("sample:elec_equip.csv"));
        auto* dates = qobject_cast<QCategoryAxis*>(xAxis());
        QVERIFY(dates);
        QCOMPARE(dates->titleText(), QString("DATE"));
        QVERIFY(dates->count() >= 3);
        QCOMPARE(dates->categoriesLabels().front(), QString("1995"));  // at the years' boundaries
        QCOMPARE(table->model()->index(0, 0).data().toString(), QString("Jan-1-1995"));  // as written

        QVERIFY(shows("synthetic:sines"));
        QCOMPARE(xAxis()->titleText(), QString("time step"));
    }

    void dataProblemsShowBeforeStartAndTheirRemediesWork() {
        QTemporaryDir dir;
        const QString csv = dir.filePath("gappy.csv");
        {
            QFile f(csv);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray text = "t,level,other\n";
            for (int i = 0; i < 200; ++i) {
                const QByteArray level = (i == 40 || i == 41) ? QByteArray() : QByteArray::number(std::sin(i * 0.3), 'g', 6);
                text += QByteArray::number(i) + "," + level + "," + QByteArray::number(i % 7) + "\n";
            }
            f.write(text);
        }
        openWithData(2);
        DataPanel* data = ws()->dataPanel();
        data->chooseFile(csv);
        QVERIFY(waitFor([&] { return !data->busy() && !data->ready(); }, 3000));
        QVERIFY2(data->problem().contains("2 features"), qPrintable(data->problem()));
        QVERIFY(!ws()->trainingPanel()->startButton()->isEnabled());
        QVERIFY(ws()->trainingPanel()->startButton()->toolTip().contains("does not fit"));
        // Untick 'other': now the gap in 'level' is the problem, with the file's lines as an
        // editor numbers them (the header is line 1).
        auto* columns = data->findChild<QListWidget*>();
        QVERIFY(columns);
        QListWidgetItem* other = columns->findItems("other", Qt::MatchExactly).value(0);
        QVERIFY(other);
        const QRect box = columns->visualItemRect(other);
        QTest::mouseClick(columns->viewport(), Qt::LeftButton, Qt::NoModifier, QPoint(box.left() + 10, box.center().y()));
        QVERIFY(waitFor([&] { return data->problem().contains("missing"); }, 3000));
        QVERIFY2(data->problem().contains("at lines 42 and 43."), qPrintable(data->problem()));
        // Interpolating the gaps makes it trainable.
        QComboBox* missing = nullptr;
        for (QComboBox* c : data->findChildren<QComboBox*>()) {
            if (c->findData("interpolate") >= 0) missing = c;
        }
        QVERIFY(missing);
        choose(missing, "interpolate");
        QVERIFY(waitFor([&] { return data->ready(); }, 3000));
        QVERIFY(ws()->trainingPanel()->startButton()->isEnabled());
        // The choice is the project's.
        QCOMPARE(QString::fromStdString(m_window->document()->project().training["data"]["missing"].get<std::string>()),
                 QString("interpolate"));
    }

    // Samples already cut: a forecaster's targets come from a file of their own.
    void samplesInANpyFileTakeTheirTargetsFromAnother() {
        QTemporaryDir dir;
        const std::string x = dir.filePath("x.npy").toStdString(), y = dir.filePath("y.npy").toStdString();
        writeNpy(x, NpyArray{{40, 48, 1}, std::vector<float>(40 * 48, 0.5f)});
        writeNpy(y, NpyArray{{40, 24, 1}, std::vector<float>(40 * 24, 0.25f)});
        m_window = std::make_unique<MainWindow>();
        QVERIFY(m_window->openPath(":/examples/machine_forecast.loom"));
        m_window->resize(1400, 1000);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        DataPanel* data = ws()->dataPanel();
        auto* targets = data->findChild<QComboBox*>("dataTargets");
        QVERIFY(targets);
        QVERIFY(!targets->isVisibleTo(data));  // a series has no targets of its own
        data->chooseFile(QString::fromStdString(x));
        QVERIFY(waitFor([&] { return !data->busy(); }, 5000));
        QVERIFY(targets->isVisibleTo(data));
        QTRY_VERIFY(targets->height() > 0);  // shown, not squeezed out of the form
        QVERIFY2(data->problem().contains("without a targets file each sample is its own target"), qPrintable(data->problem()));
        targets->insertItem(1, "y.npy", QString::fromStdString(y));  // as the file dialog does
        targets->setCurrentIndex(1);
        QVERIFY(waitFor([&] { return !data->busy(); }, 5000));
        QVERIFY2(data->ready(), qPrintable(data->problem()));
        QCOMPARE(QString::fromStdString(m_window->document()->project().training["data"]["target"].get<std::string>()),
                 QString::fromStdString(y));
        QVERIFY2(data->summary().startsWith("40 samples of (48, 1), targets of (24, 1)"), qPrintable(data->summary()));
    }

    // A model with two Inputs and two outputs trains on an archive with an array for each, with
    // a loss and a weight per output set in the Training panel, and plots each output's loss.
    void aModelWithTwoOutputsTrainsWithALossForEach() {
        QTemporaryDir dir;
        const std::string file = dir.filePath("two.npz").toStdString();
        const std::int64_t n = 64;
        std::vector<float> a(n * 4), b(n * 3), values(n * 2), flag(n);
        for (std::int64_t i = 0; i < n; ++i) {
            for (int k = 0; k < 4; ++k) a[i * 4 + k] = std::sin(0.3f * static_cast<float>(i + k));
            for (int k = 0; k < 3; ++k) b[i * 3 + k] = std::cos(0.2f * static_cast<float>(i * k));
            values[i * 2] = a[i * 4] + a[i * 4 + 1];
            values[i * 2 + 1] = a[i * 4 + 2];
            flag[i] = a[i * 4] + b[i * 3] > 0 ? 1.0f : 0.0f;
        }
        writeNpz(file, {{"a", {{n, 4}, a}}, {"x_1", {{n, 3}, b}}, {"values", {{n, 2}, values}}, {"flag", {{n, 1}, flag}}});
        m_window = std::make_unique<MainWindow>();
        m_window->document()->setProject(test::twoInputsTwoOutputs(), QString());
        m_window->resize(1400, 1000);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        DataPanel* data = ws()->dataPanel();
        data->chooseFile(QString::fromStdString(file));
        QVERIFY(waitFor([&] { return !data->busy(); }, 5000));
        QVERIFY2(data->ready(), qPrintable(data->problem()));
        QVERIFY2(data->summary().startsWith("64 samples for a (4,), b (3,); targets for values (2,), flag (1,)"),
                 qPrintable(data->summary()));

        TrainingPanel* panel = ws()->trainingPanel();
        auto* table = panel->findChild<QTableWidget*>("outputLosses");
        QVERIFY(table && table->isVisibleTo(panel));
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(1, 0)->text(), QString("flag"));
        choose(panel->findChild<QComboBox*>("outputLoss_1"), "binary_crossentropy");
        typeInto(panel->findChild<QDoubleSpinBox*>("outputWeight_0"), "0.5");
        const nlohmann::json outputs = m_window->document()->project().training["outputs"];
        QCOMPARE(outputs["flag"]["loss"], nlohmann::json("binary_crossentropy"));
        QCOMPARE(outputs["values"]["loss_weight"], nlohmann::json(0.5));
        // The run's loss changes the outputs that have none of their own only.
        choose(panel->findChild<QComboBox*>("loss"), "mae");
        QCOMPARE(panel->findChild<QComboBox*>("outputLoss_0")->currentData().toString(), QString("mae"));
        QCOMPARE(panel->findChild<QComboBox*>("outputLoss_1")->currentData().toString(), QString("binary_crossentropy"));
        auto* monitor = panel->findChild<QComboBox*>("monitor");
        QVERIFY(monitor->findData("values_loss") >= 0 && monitor->findData("flag_accuracy") >= 0);
        // Renaming an output carries its loss along, and undoing the rename carries it back.
        Document* doc = m_window->document();
        GraphEdit rename;
        rename.ops.push_back(edit::Rename{doc->graph().nodeByName("flag")->id, "alarm"});
        doc->applyEdit(rename, "Rename flag to alarm");
        QCOMPARE(doc->project().training["outputs"]["alarm"]["loss"], nlohmann::json("binary_crossentropy"));
        QCOMPARE(table->item(1, 0)->text(), QString("alarm"));
        doc->undoStack()->undo();
        QVERIFY(doc->project().training["outputs"].contains("flag"));
        QVERIFY(!doc->project().training["outputs"].contains("alarm"));
        QCOMPARE(table->item(1, 0)->text(), QString("flag"));

        typeInto(panel->epochsBox(), "3");
        QSignalSpy finished(controller(), &TrainingController::finished);
        clickStart();
        waitUntilIdle();
        QCOMPARE(finished.count(), 1);
        QVERIFY2(finished.front().at(0).toBool(), qPrintable(finished.front().at(1).toString()));
        LossChart* chart = ws()->lossChart();
        QVERIFY(chart->series("loss") && chart->series("values_loss") && chart->series("val_flag_loss"));
        QCOMPARE(chart->series("flag_loss")->count(), 3);
        // Each output's loss is drawn, not offered as a metric.
        QVERIFY(chart->findChild<QComboBox*>("chartMetric")->findData("flag_loss") < 0);
        // The first output, one vector per sample, sits mid-axis with one tick, not "0 0 0 1".
        const auto steps = ws()->reconstruction()->chart()->axes(Qt::Horizontal);
        QVERIFY(!steps.isEmpty());
        auto* axis = qobject_cast<QValueAxis*>(steps.front());
        QVERIFY(axis);
        QCOMPARE(axis->min(), -0.5);
        QCOMPARE(axis->max(), 0.5);
        QCOMPARE(axis->tickInterval(), 1.0);
    }

    // A choice made while another file is still read waits for its own reading: the earlier
    // file's result, arriving meanwhile, neither shows nor ends the wait.
    void aChoiceMadeWhileAnotherFileIsReadWaitsForItsOwn() {
        QTemporaryDir dir;
        const QString csv = dir.filePath("series.csv");
        {
            QFile f(csv);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray text = "value\n";
            for (int i = 0; i < 2000; ++i) text += QByteArray::number(std::sin(i * 0.1), 'g', 6) + "\n";
            f.write(text);
        }
        const std::string x = dir.filePath("x.npy").toStdString();
        writeNpy(x, NpyArray{{40, 48, 1}, std::vector<float>(40 * 48, 0.5f)});
        m_window = std::make_unique<MainWindow>();
        QVERIFY(m_window->openPath(":/examples/machine_forecast.loom"));
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        DataPanel* data = ws()->dataPanel();
        auto* progress = data->findChild<QProgressBar*>();
        QVERIFY(progress);
        QVERIFY(waitFor([&] { return !data->busy(); }, 5000));
        data->chooseFile(csv);
        QVERIFY(waitFor([&] { return progress->isVisibleTo(data); }, 3000));  // the CSV is being read
        data->chooseFile(QString::fromStdString(x));
        QVERIFY(data->busy());
        QVERIFY(waitFor([&] { return !data->busy(); }, 5000));
        QVERIFY2(data->problem().contains("without a targets file each sample is its own target"),
                 qPrintable(data->problem()));
        QVERIFY(data->findChild<QComboBox*>("dataTargets")->isVisibleTo(data));
    }

    void aClassifierShowsAccuracyAndAConfusionMatrix() {
        QTemporaryDir dir;
        const QString csv = dir.filePath("labelled.csv");
        {
            QFile f(csv);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray text = "value,label\n";
            for (int i = 0; i < 400; ++i) {
                const double v = std::sin(i * 0.2);
                text += QByteArray::number(v, 'g', 6) + "," + (v > 0 ? "1" : "0") + "\n";
            }
            f.write(text);
        }
        Project p;
        ModelGraph& g = p.graph;
        const NodeId in = addLayer(g, "InputLayer", {0, 0});
        g.setParam(in, "shape", Dims{16, 1});
        const NodeId l = addLayer(g, "LSTM", {0, 100});
        g.setParam(l, "units", std::int64_t{8});
        const NodeId d = addLayer(g, "Dense", {0, 200});
        g.setParam(d, "units", std::int64_t{2});
        g.setParam(d, "activation", std::string("softmax"));
        g.connect({in, 0}, {l, 0});
        g.connect({l, 0}, {d, 0});
        p.training = {{"loss", "sparse_categorical_crossentropy"}, {"epochs", 3}};
        m_window = std::make_unique<MainWindow>();
        m_window->document()->setProject(p, QString());
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        DataPanel* data = ws()->dataPanel();
        data->chooseFile(csv);
        // The model returns one vector per window: the task is said, then the labels chosen.
        choose(data->findChild<QComboBox*>("dataTask"), "classify");
        QComboBox* labels = nullptr;
        QVERIFY(waitFor([&] {  // the file's columns are read shortly after it is chosen
            for (QComboBox* c : data->findChildren<QComboBox*>()) {
                if (c->findData("label") >= 0 && c->findData("interpolate") < 0) labels = c;
            }
            return labels != nullptr;
        }, 3000));
        choose(labels, "label");
        QVERIFY(waitFor([&] { return data->ready() && ws()->trainingPanel()->startButton()->isEnabled(); }, 3000));
        QSignalSpy finished(controller(), &TrainingController::finished);
        clickStart();
        waitUntilIdle();
        QVERIFY2(finished.front().at(0).toBool(), qPrintable(finished.front().at(1).toString()));
        QVERIFY2(ws()->lossChart()->series("accuracy"), controller()->run().outcome.c_str());
        QCOMPARE(ws()->lossChart()->series("accuracy")->count(), 3);
        QTableWidget* confusion = ws()->reconstruction()->confusion();
        QCOMPARE(confusion->rowCount(), 2);
        int total = 0;
        for (int r = 0; r < 2; ++r) {
            for (int c = 0; c < 2; ++c) total += confusion->item(r, c)->text().toInt();
        }
        QCOMPARE(total, static_cast<int>(controller()->previewSet().indexes.size()));
    }

    void decimationKeepsLongSeriesShortAndTheirSpikes() {
        std::vector<float> losses(100000);
        for (std::size_t i = 0; i < losses.size(); ++i) losses[i] = 1.0f + 0.001f * static_cast<float>(i % 13);
        losses[54321] = 50.0f;  // one spike
        const QList<QPointF> points = decimated(losses, 0.0, 1.0);
        QVERIFY(points.size() <= 3000);
        bool spike = false;
        for (const QPointF& p : points) spike |= p.y() == 50.0 && p.x() == 54321.0;
        QVERIFY(spike);
        for (int i = 1; i < points.size(); ++i) QVERIFY(points[i].x() > points[i - 1].x());
        // Short series are drawn as they are; NaN points are left out.
        std::vector<double> shortOne{1.0, std::nan(""), 3.0};
        QCOMPARE(decimated(shortOne, 1.0, 0.5).size(), 2);
        // The loss chart draws a 100,000-batch run from a few thousand points.
        LossChart chart;
        TrainingRun run;
        run.number = 1;
        run.batchLosses = losses;
        run.batchesPerEpoch = 1000;
        chart.setRun(run);
        QVERIFY(chart.series("batch loss (smoothed)")->count() <= 3000);
    }

    // Axes a user can read: whole epochs at a round step, never "0, 0, 1, 1, 2"; a loss axis
    // around one point wide enough that its labels differ.
    void chartAxesReadAsNumbersDo() {
        TrainingRun run;
        run.number = 1;
        for (int e = 1; e <= 2; ++e) {
            EpochReport r;
            r.epoch = e;
            r.epochs = 20;
            r.loss = 1.1;
            r.gradients = {{"lstm_1", 0.5}, {"dense_1", 0.05}};
            run.history.push_back(r);
        }
        GradientChart gradients;
        gradients.setRun(run);
        auto* x = qobject_cast<QValueAxis*>(gradients.chart()->axes(Qt::Horizontal).front());
        QVERIFY(x);
        QCOMPARE(x->labelFormat(), QString("%d"));
        QCOMPARE(x->tickInterval(), 1.0);
        QCOMPARE(x->max(), 2.0);  // the epochs run, not the 20 planned

        run.history.resize(1);
        LossChart loss;
        loss.setLogScale(false);
        loss.setRun(run);
        auto* y = qobject_cast<QValueAxis*>(loss.chart()->axes(Qt::Vertical).front());
        QVERIFY(y);
        QVERIFY2(y->max() - y->min() > 0.1, qPrintable(QString("%1..%2").arg(y->min()).arg(y->max())));
        QVERIFY(y->min() < 1.1 && y->max() > 1.1);
        auto* epochs = qobject_cast<QValueAxis*>(loss.chart()->axes(Qt::Horizontal).front());
        QCOMPARE(epochs->tickInterval(), 1.0);
        QCOMPARE(epochs->max(), 1.0);

        // A project opened with runs shows its latest one in Loss and Gradients at once.
        {
            MainWindow opened;
            Project project = smallAutoencoder();
            TrainingRun older = run;
            older.number = 1;
            older.history.front().loss = 5.0;
            TrainingRun latest = run;
            latest.number = 2;
            project.runs = nlohmann::json::array({runToJson(older), runToJson(latest)});
            opened.document()->setProject(project, QString());
            QLineSeries* shown = opened.training()->lossChart()->series("loss");
            QVERIFY(shown);
            QCOMPARE(shown->count(), 1);
            QCOMPARE(shown->at(0).y(), 1.1);  // run 2's, not run 1's 5.0
            QCOMPARE(opened.training()->gradients()->chart()->series().size(), 2);
        }

        // A run ticked in the Runs dock while it is the one shown is not listed twice.
        {
            LossChart chart;
            TrainingRun shownRun = run, other = run;
            shownRun.number = 2;
            other.number = 1;
            chart.setRun(shownRun);
            chart.setOverlays({shownRun, other});
            QVERIFY(chart.series("run 1 loss"));
            QVERIFY(!chart.series("run 2 loss"));
            QVERIFY(chart.series("loss"));
        }

        // The Data panel's window of 0 says what it means.
        MainWindow w;
        auto* window = w.training()->dataPanel()->findChild<QSpinBox*>("dataWindow");
        QVERIFY(window);
        window->setValue(0);
        QCOMPARE(window->text(), QString("the Input's length"));

        // 120 epochs: a round step, at most about eight ticks.
        run.history.resize(120, run.history.front());
        for (int e = 0; e < 120; ++e) run.history[e].epoch = e + 1;
        gradients.setRun(run);
        x = qobject_cast<QValueAxis*>(gradients.chart()->axes(Qt::Horizontal).front());
        QCOMPARE(x->tickInterval(), 20.0);
        QCOMPARE(x->max(), 120.0);
    }
};

QTEST_MAIN(TrainingTest)
#include "training_test.moc"
