#pragma once

#include <QtCharts/QAbstractAxis>

#include <cstdint>

#include "data/data_source.h"

namespace loom::ui {

/// The x axis of a series of `steps` steps: the file's own years or index where it has evenly
/// spaced ones (the series is then drawn at x = x0 + dx * step), its dates as written at a few
/// steps, else the time step (x0 = 0, dx = 1). The caller owns the axis.
QAbstractAxis* timeAxis(const RowIndex& index, std::int64_t steps, double* x0, double* dx);
/// Shows steps `from` to `to` on such an axis, its labels and ticks chosen for that stretch.
void setTimeRange(QAbstractAxis* axis, const RowIndex& index, std::int64_t from, std::int64_t to, double x0, double dx);

}  // namespace loom::ui
