// The Data panel's plot: in sight above the choices, its value axis fitted to the data, its
// dates ticked at calendar boundaries with labels that fit between the ticks.
#include <QComboBox>
#include <QDate>
#include <QFile>
#include <QTableView>
#include <QTemporaryDir>
#include <QDockWidget>
#include <QScrollArea>
#include <QStandardPaths>
#include <QThreadPool>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QValueAxis>
#include <QtTest>

#include "training/data_panel.h"
#include "training/time_axis.h"
#include "window/main_window.h"
#include "window/training_workspace.h"
#include "training_test_helpers.h"
#include "window_test_helpers.h"

using namespace loom;
using namespace loom::ui;
using test::waitFor;

namespace {

/// Shows the Data panel of a window on a model trained on the sunspots.
DataPanel* showDataPanel(MainWindow& w) {
    test::openShown(w, ":/examples/lstm_autoencoder.loom");
    auto* dock = w.findChild<QDockWidget*>("dataDock");
    dock->raise();
    test::settle();
    DataPanel* data = w.training()->dataPanel();
    waitFor([&] { return !data->busy(); }, 5000);
    test::settle();
    return data;
}

/// Picks a source from the Data panel's list with the keyboard, as a person steps through it.
void pickSource(DataPanel* data, const QString& startsWith) {
    QComboBox* source = data->sourceBox();
    source->setFocus();
    const int wanted = [&] {
        for (int i = 0; i < source->count(); ++i) {
            if (source->itemText(i).startsWith(startsWith)) return i;
        }
        return -1;
    }();
    QVERIFY2(wanted >= 0, qPrintable(startsWith));
    while (source->currentIndex() != wanted) {
        const int before = source->currentIndex();
        QTest::keyClick(source, source->currentIndex() < wanted ? Qt::Key_Down : Qt::Key_Up);
        QVERIFY(source->currentIndex() != before);
    }
    QVERIFY(waitFor([&] { return !data->busy(); }, 5000));
    test::settle();
}

QChart* plotOf(DataPanel* data) {
    auto* view = data->findChild<QChartView*>();
    return view ? view->chart() : nullptr;
}

/// The labels of the plot's date axis with where they sit in pixels, checking that each fits
/// between its neighbours.
QStringList checkDateLabelsFit(QChart* chart) {
    const auto axes = chart->axes(Qt::Horizontal);
    auto* dates = axes.isEmpty() ? nullptr : qobject_cast<QCategoryAxis*>(axes.front());
    if (!dates) return {"no date axis"};
    const QStringList labels = dates->categoriesLabels();
    const QFontMetricsF metrics(dates->labelsFont());
    const double perStep = chart->plotArea().width() / (dates->max() - dates->min());
    for (qsizetype i = 1; i < labels.size(); ++i) {
        const double apart = (dates->endValue(labels[i]) - dates->endValue(labels[i - 1])) * perStep;
        const double needed = (metrics.horizontalAdvance(labels[i]) + metrics.horizontalAdvance(labels[i - 1])) / 2;
        if (apart < needed) return {QString("'%1' and '%2' overlap: %3 px apart, %4 needed").arg(labels[i - 1], labels[i]).arg(apart).arg(needed)};
    }
    return labels;
}

}  // namespace

class DataPlotTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QThreadPool::globalInstance()->setMaxThreadCount(1);
    }

    void thePlotIsInSightAboveTheChoices() {
        MainWindow w;
        DataPanel* data = showDataPanel(w);
        auto* view = data->findChild<QChartView*>();
        QVERIFY(view && view->isVisible());
        auto* area = qobject_cast<QScrollArea*>(w.findChild<QDockWidget*>("dataDock")->widget());
        QVERIFY(area);
        // Seen whole without scrolling, above the task and source.
        const QRect plot(view->mapTo(area->viewport(), QPoint(0, 0)), view->size());
        QVERIFY2(area->viewport()->rect().contains(plot), qPrintable(QString("plot at %1,%2 %3x%4 in a %5 px high view")
                                                                         .arg(plot.x()).arg(plot.y()).arg(plot.width())
                                                                         .arg(plot.height()).arg(area->viewport()->height())));
        QVERIFY(view->height() >= 180);
        QVERIFY(view->mapTo(data, QPoint(0, 0)).y() < data->sourceBox()->mapTo(data, QPoint(0, 0)).y());
    }

    void theValueAxisFitsTheData() {
        MainWindow w;
        DataPanel* data = showDataPanel(w);
        QChart* chart = plotOf(data);
        const auto axes = chart->axes(Qt::Vertical);
        QCOMPARE(axes.size(), 1);
        auto* y = qobject_cast<QValueAxis*>(axes.front());
        // Sunspot counts run from 0 to 190.2: the axis from 0 (never -100) to a round number above.
        QCOMPARE(y->min(), 0.0);
        QVERIFY2(y->max() >= 190.2 && y->max() <= 250, qPrintable(QString::number(y->max())));
        QCOMPARE(y->labelFormat(), QString("%.0f"));
    }

    void datesAreTickedAtCalendarBoundariesThatFit() {
        MainWindow w;
        DataPanel* data = showDataPanel(w);
        pickSource(data, "Sample: Electrical equipment");
        QStringList labels = checkDateLabelsFit(plotOf(data));
        QVERIFY2(labels.size() >= 3, qPrintable(labels.join(" | ")));
        // Monthly from Jan-1-1995 to 2016 in a narrow panel: years, a round number apart.
        const QRegularExpression year("^(199|20[01])\\d$");
        for (const QString& label : labels) QVERIFY2(year.match(label).hasMatch(), qPrintable(labels.join(" | ")));

        // Hourly over a month: days with their month.
        pickSource(data, "Sample: Machine temperature, incidents");
        labels = checkDateLabelsFit(plotOf(data));
        QVERIFY2(labels.size() >= 2, qPrintable(labels.join(" | ")));
        for (const QString& label : labels) QVERIFY2(label.endsWith("Mar 2026") || label.endsWith("Apr 2026"), qPrintable(labels.join(" | ")));

        // A wider panel shows more of them, still fitting.
        const auto before = labels.size();
        w.resizeDocks({w.findChild<QDockWidget*>("dataDock")}, {900}, Qt::Horizontal);
        test::settle();
        labels = checkDateLabelsFit(plotOf(data));
        QVERIFY2(labels.size() > before, qPrintable(labels.join(" | ")));
    }

    // A word among the numbers of a CSV: the file is plotted with a gap there and its table
    // says "missing" on that row, while the panel says what training would refuse, and where.
    void aWordAmongTheNumbersIsShownWhereItIs() {
        MainWindow w;
        DataPanel* data = showDataPanel(w);
        QTemporaryDir dir;
        const QString path = dir.filePath("mine.csv");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("date,value\n");
        for (int d = 1; d <= 60; ++d) {
            const QString day = QDate(2023, 1, 1).addDays(d - 1).toString("yyyy-MM-dd");
            file.write(QString("%1,%2\n").arg(day, d == 30 ? QString("oops") : QString::number(40 + d % 7)).toUtf8());
        }
        file.close();
        data->chooseFile(path);
        QVERIFY(waitFor([&] { return !data->busy(); }, 5000));
        QVERIFY2(data->problem().endsWith("mine.csv:31: column 'value' holds numbers, but this row has \"oops\""),
                 qPrintable(data->problem()));
        QChart* chart = plotOf(data);
        QVERIFY(!chart->series().isEmpty());
        auto* table = data->findChild<QTableView*>("dataTable");
        QVERIFY(table);
        QCOMPARE(table->model()->index(29, 1).data().toString(), QString("missing"));
        QCOMPARE(table->model()->index(29, 0).data().toString(), QString("2023-01-30"));

        // The word mended, and two days left out: the panel says where the dates skip.
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("date,value\n");
        for (int d = 1; d <= 200; ++d) {
            if (d == 41 || d == 42) continue;
            file.write(QString("%1,%2\n").arg(QDate(2023, 1, 1).addDays(d - 1).toString("yyyy-MM-dd")).arg(40 + d % 7).toUtf8());
        }
        file.close();
        data->chooseFile(path);
        QVERIFY(waitFor([&] { return !data->busy(); }, 5000));
        QVERIFY2(data->summary().contains("The dates skip 2 steps: from 2023-02-09 to 2023-02-12"), qPrintable(data->summary() + " / " + data->problem()));
    }

    void dateTicksFollowTheSpacing() {
        const QFontMetricsF metrics(QFont("DejaVu Sans", 9));
        std::vector<std::string> hourly;
        for (int h = 0; h < 48; ++h) hourly.push_back(QString("2026-03-06 %1:00").arg(h % 24, 2, 10, QChar('0')).replace("2026-03-06", h < 24 ? "2026-03-06" : "2026-03-07").toStdString());
        auto ticks = dateTicks(hourly, 0, 47, 600, metrics);
        QVERIFY(!ticks.empty());
        QCOMPARE(ticks.front().label, QString("6 Mar 00:00"));
        QVERIFY(ticks.size() >= 3);
        for (std::size_t i = 1; i < ticks.size(); ++i) QVERIFY(ticks[i].step > ticks[i - 1].step);
        // Twelve hours shown: the hours.
        ticks = dateTicks(hourly, 12, 23, 600, metrics);
        QVERIFY(ticks.size() >= 4);
        QCOMPARE(ticks.front().step, 12);
        // Written out of order, or not dates at all: none (the caller labels the texts as written).
        std::vector<std::string> shuffled = hourly;
        std::swap(shuffled.front(), shuffled.back());
        QVERIFY(dateTicks(shuffled, 0, 47, 600, metrics).empty());
        QVERIFY(dateTicks({"a", "b", "c"}, 0, 2, 600, metrics).empty());
        QVERIFY(dateTicks({}, 0, 0, 600, metrics).empty());
        // Days written the other way round, as in 31/01/2001.
        ticks = dateTicks({"30/12/2000", "31/12/2000", "01/01/2001", "02/01/2001"}, 0, 3, 600, metrics);
        QVERIFY(!ticks.empty());
        QCOMPARE(ticks.front().label, QString("30 Dec 2000"));
    }
};

QTEST_MAIN(DataPlotTest)
#include "data_plot_test.moc"
