#include "training/forecast_view.h"

#include <QBuffer>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtCharts/QChartView>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <cmath>

#include "document/wording.h"
#include "export/export_dialog.h"
#include "export/paint_file.h"
#include "training/chart_util.h"
#include "training/decimate.h"
#include "training/series_menu.h"
#include "training/time_axis.h"
#include "training/view_layout.h"

namespace loom::ui {

namespace {

/// The backtest's forecasts drawn: at most this many, evenly picked, so that the chart stays
/// readable (the metrics take every origin).
constexpr std::size_t kDrawnSamples = 40;

QString metricText(double v) { return std::isnan(v) ? QString("–") : QString::number(v, 'g', 4); }

}  // namespace

ForecastView::ForecastView(QWidget* parent)
    : QWidget(parent),
      m_title(new QLabel(this)),
      m_note(new QLabel(this)),
      m_verdict(new QLabel(this)),
      m_horizon(new QSpinBox(this)),
      m_feature(new QComboBox(this)),
      m_wholeButton(new QPushButton(tr("Whole Series"), this)),
      m_series(new QPushButton(tr("Series"), this)),
      m_export(new QPushButton(tr("Export"), this)),
      m_chart(new QChart),
      m_view(new QChartView(m_chart, this)),
      m_metrics(new QTableWidget(this)),
      m_content(new QWidget(this)) {
    m_title->setTextFormat(Qt::PlainText);
    m_note->setWordWrap(true);
    m_note->setTextFormat(Qt::PlainText);
    m_verdict->setWordWrap(true);
    m_verdict->setTextFormat(Qt::PlainText);
    m_horizon->setRange(1, 100000);
    m_horizon->setSuffix(tr(" steps"));
    m_horizon->setToolTip(tr("How many steps to forecast; beyond the model's own horizon its forecasts are fed back "
                             "as inputs"));
    m_feature->setToolTip(tr("The feature the chart shows"));
    m_wholeButton->setCheckable(true);
    m_wholeButton->setToolTip(tr("Show the whole series, or only the backtest and the forecast"));
    m_series->setToolTip(tr("Forecast another series with this model: a CSV file of the same columns or a sample"));
    m_series->setMenu(seriesMenu(this, [this](const QString& source) { emit seriesChosen(source); }));
    m_export->setToolTip(tr("Save the forecast as CSV or the chart as PNG"));
    auto* exportMenu = new QMenu(m_export);
    m_export->setMenu(exportMenu);
    m_view->setRenderHint(QPainter::Antialiasing);
    keepDateTicksFitting(m_chart, [this] { return m_outcome ? &m_outcome->index : nullptr; });
    m_view->setMinimumHeight(kMinimumPlotHeight);
    m_chart->setMargins(QMargins(0, 0, 0, 0));
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->setBackgroundRoundness(0);
    m_chart->legend()->setAlignment(Qt::AlignBottom);

    m_metrics->setColumnCount(4);
    m_metrics->setHorizontalHeaderLabels({tr("forecast"), tr("MAE"), tr("RMSE"), tr("MASE")});
    m_metrics->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_metrics->verticalHeader()->hide();
    m_metrics->horizontalHeader()->setStretchLastSection(true);
    m_metrics->setToolTip(tr("The backtest on the validation part: every origin's forecast against the truth, in "
                             "the data's units. MASE below 1 beats the one-step last-value forecast on the training "
                             "part"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_title, 1);
    bar->addWidget(m_feature);
    bar->addWidget(new QLabel(tr("Horizon"), this));
    bar->addWidget(m_horizon);
    bar->addWidget(m_wholeButton);
    bar->addWidget(m_series);
    bar->addWidget(m_export);
    m_picture = layOutAnswerView(this, m_content, bar, m_view, column(this, {{m_metrics, 1}, {m_verdict, 0}}), m_note);

    connect(m_horizon, &QSpinBox::editingFinished, this, [this] {
        if (m_outcome && m_horizon->value() != m_outcome->horizon) emit horizonChosen(m_horizon->value());
    });
    connect(m_feature, &QComboBox::activated, this, [this] { redraw(); });
    connect(m_wholeButton, &QPushButton::toggled, this, &ForecastView::showWholeSeries);
    const auto saveAs = [this](const QString& title, const QString& suffix, auto write) {
        const QString path = askSavePath(this, title, QFileInfo(m_source).completeBaseName() + "_forecast." + suffix);
        QString error;
        if (!path.isEmpty() && !write(path, &error)) QMessageBox::warning(this, title, error);
    };
    exportMenu->addAction(tr("Forecast (CSV)…"), this, [this, saveAs] {
        saveAs(tr("Export Forecast"), "csv", [this](const QString& p, QString* e) { return exportCsv(p, e); });
    });
    exportMenu->addAction(tr("Chart (PNG)…"), this, [this, saveAs] {
        saveAs(tr("Export Forecast Chart"), "png", [this](const QString& p, QString* e) { return exportPng(p, e); });
    });
    setNote(tr("Train a forecaster (a model whose output is the next steps of its input's features): its forecast "
               "and how it compares with naive forecasts show here."));
}

void ForecastView::setNote(const QString& text) {
    m_outcome.reset();
    m_content->hide();
    m_note->setText(text);
    m_note->show();
}

void ForecastView::setStatus(const QString& text) {
    m_note->setText(text);
    m_note->show();
}

void ForecastView::setOutcome(std::shared_ptr<const ForecastOutcome> outcome, const QString& source) {
    m_outcome = std::move(outcome);
    m_source = source;
    const ForecastOutcome& o = *m_outcome;
    {
        const QSignalBlocker block(m_horizon);
        m_horizon->setValue(static_cast<int>(o.horizon));
    }
    m_feature->clear();
    for (const std::string& name : o.series.names) m_feature->addItem(QString::fromStdString(name));
    m_feature->setVisible(o.series.features > 1);
    m_title->setText(tr("%1: %2 steps forecast from a window of %3").arg(source).arg(o.horizon).arg(o.window));
    QStringList notes;
    for (const std::string& n : o.notes) notes << qText(n);
    if (o.period) {
        notes << (o.periodDetected ? tr("The seasonal naive forecast repeats the season found in the series, %1 steps.")
                                   : tr("The seasonal naive forecast repeats a season of %1 steps."))
                     .arg(*o.period);
    }
    m_note->setText(notes.join("\n"));
    m_note->setVisible(!notes.isEmpty());
    fillMetrics();
    m_content->show();
    redraw();
}

void ForecastView::fillMetrics() {
    const ForecastOutcome& o = *m_outcome;
    m_metrics->setRowCount(static_cast<int>(o.table.size()));
    for (int r = 0; r < static_cast<int>(o.table.size()); ++r) {
        const ForecastRow& row = o.table[static_cast<std::size_t>(r)];
        const QStringList cells = {r == 0 ? tr("the model") : QString::fromStdString(row.name), metricText(row.scores.mae),
                                   metricText(row.scores.rmse), metricText(row.scores.mase)};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (r == 0) {
                QFont bold = item->font();
                bold.setBold(true);
                item->setFont(bold);
            }
            m_metrics->setItem(r, c, item);
        }
    }
    m_metrics->resizeColumnsToContents();
    const bool beats = o.table.size() > 1 && o.table[0].scores.mae < o.table[1].scores.mae;
    m_verdict->setText(o.origins > 0 ? qText(o.verdict) : tr("There is no backtest: see the note below."));
    m_verdict->setStyleSheet(o.origins > 0 ? (beats ? "color: #1e7b34;" : "color: #b35900;") : QString());
}

void ForecastView::showWholeSeries(bool whole) {
    m_whole = whole;
    {
        const QSignalBlocker block(m_wholeButton);
        m_wholeButton->setChecked(whole);
    }
    if (m_outcome) redraw();
}

void ForecastView::redraw() {
    const ForecastOutcome& o = *m_outcome;
    const std::int64_t f = o.series.features, k = std::max(0, m_feature->currentIndex());
    const std::int64_t steps = o.series.steps, end = std::max(steps - 1, o.origin + o.horizon - 1);
    clearChart(m_chart);
    QAbstractAxis* x = timeAxis(o.index, steps, &m_x0, &m_dx);
    const std::int64_t from = m_whole ? 0 : std::max<std::int64_t>(0, std::min(o.backtestFrom, o.origin) - 2 * o.window);
    setTimeRange(x, o.index, from, end, m_x0, m_dx, m_chart->plotArea().width());
    x->setTitleVisible(false);
    auto* y = new QValueAxis;
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    double lo = INFINITY, hi = -INFINITY;
    const auto widen = [&](double v) {
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    };
    const auto add = [&](QLineSeries* line) {
        m_chart->addSeries(line);
        line->attachAxis(x);
        line->attachAxis(y);
    };

    std::vector<double> values(static_cast<std::size_t>(steps - from));
    for (std::int64_t t = from; t < steps; ++t) {
        values[static_cast<std::size_t>(t - from)] = o.series.at(t, k);
        widen(o.series.at(t, k));
    }
    auto* history = new QLineSeries;
    history->setName(tr("series"));
    history->replace(decimated(values, m_x0 + m_dx * static_cast<double>(from), m_dx));
    history->setPen(QPen(QColor(31, 119, 180), 1.5));
    add(history);

    // The backtest's forecasts, a few of them, thin and orange.
    const std::size_t every = std::max<std::size_t>(1, o.samples.size() / kDrawnSamples);
    bool named = false;
    for (std::size_t i = 0; i < o.samples.size(); i += every) {
        const auto& [origin, forecast] = o.samples[i];
        if (origin < from) continue;
        auto* line = new QLineSeries;
        for (std::int64_t h = 0; h < o.horizon; ++h) {
            const double v = forecast[static_cast<std::size_t>(h * f + k)];
            line->append(m_x0 + m_dx * static_cast<double>(origin + h), v);
            widen(v);
        }
        line->setPen(QPen(QColor(255, 127, 14), 1.2));
        line->setName(tr("backtest forecasts"));
        add(line);
        if (named) {
            const auto markers = m_chart->legend()->markers(line);
            for (auto* marker : markers) marker->setVisible(false);
        }
        named = true;
    }

    // The forecast, joined to the last value it follows.
    auto* next = new QLineSeries;
    next->setName(tr("forecast"));
    if (o.origin > 0 && o.origin - 1 < steps && std::isfinite(o.series.at(o.origin - 1, k))) {
        next->append(m_x0 + m_dx * static_cast<double>(o.origin - 1), o.series.at(o.origin - 1, k));
    }
    for (std::int64_t h = 0; h < o.horizon; ++h) {
        const double v = o.forecast[static_cast<std::size_t>(h * f + k)];
        next->append(m_x0 + m_dx * static_cast<double>(o.origin + h), v);
        widen(v);
    }
    next->setPen(QPen(QColor(214, 39, 40), 2.2));
    add(next);
    fitValueAxis(y, lo, hi);
}

bool ForecastView::exportCsv(const QString& path, QString* error) const {
    if (!m_outcome) return false;
    return saveBytes(path, QByteArray::fromStdString(forecastCsv(*m_outcome)), error);
}

bool ForecastView::exportPng(const QString& path, QString* error) const {
    return saveWidgetPng(m_picture, path, error);
}

}  // namespace loom::ui
