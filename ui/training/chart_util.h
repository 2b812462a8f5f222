#pragma once

#include <QtCharts/QAbstractAxis>
#include <QtCharts/QChart>

namespace loom::ui {

/// Empties a chart of its series and axes, before it is drawn anew.
inline void clearChart(QChart* chart) {
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
}

}  // namespace loom::ui
