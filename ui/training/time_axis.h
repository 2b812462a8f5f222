#pragma once

#include <QtCharts/QAbstractAxis>
#include <QFontMetricsF>
#include <QString>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/data_source.h"

class QChart;

namespace loom::ui {

/// The x axis of a series of `steps` steps: the file's own years or index where it has evenly
/// spaced ones (the series is then drawn at x = x0 + dx * step), its dates at calendar
/// boundaries (see dateTicks), else the time step (x0 = 0, dx = 1). The caller owns the axis.
/// `width`: the plot's width in pixels, for how many dates fit (0: not laid out yet).
QAbstractAxis* timeAxis(const RowIndex& index, std::int64_t steps, double* x0, double* dx, double width = 0);
/// Shows steps `from` to `to` on such an axis, its labels and ticks chosen for that stretch
/// and, for dates, for a plot `width` pixels wide.
void setTimeRange(QAbstractAxis* axis, const RowIndex& index, std::int64_t from, std::int64_t to, double x0, double dx,
                  double width = 400);
/// Chooses the date ticks of `chart`'s time axis anew whenever its plot area changes width by
/// more than a pixel or two, so that its labels always fit. `index` gives the dates shown
/// (null when none).
void keepDateTicksFitting(QChart* chart, std::function<const RowIndex*()> index);

/// A tick on a time axis of dates: the step it marks and its label.
struct DateTick {
    std::int64_t step;
    QString label;
};
/// Ticks for steps `from` to `to` of rising dates as written in a file (2023-01-15,
/// 2026-03-06 00:00, Jan-1-1995, 31/01/2001, ...): at calendar boundaries (years, months, days,
/// hours, ...), as many as fit `width` pixels with labels measured by `metrics`, each label as
/// long as its spacing needs ("1995", "Mar 1995", "6 Mar 2026", "6 Mar 14:00"). Empty when
/// the texts are not such dates.
std::vector<DateTick> dateTicks(const std::vector<std::string>& texts, std::int64_t from, std::int64_t to,
                                double width, const QFontMetricsF& metrics);

}  // namespace loom::ui
