#pragma once

#include <QList>
#include <QWidget>

#include "train/run_history.h"

class QChart;
class QChartView;
class QCheckBox;
class QComboBox;
class QLineSeries;
class QPushButton;

namespace loom::ui {

/// The loss curves: training and validation loss per epoch, the smoothed per-batch loss, an
/// accuracy curve for classifiers, and the curves of earlier runs laid over them for
/// comparison. Linear or log axis; hovering a point shows its values; exports as PNG and
/// CSV. Long batch series are decimated, so 100,000 batches stay fluid.
class LossChart : public QWidget {
    Q_OBJECT

public:
    explicit LossChart(QWidget* parent = nullptr);

    /// Shows `run` (the live one, or one picked from the runs list).
    void setRun(const TrainingRun& run);
    /// Earlier runs to draw beside it (dashed), e.g. the plain autoencoder against the one
    /// with skips.
    void setOverlays(const QList<TrainingRun>& runs);
    void setLogScale(bool on);
    bool logScale() const { return m_logScale; }

    QChart* chart() const { return m_chart; }
    /// The curves by name ("loss", "val_loss", "batch loss (smoothed)", "run 2 val_loss").
    QLineSeries* series(const QString& name) const;
    /// Writes the chart as a PNG or the history as CSV (epoch, loss, val_loss, ...); false
    /// with `error` set when the file cannot be written.
    bool exportPng(const QString& path, QString* error) const;
    bool exportCsv(const QString& path, QString* error) const;

private:
    QChart* m_chart;
    QChartView* m_view;
    QCheckBox* m_log;
    QComboBox* m_metric;  ///< the metric drawn against the right axis
    QString m_metricChoice;       ///< the metric drawn now
    QString m_userMetric;         ///< the one the user picked (empty: none), kept across runs
    bool m_metricChosen = false;  ///< whether the user picked one
    QPushButton* m_png;
    QPushButton* m_csv;
    TrainingRun m_run;
    QList<TrainingRun> m_overlays;
    bool m_logScale = false;
    QString m_layout;  ///< the curves the chart holds now, to refill them in place

    void rebuild();
    /// The metric list after the run changed: accuracy and the run's metrics, keeping the choice.
    void refreshMetricList();
};

}  // namespace loom::ui
