// The Data panel's columns by layer: a series feeds a model with several Inputs and outputs by
// the columns ticked for each, with real clicks on the table's check boxes.
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleOptionViewItem>
#include <QTableWidget>
#include <QThreadPool>
#include <QtTest>

#include "document/document.h"
#include "graph/graph_edit.h"
#include "graph/project_file.h"
#include "training/data_panel.h"
#include "training/training_controller.h"
#include "training/training_panel.h"
#include "window/main_window.h"
#include "window/training_workspace.h"
#include "training_test_helpers.h"
#include "window_test_helpers.h"

using namespace loom;
using namespace loom::ui;
using test::waitFor;

namespace {

const QString kData = QStringLiteral(LAYERLOOM_TEST_DATA_DIR "/several_ends/");

/// Clicks the check box of a cell, where the table draws it.
void clickCheck(QTableWidget* table, int row, int column) {
    QTableWidgetItem* item = table->item(row, column);
    QVERIFY(item);
    table->scrollToItem(item);
    QStyleOptionViewItem option;
    option.initFrom(table->viewport());
    option.rect = table->visualItemRect(item);
    option.features |= QStyleOptionViewItem::HasCheckIndicator;
    const QRect box = table->style()->subElementRect(QStyle::SE_ItemViewItemCheckIndicator, &option, table);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, box.center());
}

int rowOf(QTableWidget* table, const QString& column) {
    for (int r = 0; r < table->rowCount(); ++r) {
        if (table->verticalHeaderItem(r)->text() == column) return r;
    }
    return -1;
}

}  // namespace

class DataColumnsTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QThreadPool::globalInstance()->setMaxThreadCount(1);
    }

    void eachInputAndOutputTakesTheColumnsTickedForIt() {
        Project project = loadProject((kData + "signal_and_calendar.loom").toStdString());
        project.training["data"].erase("layer_columns");
        MainWindow window;
        window.document()->setProject(project, QString());
        window.resize(1400, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        DataPanel* data = window.training()->dataPanel();
        data->chooseFile(kData + "three_columns.csv");
        QVERIFY(waitFor([&] { return !data->busy(); }, 5000));
        QVERIFY2(data->problem().contains("the model's Input 'signal' has no columns"), qPrintable(data->problem()));

        auto* table = data->findChild<QTableWidget*>("layerColumns");
        QVERIFY(table && table->isVisibleTo(data));
        QCOMPARE(table->columnCount(), 4);
        QCOMPARE(table->horizontalHeaderItem(1)->text(), QString("calendar\n(Input)"));
        QCOMPARE(table->horizontalHeaderItem(3)->text(), QString("next_ab\n(output)"));
        QVERIFY(rowOf(table, "a") >= 0 && rowOf(table, "c") >= 0);
        const struct {
            const char* column;
            int layer;
        } ticks[] = {{"a", 0}, {"b", 0}, {"c", 1}, {"c", 2}, {"a", 3}, {"b", 3}};
        for (const auto& tick : ticks) {
            // The table is filled again after each reading: look the row up each time.
            QVERIFY(waitFor([&] { return !data->busy(); }, 5000));
            clickCheck(table, rowOf(table, tick.column), tick.layer);
        }
        QVERIFY(waitFor([&] { return !data->busy(); }, 5000));
        QVERIFY2(data->ready(), qPrintable(data->problem()));
        QVERIFY2(data->summary().contains("columns by layer: signal: a, b; calendar: c; next_c: c; next_ab: a, b"),
                 qPrintable(data->summary()));
        Document* doc = window.document();
        const nlohmann::json groups = doc->project().training["data"]["layer_columns"];
        QCOMPARE(groups["signal"], nlohmann::json({"a", "b"}));
        QCOMPARE(groups["next_c"], nlohmann::json({"c"}));

        // Renaming an Input carries its columns; undo carries them back.
        GraphEdit rename;
        rename.ops.push_back(edit::Rename{doc->graph().nodeByName("calendar")->id, "season"});
        doc->applyEdit(rename, "Rename calendar to season");
        QCOMPARE(doc->project().training["data"]["layer_columns"]["season"], nlohmann::json({"c"}));
        QVERIFY(waitFor([&] { return !data->busy(); }, 5000));
        QCOMPARE(table->horizontalHeaderItem(1)->text(), QString("season\n(Input)"));
        QCOMPARE(table->item(rowOf(table, "c"), 1)->checkState(), Qt::Checked);
        QVERIFY2(data->ready(), qPrintable(data->problem()));
        doc->undoStack()->undo();
        QVERIFY(doc->project().training["data"]["layer_columns"].contains("calendar"));
        QVERIFY(waitFor([&] { return !data->busy(); }, 5000));
        QVERIFY2(data->ready(), qPrintable(data->problem()));

        // Unticking the calendar's only column says what is missing, and Start waits for it.
        clickCheck(table, rowOf(table, "c"), 1);
        QVERIFY(waitFor([&] { return !data->busy(); }, 5000));
        QVERIFY2(data->problem().contains("the model's Input 'calendar' has no columns"), qPrintable(data->problem()));
        QPushButton* start = window.training()->trainingPanel()->startButton();
        QVERIFY(!start->isEnabled());
        clickCheck(table, rowOf(table, "c"), 1);
        QVERIFY(waitFor([&] { return !data->busy(); }, 5000));
        QVERIFY2(data->ready(), qPrintable(data->problem()));

        // It trains, with a loss for each output.
        TrainingController* controller = window.training()->controller();
        QSignalSpy finished(controller, &TrainingController::finished);
        QVERIFY2(waitFor([&] { return start->isEnabled(); }, 5000), qPrintable(start->toolTip()));
        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(waitFor([&] { return !controller->busy(); }, 60000));
        QCOMPARE(finished.count(), 1);
        QVERIFY2(finished.front().at(0).toBool(), qPrintable(finished.front().at(1).toString()));
    }
};

QTEST_MAIN(DataColumnsTest)
#include "data_columns_test.moc"
