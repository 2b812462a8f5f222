// The Anomalies view: the threshold dragged with the mouse and typed, the step rule, known
// windows read from a file, intervals that zoom, exports; the window filling it after a run on
// the shipped anomaly-detection example, then scoring the incidents series; and the Forecast
// view after a run of the forecasting example, with another horizon chosen.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <QSignalSpy>
#include <QtTest>
#include <cmath>

#include "document/document.h"
#include "training/analysis_runner.h"
#include "training/anomaly_view.h"
#include "training/forecast_view.h"
#include "training/training_controller.h"
#include "training/training_panel.h"
#include "window/main_window.h"
#include "window/training_workspace.h"
#include "training_test_helpers.h"
#include "window_test_helpers.h"

using namespace loom;
using namespace loom::ui;
using test::settle;

namespace {

/// 200 steps with a spike at step 120: windows of 10 steps score 0.1, those holding the spike
/// 1.0; the training windows' largest error is 0.2.
std::shared_ptr<const Detection> spiky() {
    auto d = std::make_shared<Detection>();
    d->series.steps = 200;
    d->series.features = 1;
    d->series.names = {"value"};
    for (int t = 0; t < 200; ++t) d->series.values.push_back(t == 120 ? 9.0 : std::sin(t * 0.3));
    d->index.name = "step";
    for (int t = 0; t < 200; ++t) d->index.values.push_back(1000 + t);
    d->errors.window = 10;
    d->errors.features = 1;
    for (std::int64_t s = 0; s + 10 <= 200; ++s) {
        const double e = (s <= 120 && 120 < s + 10) ? 1.0 : 0.1 + 0.001 * static_cast<double>(s % 7);
        d->errors.starts.push_back(s);
        d->errors.error.push_back(e);
        d->errors.perFeature.push_back(e);
    }
    d->trainingErrors = {0.1, 0.15, 0.2};
    d->threshold = 0.2;
    d->mergeGap = 2;
    d->scores = stepScores(d->errors, 200, StepRule::All);
    d->intervals = flaggedIntervals(d->scores, d->errors, d->threshold, d->mergeGap);
    return d;
}

/// The score chart's pixel (in its viewport) of a score, halfway along the plot.
QPoint pixelOf(AnomalyView& view, double score) {
    QChartView* chartView = view.scoreView();
    QChart* chart = chartView->chart();
    const QPointF inChart = chart->mapToPosition(QPointF(1100, score), chart->series().front());
    return chartView->mapFromScene(chart->mapToScene(inChart));
}

}  // namespace

class AnomaliesTest : public QObject {
    Q_OBJECT

    /// The view shown, on the spiky detection.
    static void showSpiky(AnomalyView& view) {
        view.resize(1200, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setDetection(spiky(), "spiky.csv");
        settle();
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void dragTheThresholdAndReadLabels() {
        AnomalyView view;
        showSpiky(view);
        // The spike alone is flagged: every window covering step 120 holds it.
        QCOMPARE(view.intervals().size(), std::size_t{1});
        QCOMPARE(view.intervals()[0].start, 120);
        QCOMPARE(view.intervalTable()->rowCount(), 1);
        QCOMPARE(view.intervalTable()->item(0, 0)->text(), QString("1120"));

        // Drag the red line from the threshold down below the ordinary windows' scores: every
        // step is flagged, in one interval.
        QWidget* viewport = view.scoreView()->viewport();
        test::dragMouse(viewport, pixelOf(view, 0.2), pixelOf(view, 0.05));
        QVERIFY2(view.threshold() < 0.1, qPrintable(QString::number(view.threshold())));
        QCOMPARE(view.intervals().size(), std::size_t{1});
        QCOMPARE(view.intervals()[0].end - view.intervals()[0].start, 199);
        // The box shows the threshold to about four significant digits of the scores' size.
        QVERIFY(std::abs(view.thresholdBox()->value() - view.threshold()) <= std::pow(10.0, -view.thresholdBox()->decimals()) / 2);
        QVERIFY(view.thresholdBox()->decimals() >= 2 && view.thresholdBox()->decimals() <= 8);
        // A press away from the line does not move it.
        const double held = view.threshold();
        test::dragMouse(viewport, pixelOf(view, 0.6), pixelOf(view, 0.8));
        QCOMPARE(view.threshold(), held);

        // Typed, then back to the rule's value.
        view.thresholdBox()->setFocus();
        view.thresholdBox()->selectAll();
        QTest::keyClicks(view.thresholdBox(), "2");
        QTest::keyClick(view.thresholdBox(), Qt::Key_Enter);
        QCOMPARE(view.threshold(), 2.0);
        QVERIFY(view.intervals().empty());
        QVERIFY(view.intervalTable()->rowCount() == 0);
        view.resetThreshold();
        QCOMPARE(view.threshold(), 0.2);

        // Any covering window over: the ten steps the spike's windows cover.
        view.ruleBox()->setCurrentIndex(view.ruleBox()->findData(static_cast<int>(StepRule::Max)));
        emit view.ruleBox()->activated(view.ruleBox()->currentIndex());
        QCOMPARE(view.stepRule(), StepRule::Max);
        QCOMPARE(view.intervals()[0].start, 111);
        QCOMPARE(view.intervals()[0].end, 129);

        // Known windows: one around the spike, one where nothing is flagged.
        const QString labels = QDir::temp().filePath("ll_anomaly_labels.csv");
        QFile file(labels);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("start,end\n1118,1122\n1160,1170\n");
        file.close();
        QString error;
        QVERIFY2(view.loadLabels(labels, &error), qPrintable(error));
        QVERIFY(view.agreementLabel()->isVisible());
        QVERIFY2(view.agreementLabel()->text().contains("found: 1 of 2"), qPrintable(view.agreementLabel()->text()));
        QVERIFY(view.agreementLabel()->text().contains("precision 1.00 · recall 0.50"));
        QVERIFY2(view.agreementLabel()->text().contains(QRegularExpression("flagged time inside known windows: [1-9][0-9]?%")),
                 qPrintable(view.agreementLabel()->text()));
        // Dragging moves the agreement with it: now nothing is flagged.
        test::dragMouse(viewport, pixelOf(view, 0.2), pixelOf(view, 1.2));
        QVERIFY2(view.agreementLabel()->text().contains("found: 0 of 2"), qPrintable(view.agreementLabel()->text()));
        // Windows of another stretch are left out, and said to be.
        file.open(QIODevice::WriteOnly);
        file.write("1118,1122\n5000,5001\n");
        file.close();
        QVERIFY2(view.loadLabels(labels, &error), qPrintable(error));
        QVERIFY2(view.agreementLabel()->text().contains("1 known window lies outside this series and is left out"),
                 qPrintable(view.agreementLabel()->text()));
        // A label file with nothing in the series, or text that is no time, says so.
        file.open(QIODevice::WriteOnly);
        file.write("5000,5001\n");
        file.close();
        QVERIFY(!view.loadLabels(labels, &error));
        QVERIFY2(error.contains("none of its 1 windows lies within the series"), qPrintable(error));
        file.open(QIODevice::WriteOnly);
        file.write("1118,soon\n");
        file.close();
        QVERIFY(!view.loadLabels(labels, &error));
        QVERIFY2(error.contains("line 1: 'soon' is not a time in the series' 'step' column"), qPrintable(error));
    }

    // Aligning the two plots settles: the view does not keep laying itself out while idle,
    // empty or showing scores.
    void theAlignedPlotsSettle() {
        // Settled: a whole 300 ms passes without a layout of `chart`. Before the fix the
        // layouts never stopped, thousands a second.
        const auto settles = [](QChart* chart) {
            QSignalSpy layouts(chart, &QChart::plotAreaChanged);
            for (int i = 0; i < 20; ++i) {
                if (!layouts.wait(300)) return true;
            }
            return false;
        };
        AnomalyView view;
        view.resize(900, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(settles(view.seriesChart()));
        showSpiky(view);
        QVERIFY(settles(view.scoreChart()));
    }

    void intervalsZoomAndExport() {
        AnomalyView view;
        showSpiky(view);
        auto* axis = qobject_cast<QValueAxis*>(view.seriesChart()->axes(Qt::Horizontal).front());
        QVERIFY(axis);
        QCOMPARE(axis->max() - axis->min(), 199.0);
        // The series and its scores share one time axis: their plots start at the same x,
        // though the series' labels ("10.5") and the scores' ("0.2") differ in width.
        QTRY_VERIFY2(std::abs(view.seriesChart()->plotArea().left() - view.scoreChart()->plotArea().left()) < 1.0,
                     qPrintable(QString("%1 vs %2").arg(view.seriesChart()->plotArea().left()).arg(view.scoreChart()->plotArea().left())));
        QTest::mouseClick(view.intervalTable()->viewport(), Qt::LeftButton, Qt::NoModifier,
                          view.intervalTable()->visualItemRect(view.intervalTable()->item(0, 0)).center());
        QVERIFY(axis->max() - axis->min() < 60);
        QVERIFY(axis->min() <= 1120 && axis->max() >= 1120);
        QTest::keyClick(view.intervalTable(), Qt::Key_Escape);
        QCOMPARE(axis->max() - axis->min(), 199.0);

        QString error;
        const QString steps = QDir::temp().filePath("ll_anomaly_steps.csv");
        QVERIFY2(view.exportStepsCsv(steps, &error), qPrintable(error));
        QFile written(steps);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = written.readAll().split('\n');
        QCOMPARE(lines.front(), QByteArray("step,value,score,threshold,anomaly"));
        QCOMPARE(lines.size(), 202);  // a header, 200 rows and the last line's end
        QVERIFY2(lines[121].startsWith("1120,9,1,0.2,1"), lines[121].constData());
        const QString png = QDir::temp().filePath("ll_anomaly.png");
        QVERIFY2(view.exportPng(png, &error), qPrintable(error));
        QVERIFY(QImage(png).width() > 500);
        // The charts and the intervals, not the tool bar above them.
        const QPoint ruleAt = view.ruleBox()->mapTo(&view, QPoint(0, 0));
        QVERIFY(QImage(png).height() < view.height() - ruleAt.y() - view.ruleBox()->height() / 2);
    }

    void theWindowScoresAfterARunAndAnotherSeries() {
        MainWindow w;
        test::openShown(w, ":/examples/machine_anomalies.loom");
        TrainingWorkspace* ws = w.training();
        AnomalyView* view = ws->anomalies();
        QVERIFY(!view->hasDetection());
        QVERIFY(view->noteLabel()->text().contains("Train an autoencoder"));
        QVERIFY(test::waitFor([&] { return ws->trainingPanel()->startButton()->isEnabled(); }, 10000));
        QTest::mouseClick(ws->trainingPanel()->startButton(), Qt::LeftButton);
        QVERIFY(test::waitFor([&] { return !ws->controller()->busy(); }, 120000));
        // The run's end scores the training series off the window's thread.
        QVERIFY(test::waitFor([&] { return view->hasDetection() && !ws->analysis()->busy(); }, 60000));
        QVERIFY(view->threshold() > 0);
        QVERIFY2(view->titleLabel()->text().startsWith("machine_normal.csv"), "the training series is shown");

        emit view->seriesChosen("sample:machine_incidents.csv");
        QVERIFY(test::waitFor([&] { return !ws->analysis()->busy(); }, 60000));
        settle();
        QVERIFY(view->hasDetection());
        // The level jump and the spike at least, each where it was made.
        QVERIFY2(view->intervals().size() >= 2, qPrintable(view->noteLabel()->text()));
        bool spike = false, jump = false;
        for (int r = 0; r < view->intervalTable()->rowCount(); ++r) {
            const QString start = view->intervalTable()->item(r, 0)->text();
            spike = spike || start.startsWith("2026-03-29 1");
            jump = jump || start.startsWith("2026-03-13");
        }
        QVERIFY(spike && jump);

        // A file that does not fit says why, and the window goes on.
        const QString bad = QDir::temp().filePath("ll_anomaly_bad.csv");
        QFile badFile(bad);
        QVERIFY(badFile.open(QIODevice::WriteOnly));
        badFile.write("a,b\n1,2\n3,4\n");
        badFile.close();
        emit view->seriesChosen(bad);
        QVERIFY(test::waitFor([&] { return !view->hasDetection() && !ws->analysis()->busy(); }, 60000));
        QVERIFY2(view->noteLabel()->text().contains("no column 'temperature'"), qPrintable(view->noteLabel()->text()));

        // A layer made wider after training: its weights no longer fit, and the dock says so in
        // words, with what to do, rather than in weight shapes.
        ModelGraph wider = w.document()->graph();
        wider.setParam(wider.nodeByName("bottleneck")->id, "filters", std::int64_t{4});
        QVERIFY(w.document()->replaceGraph(wider, "Set filters"));
        QVERIFY(test::waitFor([&] { return view->noteLabel()->text().contains("changed since"); }, 10000));
        QVERIFY2(view->noteLabel()->text().contains("they do not fit bottleneck and conv1d_3. Train it again (F5)"),
                 qPrintable(view->noteLabel()->text()));
        QVERIFY(!view->noteLabel()->text().contains("kernel"));

        // A new file replaces what is shown.
        w.document()->setProject(Project{}, QString());
        QVERIFY(test::waitFor([&] { return !view->hasDetection(); }, 10000));
    }

    void theWindowForecastsAfterARun() {
        MainWindow w;
        test::openShown(w, ":/examples/machine_forecast.loom");
        TrainingWorkspace* ws = w.training();
        ForecastView* view = ws->forecast();
        QVERIFY(!view->hasOutcome());
        QVERIFY(test::waitFor([&] { return ws->trainingPanel()->startButton()->isEnabled(); }, 10000));
        QTest::mouseClick(ws->trainingPanel()->startButton(), Qt::LeftButton);
        QVERIFY(test::waitFor([&] { return !ws->controller()->busy(); }, 120000));
        QVERIFY(test::waitFor([&] { return view->hasOutcome() && !ws->analysis()->busy(); }, 60000));
        const ForecastOutcome* o = view->outcome();
        QCOMPARE(o->horizon, 24);
        QCOMPARE(o->origin, 1440);  // past the end of the 60 days
        QCOMPARE(view->metrics()->rowCount(), 4);  // the model, last value, seasonal naive, window mean
        QCOMPARE(view->metrics()->item(2, 0)->text(), QString("seasonal naive (period 24)"));
        QVERIFY2(view->verdictLabel()->text().startsWith("The model"), qPrintable(view->verdictLabel()->text()));
        // The Anomalies view says why it has nothing: this model forecasts.
        QVERIFY(ws->anomalies()->noteLabel()->text().contains("This model forecasts"));

        // Six steps instead, typed.
        view->horizonBox()->setFocus();
        view->horizonBox()->selectAll();
        QTest::keyClicks(view->horizonBox(), "6");
        QTest::keyClick(view->horizonBox(), Qt::Key_Enter);
        QVERIFY(test::waitFor([&] { return view->hasOutcome() && view->outcome()->horizon == 6 && !ws->analysis()->busy(); },
                              60000));
        QCOMPARE(view->outcome()->forecast.size(), std::size_t{6});
        QString error;
        const QString csv = QDir::temp().filePath("ll_forecast_view.csv");
        QVERIFY2(view->exportCsv(csv, &error), qPrintable(error));
        QFile written(csv);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QVERIFY(written.readAll().startsWith("time,forecast\n2026-03-06 00:00,"));
    }
};

QTEST_MAIN(AnomaliesTest)
#include "anomalies_test.moc"
