// The Data panel's view of the series: the plot along the file's own years or dates, and the
// table of its first rows.
#include "training/data_panel.h"

#include <QStandardItemModel>
#include <QtCharts/QChartView>
#include <QTableView>
#include <QTabWidget>
#include <QPainter>
#include <QHeaderView>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>

#include "training/chart_util.h"
#include "training/decimate.h"
#include "training/time_axis.h"

namespace loom::ui {

namespace {

/// The table shows the first rows of a series, not all of a million.
constexpr int kTableRows = 500;

}  // namespace

void DataPanel::buildPreview() {
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(2, 2, 2, 2));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(kMinimumPlotHeight + 30);
    keepDateTicksFitting(m_chart, [this] { return &m_index; });
    m_tableView->setObjectName("dataTable");
    m_tableView->setModel(m_table);
    m_tableView->verticalHeader()->hide();
    m_tableView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_previewTabs->addTab(m_chartView, tr("Plot"));
    m_previewTabs->addTab(m_tableView, tr("Table"));
}

void DataPanel::showSeries(const DataPreview& preview) {
    const Series& series = preview.series;
    clearChart(m_chart);
    m_table->clear();
    m_index = preview.index;
    if (series.steps == 0) return;
    double x0 = 0, dx = 1;
    QAbstractAxis* x = timeAxis(preview.index, series.steps, &x0, &dx, m_chart->plotArea().width());
    auto* y = new QValueAxis;
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    double lo = INFINITY, hi = -INFINITY;
    for (std::int64_t f = 0; f < series.features; ++f) {
        std::vector<double> column(static_cast<std::size_t>(series.steps));
        for (std::int64_t t = 0; t < series.steps; ++t) column[static_cast<std::size_t>(t)] = series.at(t, f);
        for (double v : column) {
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
        auto* line = new QLineSeries;
        line->setName(f < static_cast<std::int64_t>(series.names.size()) ? QString::fromStdString(series.names[static_cast<std::size_t>(f)]) : tr("feature %1").arg(f + 1));
        line->replace(decimated(column, x0, dx));
        m_chart->addSeries(line);
        line->attachAxis(x);
        line->attachAxis(y);
    }
    fitValueAxis(y, lo, hi);  // ticks at 0, 50, 100, ... not at -9.5, 42.8, ...; no -100 for counts
    m_chart->legend()->setVisible(series.features > 1 || !series.names.empty());

    const bool indexed = !preview.index.name.empty() &&
                         (static_cast<std::int64_t>(preview.index.values.size()) == series.steps ||
                          static_cast<std::int64_t>(preview.index.texts.size()) == series.steps);
    QStringList headers{indexed ? QString::fromStdString(preview.index.name) : tr("step")};
    for (const std::string& n : series.names) headers << QString::fromStdString(n);
    m_table->setColumnCount(static_cast<int>(series.features + 1));
    m_table->setHorizontalHeaderLabels(headers);
    const int rows = static_cast<int>(std::min<std::int64_t>(series.steps, kTableRows));
    m_table->setRowCount(rows);
    for (int r = 0; r < rows; ++r) {
        const auto i = static_cast<std::size_t>(r);
        QString label = QString::number(r);
        if (indexed) {
            label = preview.index.texts.empty() ? QString::number(preview.index.values[i], 'g', 10)
                                               : QString::fromStdString(preview.index.texts[i]);
        }
        m_table->setItem(r, 0, new QStandardItem(label));
        for (std::int64_t f = 0; f < series.features; ++f) {
            const double v = series.at(r, f);
            auto* item = new QStandardItem(std::isfinite(v) ? QString::number(v, 'g', 6) : tr("missing"));
            if (!std::isfinite(v)) item->setForeground(QColor(200, 40, 40));
            m_table->setItem(r, static_cast<int>(f + 1), item);
        }
    }
}

}  // namespace loom::ui
