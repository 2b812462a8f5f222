#pragma once

#include <QWidget>
#include <memory>

#include "service/forecasting.h"

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace loom::ui {

/// What a trained forecaster says about a series: its history, the backtest's forecasts on the
/// validation part against the truth, the forecast past the end, and the metrics of the model
/// beside the naive forecasts (last value, seasonal naive, window mean) with the verdict in
/// words. The horizon is chosen here; exports the forecast as CSV and the chart as PNG.
class ForecastView : public QWidget {
    Q_OBJECT

public:
    explicit ForecastView(QWidget* parent = nullptr);

    /// Shows `outcome` for the series `source` (its name, for titles and file names).
    void setOutcome(std::shared_ptr<const ForecastOutcome> outcome, const QString& source);
    /// No forecast, and `text` where it would be: why, or what is being computed.
    void setNote(const QString& text);
    /// What is going on, under what is shown.
    void setStatus(const QString& text);
    bool hasOutcome() const { return m_outcome != nullptr; }
    const ForecastOutcome* outcome() const { return m_outcome.get(); }
    /// Shows the whole series (true) or the backtest and the forecast only (false, the default).
    void showWholeSeries(bool whole);

    bool exportCsv(const QString& path, QString* error) const;
    bool exportPng(const QString& path, QString* error) const;

    QChart* chart() const { return m_chart; }
    QTableWidget* metrics() const { return m_metrics; }
    QLabel* verdictLabel() const { return m_verdict; }
    QLabel* noteLabel() const { return m_note; }
    QSpinBox* horizonBox() const { return m_horizon; }

signals:
    /// The user chose how many steps to forecast.
    void horizonChosen(int steps);
    /// The user chose the series (a CSV file, a `sample:` series, or empty for the training one).
    void seriesChosen(const QString& source);

private:
    std::shared_ptr<const ForecastOutcome> m_outcome;
    QString m_source;
    double m_x0 = 0.0, m_dx = 1.0;
    bool m_whole = false;

    QLabel* m_title;
    QLabel* m_note;
    QLabel* m_verdict;
    QSpinBox* m_horizon;
    QComboBox* m_feature;
    QPushButton* m_wholeButton;
    QPushButton* m_series;
    QPushButton* m_export;
    QChart* m_chart;
    QChartView* m_view;
    QTableWidget* m_metrics;
    QWidget* m_content;
    QWidget* m_picture = nullptr;  ///< the plots and the side column: what Export PNG draws

    void redraw();
    void fillMetrics();
};

}  // namespace loom::ui
