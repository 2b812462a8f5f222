// Building models by hand on the canvas: dropping blocks from the palette (also onto a wire),
// wiring port to port with the shape rule shown before the drop, re-routing and detaching
// wires, quick-add, copy/paste/duplicate and the skip helpers, all with real input events.
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDir>
#include <QDropEvent>
#include <QFile>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QMouseEvent>
#include <QFileDialog>
#include <QSettings>
#include <QPushButton>
#include <QLabel>
#include <QStandardPaths>
#include <QScrollBar>
#include <QStatusBar>
#include <cmath>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QUndoStack>
#include <QComboBox>
#include <QtTest>

#include "canvas/canvas_style.h"
#include "canvas/canvas_view.h"
#include "canvas/edge_item.h"
#include "canvas/graph_scene.h"
#include "canvas/minimap.h"
#include "canvas/node_item.h"
#include "canvas/quick_add.h"
#include "document/autosave.h"
#include "document/document.h"
#include "export/canvas_export.h"
#include "export/model_diagram.h"
#include "layers/layer_nodes.h"
#include "layers/layer_registry.h"
#include "panels/palette_panel.h"
#include "panels/problems_panel.h"
#include "panels/inspector_panel.h"
#include "training/training_panel.h"
#include "window/file_actions.h"
#include "window/training_workspace.h"
#include "window/edit_actions.h"
#include "window/main_window.h"
#include "window_test_helpers.h"

using namespace loom;
using namespace loom::ui;
using test::dragMouse;
using test::itemNamed;
using test::settle;
using test::openShown;

namespace {

const Node& named(MainWindow& w, const char* name) {
    const Node* n = w.document()->graph().nodeByName(name);
    if (!n) qFatal("no layer named %s", name);
    return *n;
}

QPoint viewPos(MainWindow& w, QPointF scenePos) { return w.canvas()->mapFromScene(scenePos); }

/// Drags a wire with the mouse from one port to another, both brought into view first.
void dragWire(MainWindow& w, QPointF from, QPointF to) {
    w.canvas()->centerOn((from + to) / 2);
    settle();
    dragMouse(w.canvas()->viewport(), viewPos(w, from), viewPos(w, to));
    settle();
}

/// Drops the palette entry for `kind` on the canvas at a scene point, through the same drag
/// events a desktop drag delivers.
void dropFromPalette(MainWindow& w, const QString& kind, QPointF scenePos) {
    QTreeWidget* tree = w.palette()->tree();
    QModelIndexList indexes;
    for (QTreeWidgetItem* item : tree->findItems(displayKind(kind), Qt::MatchExactly | Qt::MatchRecursive)) {
        indexes << tree->indexFromItem(item);
    }
    QVERIFY2(indexes.size() == 1, qPrintable(kind));
    std::unique_ptr<QMimeData> data(tree->model()->mimeData(indexes));
    QVERIFY(data);
    QWidget* vp = w.canvas()->viewport();
    const QPoint at = viewPos(w, scenePos);
    QDragEnterEvent enter(at, Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(vp, &enter);
    QVERIFY(enter.isAccepted());
    QDragMoveEvent move(at, Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(vp, &move);
    QVERIFY(move.isAccepted());
    QDropEvent drop(at, Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(vp, &drop);
}


}  // namespace

class WiringTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QDir(Autosaver::directory()).removeRecursively();
    }

    // The whole story: drop a merge onto a wire, wire the classic mistake, read the
    // explanation, fix it from the Problems dock, undo/redo, save and reopen, export.
    void theClassicSkipMistakeIsExplainedAndFixed() {
        MainWindow w;
        openShown(w, ":/examples/lstm_autoencoder.loom");
        const NodeId next = named(w, "lstm_5").id;
        // Onto the wire lstm_4 -> lstm_5: the Add is spliced in.
        w.canvas()->centerOn(itemNamed(w, "lstm_4"));
        const QPointF mid = (itemNamed(w, "lstm_4")->outputPortPos() + itemNamed(w, "lstm_5")->inputPortPos(0)) / 2;
        QVERIFY(w.scene()->wireAt(mid));
        dropFromPalette(w, "Add", mid);
        QTRY_VERIFY(w.document()->graph().nodeByName("add_1"));
        const NodeId add = named(w, "add_1").id;
        QCOMPARE(w.document()->undoStack()->count(), 1);
        QCOMPARE(w.document()->graph().inputEdges(add).size(), 1u);
        QCOMPARE(w.document()->graph().inputEdges(next).front()->from.node, add);
        QVERIFY(itemNamed(w, "add_1")->isSelected());
        // The merge has one wire and asks for a second branch.
        QCOMPARE(w.document()->validation().count(Severity::Error), 1u);

        // Drag from lstm_2 (256-wide sequence) to the Add's free port. While dragging, the port
        // is dimmed and says why; the wire is still made and the mistake is explained.
        NodeItem* source = itemNamed(w, "lstm_2");
        NodeItem* merge = itemNamed(w, "add_1");
        w.canvas()->setZoom(0.5, w.canvas()->viewport()->rect().center());
        w.canvas()->centerOn((source->outputPortPos() + merge->inputPortPos(1)) / 2);
        QWidget* vp = w.canvas()->viewport();
        const QPoint from = viewPos(w, source->outputPortPos());
        const QPoint to = viewPos(w, merge->inputPortPos(1));
        QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, from);
        QVERIFY(w.scene()->isWiring());
        for (int step = 1; step <= 6; ++step) {
            const QPoint at = from + (to - from) * step / 6;
            QMouseEvent move(QEvent::MouseMove, at, vp->mapToGlobal(at), Qt::NoButton,
                             Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(vp, &move);
        }
        QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, to);
        QTRY_COMPARE(w.document()->graph().inputEdges(add).size(), 2u);
        QCOMPARE(w.document()->undoStack()->count(), 2);
        const Validation& v = w.document()->validation();
        const Diagnostic* mismatch = nullptr;
        for (const Diagnostic& d : v.diagnostics) {
            if (d.code == DiagCode::MergeShapeMismatch) mismatch = &d;
        }
        QVERIFY(mismatch);
        QVERIFY(QString::fromStdString(mismatch->message).contains("20 vs 256"));
        QCOMPARE(itemNamed(w, "add_1")->card().status, Status::Error);
        // Its output is not known while the branches differ: the card says what it gives once fixed.
        QCOMPARE(itemNamed(w, "add_1")->card().outputShape, QString("? ((None, 32, 256) once fixed)"));
        // The Inspector, showing the selected Add, says the same.
        auto* title = w.findChild<QLabel*>("inspectorTitle");
        QVERIFY(title);
        QTRY_VERIFY2(title->text().contains("output ? ((None, 32, 256) once fixed)"), qPrintable(title->text()));

        // Apply the first fix from the Problems dock: a projection, one undo step.
        auto* problems = w.findChild<ProblemsPanel*>();
        QTreeWidgetItem* fix = problems->topLevelItem(0)->child(0);
        QVERIFY(fix->text(2).startsWith("Fix: Insert a TimeDistributed(Dense(256))"));
        problems->scrollToItem(fix);
        test::doubleClick(problems->viewport(), problems->visualItemRect(fix).center());
        QTRY_VERIFY(!w.document()->validation().hasErrors());
        QCOMPARE(itemNamed(w, "add_1")->card().outputShape, QString("(None, 32, 256)"));
        const ModelGraph fixed = w.document()->graph();
        QCOMPARE(w.document()->undoStack()->count(), 3);
        QTest::keyClick(w.canvas(), Qt::Key_Z, Qt::ControlModifier);
        QVERIFY(w.document()->validation().hasErrors());
        QTest::keyClick(w.canvas(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(w.document()->graph(), fixed);

        // Save, reopen: the identical graph.
        QTemporaryDir dir;
        const QString path = dir.filePath("skips.loom");
        w.document()->save(path);
        MainWindow reopened;
        QVERIFY(reopened.openPath(path));
        QCOMPARE(reopened.document()->graph(), fixed);

        // Export SVG and PNG: not blank, and the SVG names the layers.
        QString error;
        QVERIFY2(exportCanvas(w.scene(), dir.filePath("c.svg"), 1.0, &error), qPrintable(error));
        QVERIFY2(exportCanvas(w.scene(), dir.filePath("c.png"), 1.0, &error), qPrintable(error));
        QFile svg(dir.filePath("c.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray text = svg.readAll();
        for (const char* name : {"add_1", "lstm_2", "lstm_5", "(None, 32, 256)"}) {
            QVERIFY2(text.contains(name), name);
        }
        // The plot_model-style diagram names every layer with its shapes.
        QVERIFY2(exportModelDiagram(w.document()->graph(), w.document()->validation(), "skips",
                                    dir.filePath("d.svg"), 1.0, &error),
                 qPrintable(error));
        QFile diagram(dir.filePath("d.svg"));
        QVERIFY(diagram.open(QIODevice::ReadOnly));
        const QByteArray drawn = diagram.readAll();
        for (const char* name : {"add_1", "input:", "[(None, 32, 256), (None, 32, 256)]"}) {
            QVERIFY2(drawn.contains(name), name);
        }
        QImage png(dir.filePath("c.png"));
        QVERIFY(!png.isNull());
        QSet<QRgb> colours;
        for (int y = 0; y < png.height(); y += 7) {
            for (int x = 0; x < png.width(); x += 7) colours.insert(png.pixel(x, y));
        }
        QVERIFY(colours.size() > 20);
    }

    // An encoder that returns its states shows a port for each; dragging from its h and c
    // ports into the decoder's starting-state ports makes wires that leave from those ports.
    void statesWireFromTheirOwnPorts() {
        Project p;
        p.name = "encoder and decoder";
        ModelGraph& g = p.graph;
        const NodeId source = addLayer(g, "InputLayer", {0, 0});
        g.setParam(source, "shape", Dims{12, 3});
        const NodeId target = addLayer(g, "InputLayer", {400, 0});
        g.setParam(target, "shape", Dims{10, 2});
        const NodeId enc = addLayer(g, "LSTM", {0, 160});
        g.setParam(enc, "units", std::int64_t{8});
        g.setParam(enc, "return_state", true);
        const NodeId dec = addLayer(g, "LSTM", {400, 320});
        g.setParam(dec, "units", std::int64_t{8});
        g.setParam(dec, "return_sequences", true);
        g.setParam(dec, "initial_state", true);
        g.connect({source, 0}, {enc, 0});
        g.connect({target, 0}, {dec, 0});
        MainWindow w;
        test::showProject(w, p);
        NodeItem* encoder = itemNamed(w, "lstm_1");
        NodeItem* decoder = itemNamed(w, "lstm_2");
        QCOMPARE(encoder->card().outputNames, QStringList({"output", "h", "c"}));
        QCOMPARE(decoder->card().inputNames, QStringList({"sequence", "initial h", "initial c"}));
        QCOMPARE(decoder->card().inputPorts, 3);
        // Its starting states are missing until wired.
        QVERIFY(w.document()->validation().hasErrors());
        for (int port : {1, 2}) dragWire(w, encoder->outputPortPos(port), decoder->inputPortPos(port));
        const auto into = w.document()->graph().inputEdges(dec);
        QCOMPARE(into.size(), 3u);
        QCOMPARE(into[1]->from, (PortRef{enc, 1}));
        QCOMPARE(into[2]->from, (PortRef{enc, 2}));
        const Validation& v = w.document()->validation();
        QVERIFY2(!v.hasErrors(), v.diagnostics.empty() ? "" : v.diagnostics.front().message.c_str());
        // The state's wire leaves from its port and says its shape.
        EdgeItem* wire = w.scene()->edgeItems().value(into[1]->id);
        QVERIFY(wire);
        QCOMPARE(wire->fromPort(), 1);
        QVERIFY(wire->shape().contains(wire->mapFromScene(encoder->outputPortPos(1))));
        QVERIFY(!wire->shape().contains(wire->mapFromScene(encoder->outputPortPos(0))));
        QCOMPARE(w.document()->undoStack()->count(), 2);
        w.grab().save(QString(LAYERLOOM_SCREENSHOT_DIR) + "/states_wired.png");
    }

    // An attention shows a mask port only with attention_mask on; a mask dragged into it with
    // the key's port free makes a valid model, the mask's wire into port 3.
    void attentionMaskWiresIntoItsOwnPort() {
        Project p;
        ModelGraph& g = p.graph;
        const NodeId tokens = addLayer(g, "InputLayer", {0, 0});
        g.setParam(tokens, "shape", Dims{6, 4});
        const NodeId mask = addLayer(g, "InputLayer", {400, 0});
        g.setParam(mask, "shape", Dims{6, 6});
        const NodeId attention = addLayer(g, "MultiHeadAttention", {0, 200});
        g.connect({tokens, 0}, {attention, 0});
        g.connect({tokens, 0}, {attention, 1});
        MainWindow w;
        test::showProject(w, p);
        QCOMPARE(itemNamed(w, "multi_head_attention_1")->card().inputNames, QStringList({"query", "value", "key"}));
        ModelGraph on = w.document()->graph();
        on.setParam(attention, "attention_mask", true);
        QVERIFY(w.document()->replaceGraph(on, "Turn attention_mask on"));
        settle();
        NodeItem* card = itemNamed(w, "multi_head_attention_1");
        QCOMPARE(card->card().inputNames, QStringList({"query", "value", "key", "mask"}));
        QVERIFY(w.document()->validation().hasErrors());  // the mask is missing until wired
        dragWire(w, itemNamed(w, "input_2")->outputPortPos(), card->inputPortPos(3));
        const auto into = w.document()->graph().inputEdges(attention);
        QCOMPARE(into.size(), 3u);
        QCOMPARE(into[2]->from, (PortRef{mask, 0}));
        QCOMPARE(into[2]->to.port, 3);
        const Validation& v = w.document()->validation();
        QVERIFY2(!v.hasErrors(), v.diagnostics.empty() ? "" : v.diagnostics.front().message.c_str());
    }

    // An Add's ports are drawn in the order its wires arrive from: the line from above goes
    // straight into the port under it, a skip, which comes around the right, into a port right
    // of it, and a longer skip dragged in further right still; no wire crosses another. The
    // operands' order (the ports' numbers) stays as wired.
    void skipWiresEnterThePortOnTheirSide() {
        MainWindow w;
        openShown(w, ":/examples/broken_skips_add.loom");
        NodeItem* add = itemNamed(w, "add_1");
        const auto portFrom = [&](const char* source) {
            for (const Edge* e : w.document()->graph().inputEdges(add->id())) {
                if (e->from.node == named(w, source).id) return e->to.port;
            }
            return -1;
        };
        const auto xFrom = [&](const char* source) { return add->inputPortPos(portFrom(source)).x(); };
        QCOMPARE(portFrom("lstm_4"), 0);  // the operands as the file has them
        QCOMPARE(portFrom("lstm_2"), 1);
        QCOMPARE(xFrom("lstm_4"), itemNamed(w, "lstm_4")->outputPortPos().x());
        QVERIFY(xFrom("lstm_2") > xFrom("lstm_4"));

        // The free port is where a new wire goes in: drag lstm_1's output into it.
        const int free = [&] {
            for (int port = 0; port < add->card().inputPorts; ++port) {
                if (!add->card().wiredInputs[port]) return port;
            }
            return -1;
        }();
        QCOMPARE(free, 2);
        dragWire(w, itemNamed(w, "lstm_1")->outputPortPos(), add->inputPortPos(free));
        QCOMPARE(w.document()->graph().inputEdges(add->id()).size(), 3u);
        QCOMPARE(portFrom("lstm_1"), 2);
        // Four ports now: none right under lstm_4, which takes the nearest.
        QVERIFY(std::abs(xFrom("lstm_4") - itemNamed(w, "lstm_4")->outputPortPos().x()) <= style::kCardWidth / 10);
        QVERIFY(xFrom("lstm_2") > xFrom("lstm_4"));
        QVERIFY(xFrom("lstm_1") > xFrom("lstm_2"));
        // Subtract takes its first input minus its second: its ports stay in their order.
        QVERIFY(!findLayer("Subtract")->inputsInterchangeable());
        QVERIFY(findLayer("Add")->inputsInterchangeable());
    }

    // Siamese encoders from the keyboard and the mouse: Ctrl+Alt+D calls the selected LSTM
    // again beside it; a drag wires the second Input into the call; both cards say they
    // share one set of weights, counted once; a setting changed on the call changes the layer;
    // copying the call alone pastes a layer with weights of its own; undo takes it all back.
    void aLayerCalledAgainSharesItsWeights() {
        Project p;
        ModelGraph& g = p.graph;
        const NodeId left = addLayer(g, "InputLayer", {0, 0});
        g.setParam(left, "shape", Dims{6, 3});
        const NodeId right = addLayer(g, "InputLayer", {600, 0});
        g.setParam(right, "shape", Dims{6, 3});
        const NodeId encoder = addLayer(g, "LSTM", {0, 160});
        g.setParam(encoder, "units", std::int64_t{4});
        g.connect({left, 0}, {encoder, 0});
        MainWindow w;
        test::showProject(w, p);
        const int params = static_cast<int>(w.document()->validation().totalParams);
        w.scene()->selectOnly({encoder});
        w.canvas()->setFocus();
        QTest::keyClick(w.canvas(), Qt::Key_D, Qt::ControlModifier | Qt::AltModifier);
        QTRY_COMPARE(w.document()->graph().nodes().size(), 4u);
        const Node& callNode = w.document()->graph().nodes().back();
        const NodeId again = callNode.id;
        QCOMPARE(callNode.shares, encoder);
        QVERIFY(callNode.position.x > named(w, "lstm_1").position.x);
        NodeItem* card = itemNamed(w, callNode.name.c_str());
        QVERIFY(card->isSelected());
        QCOMPARE(card->card().details.front(), QString("calls lstm_1 (shared weights)"));
        QCOMPARE(itemNamed(w, "lstm_1")->card().details.front(), QString("shared: called at 2 places"));
        // Wire the second Input into the call with the mouse.
        dragWire(w, itemNamed(w, "input_2")->outputPortPos(), card->inputPortPos(0));
        QCOMPARE(w.document()->graph().inputEdges(again).size(), 1u);
        const Validation& v = w.document()->validation();
        QVERIFY2(!v.hasErrors(), v.diagnostics.empty() ? "" : v.diagnostics.front().message.c_str());
        QCOMPARE(static_cast<int>(v.totalParams), params);  // one set of weights
        // A setting changed at the call changes the layer.
        ModelGraph wider = w.document()->graph();
        wider.setParam(again, "units", std::int64_t{8});
        QVERIFY(w.document()->replaceGraph(wider, "Set units"));
        QCOMPARE(named(w, "lstm_1").param<std::int64_t>("units"), 8);
        // Copy the call alone and paste: a copy of the layer with weights of its own.
        w.scene()->selectOnly({again});
        QTest::keyClick(w.canvas(), Qt::Key_C, Qt::ControlModifier);
        QTest::keyClick(w.canvas(), Qt::Key_V, Qt::ControlModifier);
        QTRY_COMPARE(w.document()->graph().nodes().size(), 5u);
        QCOMPARE(w.document()->graph().nodes().back().shares, 0u);
        w.grab().save(QString(LAYERLOOM_SCREENSHOT_DIR) + "/shared_layer.png");
        for (int k = 0; k < 4; ++k) w.document()->undo();
        QCOMPARE(w.document()->graph().nodes().size(), 3u);
    }

    void portsLightUpWhileDraggingAndLoopsAreRefused() {
        MainWindow w;
        openShown(w, ":/examples/lstm_autoencoder.loom");
        NodeItem* last = itemNamed(w, "lstm_5");
        NodeItem* first = itemNamed(w, "lstm_1");
        NodeItem* repeat = itemNamed(w, "repeat_vector_1");
        w.canvas()->setZoom(0.4, w.canvas()->viewport()->rect().center());
        w.canvas()->centerOn((last->outputPortPos() + first->inputPortPos(0)) / 2);
        QWidget* vp = w.canvas()->viewport();
        const QPoint from = viewPos(w, repeat->outputPortPos());
        QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, from);
        QVERIFY(w.scene()->isWiring());
        // Painting shows the states; the cards hold them for the drag.
        const QImage during = w.canvas()->viewport()->grab().toImage();
        QVERIFY(!during.isNull());
        QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, from + QPoint(0, 200));
        QVERIFY(!w.scene()->isWiring());
        QCOMPARE(w.document()->undoStack()->count(), 0);  // dropped on nothing: nothing made

        // lstm_5 -> lstm_1 would close a loop: refused, the reason in the status bar.
        const ModelGraph before = w.document()->graph();
        dragMouse(vp, viewPos(w, last->outputPortPos()), viewPos(w, first->inputPortPos(0)));
        settle();
        QCOMPARE(w.document()->graph(), before);
        QVERIFY2(w.statusBar()->currentMessage().contains("loop"),
                 qPrintable(w.statusBar()->currentMessage()));
    }

    void aWireEndCanBeReRoutedOrDetached() {
        MainWindow w;
        openShown(w, ":/examples/lstm_autoencoder.loom");
        const NodeId lstm5 = named(w, "lstm_5").id;
        const NodeId lstm4 = named(w, "lstm_4").id;
        NodeItem* target = itemNamed(w, "lstm_5");
        w.canvas()->centerOn(target);
        QWidget* vp = w.canvas()->viewport();
        // Pick up the end of lstm_4 -> lstm_5 and drop it on empty canvas: detached.
        const QPoint end = viewPos(w, target->inputPortPos(0));
        dragMouse(vp, end, end + QPoint(300, 0));
        QTRY_VERIFY(w.document()->graph().inputEdges(lstm5).empty());
        QCOMPARE(w.document()->undoStack()->undoText(), QString("Disconnect lstm_4 from lstm_5"));
        QTest::keyClick(w.canvas(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(w.document()->graph().inputEdges(lstm5).front()->from.node, lstm4);

        // Re-route lstm_4 -> lstm_5 to lstm_6 (replacing lstm_5's wire there): one step.
        target = itemNamed(w, "lstm_5");  // the canvas made new cards on undo
        NodeItem* other = itemNamed(w, "lstm_6");
        w.canvas()->setZoom(0.6, vp->rect().center());
        w.canvas()->centerOn(target);
        dragMouse(vp, viewPos(w, target->inputPortPos(0)), viewPos(w, other->inputPortPos(0)));
        QTRY_COMPARE(w.document()->graph().inputEdges(named(w, "lstm_6").id).front()->from.node, lstm4);
        QVERIFY(w.document()->graph().inputEdges(lstm5).empty());
        QCOMPARE(w.document()->undoStack()->undoText(), QString("Reconnect lstm_4 to lstm_6"));
        QCOMPARE(w.document()->undoStack()->index(), 1);  // one step
    }

    void quickAddPaletteAndDuplicateBuildAChainFromTheKeyboard() {
        MainWindow w;
        w.resize(1400, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.files()->newModel());
        QCOMPARE(w.document()->graph().nodes().size(), 1u);
        w.scene()->selectOnly({named(w, "input_1").id});
        w.canvas()->setFocus();
        // Tab opens quick-add after the selected layer; typing filters; Enter adds and wires.
        QTest::keyClick(w.canvas(), Qt::Key_Tab);
        QuickAdd* box = nullptr;
        QTRY_VERIFY((box = w.findChild<QuickAdd*>()) != nullptr);
        QTest::keyClicks(box->searchField(), "lst");
        QCOMPARE(box->list()->currentItem()->data(Qt::UserRole).toString(), QString("LSTM"));
        QTest::keyClick(box->searchField(), Qt::Key_Return);
        QTRY_VERIFY(w.document()->graph().nodeByName("lstm_1"));
        const NodeId lstm = named(w, "lstm_1").id;
        QCOMPARE(w.document()->graph().inputEdges(lstm).size(), 1u);
        QVERIFY(itemNamed(w, "lstm_1")->isSelected());
        QVERIFY(named(w, "lstm_1").position.y > named(w, "input_1").position.y);

        // The palette: double-click adds after the selection too.
        QTreeWidget* tree = w.palette()->tree();
        QTreeWidgetItem* dense = tree->findItems("Dense", Qt::MatchExactly | Qt::MatchRecursive).front();
        tree->scrollToItem(dense);
        test::doubleClick(tree->viewport(), tree->visualItemRect(dense).center());
        QTRY_VERIFY(w.document()->graph().nodeByName("dense_1"));
        QCOMPARE(w.document()->graph().inputEdges(named(w, "dense_1").id).front()->from.node, lstm);
        // Searching the palette hides what does not match.
        QTest::keyClicks(w.palette()->searchField(), "gru");
        QVERIFY(dense->isHidden());
        QVERIFY(!tree->findItems("GRU", Qt::MatchExactly | Qt::MatchRecursive).front()->isHidden());
        // Enter takes the layer of the name typed, before others that hold it (ZeroPadding1D).
        w.palette()->searchField()->clear();
        QTest::keyClicks(w.palette()->searchField(), "add");
        QCOMPARE(tree->currentItem()->text(0), QString("Add"));
        w.palette()->searchField()->clear();

        // Ctrl+D duplicates lstm_1 + dense_1 with their inner wire and fresh names.
        w.scene()->selectOnly({lstm, named(w, "dense_1").id});
        w.canvas()->setFocus();
        QTest::keyClick(w.canvas(), Qt::Key_D, Qt::ControlModifier);
        QTRY_VERIFY(w.document()->graph().nodeByName("lstm_2"));
        const NodeId copy = named(w, "dense_2").id;
        QCOMPARE(w.document()->graph().inputEdges(copy).front()->from.node, named(w, "lstm_2").id);
        QVERIFY(itemNamed(w, "lstm_2")->isSelected());

        // Copy and paste through the clipboard: again fresh names; undo removes the paste.
        QTest::keyClick(w.canvas(), Qt::Key_C, Qt::ControlModifier);
        QVERIFY(QApplication::clipboard()->mimeData()->text().contains("lstm_2"));
        QTest::keyClick(w.canvas(), Qt::Key_V, Qt::ControlModifier);
        QTRY_VERIFY(w.document()->graph().nodeByName("lstm_3"));
        QCOMPARE(w.document()->graph().nodes().size(), 7u);
        QTest::keyClick(w.canvas(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(w.document()->graph().nodes().size(), 5u);
    }

    // Quick-add on a layer that already feeds another splices the new layer into the chain,
    // on the wire to the next layer, and makes room for its card; a skip from the selected
    // layer keeps reading it, and the status line says so.
    void quickAddOnALayerThatFeedsOthersSplicesIntoTheChain() {
        MainWindow w;
        openShown(w, ":/examples/lstm_autoencoder_skips.loom");
        const Node& lstm1 = named(w, "lstm_1");
        const Node& lstm2Before = named(w, "lstm_2");
        const double nextY = lstm2Before.position.y;
        QCOMPARE(w.document()->graph().outputEdges(lstm1.id).size(), 2u);  // the chain and a skip
        w.scene()->selectOnly({lstm1.id});
        w.canvas()->setFocus();
        QTest::keyClick(w.canvas(), Qt::Key_Tab);
        QuickAdd* box = nullptr;
        QTRY_VERIFY((box = w.findChild<QuickAdd*>()) != nullptr);
        QTest::keyClicks(box->searchField(), "drop");
        QTest::keyClick(box->searchField(), Qt::Key_Return);
        QTRY_VERIFY(w.document()->graph().nodeByName("dropout_1"));
        const ModelGraph& g = w.document()->graph();
        const Node& dropout = named(w, "dropout_1");
        QCOMPARE(g.inputEdges(dropout.id).size(), 1u);
        QCOMPARE(g.inputEdges(dropout.id).front()->from.node, named(w, "lstm_1").id);
        QCOMPARE(g.inputEdges(named(w, "lstm_2").id).front()->from.node, dropout.id);
        QCOMPARE(g.outputEdges(named(w, "lstm_1").id).size(), 2u);  // to dropout_1 and the skip
        // Still one output, no problems: training can start.
        QCOMPARE(w.document()->validation().outputs.size(), 1u);
        QVERIFY(!w.document()->validation().hasErrors());
        // The new card takes the next layer's row; that layer and those below it move down.
        QCOMPARE(dropout.position.y, nextY);
        QVERIFY(named(w, "lstm_2").position.y > nextY);
        for (const Node& n : g.nodes()) {
            if (n.id != dropout.id) QVERIFY2(!(n.position == dropout.position), n.name.c_str());
        }
        QVERIFY2(w.statusBar()->currentMessage().contains("still read lstm_1 directly"), qPrintable(w.statusBar()->currentMessage()));
        // One undo step takes it all back.
        QTest::keyClick(w.canvas(), Qt::Key_Z, Qt::ControlModifier);
        QVERIFY(!w.document()->graph().nodeByName("dropout_1"));
        QCOMPARE(named(w, "lstm_2").position.y, nextY);
    }

    // Quick-add after a layer that a self-attention reads on both its query and its value:
    // the new layer takes both wires, so the attention stays self-attention.
    void quickAddBeforeASelfAttentionTakesBothOfItsWires() {
        MainWindow w;
        openShown(w, ":/examples/keras_text_classification_with_transformer.loom");
        const NodeId from = named(w, "token_and_position_embedding").id;
        const NodeId attention = named(w, "multi_head_attention").id;
        w.scene()->selectOnly({from});
        w.canvas()->setFocus();
        QTest::keyClick(w.canvas(), Qt::Key_Tab);
        QuickAdd* box = nullptr;
        QTRY_VERIFY((box = w.findChild<QuickAdd*>()) != nullptr);
        QTest::keyClicks(box->searchField(), "dropout");
        QTest::keyClick(box->searchField(), Qt::Key_Return);
        QTRY_VERIFY(w.document()->graph().nodeByName("dropout_4"));
        const ModelGraph& g = w.document()->graph();
        const NodeId dropout = named(w, "dropout_4").id;
        QCOMPARE(g.inputEdges(attention).size(), 2u);
        for (const Edge* e : g.inputEdges(attention)) QCOMPARE(e->from.node, dropout);
        QVERIFY(!w.document()->validation().hasErrors());
        QVERIFY2(!w.statusBar()->currentMessage().contains("multi_head_attention still read"),
                 qPrintable(w.statusBar()->currentMessage()));
    }

    // A layer left hanging off the chain (a second output) is said where the user looks: a
    // warning with its fixes in Problems, the reason on the disabled Start and in the Training
    // panel; the first fix wires it in and training may start.
    void aLayerLeftHangingIsSaidWhereTheUserLooks() {
        MainWindow w;
        openShown(w, ":/examples/lstm_autoencoder.loom");
        const Node& lstm1 = named(w, "lstm_1");
        w.document()->addLayer("Dropout", Point{lstm1.position.x + 320, lstm1.position.y + 80}, 0, lstm1.id);
        QTRY_VERIFY(w.document()->graph().nodeByName("dropout_1"));
        auto* problems = w.findChild<ProblemsPanel*>();
        QTreeWidgetItem* row = nullptr;
        for (int i = 0; i < problems->topLevelItemCount(); ++i) {
            if (problems->topLevelItem(i)->text(0) == "dropout_1") row = problems->topLevelItem(i);
        }
        QVERIFY(row);
        QCOMPARE(row->text(1), QString("extra-output"));
        // Long names show whole in the Layer column.
        {
            GraphEdit rename;
            rename.ops.push_back(edit::Rename{named(w, "dropout_1").id, "dropout_after_the_first_lstm"});
            w.document()->applyEdit(rename, "rename");
            const int needed = problems->fontMetrics().horizontalAdvance("dropout_after_the_first_lstm") + problems->indentation();
            QTRY_VERIFY2(problems->columnWidth(0) >= needed, qPrintable(QString("%1 < %2").arg(problems->columnWidth(0)).arg(needed)));
            QTest::keyClick(w.canvas(), Qt::Key_Z, Qt::ControlModifier);
            QTRY_VERIFY(w.document()->graph().nodeByName("dropout_1") != nullptr);
            row = nullptr;
            for (int i = 0; i < problems->topLevelItemCount(); ++i) {
                if (problems->topLevelItem(i)->text(0) == "dropout_1") row = problems->topLevelItem(i);
            }
            QVERIFY(row);
        }
        QVERIFY2(row->text(2).contains("the model has 2 outputs"), qPrintable(row->text(2)));
        TrainingPanel* panel = w.training()->trainingPanel();
        QVERIFY(!panel->startButton()->isEnabled());
        // The series is every output's target: Start says what the model is, naming its outputs.
        QTRY_VERIFY2(panel->startButton()->toolTip().contains(
                         "this model has 1 Input and 2 outputs (time_distributed_1, dropout_1); the output 'dropout_1' "
                         "has no columns of its own"),
                     qPrintable(panel->startButton()->toolTip()));
        QVERIFY(!panel->blockedLabel()->isHidden());
        QCOMPARE(panel->blockedLabel()->text(), panel->startButton()->toolTip());

        QTreeWidgetItem* fix = row->child(0);
        QCOMPARE(fix->text(2), QString("Fix: Put dropout_1 between lstm_1 and lstm_2"));
        problems->scrollToItem(fix);
        test::doubleClick(problems->viewport(), problems->visualItemRect(fix).center());
        QTRY_COMPARE(w.document()->validation().outputs.size(), 1u);
        QCOMPARE(w.document()->graph().inputEdges(named(w, "lstm_2").id).front()->from.node, named(w, "dropout_1").id);
        QVERIFY(!panel->blocker().contains("one output"));
        QVERIFY(panel->blockedLabel()->isHidden() || !panel->blockedLabel()->text().contains("one output"));
    }

    // Fit to Window on the 14-layer U-Net zooms out no further than 40%, showing the model's top;
    // zooming out further is the user's choice, and the cards still say their names there in
    // text a person can read (dark pixels on the card's body).
    void farOutCardsStillSayTheirNames() {
        MainWindow w;
        openShown(w, ":/examples/conv1d_unet.loom");
        w.resize(1400, 900);
        w.canvas()->setFocus();
        QTest::keyClick(w.canvas(), Qt::Key_0, Qt::ControlModifier);
        QTRY_VERIFY(w.canvas()->zoom() < style::kDetailZoom);
        QVERIFY2(w.canvas()->zoom() >= 0.4 - 1e-9, qPrintable(QString::number(w.canvas()->zoom())));
        settle();
        const QRect view = w.canvas()->viewport()->rect();
        QVERIFY(view.contains(w.canvas()->mapFromScene(itemNamed(w, "input_1")->sceneBoundingRect().center())));
        QTest::keyClick(w.canvas(), Qt::Key_Minus, Qt::ControlModifier);
        QVERIFY(w.canvas()->zoom() < 0.4);
        settle();
        const QImage shot = w.canvas()->viewport()->grab().toImage();
        for (const char* name : {"conv1d_3", "concatenate_2", "up_sampling1d_1"}) {
            NodeItem* card = itemNamed(w, name);
            const QRectF body = card->sceneBoundingRect().adjusted(10, style::kHeaderHeight + 4, -10, -6);
            const QRect inView = w.canvas()->mapFromScene(body).boundingRect();
            int dark = 0;
            for (int y = inView.top(); y <= inView.bottom(); ++y) {
                for (int x = inView.left(); x <= inView.right(); ++x) {
                    if (shot.rect().contains(x, y) && qGray(shot.pixel(x, y)) < 110) ++dark;
                }
            }
            QVERIFY2(dark > 15, name);
        }
    }

    // The seed autoencoder's only encoder LSTM turned to return its sequence (to take a skip
    // from it): besides turning it back, a fix inserts a bottleneck LSTM of its width before
    // the RepeatVector, in one undo step, and the encoder keeps its sequence.
    void aSequenceIntoRepeatVectorOffersABottleneck() {
        Project p;
        ModelGraph& g = p.graph;
        const NodeId in = addLayer(g, "InputLayer", {0, 0});
        g.setParam(in, "shape", Dims{16, 1});
        const NodeId enc = addLayer(g, "LSTM", {0, 120});
        g.setParam(enc, "units", std::int64_t{8});
        const NodeId repeat = addLayer(g, "RepeatVector", {0, 240});
        g.setParam(repeat, "n", std::int64_t{16});
        const NodeId dec = addLayer(g, "LSTM", {0, 360});
        g.setParam(dec, "units", std::int64_t{8});
        g.setParam(dec, "return_sequences", true);
        const NodeId out = addLayer(g, "TimeDistributed", {0, 480});
        g.setParam(out, "units", std::int64_t{1});
        g.connect({in, 0}, {enc, 0});
        g.connect({enc, 0}, {repeat, 0});
        g.connect({repeat, 0}, {dec, 0});
        g.connect({dec, 0}, {out, 0});
        MainWindow w;
        w.document()->setProject(p, QString());
        w.resize(1400, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto* problems = w.findChild<ProblemsPanel*>();
        w.scene()->selectOnly({named(w, "lstm_1").id});
        auto* inspector = w.findChild<InspectorPanel*>();
        QCheckBox* sequences = nullptr;
        QTRY_VERIFY((sequences = inspector->findChild<QCheckBox*>("return_sequences")) != nullptr);
        QTest::mouseClick(sequences, Qt::LeftButton, Qt::NoModifier, QPoint(6, sequences->height() / 2));
        QTRY_VERIFY(named(w, "lstm_1").param<bool>("return_sequences"));
        QTRY_COMPARE(problems->topLevelItemCount(), 1);
        QTreeWidgetItem* row = problems->topLevelItem(0);
        QCOMPARE(row->text(1), QString("needs-vector"));
        QCOMPARE(row->childCount(), 2);
        QTreeWidgetItem* fix = row->child(1);
        QCOMPARE(fix->text(2), QString("Fix: Insert a bottleneck LSTM(units=8) before repeat_vector_1 that passes only its last "
                                       "step; lstm_1 keeps its sequence"));
        const int steps = w.document()->undoStack()->count();
        problems->expandItem(row);
        problems->scrollToItem(fix);
        test::doubleClick(problems->viewport(), problems->visualItemRect(fix).center());
        QTRY_VERIFY(!w.document()->validation().hasErrors());
        QCOMPARE(w.document()->undoStack()->count(), steps + 1);
        const Node& bottleneck = named(w, "lstm_3");
        QVERIFY(!bottleneck.param<bool>("return_sequences"));
        QCOMPARE(w.document()->graph().inputEdges(bottleneck.id).front()->from.node, named(w, "lstm_1").id);
        QCOMPARE(w.document()->graph().inputEdges(named(w, "repeat_vector_1").id).front()->from.node, bottleneck.id);
        QVERIFY(named(w, "lstm_1").param<bool>("return_sequences"));
        // Its card takes a row of its own: the layers after it moved down a row.
        settle();
        const QPointF placed = itemNamed(w, "lstm_3")->sceneBoundingRect().center();
        for (const Node& n : w.document()->graph().nodes()) {
            const QPointF c = itemNamed(w, n.name.c_str())->sceneBoundingRect().center();
            if (n.id != bottleneck.id) QVERIFY2(std::abs(c.y() - placed.y()) >= 100 || std::abs(c.x() - placed.x()) >= 230, n.name.c_str());
        }
    }

    // A layer a fix inserts finds room of its own, wherever the user put the cards it goes
    // between: an Add placed beside the layer it reads, as a person building by hand may do.
    void aProjectionAFixInsertsCoversNoCard() {
        Project p;
        ModelGraph& g = p.graph;
        const NodeId in = addLayer(g, "InputLayer", {0, 0});
        g.setParam(in, "shape", Dims{16, 1});
        const NodeId wide = addLayer(g, "LSTM", {0, 120});
        g.setParam(wide, "units", std::int64_t{64});
        g.setParam(wide, "return_sequences", true);
        const NodeId narrow = addLayer(g, "LSTM", {0, 240});
        g.setParam(narrow, "units", std::int64_t{32});
        g.setParam(narrow, "return_sequences", true);
        const NodeId add = addLayer(g, "Add", {300, 240});
        g.connect({in, 0}, {wide, 0});
        g.connect({wide, 0}, {narrow, 0});
        g.connect({wide, 0}, {add, 0});
        g.connect({narrow, 0}, {add, 1});
        MainWindow w;
        test::showProject(w, p);
        auto* problems = w.findChild<ProblemsPanel*>();
        QTRY_VERIFY(problems->topLevelItemCount() > 0);
        QTreeWidgetItem* fix = nullptr;
        for (int i = 0; i < problems->topLevelItemCount() && !fix; ++i) {
            for (int k = 0; k < problems->topLevelItem(i)->childCount(); ++k) {
                QTreeWidgetItem* f = problems->topLevelItem(i)->child(k);
                if (f->text(2).startsWith("Fix: Insert a TimeDistributed(Dense(64)) projection after lstm_2")) fix = f;
            }
        }
        QVERIFY(fix);
        problems->expandItem(fix->parent());
        problems->scrollToItem(fix);
        test::doubleClick(problems->viewport(), problems->visualItemRect(fix).center());
        QTRY_VERIFY(w.document()->graph().nodeByName("time_distributed_1"));
        QVERIFY(!w.document()->validation().hasErrors());
        settle();
        const QStringList covered = test::cardsOverlapping(w, "time_distributed_1");
        QVERIFY2(covered.isEmpty(), qPrintable(covered.join(", ")));
    }

    // Choosing selu for an LSTM in the Inspector (the seed's own choice) is flagged at once:
    // a warning that says why nothing bounds the state, whose fix puts tanh back.
    void anUnboundedRecurrentActivationIsWarnedAndFixedByOneClick() {
        MainWindow w;
        openShown(w, ":/examples/lstm_autoencoder.loom");
        auto* problems = w.findChild<ProblemsPanel*>();
        QVERIFY(problems);
        QVERIFY(w.document()->validation().diagnostics.empty());
        w.scene()->selectOnly({named(w, "lstm_2").id});
        auto* inspector = w.findChild<InspectorPanel*>();
        QTRY_VERIFY(inspector->findChild<QComboBox*>("activation") != nullptr);
        auto* activation = inspector->findChild<QComboBox*>("activation");
        activation->setFocus();
        activation->setCurrentText("selu");
        QTRY_COMPARE(named(w, "lstm_2").param<std::string>("activation"), std::string("selu"));
        QTRY_COMPARE(problems->topLevelItemCount(), 1);
        QTreeWidgetItem* row = problems->topLevelItem(0);
        QCOMPARE(row->text(0), QString("lstm_2"));
        QCOMPARE(row->text(1), QString("unbounded-activation"));
        QVERIFY2(row->text(2).contains("nothing keeps the state in range"), qPrintable(row->text(2)));
        // A warning: training may still start.
        QVERIFY(!w.document()->validation().hasErrors());
        QTreeWidgetItem* fix = row->child(0);
        QCOMPARE(fix->text(2), QString("Fix: Use tanh"));
        problems->expandItem(row);
        problems->scrollToItem(fix);
        test::doubleClick(problems->viewport(), problems->visualItemRect(fix).center());
        QTRY_COMPARE(named(w, "lstm_2").param<std::string>("activation"), std::string("tanh"));
        QVERIFY(w.document()->validation().diagnostics.empty());
        QTRY_VERIFY(problems->topLevelItemCount() == 0 || problems->topLevelItem(0)->text(1).isEmpty());
    }

    // The classic 1-D U-Net mistake: 25 steps pool to 12 and 6, up-sample to 12 and 24, and the
    // outer skip meets 25. Problems says which layer set each length; a double-click on the
    // fix pads the decoder with one step of zeros, and the model is valid with 25 steps out.
    void theOddLengthUNetIsExplainedAndFixedByOneClick() {
        MainWindow w;
        openShown(w, ":/examples/broken_conv1d_unet_odd.loom");
        auto* problems = w.findChild<ProblemsPanel*>();
        QVERIFY(problems);
        QTRY_COMPARE(problems->topLevelItemCount(), 1);
        QTreeWidgetItem* row = problems->topLevelItem(0);
        QCOMPARE(row->text(0), QString("concatenate_2"));
        QCOMPARE(row->text(1), QString("merge-time-mismatch"));
        const QString text = row->text(2).simplified();  // wrapped to the column's width
        QVERIFY2(text.contains("the time axis differs (25 vs 24 steps)") && text.contains("max_pooling1d_1 floors 25 / 2 to 12") &&
                     text.contains("up_sampling1d_2 doubles 12 to 24"),
                 qPrintable(text));
        QCOMPARE(row->childCount(), 2);
        // The fix that keeps the autoencoder's output at its input's 25 steps comes first; the
        // other says what it does to the output.
        QTreeWidgetItem* fix = row->child(0);
        QCOMPARE(fix->text(2), QString("Fix: Pad up_sampling1d_2's output with 1 step of zeros at the end (ZeroPadding1D)"));
        QVERIFY2(row->child(1)->text(2).endsWith("afterwards the task is to reconstruct each window of 25 steps and 1 feature, "
                                                 "but the model's output has 24 steps (None, 24, 1)"),
                 qPrintable(row->child(1)->text(2)));
        problems->expandItem(row);
        problems->scrollToItem(fix);
        test::doubleClick(problems->viewport(), problems->visualItemRect(fix).center());
        QTRY_VERIFY(w.document()->validation().diagnostics.empty());
        const Node* pad = w.document()->graph().nodeByName("zero_padding1d_1");
        QVERIFY(pad);
        QCOMPARE(pad->param<std::int64_t>("pad_after"), std::int64_t{1});
        const auto& v = w.document()->validation();
        QCOMPARE(QString::fromStdString(v.of(w.document()->graph(), v.outputs.front()).output->str()), QString("(None, 25, 1)"));
        // One undo step takes the fix back, with the problem.
        QTest::keyClick(w.scene()->views().front()->viewport(), Qt::Key_Z, Qt::ControlModifier);
        QTRY_VERIFY(w.document()->validation().hasErrors());
        QVERIFY(!w.document()->graph().nodeByName("zero_padding1d_1"));

        // The other fix, cropping the skip, puts its new card where no other card is.
        problems->expandItem(problems->topLevelItem(0));
        QTreeWidgetItem* crop = problems->topLevelItem(0)->child(1);
        QVERIFY(crop->text(2).contains("Cropping1D"));
        problems->scrollToItem(crop);
        test::doubleClick(problems->viewport(), problems->visualItemRect(crop).center());
        QTRY_VERIFY(w.document()->graph().nodeByName("cropping1d_1"));
        settle();
        const QRectF placed = itemNamed(w, "cropping1d_1")->sceneBoundingRect();
        for (const Node& n : w.document()->graph().nodes()) {
            if (n.name == "cropping1d_1") continue;
            QVERIFY2(!itemNamed(w, n.name.c_str())->sceneBoundingRect().intersects(placed), n.name.c_str());
        }
    }

    // No wire's shape label covers another's on the shipped examples, the nested U-Net skips
    // included: each skip is labelled beside the layer it leaves.
    void wireLabelsNeverCoverEachOther() {
        for (const char* example : {":/examples/lstm_autoencoder_skips.loom", ":/examples/lstm_autoencoder_skips_add.loom",
                                    ":/examples/broken_skips_add.loom", ":/examples/residual_lstm_classifier.loom",
                                    ":/examples/conv1d_unet.loom"}) {
            MainWindow w;
            openShown(w, example);
            QList<QRectF> labels;
            int skips = 0;
            for (QGraphicsItem* item : w.scene()->items()) {
                auto* edge = qgraphicsitem_cast<EdgeItem*>(item);
                if (!edge || !edge->isVisible() || edge->labelRect().isNull()) continue;
                skips += edge->isSkip();
                labels << edge->mapRectToScene(edge->labelRect());
            }
            QVERIFY(labels.size() > 5);
            if (QString(example).contains("skips")) QVERIFY(skips >= 2);
            for (int i = 0; i < labels.size(); ++i) {
                for (int j = i + 1; j < labels.size(); ++j) {
                    QVERIFY2(!labels[i].intersects(labels[j]),
                             qPrintable(QString("%1: labels at (%2, %3) and (%4, %5) overlap").arg(example)
                                            .arg(labels[i].x()).arg(labels[i].y()).arg(labels[j].x()).arg(labels[j].y())));
                }
            }
        }
    }

    // Building the seed's decoder from the keyboard: Ctrl+Shift+A opens quick-add from
    // anywhere (here from a field of the Inspector, where Tab moves between fields); the
    // RepeatVector repeats to the Input's 32 steps, the TimeDistributed(Dense) maps back to its 1
    // feature; the view follows each new card down the canvas.
    void quickAddFromAnywhereWithDefaultsThatFitTheInput() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.files()->newModel());
        w.scene()->selectOnly({named(w, "input_1").id});
        const auto add = [&](QWidget* from, const char* typed) {
            from->setFocus();
            QTest::keyClick(from, Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
            const auto open = [&]() -> QuickAdd* {
                for (QuickAdd* b : w.findChildren<QuickAdd*>()) {
                    if (b->isVisible()) return b;
                }
                return nullptr;
            };
            QTRY_VERIFY(open() != nullptr);
            QuickAdd* box = open();
            const std::size_t before = w.document()->graph().nodes().size();
            QTest::keyClicks(box->searchField(), typed);
            QTest::keyClick(box->searchField(), Qt::Key_Return);
            QTRY_COMPARE(w.document()->graph().nodes().size(), before + 1);
        };
        auto* inspector = w.findChild<InspectorPanel*>();
        QTRY_VERIFY(inspector->findChild<QLineEdit*>() != nullptr);
        add(inspector->findChild<QLineEdit*>(), "lstm");  // from the Inspector's name field
        for (const char* kind : {"lstm", "lstm", "repeat", "lstm", "lstm", "timedis"}) add(w.canvas(), kind);
        const ModelGraph& g = w.document()->graph();
        QCOMPARE(g.nodes().size(), 8u);
        QCOMPARE(g.nodeByName("repeat_vector_1")->param<std::int64_t>("n"), 32);
        QCOMPARE(g.nodeByName("time_distributed_1")->param<std::int64_t>("units"), 1);
        // Each followed the one before it, and the last card is in view.
        QCOMPARE(g.inputEdges(g.nodeByName("time_distributed_1")->id).front()->from.node, g.nodeByName("lstm_5")->id);
        NodeItem* last = itemNamed(w, "time_distributed_1");
        const QRect seen = w.canvas()->mapFromScene(last->sceneBoundingRect()).boundingRect();
        QVERIFY2(w.canvas()->viewport()->rect().contains(seen), qPrintable(QString("%1,%2").arg(seen.x()).arg(seen.y())));
    }

    // Ctrl+Shift+S is Save As on every desktop, and its first dialog opens in the user's
    // folders, not at the file system's root.
    void saveAsHasItsShortcutEverywhere() {
        MainWindow w;
        openShown(w, ":/examples/lstm_autoencoder.loom");
        QSettings().remove("lastDirectory");
        QString shownAt;
        test::whenDialogShows<QFileDialog>([&](QFileDialog* dialog) {
            shownAt = dialog->directory().absolutePath();
            dialog->reject();
        });
        w.canvas()->setFocus();
        QTest::keyClick(w.canvas(), Qt::Key_S, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_VERIFY(!shownAt.isEmpty());
        QVERIFY2(shownAt != "/", qPrintable(shownAt));
        QCOMPARE(shownAt, w.files()->startDirectory());
    }

    // The canvas holds still while the model is edited: wiring, a change that makes wire
    // labels narrower, and undo leave every card where it was on the screen.
    void theCanvasHoldsStillThroughEditsAndUndo() {
        MainWindow w;
        openShown(w, ":/examples/lstm_autoencoder_skips.loom");
        // Zoomed out far enough that the whole model fits: the view centres the scene, so that
        // any change of its rect would show.
        w.canvas()->setZoom(0.4, w.canvas()->viewport()->rect().center());
        QApplication::processEvents();
        const auto onScreen = [&] { return w.canvas()->mapFromScene(itemNamed(w, "lstm_3")->scenePos()); };
        const QPoint before = onScreen();
        GraphEdit narrower;
        narrower.ops.push_back(edit::SetParam{named(w, "lstm_1").id, "units", std::int64_t{8}});
        w.document()->applyEdit(narrower, "narrower");
        QApplication::processEvents();
        QCOMPARE(onScreen(), before);
        w.canvas()->setFocus();
        QTest::keyClick(w.canvas(), Qt::Key_Z, Qt::ControlModifier);
        QApplication::processEvents();
        QCOMPARE(onScreen(), before);
        QTest::keyClick(w.canvas(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QApplication::processEvents();
        QCOMPARE(onScreen(), before);
    }

    // Clicking a card selects it and fills the Inspector. Neither the canvas nor the card
    // moves: only the pointer moves cards (layout changes under a pressed button once did).
    void aClickNeverMovesACardEvenWhenTheViewShiftsUnderIt() {
        MainWindow w;
        openShown(w, ":/examples/lstm_autoencoder_skips.loom");
        w.scene()->clearSelection();
        settle();
        NodeItem* card = itemNamed(w, "lstm_2");
        const Point before = named(w, "lstm_2").position;
        QWidget* vp = w.canvas()->viewport();
        const int width = vp->width();
        const QPoint at = viewPos(w, card->sceneBoundingRect().center());
        // Pressed: the card is selected, the Inspector fills with its fields, the dock widens
        // and the canvas narrows while the button is still down.
        QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, at);
        settle();
        // The Inspector is as wide from the start as its widest form: the canvas keeps its width.
        QCOMPARE(vp->width(), width);
        QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, at);
        QCOMPARE(named(w, "lstm_2").position, before);
        QCOMPARE(w.document()->undoStack()->count(), 0);
        QVERIFY(card->isSelected());
        // A real drag still moves it.
        w.canvas()->centerOn(card);
        const QPoint grab = viewPos(w, card->sceneBoundingRect().center());
        dragMouse(vp, grab, grab + QPoint(60, 0));
        QTRY_COMPARE(w.document()->undoStack()->count(), 1);
        QVERIFY(named(w, "lstm_2").position.x > before.x + 40);
    }

    void minimapGridSnapAndSpacePanHelpFindTheWay() {
        MainWindow w;
        openShown(w, ":/examples/residual_lstm_classifier.loom");
        QScrollBar* vbar = w.canvas()->verticalScrollBar();
        // The model is taller than the view: the overview shows, and a click in its lower
        // part moves the view down.
        QTRY_VERIFY(w.minimap()->isVisible());
        const int before = vbar->value();
        QTest::mouseClick(w.minimap(), Qt::LeftButton, Qt::NoModifier,
                          QPoint(w.minimap()->width() / 2, w.minimap()->height() - 12));
        QVERIFY(vbar->value() > before);
        // Everything in view hides it: Fit to Window, then further out by hand.
        w.canvas()->fitAll();
        for (int k = 0; k < 8 && w.minimap()->isVisible(); ++k) {
            w.canvas()->zoomOut();
            settle();
        }
        QTRY_VERIFY(!w.minimap()->isVisible());
        w.canvas()->actualSize();
        QTRY_VERIFY(w.minimap()->isVisible());
        // On a canvas too low for it, it would cover the cards: it stays away.
        const QSize size = w.size();
        w.resize(size.width(), 520);
        QTRY_VERIFY(!w.minimap()->isVisible());
        w.resize(size);
        QTRY_VERIFY(w.minimap()->isVisible());

        // Space + drag pans even when the drag starts on a card, which does not move.
        NodeItem* card = itemNamed(w, "lstm_4");
        w.canvas()->centerOn(card);
        const Point at = named(w, "lstm_4").position;
        const int scrolled = vbar->value();
        QWidget* vp = w.canvas()->viewport();
        const QPoint onCard = viewPos(w, card->sceneBoundingRect().center());
        QTest::keyPress(w.canvas(), Qt::Key_Space);
        dragMouse(vp, onCard, onCard + QPoint(0, -150));
        QTest::keyRelease(w.canvas(), Qt::Key_Space);
        QVERIFY2(vbar->value() > scrolled + 100, qPrintable(QString::number(vbar->value() - scrolled)));
        QCOMPARE(named(w, "lstm_4").position, at);
        QCOMPARE(w.document()->undoStack()->count(), 0);

        // With snapping on, a dragged card lands on the grid.
        w.scene()->setSnapToGrid(true);
        card = itemNamed(w, "lstm_4");
        w.canvas()->centerOn(card);
        const QPoint grab = viewPos(w, card->sceneBoundingRect().center());
        dragMouse(vp, grab, grab + QPoint(37, 29));
        QTRY_COMPARE(w.document()->undoStack()->count(), 1);
        const Point snapped = named(w, "lstm_4").position;
        QCOMPARE(std::fmod(snapped.x, GraphScene::kGrid), 0.0);
        QCOMPARE(std::fmod(snapped.y, GraphScene::kGrid), 0.0);
        QVERIFY(!(snapped == at));
    }

    void symmetricSkipsMakeTheShippedUNetInOneStep() {
        MainWindow w;
        openShown(w, ":/examples/lstm_autoencoder.loom");
        w.editActions()->symmetricSkips("Concatenate");
        QCOMPARE(w.document()->validation().totalParams, 5035361);
        QVERIFY(!w.document()->validation().hasErrors());
        QCOMPARE(w.document()->undoStack()->count(), 1);
        QTest::keyClick(w.canvas(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(w.document()->validation().totalParams, 3724641);

        // Two layers selected, Ctrl+K: an Add skip with the projection it needs.
        w.scene()->selectOnly({named(w, "lstm_2").id, named(w, "lstm_4").id});
        w.canvas()->setFocus();
        QTest::keyClick(w.canvas(), Qt::Key_K, Qt::ControlModifier);
        QTRY_VERIFY(w.document()->graph().nodeByName("add_1"));
        QVERIFY(!w.document()->validation().hasErrors());
    }
};

QTEST_MAIN(WiringTest)
#include "wiring_test.moc"
