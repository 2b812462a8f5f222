// The attention heat map: return_attention_scores turned on in the Inspector, a run, and the
// Reconstruction dock showing the scores of the sample on show, by head, following the ranking.
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QRegularExpression>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QThreadPool>
#include <QtTest>

#include "layers/layer_nodes.h"
#include "panels/inspector_panel.h"
#include "training/attention_map.h"
#include "training/data_panel.h"
#include "training/reconstruction_view.h"
#include "training/training_controller.h"
#include "training/training_panel.h"
#include "window/main_window.h"
#include "window/training_workspace.h"
#include "training_test_helpers.h"
#include "window_test_helpers.h"

using namespace loom;
using namespace loom::ui;
using test::choose;
using test::typeInto;
using test::waitFor;

namespace {

/// Input (16, 1) -> MultiHeadAttention(2 heads, key_dim 4) over itself: a self-attention
/// autoencoder of one feature.
Project selfAttention() {
    Project p;
    p.name = "self-attention";
    ModelGraph& g = p.graph;
    const NodeId in = addLayer(g, "InputLayer", {0, 0});
    g.setParam(in, "shape", Dims{16, 1});
    const NodeId attention = addLayer(g, "MultiHeadAttention", {0, 150});
    g.setParam(attention, "key_dim", std::int64_t{4});
    g.connect({in, 0}, {attention, 0});
    g.connect({in, 0}, {attention, 1});
    return p;
}

}  // namespace

class AttentionViewTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QThreadPool::globalInstance()->setMaxThreadCount(1);
    }

    void theScoresOfTheSampleOnShowAppearByHead() {
        MainWindow w;
        test::showProject(w, selfAttention());
        const NodeId attention = w.document()->graph().nodeByName("multi_head_attention_1")->id;
        w.scene()->selectOnly({attention});
        auto* inspector = w.findChild<InspectorPanel*>();
        QCheckBox* scores = nullptr;
        QTRY_VERIFY((scores = inspector->findChild<QCheckBox*>("return_attention_scores")) != nullptr);
        QTest::mouseClick(scores, Qt::LeftButton, Qt::NoModifier, QPoint(6, scores->height() / 2));
        QTRY_COMPARE(w.document()->validation().viewOutputs.size(), std::size_t{1});
        QVERIFY(!w.document()->validation().hasErrors());

        TrainingWorkspace* ws = w.training();
        ReconstructionView* rec = ws->reconstruction();
        QVERIFY(!rec->attention()->isVisibleTo(rec));  // nothing trained yet
        DataPanel* data = ws->dataPanel();
        choose(data->sourceBox(), "synthetic:sines");
        typeInto(data->findChild<QSpinBox*>("dataSteps"), "400");
        typeInto(ws->trainingPanel()->epochsBox(), "1");
        QPushButton* start = ws->trainingPanel()->startButton();
        QVERIFY2(waitFor([&] { return start->isEnabled(); }, 5000), qPrintable(start->toolTip()));
        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(waitFor([&] { return !ws->controller()->busy(); }, 60000));
        QTRY_VERIFY(rec->attention()->isVisibleTo(rec));
        w.findChild<QDockWidget*>("reconstructionDock")->raise();  // its tab, as the user clicks it
        QTRY_VERIFY(rec->attention()->isVisible() && rec->attention()->height() > 100);

        // The worst sample's scores: a row per query step, a column per value step.
        AttentionMap* map = rec->attention();
        QCOMPARE(map->rows(), std::int64_t{16});
        QCOMPARE(map->cols(), std::int64_t{16});
        QCOMPARE(rec->attentionHead()->count(), 3);  // the mean and 2 heads
        QCOMPARE(rec->attentionHead()->currentText(), QString("mean of 2 heads"));
        QVERIFY(map->cellText({3, 5}).startsWith("Query step 3 reads value step 5 with weight 0."));
        const QString mean = map->cellText({3, 5});

        // One head's own scores.
        rec->attentionHead()->setFocus();
        QTest::keyClick(rec->attentionHead(), Qt::Key_Down);
        QCOMPARE(rec->attentionHead()->currentText(), QString("head 1"));
        QVERIFY(map->cellText({3, 5}) != mean);

        // Another sample in the ranking shows its own scores.
        const QString before = map->cellText({3, 5});
        QTableWidget* ranking = rec->ranking();
        QTest::mouseClick(ranking->viewport(), Qt::LeftButton, Qt::NoModifier, ranking->visualItemRect(ranking->item(2, 0)).center());
        QCOMPARE(rec->sample(), ranking->item(2, 1)->data(Qt::UserRole).toInt());
        QVERIFY(map->cellText({3, 5}) != before);
        QCOMPARE(rec->attentionHead()->currentText(), QString("head 1"));
        // The caption names the layer and the sample, short enough to leave the head's choice its width.
        const QString caption = rec->findChild<QLabel*>("attentionCaption")->text();
        QVERIFY2(QRegularExpression("^\\w+, sample \\d+:$").match(caption).hasMatch(), qPrintable(caption));

        // Hovering a cell says what it is.
        const QPoint cell = [&] {
            for (int y = 0; y < map->height(); ++y) {
                for (int x = 0; x < map->width(); ++x) {
                    if (map->cellAt(QPointF(x, y)) == QPoint(3, 5)) return QPoint(x, y);
                }
            }
            return QPoint(-1, -1);
        }();
        QVERIFY(cell.x() >= 0);
        QCOMPARE(map->cellAt(QPointF(0, 0)), QPoint(-1, -1));  // the labels are no cell

        // Turning the scores off takes the map away with the next run's outputs.
        w.scene()->selectOnly({attention});
        QTRY_VERIFY((scores = inspector->findChild<QCheckBox*>("return_attention_scores")) != nullptr);
        QTest::mouseClick(scores, Qt::LeftButton, Qt::NoModifier, QPoint(6, scores->height() / 2));
        QTRY_VERIFY(w.document()->validation().viewOutputs.empty());
        QVERIFY2(waitFor([&] { return start->isEnabled(); }, 5000), qPrintable(start->toolTip()));
        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(waitFor([&] { return !ws->controller()->busy(); }, 60000));
        QTRY_VERIFY(!rec->attention()->isVisibleTo(rec));
    }
};

QTEST_MAIN(AttentionViewTest)
#include "attention_view_test.moc"
