#pragma once

#include <QWidget>

#include "train/run_history.h"

class QChart;
class QChartView;

namespace loom::ui {

/// Gradient flow: each layer's mean gradient norm per epoch, on a log axis. In a deep LSTM
/// stack without skips the first layers' gradients fade by orders of magnitude; with skip
/// connections they stay close to the last layers'.
class GradientChart : public QWidget {
    Q_OBJECT

public:
    explicit GradientChart(QWidget* parent = nullptr);
    void setRun(const TrainingRun& run);
    QChart* chart() const { return m_chart; }

private:
    QChart* m_chart;
    QChartView* m_view;
};

}  // namespace loom::ui
