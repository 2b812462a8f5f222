// Groups on the canvas: gather layers into a named block shown as one card with its outside
// ports and shapes, expand and collapse it, move it, keep it in the file, save it as a block in
// the palette and reuse it.
#include <QDir>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QUndoStack>
#include <QtTest>

#include "canvas/canvas_view.h"
#include "canvas/edge_item.h"
#include "canvas/graph_scene.h"
#include "canvas/group_items.h"
#include "canvas/node_item.h"
#include "canvas/scene_content.h"
#include "document/autosave.h"
#include "document/document.h"
#include "document/user_blocks.h"
#include "graph/project_file.h"
#include "panels/palette_panel.h"
#include "window/edit_actions.h"
#include "window/main_window.h"
#include "window_test_helpers.h"

using namespace loom;
using namespace loom::ui;
using test::dragMouse;
using test::itemNamed;
using test::openShown;

namespace {

NodeId idOf(MainWindow& w, const char* name) { return w.document()->graph().nodeByName(name)->id; }


}  // namespace

class GroupsTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QDir(Autosaver::directory()).removeRecursively();
        QDir(UserBlocks::directory()).removeRecursively();
    }

    void theCanvasContentIsDrawnFromTheGraphAndItsValidationAlone() {
        QFile file(":/examples/residual_lstm_classifier.loom");
        QVERIFY(file.open(QIODevice::ReadOnly));
        ModelGraph g = parseProject(file.readAll().toStdString()).graph;
        std::vector<NodeId> block;
        for (const char* name : {"lstm_2", "lstm_3", "lstm_4", "lstm_5", "add_1"}) {
            block.push_back(g.nodeByName(name)->id);
        }
        const std::uint32_t group = g.addGroup("block", block, true, {0, 0});
        const SceneContent c = sceneContent(g, validate(g));
        QCOMPARE(c.cards.size(), g.nodes().size());
        QCOMPARE(std::count_if(c.cards.begin(), c.cards.end(), [](const CardContent& k) { return k.hidden; }), 5);
        QCOMPARE(c.groupCards.size(), std::size_t{1});
        QCOMPARE(c.groupCards[0].card.id, groupCardId(group));
        QCOMPARE(c.wires.size(), g.edges().size());
        const auto isMember = [&](NodeId id) { return std::find(block.begin(), block.end(), id) != block.end(); };
        int inside = 0, into = 0;
        for (const WireContent& w : c.wires) {
            const Edge& e = *g.edge(w.id);
            if (isMember(e.from.node) && isMember(e.to.node)) {
                QVERIFY(w.inside);
                ++inside;
            } else if (isMember(e.to.node)) {
                QCOMPARE(w.to, groupCardId(group));  // outside wires end at the group's card
                ++into;
            }
        }
        QVERIFY(inside > 0 && into > 0);
        // Of parallel wires into the group, one says the shape.
        int labelled = 0;
        for (const WireContent& w : c.wires) labelled += w.to == groupCardId(group) && !w.label.isEmpty();
        QCOMPARE(labelled, 1);

        // A mismatch shows on the wire it arrives by and on the card, in words.
        g.setParam(g.nodeByName("lstm_3")->id, "units", std::int64_t{5});
        g.removeGroup(group);
        const SceneContent broken = sceneContent(g, validate(g));
        const NodeId add = g.nodeByName("add_1")->id;
        const auto card = std::find_if(broken.cards.begin(), broken.cards.end(),
                                       [add](const CardContent& k) { return k.card.id == add; });
        QVERIFY(card != broken.cards.end());
        QCOMPARE(card->card.status, Status::Error);
        QVERIFY(card->card.problems.contains("merge-shape-mismatch"));
        QVERIFY(std::any_of(broken.wires.begin(), broken.wires.end(), [add](const WireContent& w) {
            return w.to == add && w.status == Status::Error && !w.problem.isEmpty();
        }));
    }

    void aGroupIsOneCardWithItsOutsidePortsAndShapes() {
        MainWindow w;
        openShown(w, ":/examples/residual_lstm_classifier.loom");
        // The first residual block: the two branches and their Add.
        w.scene()->selectOnly({idOf(w, "lstm_2"), idOf(w, "lstm_3"), idOf(w, "lstm_4"),
                               idOf(w, "lstm_5"), idOf(w, "add_1")});
        const std::uint32_t group = w.editActions()->groupSelectionAs("residual LSTM block");
        QVERIFY(group != 0);
        QCOMPARE(w.document()->undoStack()->count(), 1);
        NodeItem* card = w.scene()->groupItem(group);
        QVERIFY(card);
        QVERIFY(card->isSelected());
        QCOMPARE(card->card().name, QString("residual LSTM block"));
        QCOMPARE(card->card().outputShape, QString("(None, 64, 64)"));
        QCOMPARE(card->card().inputPorts, 2);  // lstm_1 feeds both branches
        QVERIFY(card->card().details.front().startsWith("5 layers"));
        QVERIFY(!itemNamed(w, "lstm_3")->isVisible());
        // Wires from outside end at the card; wires inside are hidden.
        int toCard = 0, fromCard = 0, hidden = 0;
        for (EdgeItem* e : w.scene()->edgeItems()) {
            toCard += e->to() == card ? 1 : 0;
            fromCard += e->from() == card ? 1 : 0;
            hidden += e->isVisible() ? 0 : 1;
        }
        QCOMPARE(toCard, 2);
        QCOMPARE(fromCard, 2);  // add_1 feeds the next block's two branches
        QCOMPARE(hidden, 4);
        // The model is unchanged: groups are only a view.
        QCOMPARE(w.document()->validation().totalParams, 1173506);

        // Dragging the card moves its layers along; double-click expands it in place.
        const QPointF before = QPointF(w.document()->graph().node(idOf(w, "lstm_4"))->position.x,
                                       w.document()->graph().node(idOf(w, "lstm_4"))->position.y);
        w.canvas()->centerOn(card);
        QWidget* vp = w.canvas()->viewport();
        const QPoint grab = w.canvas()->mapFromScene(card->sceneBoundingRect().center());
        dragMouse(vp, grab, grab + QPoint(200, 0));
        QTRY_COMPARE(w.document()->undoStack()->count(), 2);
        QCOMPARE(w.document()->graph().node(idOf(w, "lstm_4"))->position.x, before.x() + 200);
        card = w.scene()->groupItem(group);
        test::doubleClick(vp, w.canvas()->mapFromScene(card->sceneBoundingRect().center()));
        QTRY_VERIFY(w.scene()->groupItem(group) == nullptr);
        QVERIFY(itemNamed(w, "lstm_3")->isVisible());
        QVERIFY(!w.document()->graph().group(group)->collapsed);
        // Undo collapses it again; Ungroup dissolves it, keeping the layers.
        QTest::keyClick(w.canvas(), Qt::Key_Z, Qt::ControlModifier);
        QVERIFY(w.scene()->groupItem(group));
        w.scene()->selectOnly({w.scene()->groupItem(group)->id()});
        w.canvas()->setFocus();
        QTest::keyClick(w.canvas(), Qt::Key_G, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_VERIFY(w.document()->graph().groups().empty());
        QVERIFY(itemNamed(w, "lstm_3")->isVisible());
        QCOMPARE(w.document()->graph().nodes().size(), 16u);
    }

    void groupsSurviveSavingAndBecomeReusableBlocks() {
        QTemporaryDir dir;
        const QString path = dir.filePath("grouped.loom");
        std::uint32_t group = 0;
        {
            MainWindow w;
            openShown(w, ":/examples/lstm_autoencoder.loom");
            w.scene()->selectOnly({idOf(w, "lstm_1"), idOf(w, "lstm_2"), idOf(w, "lstm_3")});
            group = w.editActions()->groupSelectionAs("encoder");
            w.document()->save(path);
        }
        MainWindow w;
        openShown(w, path);
        QVERIFY(w.scene()->groupItem(group));
        QCOMPARE(w.scene()->groupItem(group)->card().outputShape, QString("(None, 20)"));

        // Save the group as a block; it appears under My Blocks and adds as a collapsed copy.
        const QString block = UserBlocks::save(w.document()->graph(), group, "LSTM encoder");
        w.palette()->reloadBlocks();
        const auto found = w.palette()->tree()->findItems("LSTM encoder", Qt::MatchExactly | Qt::MatchRecursive);
        QCOMPARE(found.size(), 1);
        QTreeWidget* tree = w.palette()->tree();
        tree->scrollToItem(found.front());
        test::doubleClick(tree->viewport(), tree->visualItemRect(found.front()).center());
        QTRY_COMPARE(w.document()->graph().groups().size(), 2u);
        QCOMPARE(w.document()->graph().nodes().size(), 12u);
        QVERIFY(w.document()->graph().nodeByName("lstm_7"));  // fresh names
        const Group& copy = w.document()->graph().groups().back();
        QCOMPARE(copy.name, std::string("LSTM encoder"));
        QVERIFY(copy.collapsed);
        QVERIFY(w.scene()->groupItem(copy.id)->isSelected());
        QTest::keyClick(w.canvas(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(w.document()->graph().nodes().size(), 9u);
        QVERIFY(UserBlocks::remove(block));
    }

    // A shipped Transformer block, added with a layer selected, reads that layer through every
    // input its entry needs (the attention's query and value, the residual Add), and the
    // shapes fit; one undo takes it away. Shipped blocks cannot be removed.
    void aShippedTransformerBlockReadsTheSelectedLayer() {
        MainWindow w;
        openShown(w, ":/examples/keras_text_classification_with_transformer.loom");
        const std::size_t layers = w.document()->graph().nodes().size();
        const NodeId from = idOf(w, "token_and_position_embedding");
        w.scene()->selectOnly({from});
        QTreeWidget* tree = w.palette()->tree();
        const auto found = tree->findItems("Transformer encoder (post-norm)", Qt::MatchExactly | Qt::MatchRecursive);
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.front()->parent()->text(0), QString("Blocks"));
        tree->scrollToItem(found.front());
        test::doubleClick(tree->viewport(), tree->visualItemRect(found.front()).center());
        QTRY_COMPARE(w.document()->graph().nodes().size(), layers + 9);
        const ModelGraph& g = w.document()->graph();
        const Node* attention = g.nodeByName("multi_head_attention_1");
        QVERIFY(attention);
        QCOMPARE(g.inputEdges(attention->id).size(), 2u);
        for (const Edge* e : g.inputEdges(attention->id)) QCOMPARE(e->from.node, from);
        const Node* add = g.nodeByName("add_2");
        QVERIFY(add);
        bool residual = false;
        for (const Edge* e : g.inputEdges(add->id)) residual |= e->from.node == from && e->to.port == 0;
        QVERIFY(residual);
        QVERIFY(!w.document()->validation().hasErrors());
        // The new block's card is selected: a second double-click stacks the next block on it,
        // reading the first block's last layer.
        test::doubleClick(tree->viewport(), tree->visualItemRect(found.front()).center());
        QTRY_COMPARE(w.document()->graph().nodes().size(), layers + 18);
        const Node* second = w.document()->graph().nodeByName("multi_head_attention_2");
        QVERIFY(second);
        for (const Edge* e : w.document()->graph().inputEdges(second->id)) {
            QCOMPARE(w.document()->graph().node(e->from.node)->name, std::string("layer_normalization_3"));
        }
        QVERIFY(!w.document()->validation().hasErrors());
        QTest::keyClick(w.canvas(), Qt::Key_Z, Qt::ControlModifier);
        QTest::keyClick(w.canvas(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(w.document()->graph().nodes().size(), layers);
        // No "Remove" for a shipped block.
        tree->setCurrentItem(found.front());
        QVERIFY(found.front()->data(0, Qt::UserRole + 1).toString().startsWith(":/blocks/"));
    }
};

QTEST_MAIN(GroupsTest)
#include "groups_test.moc"
