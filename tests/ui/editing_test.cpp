// Editing through the window with real mouse and keyboard events: moving cards, applying a fix
// from the Problems dock, undo and redo, saving, and the unsaved-changes prompt.
#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QSpinBox>
#include <QDoubleSpinBox>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QMenu>
#include <QTimer>
#include <QUndoStack>
#include <QtTest>

#include <algorithm>

#include "canvas/canvas_view.h"
#include "canvas/graph_scene.h"
#include "canvas/node_item.h"
#include "document/autosave.h"
#include "document/document.h"
#include "panels/inspector_panel.h"
#include "layers/layer_nodes.h"
#include "panels/problems_panel.h"
#include "window_test_helpers.h"
#include "window/file_actions.h"
#include "window/main_window.h"

using namespace loom;
using namespace loom::ui;
using test::answerNextDialog;
using test::itemNamed;

class EditingTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QDir(Autosaver::directory()).removeRecursively();
    }

    void draggingACardMovesItAsOneUndoStep() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/lstm_autoencoder.loom"));
        w.resize(1200, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.canvas()->actualSize();
        NodeItem* card = itemNamed(w, "input_1");
        QVERIFY(card);
        w.canvas()->centerOn(card);
        const Point before = w.document()->graph().nodeByName("input_1")->position;
        QWidget* vp = w.canvas()->viewport();
        const QPoint grab = w.canvas()->mapFromScene(card->sceneBoundingRect().center());
        QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, grab);
        for (int step = 1; step <= 5; ++step) {
            QMouseEvent move(QEvent::MouseMove, grab + QPoint(20 * step, 10 * step),
                             vp->mapToGlobal(grab + QPoint(20 * step, 10 * step)), Qt::NoButton,
                             Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(vp, &move);
        }
        QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, grab + QPoint(100, 50));
        QTRY_VERIFY(w.document()->undoStack()->count() == 1);
        const Point after = w.document()->graph().nodeByName("input_1")->position;
        QCOMPARE(after.x, before.x + 100);
        QCOMPARE(after.y, before.y + 50);
        QVERIFY(w.document()->isModified());
        QVERIFY(w.windowTitle().contains("*"));
        QTest::keyClick(&w, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(w.document()->graph().nodeByName("input_1")->position, before);
        QVERIFY(!w.document()->isModified());
        QTest::keyClick(&w, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(w.document()->graph().nodeByName("input_1")->position, after);
    }

    void applyingFixesFromTheProblemsDockRepairsTheModel() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/broken_skips_add.loom"));
        w.resize(1200, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto* problems = w.findChild<ProblemsPanel*>();
        QCOMPARE(w.document()->validation().count(Severity::Error), 2u);
        for (int round = 0; round < 2; ++round) {
            QTreeWidgetItem* fix = problems->topLevelItem(0)->child(0);
            QVERIFY(fix->text(2).startsWith("Fix: Insert a TimeDistributed(Dense("));
            problems->scrollToItem(fix);
            QTest::mouseClick(problems->viewport(), Qt::LeftButton, Qt::NoModifier,
                              problems->visualItemRect(fix).center());
            QTest::keyClick(problems, Qt::Key_Return);
            QTRY_COMPARE(w.document()->validation().count(Severity::Error), 1u - round);
        }
        QCOMPARE(w.document()->validation().totalParams, 4627553);  // the valid Add variant
        QCOMPARE(w.document()->undoStack()->count(), 2);
        w.document()->undoStack()->undo();
        QCOMPARE(w.document()->validation().count(Severity::Error), 1u);
        w.document()->undoStack()->redo();
        QVERIFY(!w.document()->validation().hasErrors());

        // Save the repaired model (as a file of its own), reopen it: the same graph.
        QTemporaryDir dir;
        const QString path = dir.filePath("repaired.loom");
        const ModelGraph repaired = w.document()->graph();
        w.document()->save(path);
        QVERIFY(!w.document()->isModified());
        QVERIFY(w.windowTitle().contains("*") == false);
        MainWindow other;
        QVERIFY(other.openPath(path));
        QCOMPARE(other.document()->graph(), repaired);
    }

    // The Crop fix on the odd-length U-Net shortens its output by a step: the autoencoder stays
    // an autoencoder, with a problem that says so, until the user pads it or changes the task.
    void anEditKeepsTheTaskAndAFixChangesItInWords() {
        MainWindow w;
        test::openShown(w, ":/examples/broken_conv1d_unet_odd.loom");
        auto* problems = w.findChild<ProblemsPanel*>();
        auto* task = w.findChild<QComboBox*>("dataTask");
        QVERIFY(task);
        QCOMPARE(task->currentData().toString(), QString("reconstruct"));
        const auto clickFix = [&](const QString& prefix) {
            for (int i = 0; i < problems->topLevelItemCount(); ++i) {
                QTreeWidgetItem* item = problems->topLevelItem(i);
                for (int k = 0; k < item->childCount(); ++k) {
                    QTreeWidgetItem* fix = item->child(k);
                    if (!fix->text(2).startsWith(prefix)) continue;
                    problems->scrollToItem(fix);
                    QTest::mouseClick(problems->viewport(), Qt::LeftButton, Qt::NoModifier,
                                      problems->visualItemRect(fix).center());
                    QTest::keyClick(problems, Qt::Key_Return);
                    return true;
                }
            }
            return false;
        };
        const auto taskProblems = [&] {
            const auto& all = w.document()->validation().diagnostics;
            return static_cast<int>(std::count_if(all.begin(), all.end(),
                                                  [](const Diagnostic& d) { return d.code == DiagCode::TaskMismatch; }));
        };
        QVERIFY(clickFix("Fix: Crop 1 step from the end of conv1d_1"));
        QTRY_COMPARE(taskProblems(), 1);
        QCOMPARE(w.document()->validation().count(Severity::Error), 1u);
        QCOMPARE(task->currentData().toString(), QString("reconstruct"));
        QCOMPARE(w.document()->project().training["data"]["task"], nlohmann::json("reconstruct"));

        // Changing the task is a fix of its own, said in words; the Data panel follows.
        QVERIFY(clickFix("Fix: Change the task: forecast the next 24 steps instead of reconstructing the input"));
        QTRY_COMPARE(taskProblems(), 0);
        QVERIFY(!w.document()->validation().hasErrors());
        QCOMPARE(task->currentData().toString(), QString("forecast"));
        QCOMPARE(w.findChild<QSpinBox*>("dataHorizon")->value(), 24);
        QCOMPARE(w.document()->project().training["data"]["horizon"], nlohmann::json(24));
        // A fix is one undo step, the task's too.
        QTest::keyClick(&w, Qt::Key_Z, Qt::ControlModifier);
        QTRY_COMPARE(taskProblems(), 1);
        QCOMPARE(task->currentData().toString(), QString("reconstruct"));
        QTest::keyClick(&w, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE(taskProblems(), 0);
        QCOMPARE(task->currentData().toString(), QString("forecast"));

        // Choosing the task in the Data panel brings the problem back, with the padding fix.
        task->setFocus();
        task->setCurrentIndex(task->findData("reconstruct"));
        QTRY_COMPARE(taskProblems(), 1);
        QVERIFY(clickFix("Fix: Pad conv1d_5's output"));
        QTRY_VERIFY(!w.document()->validation().hasErrors());
        QCOMPARE(task->currentData().toString(), QString("reconstruct"));
    }

    // A model being built takes a task once it is whole; undoing that edit takes it back.
    void theTaskAModelTookFromItsShapesGoesWithTheEditThatMadeItWhole() {
        MainWindow w;
        Project p;
        const NodeId in = addLayer(p.graph, "InputLayer", {0, 0});
        p.graph.setParam(in, "shape", Dims{16, 1});
        const NodeId lstm = addLayer(p.graph, "LSTM", {0, 100});
        p.graph.setParam(lstm, "return_sequences", true);
        p.graph.connect({in, 0}, {lstm, 0});
        w.document()->setProject(p, QString());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto* task = w.findChild<QComboBox*>("dataTask");
        QCOMPARE(task->currentData().toString(), QString());  // not chosen: the model is not whole
        QVERIFY(!w.document()->project().training.value("data", nlohmann::json::object()).contains("task"));
        w.document()->addLayer("TimeDistributed", Point{0, 200}, 0, lstm);
        QCOMPARE(w.document()->project().training["data"]["task"], nlohmann::json("reconstruct"));
        QTRY_COMPARE(task->currentData().toString(), QString("reconstruct"));
        QTest::keyClick(&w, Qt::Key_Z, Qt::ControlModifier);
        QVERIFY(!w.document()->project().training.value("data", nlohmann::json::object()).contains("task"));
        QTRY_COMPARE(task->currentData().toString(), QString());
        QTest::keyClick(&w, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(w.document()->project().training["data"]["task"], nlohmann::json("reconstruct"));
    }

    void theInspectorEditsTheClickedLayer() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/lstm_autoencoder.loom"));
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.canvas()->actualSize();
        NodeItem* card = itemNamed(w, "lstm_3");
        w.canvas()->centerOn(card);
        QTest::mouseClick(w.canvas()->viewport(), Qt::LeftButton, Qt::NoModifier,
                          w.canvas()->mapFromScene(card->sceneBoundingRect().center()));
        auto* inspector = w.findChild<InspectorPanel*>();
        QTRY_COMPARE(inspector->layer(), w.document()->graph().nodeByName("lstm_3")->id);
        QTRY_VERIFY(inspector->findChild<QSpinBox*>("units") != nullptr);
        auto* units = inspector->findChild<QSpinBox*>("units");
        QCOMPARE(units->value(), 20);
        units->setFocus();
        units->selectAll();
        QTest::keyClicks(units, "64");
        QTest::keyClick(units, Qt::Key_Return);
        QTRY_COMPARE(w.document()->graph().nodeByName("lstm_3")->param<std::int64_t>("units"), 64);
        QCOMPARE(w.document()->undoStack()->count(), 1);
        QCOMPARE(w.document()->undoStack()->undoText(), QString("Set units of lstm_3"));
        // The bottleneck now has 64 features, and so does the RepeatVector after it.
        const ModelGraph& g = w.document()->graph();
        QCOMPARE(QString::fromStdString(
                     w.document()->validation().of(g, g.nodeByName("repeat_vector_1")->id).output->str()),
                 QString("(None, 32, 64)"));
        auto* activation = inspector->findChild<QComboBox*>("activation");
        QTRY_VERIFY(activation != nullptr);
        activation = inspector->findChild<QComboBox*>("activation");
        activation->setCurrentText("sigmoid");
        QTRY_COMPARE(w.document()->graph().nodeByName("lstm_3")->param<std::string>("activation"),
                     std::string("sigmoid"));
        QCOMPARE(w.document()->undoStack()->count(), 2);
    }

    // An initialiser is chosen by its Keras name, and its numbers show under their names:
    // random_normal's mean and stddev, none for he_normal; each change is one undo step.
    void theInspectorSetsAnInitialiserAndItsNumbers() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/lstm_autoencoder.loom"));
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.canvas()->actualSize();
        NodeItem* card = itemNamed(w, "lstm_3");
        w.canvas()->centerOn(card);
        QTest::mouseClick(w.canvas()->viewport(), Qt::LeftButton, Qt::NoModifier,
                          w.canvas()->mapFromScene(card->sceneBoundingRect().center()));
        auto* inspector = w.findChild<InspectorPanel*>();
        QTRY_VERIFY(inspector->findChild<QComboBox*>("kernel_initializer_kind") != nullptr);
        auto* kind = inspector->findChild<QComboBox*>("kernel_initializer_kind");
        QCOMPARE(kind->currentText(), QString("glorot_uniform"));
        QVERIFY(!inspector->findChild<QDoubleSpinBox*>("kernel_initializer_a")->isVisible());
        kind->setFocus();
        kind->setCurrentText("random_normal");
        const auto param = [&] { return w.document()->graph().nodeByName("lstm_3")->param<Initializer>("kernel_initializer"); };
        QTRY_COMPARE(param().kind, Initializer::Kind::RandomNormal);
        QCOMPARE(param().b, 0.05);  // Keras's default stddev
        QTRY_VERIFY(inspector->findChild<QDoubleSpinBox*>("kernel_initializer_b") != nullptr &&
                    inspector->findChild<QDoubleSpinBox*>("kernel_initializer_b")->isVisible());
        auto* stddev = inspector->findChild<QDoubleSpinBox*>("kernel_initializer_b");
        QCOMPARE(stddev->prefix(), QString("stddev "));
        stddev->setFocus();
        stddev->selectAll();
        QTest::keyClicks(stddev, QLocale().toString(0.125));
        QTest::keyClick(stddev, Qt::Key_Return);
        QTRY_COMPARE(param(), Initializer(Initializer::Kind::RandomNormal, 0.0, 0.125));
        QCOMPARE(w.document()->undoStack()->count(), 2);
        QTest::keyClick(&w, Qt::Key_Z, Qt::ControlModifier);
        QTRY_COMPARE(param(), Initializer(Initializer::Kind::RandomNormal));
    }

    // A Bidirectional layer's Inspector shows the parameters of the kind it wraps: choosing
    // GRU by keyboard brings reset_after and drops unit_forget_bias; the card names the kind.
    void theInspectorShowsTheWrappedKindsParameters() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/bilstm_autoencoder.loom"));
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.canvas()->actualSize();
        NodeItem* card = itemNamed(w, "bidirectional_2");
        w.canvas()->centerOn(card);
        QTest::mouseClick(w.canvas()->viewport(), Qt::LeftButton, Qt::NoModifier,
                          w.canvas()->mapFromScene(card->sceneBoundingRect().center()));
        auto* inspector = w.findChild<InspectorPanel*>();
        QTRY_COMPARE(inspector->layer(), w.document()->graph().nodeByName("bidirectional_2")->id);
        QTRY_VERIFY(inspector->findChild<QComboBox*>("layer") != nullptr);
        QVERIFY(inspector->findChild<QWidget*>("unit_forget_bias") != nullptr);
        QVERIFY(inspector->findChild<QWidget*>("reset_after") == nullptr);
        QVERIFY(card->card().details.join(" ").contains("LSTM"));
        auto* layer = inspector->findChild<QComboBox*>("layer");
        layer->setFocus();
        QTest::keyClick(layer, Qt::Key_Down);  // LSTM -> GRU
        QTRY_COMPARE(w.document()->graph().nodeByName("bidirectional_2")->param<std::string>("layer"), std::string("GRU"));
        QTRY_VERIFY(inspector->findChild<QWidget*>("reset_after") != nullptr);
        QVERIFY(inspector->findChild<QWidget*>("unit_forget_bias") == nullptr);
        QTRY_VERIFY(itemNamed(w, "bidirectional_2")->card().details.join(" ").contains("GRU"));
        // Two readings of 16 GRU units from 64 features: 2 * 3 * (64 * 16 + 16 * 16 + 2 * 16).
        const ModelGraph& g = w.document()->graph();
        QCOMPARE(w.document()->validation().of(g, g.nodeByName("bidirectional_2")->id).params, 2 * 3 * (64 * 16 + 16 * 16 + 2 * 16));
        QTest::keyClick(w.canvas()->viewport(), Qt::Key_Z, Qt::ControlModifier);
        QTRY_COMPARE(w.document()->graph().nodeByName("bidirectional_2")->param<std::string>("layer"), std::string("LSTM"));
    }

    // A value that stands for Keras's None reads as None in the Inspector, and stepping off it
    // gives a number: ReLU's max_value 0 is no cap.
    void theInspectorShowsKerasNoneByName() {
        MainWindow w;
        Project p;
        const NodeId in = addLayer(p.graph, "InputLayer", {0, 0});
        const NodeId relu = addLayer(p.graph, "ReLU", {0, 120});
        p.graph.connect({in, 0}, {relu, 0});
        w.document()->setProject(p, QString());
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.canvas()->actualSize();
        NodeItem* card = w.scene()->nodeItem(relu);
        w.canvas()->centerOn(card);
        QTest::mouseClick(w.canvas()->viewport(), Qt::LeftButton, Qt::NoModifier,
                          w.canvas()->mapFromScene(card->sceneBoundingRect().center()));
        auto* inspector = w.findChild<InspectorPanel*>();
        QTRY_COMPARE(inspector->layer(), relu);
        QDoubleSpinBox* cap = nullptr;
        QTRY_VERIFY((cap = inspector->findChild<QDoubleSpinBox*>("max_value")) != nullptr);
        QCOMPARE(cap->text(), QString("None (no cap)"));
        cap->setFocus();
        QTest::keyClick(cap, Qt::Key_Up);
        QTRY_COMPARE(w.document()->graph().node(relu)->param<double>("max_value"), 0.05);
        // A number is kept as typed, not rounded to a few decimals: a padding value of -1.2345,
        // an epsilon of 1e-05.
        cap->setFocus();
        cap->selectAll();
        QTest::keyClicks(cap, QLocale().toString(1.2345));
        QTest::keyClick(cap, Qt::Key_Return);
        QTRY_COMPARE(w.document()->graph().node(relu)->param<double>("max_value"), 1.2345);
        QCOMPARE(cap->text(), QLocale().toString(1.2345));
        cap->selectAll();
        QTest::keyClicks(cap, QLocale().toString(1e-5, 'g'));
        QTest::keyClick(cap, Qt::Key_Return);
        QTRY_COMPARE(w.document()->graph().node(relu)->param<double>("max_value"), 1e-5);
    }

    void autoLayoutIsOneUndoStep() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/residual_lstm_classifier.loom"));
        w.show();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        const ModelGraph before = w.document()->graph();
        QTest::keyClick(&w, Qt::Key_L, Qt::ControlModifier);
        QCOMPARE(w.document()->undoStack()->undoText(), QString("Auto-layout"));
        const ModelGraph& g = w.document()->graph();
        for (const Edge& e : g.edges()) {
            QVERIFY(g.node(e.from.node)->position.y < g.node(e.to.node)->position.y);
        }
        QTest::keyClick(&w, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(w.document()->graph(), before);
    }

    void rightClickingACardOffersItsFixes() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/broken_skips_add.loom"));
        w.resize(1200, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.canvas()->actualSize();
        NodeItem* add1 = itemNamed(w, "add_1");
        w.canvas()->centerOn(add1);
        const QPoint at = w.canvas()->mapFromScene(add1->sceneBoundingRect().center());
        QStringList offered;
        QTimer::singleShot(100, [&offered] {
            auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
            if (!menu) return;
            for (QAction* a : menu->actions()) offered << a->text();
            menu->actions().front()->trigger();
            menu->close();
        });
        QContextMenuEvent event(QContextMenuEvent::Mouse, at, w.canvas()->viewport()->mapToGlobal(at));
        QApplication::sendEvent(w.canvas()->viewport(), &event);
        QVERIFY(offered.size() >= 3);
        QVERIFY(offered.front().startsWith("Fix: Insert a TimeDistributed(Dense(256))"));
        QVERIFY(offered.last().startsWith("Delete add_1"));
        QTRY_COMPARE(w.document()->validation().count(Severity::Error), 1u);
        QCOMPARE(w.document()->undoStack()->count(), 1);
    }

    void deleteRemovesTheSelectedLayersAsOneStep() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/lstm_autoencoder.loom"));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        itemNamed(w, "lstm_2")->setSelected(true);
        itemNamed(w, "lstm_5")->setSelected(true);
        w.canvas()->setFocus();
        QTest::keyClick(w.canvas(), Qt::Key_Delete);
        QCOMPARE(w.document()->graph().nodes().size(), 7u);
        QCOMPARE(w.document()->graph().edges().size(), 4u);
        QVERIFY(w.document()->validation().hasErrors());  // lstm_3 and lstm_6 lost their inputs
        QCOMPARE(w.document()->undoStack()->undoText(), QString("Delete 2 layers"));
        QTest::keyClick(&w, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(w.document()->graph().nodes().size(), 9u);
        QVERIFY(!w.document()->validation().hasErrors());
    }

    void aCrashLosesNoWorkThatWasAutosaved() {
        ModelGraph edited;
        {
            MainWindow w;
            QVERIFY(w.openPath(":/examples/broken_skips_add.loom"));
            const Fix fix = w.document()->validation().diagnostics.front().fixes.front();
            w.document()->applyEdit(fix.edit, "fix");
            edited = w.document()->graph();
            w.autosaver()->saveNow();
            QVERIFY(QFile::exists(w.autosaver()->file()));
            // A running session's copy is locked: no other window offers it as left behind.
            QVERIFY(Autosaver::pending().isEmpty());
            // The window goes away without closing, as in a crash: the copy stays.
        }
        const auto pending = Autosaver::pending();
        QCOMPARE(pending.size(), 1);
        QVERIFY(pending.front().name.contains("Broken"));
        QString restoreButton;
        {
            MainWindow restored;
            test::whenDialogShows<QMessageBox>([&](QMessageBox* box) {
                restoreButton = box->button(QMessageBox::Yes)->text();
                box->button(QMessageBox::Yes)->click();
            });
            QVERIFY(restored.files()->offerRecovery());
            QCOMPARE(restoreButton, QString("&Restore"));
            QCOMPARE(restored.document()->graph(), edited);
            // The restored work has its own copy at once, before any autosave interval.
            QVERIFY(QFile::exists(restored.autosaver()->file()));
            QVERIFY(Autosaver::pending().isEmpty());
            // A second crash, right after restoring.
        }
        QCOMPARE(Autosaver::pending().size(), 1);
        MainWindow w;
        test::whenDialogShows<QMessageBox>([&](QMessageBox* box) { box->button(QMessageBox::Yes)->click(); });
        QVERIFY(w.files()->offerRecovery());
        QCOMPARE(w.document()->graph(), edited);
        QVERIFY(w.document()->isModified());
        QVERIFY(w.windowTitle().contains("*"));
        QVERIFY(Autosaver::pending().isEmpty());

        // Saving removes the running copy too.
        QTemporaryDir dir;
        w.autosaver()->saveNow();
        QVERIFY(QFile::exists(w.autosaver()->file()));
        w.document()->save(dir.filePath("saved.loom"));
        QVERIFY(!QFile::exists(w.autosaver()->file()));
    }

    void unsavedChangesAreNotLostWhenOpeningAnother() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/broken_skips_add.loom"));
        w.show();
        const Fix fix = w.document()->validation().diagnostics.front().fixes.front();
        w.document()->applyEdit(fix.edit, "fix");
        answerNextDialog(QMessageBox::Cancel);
        QVERIFY(!w.openPath(":/examples/lstm_autoencoder.loom"));
        QVERIFY(w.document()->isModified());
        QCOMPARE(w.document()->graph().nodes().size(), 12u);  // still the edited model
        answerNextDialog(QMessageBox::Discard);
        QVERIFY(w.openPath(":/examples/lstm_autoencoder.loom"));
        QCOMPARE(w.document()->graph().nodes().size(), 9u);
        QVERIFY(!w.document()->isModified());
    }
};

QTEST_MAIN(EditingTest)
#include "editing_test.moc"
