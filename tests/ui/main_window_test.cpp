// The main window, offscreen, driven by real mouse, wheel and keyboard events.
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QMenuBar>
#include <QPalette>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSet>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTimer>
#include <QUndoStack>
#include <QUndoView>
#include <QWheelEvent>
#include <QtTest>

#include "canvas/canvas_view.h"
#include "canvas/edge_item.h"
#include "canvas/graph_scene.h"
#include "canvas/node_item.h"
#include "document/document.h"
#include "document/examples.h"
#include "engine/weights_file.h"
#include "interop/keras_model.h"
#include "export/canvas_export.h"
#include "panels/problems_panel.h"
#include "window_test_helpers.h"
#include "window/file_actions.h"
#include "window/help_menu.h"
#include "training/training_controller.h"
#include "canvas/quick_add.h"
#include "window/main_window.h"
#include "window/training_workspace.h"

using namespace loom;
using namespace loom::ui;
using test::answerNextDialog;
using test::itemNamed;
using test::settle;

class MainWindowTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void opensTheDefaultExampleWithShapesOnEveryWire() {
        MainWindow w;
        QVERIFY(w.openPath(builtInExamples().front().resource));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.scene()->nodeItems().size(), 11);
        QCOMPARE(w.scene()->edgeItems().size(), 12);
        NodeItem* concat = itemNamed(w, "concatenate_1");
        QVERIFY(concat);
        QCOMPARE(concat->card().outputShape, QString("(None, 32, 276)"));
        // Two wired ports and a free one for a further branch.
        QCOMPARE(concat->card().inputPorts, 3);
        QCOMPARE(concat->card().wiredInputs, (QList<bool>{true, true, false}));
        QCOMPARE(concat->card().status, Status::Ok);
        for (EdgeItem* e : w.scene()->edgeItems()) QVERIFY(!e->toolTip().isEmpty());
        QVERIFY(w.windowTitle().contains("U-Net skips"));
    }

    // File > New from Template (Ctrl+Shift+N) shows every template with its picture; the arrow
    // keys choose one, which says what it is, and Enter opens it; Escape keeps the model.
    void theTemplateGalleryOpensTheChosenTemplate() {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QString wanted = "keras.io: Bidirectional LSTM on IMDB";
        int shown = 0;
        QString description;
        bool pictured = false;
        QTimer::singleShot(100, [&] {
            QWidget* gallery = QApplication::activeModalWidget();
            auto* list = gallery ? gallery->findChild<QListWidget*>("templateList") : nullptr;
            if (!list) return;
            shown = list->count();
            for (int i = 0; i < list->count() && list->currentItem()->text() != wanted; ++i) {
                QTest::keyClick(list, Qt::Key_Right);
            }
            description = gallery->findChild<QLabel*>("templateDescription")->text();
            pictured = !gallery->findChild<QLabel*>("templatePicture")->pixmap().isNull();
            for (int i = 0; i < list->count(); ++i) pictured = pictured && !list->item(i)->icon().isNull();
            QTest::keyClick(list, Qt::Key_Return);
        });
        QTest::keyClick(&w, Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(shown, builtInExamples().size());
        QVERIFY(pictured);
        QVERIFY2(description.startsWith("keras.io example nlp/bidirectional_lstm_imdb"), qPrintable(description));
        QTRY_VERIFY(w.document()->graph().nodeByName("embedding") != nullptr);
        QCOMPARE(QString::fromStdString(w.document()->project().description), description);

        QTimer::singleShot(100, [] {
            if (QWidget* gallery = QApplication::activeModalWidget()) QTest::keyClick(gallery, Qt::Key_Escape);
        });
        QTest::keyClick(&w, Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(w.document()->graph().nodeByName("embedding") != nullptr);
    }

    // A layer chosen in one model is not chosen in the next, though the next may have a layer
    // with the same id: opening another model starts with nothing selected, and File > New
    // with its one Input selected (so that the next layer is added after it).
    void anotherModelStartsWithNothingSelected() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/lstm_autoencoder.loom"));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        itemNamed(w, "lstm_2")->setSelected(true);
        QCOMPARE(w.scene()->selectedItems().size(), 1);
        QVERIFY(w.openPath(":/examples/conv1d_unet.loom"));
        QVERIFY(w.scene()->selectedItems().isEmpty());
        const NodeId first = w.document()->graph().nodes().at(1).id;
        w.scene()->nodeItem(first)->setSelected(true);
        QTest::keyClick(&w, Qt::Key_N, Qt::ControlModifier);
        QCOMPARE(w.document()->graph().nodes().size(), 1u);
        QCOMPARE(w.scene()->selectedLayers(), std::vector<NodeId>{w.document()->graph().nodes().front().id});
        // Looking through the docks of the new model changes nothing in it: no "save changes?".
        QVERIFY(!w.document()->isModified());
        for (QDockWidget* dock : w.findChildren<QDockWidget*>()) {
            dock->raise();
            settle();
            QVERIFY2(!w.document()->isModified(), qPrintable(dock->objectName()));
        }
        QVERIFY(!w.windowTitle().contains('*'));
    }

    void screenshotIsNotBlank() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/lstm_autoencoder_skips.loom"));
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        settle();  // the fit-to-window runs once the window has its size
        itemNamed(w, "lstm_2")->setSelected(true);  // the inspector shows it
        settle();
        const QImage shot = w.grab().toImage();
        QVERIFY(shot.save(QDir(LAYERLOOM_SCREENSHOT_DIR).filePath("main_window.png")));
        QSet<QRgb> colours;
        const QRgb background = shot.pixel(w.canvas()->mapTo(&w, QPoint(5, 5)));
        int canvasInk = 0;
        const QRect canvas(w.canvas()->mapTo(&w, QPoint(0, 0)), w.canvas()->size());
        for (int y = canvas.top(); y < canvas.bottom(); y += 3) {
            for (int x = canvas.left(); x < canvas.right(); x += 3) {
                const QRgb p = shot.pixel(x, y);
                colours.insert(p);
                if (p != background) ++canvasInk;
            }
        }
        QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));
        // Cards and wires cover a real part of the canvas, not a few stray pixels.
        const int samples = (canvas.width() / 3) * (canvas.height() / 3);
        QVERIFY2(canvasInk > samples / 20, qPrintable(QString::number(canvasInk)));
    }

    // The canvas follows the desktop's colours by default, light or dark, and switches with
    // them; View > Theme can hold it to one.
    void theCanvasFollowsTheDesktopOrTheChosenTheme() {
        QSettings().remove("canvas/theme");
        const QPalette original = QApplication::palette();
        const auto restore = qScopeGuard([&] {
            QApplication::setPalette(original);
            QSettings().remove("canvas/theme");
        });
        QPalette dark = original;
        dark.setColor(QPalette::Window, QColor(0x30, 0x30, 0x30));
        dark.setColor(QPalette::WindowText, Qt::white);
        QPalette light = original;
        light.setColor(QPalette::Window, QColor(0xef, 0xef, 0xef));
        light.setColor(QPalette::WindowText, Qt::black);
        QApplication::setPalette(light);

        MainWindow w;
        QVERIFY(w.openPath(":/examples/lstm_autoencoder.loom"));
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const auto canvasLightness = [&] {
            settle();
            return w.canvas()->viewport()->grab().toImage().pixelColor(4, 4).lightness();
        };
        QVERIFY2(canvasLightness() > 200, "a light desktop, a light canvas");
        QApplication::setPalette(dark);
        QTRY_VERIFY2(canvasLightness() < 60, "the desktop turned dark, and so did the canvas");

        QMenu* theme = w.findChild<QMenu*>("themeMenu");
        QVERIFY(theme);
        const auto pick = [&](const QString& text) {
            for (QAction* a : theme->actions()) {
                if (a->text().remove('&') == text) {
                    a->trigger();
                    return a;
                }
            }
            return static_cast<QAction*>(nullptr);
        };
        QAction* lightAction = pick("Light");
        QVERIFY(lightAction);
        QVERIFY(lightAction->isChecked());
        QVERIFY(canvasLightness() > 200);
        QApplication::setPalette(dark);  // held: the desktop no longer decides
        QVERIFY(canvasLightness() > 200);
        QCOMPARE(QSettings().value("canvas/theme").toString(), QString("light"));
        QVERIFY(pick("Dark"));
        QVERIFY(canvasLightness() < 60);
        QVERIFY(pick("Follow the Desktop"));
        QApplication::setPalette(light);
        QTRY_VERIFY(canvasLightness() > 200);
    }

    // Help: F1 opens the tour beside the window, its buttons act on the window; the shortcut
    // sheet lists the window's own keys and filters them; the guide shows with its pictures.
    void helpTourShortcutSheetAndUserGuide() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/lstm_autoencoder.loom"));
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTest::keyClick(w.canvas(), Qt::Key_F1);
        GettingStarted* tour = w.help()->gettingStarted();
        QVERIFY(tour);
        QTRY_VERIFY(tour->isVisible());
        QVERIFY(!tour->isModal());
        QCOMPARE(tour->step(), 0);
        QVERIFY(!tour->backButton()->isEnabled());
        // Every step's text is shown whole, however long.
        auto* text = tour->findChild<QLabel*>("tourText");
        QVERIFY(text);
        const auto next = [&] {
            QTest::mouseClick(tour->nextButton(), Qt::LeftButton);
            settle();
            QVERIFY2(text->height() >= text->heightForWidth(text->width()),
                     qPrintable(QString("step %1: %2 px for text needing %3").arg(tour->step() + 1).arg(text->height())
                                    .arg(text->heightForWidth(text->width()))));
        };
        next();
        QCOMPARE(tour->step(), 1);
        QCOMPARE(tour->actButton()->text(), QString("New Model"));
        QTest::mouseClick(tour->actButton(), Qt::LeftButton);
        QCOMPARE(w.document()->graph().nodes().size(), 1u);  // a new model: one Input
        const NodeId input = w.document()->graph().nodes().front().id;
        QCOMPARE(w.scene()->selectedLayers(), std::vector<NodeId>{input});  // selected, for the next step
        // Step 2's button adds the typed layer after the Input, wired and below it: a valid model.
        next();
        QCOMPARE(tour->actButton()->text(), QString("Add a Layer..."));
        QTest::mouseClick(tour->actButton(), Qt::LeftButton);
        QuickAdd* box = nullptr;
        QTRY_VERIFY((box = w.findChild<QuickAdd*>()) != nullptr && box->isVisible());
        QTest::keyClicks(box->searchField(), "lstm");
        QTest::keyClick(box->searchField(), Qt::Key_Return);
        QTRY_VERIFY(w.document()->graph().nodeByName("lstm_1"));
        const Node& lstm = *w.document()->graph().nodeByName("lstm_1");
        QCOMPARE(w.document()->graph().inputEdges(lstm.id).size(), 1u);
        QCOMPARE(w.document()->graph().inputEdges(lstm.id).front()->from.node, input);
        QVERIFY(lstm.position.y > w.document()->graph().node(input)->position.y);
        QVERIFY(!w.document()->validation().hasErrors());
        // The tour follows the window when it moves.
        const QPoint offset = tour->pos() - w.pos();
        const QPoint was = w.pos();
        w.move(w.pos() + QPoint(40, 30));
        QTRY_VERIFY(w.pos() != was);
        QTRY_COMPARE(tour->pos().x() - w.pos().x(), offset.x());  // (its height may meet the screen's edge)
        next();
        next();
        QCOMPARE(tour->actButton()->text(), QString("Open the Broken Example"));
        QVERIFY(w.document()->isModified());
        answerNextDialog(QMessageBox::Discard);  // the layer added above is not saved
        QTest::mouseClick(tour->actButton(), Qt::LeftButton);
        QTRY_VERIFY(w.document()->validation().hasErrors());
        next();
        QTest::mouseClick(tour->actButton(), Qt::LeftButton);  // the autoencoder, with skips
        QTRY_VERIFY(w.document()->graph().nodeByName("concatenate_1") != nullptr);
        QVERIFY(!w.document()->validation().hasErrors());
        next();
        next();
        QCOMPARE(tour->actButton()->text(), QString("Open the Anomaly Example and Train"));
        answerNextDialog(QMessageBox::Discard);  // the skips added above are not saved
        QTest::mouseClick(tour->actButton(), Qt::LeftButton);
        QTRY_COMPARE(w.document()->displayName(), QString("Machine temperature: anomaly detection"));
        QTRY_VERIFY(w.training()->controller()->busy());
        w.training()->controller()->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!w.training()->controller()->busy(), 30000);
        while (tour->nextButton()->isEnabled()) next();
        QCOMPARE(tour->step(), tour->steps() - 1);
        tour->close();
        w.activateWindow();  // as a click back into the window after the dialogs
        QVERIFY(QTest::qWaitForWindowActive(&w));

        QTest::keyClick(w.canvas(), Qt::Key_Slash, Qt::ControlModifier);
        QTreeWidget* list = w.help()->shortcutList();
        QVERIFY(list);
        QTRY_VERIFY(list->isVisible());
        const auto row = [&](const QString& command) -> QTreeWidgetItem* {
            for (int g = 0; g < list->topLevelItemCount(); ++g) {
                for (int i = 0; i < list->topLevelItem(g)->childCount(); ++i) {
                    if (list->topLevelItem(g)->child(i)->text(0) == command) return list->topLevelItem(g)->child(i);
                }
            }
            return nullptr;
        };
        QVERIFY(row("Start Training"));
        QCOMPARE(row("Start Training")->text(1), QString("F5"));
        QVERIFY(row("Add Layer"));
        QCOMPARE(row("Add Layer")->text(1), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A).toString(QKeySequence::NativeText));
        QVERIFY(row("Connect with Skip > Through Add"));
        QVERIFY(row("Save As"));
        QVERIFY(row("Pan the canvas"));
        auto* filter = list->parentWidget()->findChild<QLineEdit*>();
        QVERIFY(filter);
        QTest::keyClicks(filter, "F5");
        QVERIFY(!row("Start Training")->isHidden());
        QVERIFY(row("Save As")->isHidden());
        list->window()->close();

        w.help()->showUserGuide();
        QTextBrowser* guide = w.help()->guide();
        QVERIFY(guide);
        QVERIFY(guide->toPlainText().startsWith("LayerLoom User Guide"));
        int images = 0;
        for (QTextBlock b = guide->document()->begin(); b.isValid(); b = b.next()) {
            for (auto it = b.begin(); !it.atEnd(); ++it) {
                if (!it.fragment().charFormat().isImageFormat()) continue;
                const QTextImageFormat image = it.fragment().charFormat().toImageFormat();
                QVERIFY2(!QImage(":/guide/" + image.name()).isNull(), qPrintable(image.name()));
                QVERIFY(image.width() <= 760);
                ++images;
            }
        }
        QVERIFY(images >= 5);
        guide->window()->close();
    }

    void brokenExampleMarksLayersAndWiresRed() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/broken_skips_add.loom"));
        w.show();
        NodeItem* add1 = itemNamed(w, "add_1");
        NodeItem* add2 = itemNamed(w, "add_2");
        QVERIFY(add1 && add2);
        QCOMPARE(add1->card().status, Status::Error);
        QCOMPARE(add2->card().status, Status::Error);
        QVERIFY(add1->toolTip().contains("feature axis differs (20 vs 256)"));
        QCOMPARE(itemNamed(w, "lstm_1")->card().status, Status::Ok);
        auto* problems = w.findChild<ProblemsPanel*>();
        QVERIFY(problems);
        QCOMPARE(problems->topLevelItemCount(), 2);
        QVERIFY(problems->topLevelItem(0)->child(0)->text(2).startsWith("Fix: "));
    }

    void problemsFoundBeforeTheWindowShowsWrapToItsWidth() {
        // The broken example is read before the window has its size (as when a crash copy is
        // restored at start-up); its messages then wrap to the Problem column as shown.
        MainWindow w;
        QVERIFY(w.openPath(":/examples/broken_skips_add.loom"));
        w.resize(1500, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto* problems = w.findChild<ProblemsPanel*>();
        QVERIFY(problems);
        QTRY_VERIFY(problems->columnWidth(2) > 700);
        const QFontMetrics metrics(problems->font());
        for (int i = 0; i < problems->topLevelItemCount(); ++i) {
            const QStringList lines = problems->topLevelItem(i)->text(2).split('\n');
            // Each line but the last fills the column to within a word of its width.
            for (int k = 0; k + 1 < lines.size(); ++k) {
                QVERIFY2(metrics.horizontalAdvance(lines[k]) > problems->columnWidth(2) - 250,
                         qPrintable(lines[k]));
            }
        }
    }

    void activatingAProblemSelectsAndCentresTheLayer() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/broken_skips_add.loom"));
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.canvas()->actualSize();
        auto* problems = w.findChild<ProblemsPanel*>();
        QTreeWidgetItem* second = problems->topLevelItem(1);
        problems->scrollToItem(second);
        const QPoint where = problems->visualItemRect(second).center();
        QTest::mouseClick(problems->viewport(), Qt::LeftButton, Qt::NoModifier, where);
        QCOMPARE(problems->currentItem(), second);
        QTest::keyClick(problems, Qt::Key_Return);
        NodeItem* add2 = itemNamed(w, "add_2");
        QTRY_VERIFY(add2->isSelected());
        const QPoint inView = w.canvas()->mapFromScene(add2->sceneBoundingRect().center());
        QVERIFY(w.canvas()->viewport()->rect().contains(inView));
    }

    void wheelAndShortcutsZoom() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/lstm_autoencoder.loom"));
        w.show();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QTest::keyClick(&w, Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(w.canvas()->zoom(), 1.0);
        QWidget* vp = w.canvas()->viewport();
        const QPointF at = vp->rect().center();
        QWheelEvent wheel(at, vp->mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(vp, &wheel);
        QVERIFY(w.canvas()->zoom() > 1.1);
        QTest::keyClick(&w, Qt::Key_0, Qt::ControlModifier);
        QVERIFY(w.canvas()->zoom() < 1.0);  // the whole autoencoder fits
    }

    // File > Export as Keras Model File: the file dialog takes a name without its suffix and
    // the chosen kind adds it; the file holds the document's weights bit for bit.
    void exportsAKerasModelFileFromTheFileMenu() {
        MainWindow w;
        QVERIFY(w.openPath(LAYERLOOM_TEST_DATA_DIR "/keras_fixtures/skip_autoencoder/model.json"));
        QTemporaryDir out;
        QSettings().setValue("lastDirectory", out.filePath("x"));
        QAction* action = nullptr;
        for (QAction* a : w.menuBar()->findChildren<QAction*>()) {
            if (a->text() == "Export as Keras Model &File...") action = a;
        }
        QVERIFY(action);
        bool answered = false;
        test::answerNextFileDialog("trained", &answered);
        action->trigger();
        QVERIFY(answered);
        const QString file = out.filePath("trained.keras");
        QVERIFY2(QFileInfo::exists(file), qPrintable(w.statusBar()->currentMessage()));
        QVERIFY(w.statusBar()->currentMessage().contains("the model's trained weights"));
        const KerasImport back = importKerasFile(file.toStdString());
        QCOMPARE(back.weights.size(), w.document()->weights().size());
        for (const NamedTensor& t : back.weights) {
            const auto same = std::find_if(w.document()->weights().begin(), w.document()->weights().end(),
                                           [&](const NamedTensor& x) { return x.name == t.name; });
            QVERIFY(same != w.document()->weights().end());
            QCOMPARE(same->values, t.values);
        }
        // As tf.keras 2's .h5 too, by the name's suffix.
        QCOMPARE(w.exportModelTo(out.filePath("trained.h5"), MainWindow::ModelExport::KerasFile),
                 QString("Wrote %1 with the model's trained weights").arg(out.filePath("trained.h5")));
        QCOMPARE(importKerasFile(out.filePath("trained.h5").toStdString()).weights.size(), back.weights.size());
    }

    // File > Export as ONNX Model writes NAME.onnx; a format that cannot hold the model says so
    // before any file dialog, naming those that can.
    void exportsOnnxAndRefusesWhatTfjsCannotLoad() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/conv1d_unet.loom"));
        QTemporaryDir out;
        QSettings().setValue("lastDirectory", out.path() + "/");
        const auto action = [&](const QString& text) {
            QAction* found = nullptr;
            for (QAction* a : w.menuBar()->findChildren<QAction*>()) {
                if (a->text() == text) found = a;
            }
            return found;
        };
        QAction* onnx = action("Export as &ONNX Model...");
        QVERIFY(onnx);
        bool answered = false;
        test::answerNextFileDialog("unet", &answered);
        onnx->trigger();
        QVERIFY(answered);
        QVERIFY2(QFileInfo(out.filePath("unet.onnx")).size() > 1000, qPrintable(w.statusBar()->currentMessage()));
        QVERIFY(w.statusBar()->currentMessage().startsWith("Wrote " + out.filePath("unet.onnx") + " with new weights"));

        // The U-Net's UpSampling1D is a layer TF.js does not have.
        QAction* tfjs = action("Export as TF.js &Model...");
        QVERIFY(tfjs);
        QString said;
        test::answerNextDialog(QMessageBox::Ok, &said);
        tfjs->trigger();
        QVERIFY2(said.startsWith("TF.js cannot load this model:"), qPrintable(said));
        QVERIFY2(said.contains("TF.js has no UpSampling1D"), qPrintable(said));
        QVERIFY2(said.endsWith("It can go to a Keras model file (.keras or .h5), ONNX or the PyTorch module instead."), qPrintable(said));
        QVERIFY(!QFileInfo::exists(out.filePath("model.json")));
    }

    // A folder export asks before it writes over an earlier export's files: Cancel leaves them
    // as they were, Replace writes the model.
    void aFolderExportAsksBeforeReplacingFiles() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/lstm_autoencoder.loom"));
        QTemporaryDir out;
        QSettings().setValue("lastDirectory", out.path() + "/");
        {
            QFile earlier(out.filePath("weights.bin"));
            QVERIFY(earlier.open(QIODevice::WriteOnly));
            earlier.write("weights of another export");
        }
        QAction* action = nullptr;
        for (QAction* a : w.menuBar()->findChildren<QAction*>()) {
            if (a->text() == "Export as P&yTorch Module...") action = a;
        }
        QVERIFY(action);
        bool answered = false;
        QString asked;
        test::answerNextFileDialog(out.path(), &answered);
        test::answerNextDialog(QMessageBox::Cancel, &asked);
        action->trigger();
        QVERIFY(answered);
        QVERIFY2(asked.contains("already holds weights.bin. Replace it?"), qPrintable(asked));
        QFile kept(out.filePath("weights.bin"));
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(kept.readAll(), QByteArray("weights of another export"));
        kept.close();
        QVERIFY(!QFileInfo::exists(out.filePath("model.py")));

        answered = false;
        test::answerNextFileDialog(out.path(), &answered);
        test::whenDialogShows<QMessageBox>([](QMessageBox* box) {
            for (QAbstractButton* b : box->buttons()) {
                if (b->text() == "Replace") b->click();
            }
        });
        action->trigger();
        QVERIFY(answered);
        QTRY_VERIFY(QFileInfo::exists(out.filePath("model.py")));
        QVERIFY(QFileInfo(out.filePath("weights.bin")).size() > 1000);
    }

    // A restart takes up the model worked on last (skipping one that is gone); the History
    // says how the model started.
    void startsWithTheLastModelAndSaysHowItStarted() {
        QTemporaryDir dir;
        const QString saved = dir.filePath("mine.loom");
        {
            MainWindow w;
            QVERIFY(w.openPath(":/examples/lstm_autoencoder_skips.loom"));
            QCOMPARE(w.findChild<QUndoView*>()->emptyLabel(), QString("Opened the example"));
            w.document()->save(saved);
            QVERIFY(w.files()->newModel());
            QCOMPARE(w.findChild<QUndoView*>()->emptyLabel(), QString("New model"));
        }
        QSettings().setValue("recentFiles", QStringList{dir.filePath("gone.loom"), saved});
        MainWindow w;
        QVERIFY(w.files()->openMostRecent());
        QCOMPARE(w.document()->filePath(), saved);
        QCOMPARE(w.findChild<QUndoView*>()->emptyLabel(), QString("Opened mine.loom"));
        QSettings().setValue("recentFiles", QStringList{dir.filePath("gone.loom")});
        QVERIFY(!w.files()->openMostRecent());
        QSettings().remove("recentFiles");
    }

    void opensTheArchitectureOfAKerasModelJson() {
        MainWindow w;
        const QString fixture = LAYERLOOM_TEST_DATA_DIR "/keras_fixtures/skip_autoencoder/model.json";
        QVERIFY(w.openPath(fixture));
        QCOMPARE(w.document()->graph().nodes().size(), 11u);
        QVERIFY(!w.document()->validation().hasErrors());
        QVERIFY(w.document()->filePath().isEmpty());  // Save asks where: it is not a .loom
        QVERIFY(w.scene()->nodeItem(w.document()->graph().nodeByName("concatenate")->id));
        // Its trained weights come along and leave with the exports, bit for bit.
        QCOMPARE(w.document()->weights().size(), 20u);
        QTemporaryDir out;
        QVERIFY(w.exportModelTo(out.path(), MainWindow::ModelExport::LayersFolder).contains("trained weights"));
        QFile original(LAYERLOOM_TEST_DATA_DIR "/keras_fixtures/skip_autoencoder/weights.bin");
        QFile exported(out.filePath("weights.bin"));
        QVERIFY(original.open(QIODevice::ReadOnly) && exported.open(QIODevice::ReadOnly));
        QCOMPARE(exported.readAll(), original.readAll());
        // Once a layer changes, its weights no longer fit (nor those of the layer it feeds):
        // those two get new ones, the others keep theirs.
        const NodeId enc = w.document()->graph().nodeByName("enc_1")->id;
        GraphEdit wider;
        wider.ops.push_back(edit::SetParam{enc, "units", std::int64_t{17}});
        w.document()->applyEdit(wider, "wider");
        const QString partly = w.exportModelTo(out.path(), MainWindow::ModelExport::LayersFolder);
        QVERIFY2(partly.contains("new ones for enc_1"), qPrintable(partly));
        w.document()->undoStack()->undo();  // back to the file as it was
        QVERIFY(w.exportModelTo(out.path(), MainWindow::ModelExport::PytorchFolder).contains("the model's trained weights"));
        // Saved as a LayerLoom project, the weights stay with it.
        const QString project = out.filePath("skip_autoencoder.loom");
        w.document()->save(project);
        MainWindow reopened;
        QVERIFY(reopened.openPath(project));
        QCOMPARE(reopened.document()->weights(), w.document()->weights());
        QTemporaryDir again;
        QVERIFY(reopened.exportModelTo(again.path(), MainWindow::ModelExport::LayersFolder).contains("the model's trained weights"));
        // And as LayerLoom's own weights file.
        reopened.exportWeightsTo(again.filePath("trained.llw"));
        QCOMPARE(loadWeights(again.filePath("trained.llw").toStdString()), w.document()->weights());
        QFile reexported(again.filePath("weights.bin"));
        QVERIFY(original.seek(0) && reexported.open(QIODevice::ReadOnly));
        QCOMPARE(reexported.readAll(), original.readAll());

        // A layer LayerLoom does not have: refused with its name, the document unchanged.
        QTemporaryDir dir;
        QFile bad(dir.filePath("model.json"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(R"({"modelTopology": {"class_name": "Sequential", "config": {"name": "s", "layers": [
            {"class_name": "Conv3D", "config": {"name": "conv", "batch_input_shape": [null, 8, 1]}}]}}})");
        bad.close();
        QString message;
        test::answerNextDialog(QMessageBox::Ok, &message);
        QVERIFY(!w.openPath(dir.filePath("model.json")));
        QVERIFY2(message.contains("Conv3D"), qPrintable(message));
        QCOMPARE(w.document()->graph().nodes().size(), 11u);
    }

    // Keras's own files open the same way, with the settings saved with them; what the import
    // left out is said in the status bar; a damaged file changes nothing.
    void opensKerasFilesWithTheirWeightsAndTrainingSettings() {
#ifdef __SANITIZE_THREAD__
        // A .keras or .h5 file is read in a child process forked from the window's reading
        // thread. ThreadSanitizer's runtime (GCC 12) does not hold its allocator's locks across
        // fork(), so when the window's thread is allocating at that moment the child hangs in its
        // first allocation. glibc's malloc, which the real program uses, does hold them. The
        // release and ASan runs have this test; aBrokenFileShowsAnErrorAndKeepsTheModel keeps
        // the window's reading thread under ThreadSanitizer.
        QSKIP("forks a reader from a multi-threaded process, which ThreadSanitizer's allocator does not survive");
#endif
        MainWindow w;
        w.show();
        for (const char* name : {"skip_autoencoder.keras", "skip_autoencoder_keras2.h5"}) {
            QVERIFY(w.openPath(QString(LAYERLOOM_TEST_DATA_DIR "/keras_files/") + name));
            QCOMPARE(w.document()->graph().nodes().size(), 11u);
            QCOMPARE(w.document()->weights().size(), 20u);
            QVERIFY(w.document()->filePath().isEmpty());
            QCOMPARE(QString::fromStdString(w.document()->project().training.value("loss", std::string())), QString("mse"));
            const QString status = w.statusBar()->currentMessage();
            QVERIFY2(status.contains(name) && status.contains("The optimizer's state is not imported"), qPrintable(status));
        }
        QString message;
        test::answerNextDialog(QMessageBox::Ok, &message);
        QVERIFY(!w.openPath(LAYERLOOM_TEST_DATA_DIR "/keras_files/broken/wrong_shape.keras"));
        QVERIFY2(message.contains("/layers/lstm/cell/vars/0: weight 'enc_1/kernel' has shape (1, 60)"), qPrintable(message));
        QCOMPARE(w.document()->weights().size(), 20u);

        // A file that keeps the reader busy: the window shows the reading with a Cancel
        // button, which ends it; the open model stays as it was.
        bool cancelled = false;
        test::whenDialogShows<QProgressDialog>([&](QProgressDialog* progress) {
            QPushButton* cancel = progress->findChild<QPushButton*>();
            if (!cancel || !progress->labelText().contains("hdf5_loop.h5")) return;
            QTest::mouseClick(cancel, Qt::LeftButton);
            cancelled = true;
        });
        QVERIFY(!w.openPath(LAYERLOOM_TEST_DATA_DIR "/keras_files/broken/hdf5_loop.h5"));
        QVERIFY(cancelled);
        QVERIFY2(w.statusBar()->currentMessage().contains("Opening hdf5_loop.h5 was cancelled"), qPrintable(w.statusBar()->currentMessage()));
        QCOMPARE(w.document()->weights().size(), 20u);
    }

    void exportsTheCanvasAsPngSvgAndPdf() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/lstm_autoencoder_skips.loom"));
        QTemporaryDir dir;
        QString error;
        const QRectF content = w.scene()->contentRect();
        QVERIFY2(exportCanvas(w.scene(), dir.filePath("m.png"), 2.0, &error), qPrintable(error));
        const QImage png(dir.filePath("m.png"));
        QCOMPARE(png.size(), (content.size() * 2.0).toSize());
        QSet<QRgb> colours;
        for (int y = 0; y < png.height(); y += 7) {
            for (int x = 0; x < png.width(); x += 7) colours.insert(png.pixel(x, y));
        }
        QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));  // not blank
        png.save(QDir(LAYERLOOM_SCREENSHOT_DIR).filePath("canvas_export.png"));
        QVERIFY2(exportCanvas(w.scene(), dir.filePath("m.svg"), 1.0, &error), qPrintable(error));
        QFile svg(dir.filePath("m.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray svgText = svg.readAll();
        QVERIFY(svgText.contains("<svg"));
        QVERIFY(svgText.contains("lstm_1"));  // text stays text
        QVERIFY2(exportCanvas(w.scene(), dir.filePath("m.pdf"), 1.0, &error), qPrintable(error));
        QFile pdf(dir.filePath("m.pdf"));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");
        QVERIFY(!exportCanvas(w.scene(), dir.filePath("m.bmp"), 1.0, &error));
        QVERIFY(error.contains(".png"));
        QVERIFY(!exportCanvas(w.scene(), "/nonexistent/dir/m.png", 1.0, &error));
    }

    void aBrokenFileShowsAnErrorAndKeepsTheModel() {
        QTemporaryDir dir;
        const QString bad = dir.filePath("bad.loom");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"format\": \"layerloom-project\", \"version\": 1, \"graph\": {\"nodes\": [{\"id\": "
                "1, \"name\": \"lstm_1\", \"kind\": \"LSTM\", \"params\": {\"units\": \"x\"}}]}}");
        f.close();

        MainWindow w;
        QVERIFY(w.openPath(":/examples/lstm_autoencoder.loom"));
        w.show();
        QString message;
        answerNextDialog(QMessageBox::Ok, &message);
        QVERIFY(!w.openPath(bad));
        QVERIFY(message.contains("/graph/nodes/0/params/units"));
        QVERIFY(message.contains("lstm_1"));
        QCOMPARE(w.document()->graph().nodes().size(), 9u);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("\"units\": \"x\""));  // untouched on disk
    }

    // The panels that share the right-hand dock with the Inspector (Data, Training) fit its
    // width as the window first opens: nothing, such as the Browse button, hides behind a
    // horizontal scroll bar.
    void theSidePanelsFitTheirDockWithoutScrollingSideways() {
        MainWindow w;
        QVERIFY(w.openPath(":/examples/lstm_autoencoder_skips_add.loom"));
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        for (const char* name : {"inspectorDock", "dataDock", "trainingDock"}) {
            auto* dock = w.findChild<QDockWidget*>(name);
            QVERIFY2(dock, name);
            dock->raise();
            QApplication::processEvents();
            // As wide as the Inspector's widest form (fixed, so the canvas never jumps), no more.
            QVERIFY2(dock->width() <= 440, qPrintable(QString("%1 is %2 wide").arg(name).arg(dock->width())));
            for (auto* area : dock->findChildren<QScrollArea*>()) {
                QWidget* inside = area->widget();
                const QString widest = inside ? widestChild(inside) : QString();
                QVERIFY2(!area->horizontalScrollBar()->isVisible(),
                         qPrintable(QString("%1 scrolls sideways: needs %2 px of %3; widest part: %4")
                                        .arg(name).arg(inside->minimumSizeHint().width())
                                        .arg(area->viewport()->width()).arg(widest)));
            }
        }
    }

private:
    // The child whose minimum width is largest, for a failure message.
    static QString widestChild(QWidget* parent) {
        QString name;
        int most = -1;
        for (QWidget* c : parent->findChildren<QWidget*>(Qt::FindDirectChildrenOnly)) {
            const int width = c->minimumSizeHint().width();
            if (c->isVisible() && width > most) {
                most = width;
                name = QString("%1 (%2 px)").arg(c->metaObject()->className()).arg(width);
            }
        }
        return name;
    }
};

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
