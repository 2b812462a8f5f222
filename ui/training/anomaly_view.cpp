#include "training/anomaly_view.h"

#include <QBuffer>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QSaveFile>
#include <QShortcut>
#include <QSettings>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <cmath>
#include <functional>

#include "document/wording.h"
#include "io/message_text.h"
#include "export/export_dialog.h"
#include "export/paint_file.h"
#include "training/chart_util.h"
#include "training/decimate.h"
#include "training/series_menu.h"
#include "training/time_axis.h"
#include "training/view_layout.h"

namespace loom::ui {

/// The score chart: the threshold line follows the mouse when it is dragged.
class ThresholdChartView : public QChartView {
public:
    ThresholdChartView(QChart* chart, QWidget* parent) : QChartView(chart, parent) { setMouseTracking(true); }

    std::function<double()> threshold;       ///< where the line is
    std::function<void(double)> dragged;     ///< the user moved it here
    QAbstractSeries* scale = nullptr;        ///< a series on the chart's axes, to map values

protected:
    void mousePressEvent(QMouseEvent* event) override {
        if (event->button() == Qt::LeftButton && nearLine(event->position())) {
            m_dragging = true;
            event->accept();
            return;
        }
        QChartView::mousePressEvent(event);
    }
    void mouseMoveEvent(QMouseEvent* event) override {
        if (m_dragging) {
            dragged(std::max(0.0, valueAt(event->position())));
            event->accept();
            return;
        }
        viewport()->setCursor(nearLine(event->position()) ? Qt::SplitVCursor : Qt::ArrowCursor);
        QChartView::mouseMoveEvent(event);
    }
    void mouseReleaseEvent(QMouseEvent* event) override {
        if (m_dragging) {
            m_dragging = false;
            event->accept();
            return;
        }
        QChartView::mouseReleaseEvent(event);
    }

private:
    bool m_dragging = false;

    QPointF inChart(const QPointF& viewPoint) const { return chart()->mapFromScene(mapToScene(viewPoint.toPoint())); }
    double valueAt(const QPointF& viewPoint) const { return chart()->mapToValue(inChart(viewPoint), scale).y(); }
    bool nearLine(const QPointF& viewPoint) const {
        if (!scale || !threshold || !chart()->plotArea().contains(inChart(viewPoint))) return false;
        const double y = chart()->mapToPosition(QPointF(0, threshold()), scale).y();
        return std::abs(y - inChart(viewPoint).y()) <= 6.0;
    }
};

namespace {

QString number(double v, int digits = 4) { return QString::number(v, 'g', digits); }

/// Rectangles over the steps of `spans` (first, last, in any order, overlapping or not), from
/// `lo` to `hi`, as one area; each at least a 250th of the series wide, so that a single
/// flagged step shows.
QAreaSeries* spanArea(const std::vector<std::pair<std::int64_t, std::int64_t>>& spans, double x0, double dx, double xEnd,
                      double lo, double hi, const QColor& color, const QString& name) {
    const double least = (xEnd - x0) / 250.0;
    std::vector<std::pair<double, double>> boxes;
    for (const auto& [first, last] : spans) {
        double a = x0 + dx * (static_cast<double>(first) - 0.5), b = x0 + dx * (static_cast<double>(last) + 0.5);
        if (b - a < least) {
            const double middle = (a + b) / 2;
            a = middle - least / 2;
            b = middle + least / 2;
        }
        boxes.emplace_back(a, b);
    }
    std::sort(boxes.begin(), boxes.end());
    std::vector<std::pair<double, double>> merged;
    for (const auto& box : boxes) {
        if (!merged.empty() && box.first <= merged.back().second) {
            merged.back().second = std::max(merged.back().second, box.second);
        } else {
            merged.push_back(box);
        }
    }
    auto* upper = new QLineSeries;
    auto* lower = new QLineSeries;
    const double from = std::min(x0 - dx / 2, merged.empty() ? x0 : merged.front().first);
    const double to = std::max(xEnd + dx / 2, merged.empty() ? xEnd : merged.back().second);
    upper->append(from, lo);
    for (const auto& [a, b] : merged) upper->append({QPointF(a, lo), QPointF(a, hi), QPointF(b, hi), QPointF(b, lo)});
    upper->append(to, lo);
    lower->append({QPointF(from, lo), QPointF(to, lo)});
    auto* area = new QAreaSeries(upper, lower);
    area->setName(name);
    area->setColor(color);
    area->setBorderColor(Qt::transparent);
    return area;
}

}  // namespace

AnomalyView::AnomalyView(QWidget* parent)
    : QWidget(parent),
      m_title(new QLabel(this)),
      m_note(new QLabel(this)),
      m_agreement(new QLabel(this)),
      m_detail(new QLabel(this)),
      m_ruleBox(new QComboBox(this)),
      m_thresholdBox(new QDoubleSpinBox(this)),
      m_reset(new QPushButton(tr("Rule's Value"), this)),
      m_another(new QPushButton(tr("Score Series"), this)),
      m_labelsButton(new QPushButton(tr("Labels…"), this)),
      m_export(new QPushButton(tr("Export"), this)),
      m_seriesChart(new QChart),
      m_scoreChart(new QChart),
      m_seriesView(new QChartView(m_seriesChart, this)),
      m_scoreView(new ThresholdChartView(m_scoreChart, this)),
      m_table(new QTableWidget(this)),
      m_content(new QWidget(this)) {
    m_ruleBox->addItem(tr("every covering window over"), static_cast<int>(StepRule::All));
    m_ruleBox->addItem(tr("mean of covering windows over"), static_cast<int>(StepRule::Mean));
    m_ruleBox->addItem(tr("any covering window over"), static_cast<int>(StepRule::Max));
    m_ruleBox->setToolTip(tr("When a time step is flagged: when every window that covers it reconstructs worse "
                             "than the threshold (Keras's example), when their mean does, or when any one does"));
    m_thresholdBox->setDecimals(6);
    m_thresholdBox->setKeyboardTracking(false);  // a typed value counts on Enter, not per keystroke
    m_thresholdBox->setRange(0.0, 1e12);
    m_thresholdBox->setToolTip(tr("Reconstruction errors above this are unusual; drag the red line in the score "
                                  "chart, or type a value"));
    m_reset->setToolTip(tr("Put the threshold back at the rule's value: the largest training-window error"));
    m_another->setToolTip(tr("Score another series with this model: a CSV file of the same columns (for example "
                             "the stretch after the training data) or a sample series"));
    m_another->setMenu(seriesMenu(this, [this](const QString& source) { emit seriesChosen(source); }));
    m_labelsButton->setToolTip(tr("Read known anomaly windows (a CSV of start,end, or a JSON list of [start, end] "
                                  "pairs) and see how the threshold agrees with them"));
    m_export->setToolTip(tr("Save the flagged intervals or every step's score as CSV, or the charts as PNG"));
    auto* exportMenu = new QMenu(m_export);
    m_export->setMenu(exportMenu);
    m_title->setTextFormat(Qt::PlainText);
    m_note->setWordWrap(true);
    m_note->setTextFormat(Qt::PlainText);
    m_detail->setWordWrap(true);
    m_detail->setTextFormat(Qt::PlainText);
    m_agreement->setTextFormat(Qt::PlainText);
    m_agreement->setToolTip(tr("Event by event: an interval that overlaps a known window is a true alarm; a known "
                               "window that an interval overlaps is found. Step by step: the share of the flagged "
                               "time that lies inside known windows (a threshold that flags everything finds every "
                               "window, but little of its time is in them)."));
    m_agreement->hide();

    for (QChartView* view : {m_seriesView, static_cast<QChartView*>(m_scoreView)}) {
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumHeight(kMinimumPlotHeight * 3 / 4);
        view->chart()->setMargins(QMargins(0, 0, 0, 0));
        view->chart()->layout()->setContentsMargins(0, 0, 0, 0);
        view->chart()->setBackgroundRoundness(0);
        view->chart()->legend()->setAlignment(Qt::AlignRight);
        keepDateTicksFitting(view->chart(), [this] { return m_detection ? &m_detection->index : nullptr; });
    }
    m_scoreView->setToolTip(tr("Each step's score: how badly the windows covering it are reconstructed. Drag the "
                               "red threshold line up or down"));
    m_scoreView->threshold = [this] { return m_threshold; };
    m_scoreView->dragged = [this](double value) {
        // Within the axis as it is: raising it while dragging would run away from the mouse.
        if (auto* y = qobject_cast<QValueAxis*>(m_scoreChart->axes(Qt::Vertical).value(0))) value = std::min(value, y->max());
        setThreshold(value);
    };

    m_table->setColumnCount(6);
    m_table->setHorizontalHeaderLabels({tr("start"), tr("end"), tr("steps"), tr("peak"), tr("mean"), tr("feature")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setToolTip(tr("Select an interval to zoom to it; Escape shows the whole series"));
    auto* whole = new QShortcut(QKeySequence(Qt::Key_Escape), m_table, nullptr, nullptr, Qt::WidgetShortcut);
    connect(whole, &QShortcut::activated, m_table, &QTableWidget::clearSelection);

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_title, 1);
    bar->addWidget(new QLabel(tr("Flag a step when"), this));
    bar->addWidget(m_ruleBox);
    bar->addWidget(m_thresholdBox);
    bar->addWidget(m_reset);
    bar->addWidget(m_another);
    bar->addWidget(m_labelsButton);
    bar->addWidget(m_export);
    alignPlotsLeft(m_seriesChart, m_scoreChart);  // one time axis under the other
    m_picture = layOutAnswerView(this, m_content, bar, column(this, {{m_seriesView, 3}, {m_scoreView, 2}}),
                     column(this, {{m_agreement, 0}, {m_table, 1}, {m_detail, 0}}), m_note);

    connect(m_ruleBox, &QComboBox::activated, this,
            [this] { setStepRule(static_cast<StepRule>(m_ruleBox->currentData().toInt())); });
    connect(m_thresholdBox, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        if (std::abs(v - m_threshold) > 1e-12 * std::max(1.0, std::abs(v))) setThreshold(v);
    });
    connect(m_reset, &QPushButton::clicked, this, &AnomalyView::resetThreshold);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        const auto rows = m_table->selectionModel()->selectedRows();
        const int row = rows.isEmpty() ? -1 : rows.front().row();
        zoomToInterval(row);
        showDetail(row);
    });
    const auto saveAs = [this](const QString& title, const QString& ending, auto write) {
        const QString path = askSavePath(this, title, QFileInfo(m_source).completeBaseName() + ending);
        QString error;
        if (!path.isEmpty() && !write(path, &error)) QMessageBox::warning(this, title, error);
    };
    exportMenu->addAction(tr("Flagged Intervals (CSV)…"), this, [this, saveAs] {
        saveAs(tr("Export Flagged Intervals"), "_flagged.csv", [this](const QString& p, QString* e) { return exportIntervalsCsv(p, e); });
    });
    exportMenu->addAction(tr("Every Step's Score (CSV)…"), this, [this, saveAs] {
        saveAs(tr("Export Scores"), "_scores.csv", [this](const QString& p, QString* e) { return exportStepsCsv(p, e); });
    });
    exportMenu->addAction(tr("Charts (PNG)…"), this, [this, saveAs] {
        saveAs(tr("Export Anomaly Charts"), "_anomalies.png", [this](const QString& p, QString* e) { return exportPng(p, e); });
    });
    connect(m_labelsButton, &QPushButton::clicked, this, [this] {
        const QString dir = QSettings().value("lastDirectory").toString();
        const QString path = QFileDialog::getOpenFileName(this, tr("Known Anomaly Windows"), QFileInfo(dir).absolutePath(),
                                                          tr("Labels (*.csv *.json);;All files (*)"));
        QString error;
        if (!path.isEmpty() && !loadLabels(path, &error)) QMessageBox::warning(this, tr("Known Anomaly Windows"), error);
    });
    setNote(tr("Train an autoencoder (a model whose output is its input's shape): its unusual stretches show "
               "here."));
}

AnomalyView::~AnomalyView() = default;

QChartView* AnomalyView::scoreView() const { return m_scoreView; }

void AnomalyView::setNote(const QString& text) {
    m_detection.reset();
    m_labels.clear();
    m_labelsOutside = 0;
    m_intervals.clear();
    m_content->hide();
    m_note->setText(text);
    m_note->show();
}

void AnomalyView::setStatus(const QString& text) {
    m_note->setText(text);
    m_note->show();
}

void AnomalyView::setDetection(std::shared_ptr<const Detection> detection, const QString& source) {
    m_detection = std::move(detection);
    // Known windows stay for the same series scored again (after another run, say).
    if (source != m_source || m_detection->series.steps == 0) {
        m_labels.clear();
        m_labelsOutside = 0;
    }
    m_source = source;
    m_threshold = m_detection->threshold;
    m_scores = stepScores(m_detection->errors, m_detection->series.steps, m_rule);
    m_table->setColumnHidden(5, m_detection->series.features < 2);
    QStringList notes;
    for (const std::string& n : m_detection->notes) notes << qText(n);
    if (!m_detection->trainingErrors.empty()) {
        notes << tr("The threshold's rule takes the training part's %1 windows; their errors range from %2 to %3.")
                     .arg(groupedNumber(m_detection->trainingErrors.size()).c_str())
                     .arg(number(*std::min_element(m_detection->trainingErrors.begin(), m_detection->trainingErrors.end())),
                          number(*std::max_element(m_detection->trainingErrors.begin(), m_detection->trainingErrors.end())));
    }
    m_note->setText(notes.join("\n"));
    m_note->setVisible(!notes.isEmpty());
    m_content->show();
    {
        const QSignalBlocker block(m_thresholdBox);
        // About four significant digits of the scores' own size: 0.4123, 12.30, 0.001230.
        const int digits = m_threshold > 0 ? 4 - static_cast<int>(std::ceil(std::log10(m_threshold))) : 4;
        m_thresholdBox->setDecimals(std::clamp(digits, 2, 8));
        m_thresholdBox->setSingleStep(std::max(1e-6, m_threshold / 20));
        m_thresholdBox->setValue(m_threshold);
    }
    rebuildCharts();
    refreshFlags();
}

void AnomalyView::setThreshold(double value) {
    if (!m_detection || !std::isfinite(value)) return;
    m_threshold = std::max(0.0, value);
    {
        const QSignalBlocker block(m_thresholdBox);
        m_thresholdBox->setValue(m_threshold);
    }
    refreshFlags();
    emit thresholdChanged(m_threshold);
}

void AnomalyView::resetThreshold() {
    if (m_detection) setThreshold(m_detection->threshold);
}

void AnomalyView::setStepRule(StepRule rule) {
    m_rule = rule;
    m_ruleBox->setCurrentIndex(m_ruleBox->findData(static_cast<int>(rule)));
    if (!m_detection) return;
    m_scores = stepScores(m_detection->errors, m_detection->series.steps, m_rule);
    rebuildCharts();
    refreshFlags();
}

void AnomalyView::rebuildCharts() {
    const Detection& d = *m_detection;
    const std::int64_t steps = d.series.steps;
    for (QChart* chart : {m_seriesChart, m_scoreChart}) clearChart(chart);
    // The series, every feature (at most eight), in the data's units.
    double lo = INFINITY, hi = -INFINITY;
    std::vector<QLineSeries*> lines;
    const std::int64_t shown = std::min<std::int64_t>(d.series.features, 8);
    QAbstractAxis* x = timeAxis(d.index, steps, &m_x0, &m_dx, m_seriesChart->plotArea().width());
    for (std::int64_t f = 0; f < shown; ++f) {
        std::vector<double> values(static_cast<std::size_t>(steps));
        for (std::int64_t t = 0; t < steps; ++t) {
            values[static_cast<std::size_t>(t)] = d.series.at(t, f);
            if (std::isfinite(values[static_cast<std::size_t>(t)])) {
                lo = std::min(lo, values[static_cast<std::size_t>(t)]);
                hi = std::max(hi, values[static_cast<std::size_t>(t)]);
            }
        }
        auto* line = new QLineSeries;
        line->setName(QString::fromStdString(detectionFeatureName(d, f)));
        line->replace(decimated(values, m_x0, m_dx));
        lines.push_back(line);
    }
    auto* y = new QValueAxis;
    fitValueAxis(y, lo, hi);
    m_seriesChart->addAxis(x, Qt::AlignBottom);
    m_seriesChart->addAxis(y, Qt::AlignLeft);
    for (QLineSeries* line : lines) {
        m_seriesChart->addSeries(line);
        line->attachAxis(x);
        line->attachAxis(y);
    }
    m_seriesChart->legend()->setVisible(shown > 1);
    x->setTitleVisible(false);
    drawShading();

    // The scores and the threshold.
    auto* score = new QLineSeries;
    score->setName(tr("score"));
    score->replace(decimated(m_scores.score, m_x0, m_dx));
    double top = m_detection->threshold;
    for (double s : m_scores.score) {
        if (std::isfinite(s)) top = std::max(top, s);
    }
    m_scoreTop = top;
    QAbstractAxis* sx = timeAxis(d.index, steps, &m_x0, &m_dx, m_scoreChart->plotArea().width());
    auto* sy = new QValueAxis;
    sy->setRange(0, std::max(top * 1.08, 1e-9));
    sx->setTitleVisible(false);
    sy->setLabelFormat("%.3g");
    m_scoreChart->legend()->hide();
    m_scoreChart->addAxis(sx, Qt::AlignBottom);
    m_scoreChart->addAxis(sy, Qt::AlignLeft);
    m_scoreChart->addSeries(score);
    score->attachAxis(sx);
    score->attachAxis(sy);
    m_scoreView->scale = score;
    drawThresholdLines();
}

void AnomalyView::drawShading() {
    for (QAbstractSeries* s : m_seriesChart->series()) {
        if (s->type() == QAbstractSeries::SeriesTypeArea) {
            m_seriesChart->removeSeries(s);
            delete s;
        }
    }
    const auto axes = m_seriesChart->axes();
    if (axes.size() < 2) return;
    auto* y = static_cast<QValueAxis*>(m_seriesChart->axes(Qt::Vertical).front());
    const double xEnd = xOf(m_detection->series.steps - 1);
    std::vector<std::pair<std::int64_t, std::int64_t>> spans;
    for (const AnomalyInterval& i : m_intervals) spans.emplace_back(i.start, i.end);
    std::vector<QAreaSeries*> areas = {spanArea(spans, m_x0, m_dx, xEnd, y->min(), y->max(), QColor(220, 50, 47, 70), tr("flagged"))};
    if (!m_labels.empty()) {
        std::vector<std::pair<std::int64_t, std::int64_t>> known;
        for (const LabelWindow& w : m_labels) known.emplace_back(w.start, w.end);
        areas.push_back(spanArea(known, m_x0, m_dx, xEnd, y->min(), y->min() + (y->max() - y->min()) * 0.06,
                                 QColor(38, 139, 60, 170), tr("known anomaly")));
    }
    for (QAreaSeries* area : areas) {
        m_seriesChart->addSeries(area);
        for (QAbstractAxis* axis : axes) area->attachAxis(axis);
    }
}

void AnomalyView::drawThresholdLines() {
    for (QAbstractSeries* s : m_scoreChart->series()) {
        if (s != m_scoreView->scale) {
            m_scoreChart->removeSeries(s);
            delete s;
        }
    }
    const double from = m_x0 - m_dx, to = xOf(m_detection->series.steps);
    const auto line = [&](double value, const QString& name, const QPen& pen) {
        auto* l = new QLineSeries;
        l->setName(name);
        l->append({QPointF(from, value), QPointF(to, value)});
        l->setPen(pen);
        m_scoreChart->addSeries(l);
        for (QAbstractAxis* axis : m_scoreChart->axes()) l->attachAxis(axis);
    };
    // The scores, the rule's value and a typed threshold above them all stay in sight.
    if (auto* y = qobject_cast<QValueAxis*>(m_scoreChart->axes(Qt::Vertical).value(0))) {
        y->setRange(0, std::max({m_scoreTop, m_threshold, m_detection->threshold, 1e-9}) * 1.08);
    }
    if (std::abs(m_threshold - m_detection->threshold) > 1e-12) {
        line(m_detection->threshold, tr("rule's value"), QPen(QColor(120, 120, 120), 1.5, Qt::DashLine));
    }
    line(m_threshold, tr("threshold (drag)"), QPen(QColor(220, 50, 47), 2.0));
}

void AnomalyView::refreshFlags() {
    if (!m_detection) return;
    m_intervals = flaggedIntervals(m_scores, m_detection->errors, m_threshold, m_detection->mergeGap);
    std::int64_t flagged = 0;
    for (double s : m_scores.score) flagged += s > m_threshold ? 1 : 0;
    const QString steps = groupedNumber(static_cast<std::uint64_t>(m_detection->series.steps)).c_str();
    if (m_intervals.empty()) {
        m_title->setText(tr("%1: nothing flagged in %2 steps").arg(m_source, steps));
    } else {
        m_title->setText((m_intervals.size() == 1 ? tr("%1: 1 interval flagged").arg(m_source)
                                                  : tr("%1: %2 intervals flagged").arg(m_source, groupedNumber(m_intervals.size()).c_str())) +
                         tr(" (%1 of %2 steps)").arg(groupedNumber(static_cast<std::uint64_t>(flagged)).c_str(), steps));
    }
    drawShading();
    drawThresholdLines();
    fillTable();
    showAgreement();
}

void AnomalyView::fillTable() {
    const Detection& d = *m_detection;
    const QSignalBlocker block(m_table);
    m_table->clearContents();
    // A table of a few thousand rows stays quick; the CSV export has them all.
    constexpr int kMaxRows = 5000;
    const int rows = static_cast<int>(std::min<std::size_t>(m_intervals.size(), kMaxRows));
    m_table->setRowCount(rows);
    for (int r = 0; r < rows; ++r) {
        const AnomalyInterval& i = m_intervals[static_cast<std::size_t>(r)];
        const QStringList cells = {QString::fromStdString(d.index.label(i.start)), QString::fromStdString(d.index.label(i.end)),
                                   QString::number(i.end - i.start + 1), number(i.peak), number(i.mean),
                                   QString::fromStdString(detectionFeatureName(d, i.feature))};
        for (int c = 0; c < cells.size(); ++c) m_table->setItem(r, c, new QTableWidgetItem(cells[c]));
    }
    m_table->resizeColumnsToContents();
    m_detail->clear();
}

void AnomalyView::showAgreement() {
    if (m_labels.empty()) {
        m_agreement->hide();
        return;
    }
    const LabelAgreement a = agreement(m_intervals, m_labels);
    const QString left = m_labelsOutside == 0 ? QString()
                         : m_labelsOutside == 1 ? tr("\n1 known window lies outside this series and is left out")
                                                : tr("\n%1 known windows lie outside this series and are left out").arg(m_labelsOutside);
    if (a.intervals == 0) {
        m_agreement->setText(tr("Known windows found: 0 of %1 · nothing is flagged at this threshold").arg(a.windows) + left);
        m_agreement->show();
        return;
    }
    const double inside = a.flaggedSteps > 0 ? 100.0 * static_cast<double>(a.flaggedInWindows) / static_cast<double>(a.flaggedSteps) : 0.0;
    m_agreement->setText(tr("Known windows found: %1 of %2 · true alarms: %3 of %4\nprecision %5 · recall %6 · F1 %7"
                            " · flagged time inside known windows: %8%")
                             .arg(a.found)
                             .arg(a.windows)
                             .arg(a.trueAlarms)
                             .arg(a.intervals)
                             .arg(a.precision, 0, 'f', 2)
                             .arg(a.recall, 0, 'f', 2)
                             .arg(a.f1, 0, 'f', 2)
                             .arg(inside, 0, 'f', 0) +
                         left);
    m_agreement->show();
}

void AnomalyView::showDetail(int row) {
    if (!m_detection || row < 0 || row >= static_cast<int>(m_intervals.size())) {
        m_detail->clear();
        return;
    }
    const Detection& d = *m_detection;
    const AnomalyInterval& i = m_intervals[static_cast<std::size_t>(row)];
    QString text = tr("%1 to %2: %3 steps, peak score %4").arg(QString::fromStdString(d.index.label(i.start)),
                                                            QString::fromStdString(d.index.label(i.end)))
                       .arg(i.end - i.start + 1)
                       .arg(number(i.peak));
    if (d.series.features > 1) {
        // Each feature's share of the error of the windows that cover the interval.
        const std::vector<double> share = featureShares(d.errors, i.start, i.end);
        QStringList parts;
        for (std::int64_t f = 0; f < d.series.features; ++f) {
            parts << tr("%1 %2%").arg(QString::fromStdString(detectionFeatureName(d, f)))
                         .arg(100.0 * share[static_cast<std::size_t>(f)], 0, 'f', 0);
        }
        text += tr("\nShare of the error: %1").arg(parts.join(", "));
    }
    m_detail->setText(text);
}

void AnomalyView::zoomToInterval(int row) {
    if (!m_detection) return;
    std::int64_t from = 0, to = m_detection->series.steps - 1;
    if (row >= 0 && row < static_cast<int>(m_intervals.size())) {
        const AnomalyInterval& i = m_intervals[static_cast<std::size_t>(row)];
        const std::int64_t margin = std::max<std::int64_t>(m_detection->errors.window * 2, (i.end - i.start) * 2);
        from = std::max<std::int64_t>(0, i.start - margin);
        to = std::min(m_detection->series.steps - 1, i.end + margin);
    }
    for (QChart* chart : {m_seriesChart, m_scoreChart}) {
        const auto axes = chart->axes(Qt::Horizontal);
        if (!axes.isEmpty()) setTimeRange(axes.front(), m_detection->index, from, to, m_x0, m_dx, chart->plotArea().width());
    }
}

bool AnomalyView::loadLabels(const QString& path, QString* error) {
    if (!m_detection) {
        *error = tr("Score a series first; the labels are matched to its times.");
        return false;
    }
    try {
        m_labels = readLabelWindows(path.toStdString(), QFileInfo(m_source).fileName().toStdString(), m_detection->index,
                                    m_detection->series.steps, &m_labelsOutside);
    } catch (const std::exception& e) {
        *error = qText(e.what());
        return false;
    }
    refreshFlags();
    return true;
}


bool AnomalyView::exportIntervalsCsv(const QString& path, QString* error) const {
    if (!m_detection) return false;
    return saveBytes(path, QByteArray::fromStdString(detectionIntervalsCsv(*m_detection, m_intervals)), error);
}

bool AnomalyView::exportStepsCsv(const QString& path, QString* error) const {
    if (!m_detection) return false;
    // The steps as the current rule scores them.
    return saveBytes(path, QByteArray::fromStdString(detectionStepsCsv(*m_detection, m_scores, m_threshold)), error);
}

bool AnomalyView::exportPng(const QString& path, QString* error) const {
    return saveWidgetPng(m_picture, path, error);
}

}  // namespace loom::ui
