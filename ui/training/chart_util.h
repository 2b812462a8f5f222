#pragma once

#include <QtCharts/QAbstractAxis>
#include <QtCharts/QChart>
#include <QtCharts/QValueAxis>

#include <QMargins>
#include <QObject>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

namespace loom::ui {

/// The least height of a plot: below it the axes' labels collapse to "...".
inline constexpr int kMinimumPlotHeight = 160;

/// Empties a chart of its series and axes, before it is drawn anew.
inline void clearChart(QChart* chart) {
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
}

/// The smallest whole round step (1, 2, 5, 10, 20, ...) that cuts `span` into at most
/// `ticks` parts.
inline double roundStep(double span, double ticks = 8) {
    double step = 1;
    for (double scale = 1; span / step > ticks; scale *= 10) {
        for (double m : {1.0, 2.0, 5.0}) {
            step = m * scale;
            if (span / step <= ticks) break;
        }
    }
    return step;
}

/// Fits a value axis to data from `lo` to `hi`: about `ticks` round ticks (1, 2 or 5 times a
/// power of ten) from the last at or below `lo` to the first at or above `hi`, so that data never
/// below zero gets no negative part, labelled with as many decimals as the step needs.
inline void fitValueAxis(QValueAxis* axis, double lo, double hi, int ticks = 5) {
    if (!(lo <= hi)) lo = 0, hi = 1;
    if (!std::isfinite(hi - lo)) {  // values near the largest doubles: no round ticks to find
        axis->setRange(lo, hi);
        return;
    }
    if (hi - lo <= 1e-9 * std::max(1.0, std::abs(hi))) {  // a flat line, in the middle (above 0 if never below)
        const double pad = std::max(std::abs(hi) * 0.05, 0.5);
        lo = lo >= 0 ? std::max(0.0, lo - pad) : lo - pad;
        hi += pad;
    }
    const double raw = (hi - lo) / ticks;
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10 * power;
    for (double m : {1.0, 2.0, 5.0}) {
        if (m * power >= raw) {
            step = m * power;
            break;
        }
    }
    const double low = std::floor(lo / step) * step, high = std::ceil(hi / step) * step;
    const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
    axis->setLabelFormat(QStringLiteral("%.") + QString::number(decimals) + QStringLiteral("f"));
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(low);
    axis->setTickInterval(step);
    axis->setRange(low, high);
}

/// An epoch axis from 0 to `epochs` (at least 1) with whole-number ticks at a round step
/// (1, 2, 5, 10, 20, ...), at most about eight of them: never "0, 0, 1, 1, 2".
inline void setEpochAxis(QValueAxis* axis, double epochs) {
    const double end = std::max(1.0, std::ceil(epochs));
    const double step = roundStep(end);
    axis->setLabelFormat("%d");
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(step);
    axis->setRange(0, std::ceil(end / step) * step);
}

/// The range of a linear loss axis for values from `lo` to `hi`: a margin around them, wide
/// enough that labels differ even for one point or a flat curve.
inline std::pair<double, double> lossAxisRange(double lo, double hi) {
    const double pad = std::max((hi - lo) * 0.05, std::max(std::abs(hi), std::abs(lo)) * 0.05 + 1e-9);
    return {std::max(0.0, lo - pad), hi + pad};
}

/// Keeps the plot areas of charts drawn one above the other (a series and its scores) starting
/// at the same x, whatever the width of each one's axis labels: the chart with narrower labels
/// gets the difference as extra left margin. It follows every change of either plot area.
/// The extra margins are whole pixels, and each chart's own left is worked out from the margin
/// it was given, not the one wanted: a half pixel rounded one way and measured the other would
/// start a loop of layouts that never ends.
inline void alignPlotsLeft(QChart* upper, QChart* lower) {
    struct State {
        std::array<QChart*, 2> charts;
        std::array<int, 2> extra{0, 0};
        QMargins base;
    };
    auto state = std::make_shared<State>(State{{upper, lower}, {0, 0}, upper->margins()});
    const auto align = [state] {
        std::array<qreal, 2> natural{};
        for (std::size_t i = 0; i < 2; ++i) natural[i] = state->charts[i]->plotArea().left() - state->extra[i];
        const qreal target = std::max(natural[0], natural[1]);
        for (std::size_t i = 0; i < 2; ++i) {
            const int extra = static_cast<int>(std::lround(target - natural[i]));
            if (extra == state->extra[i]) continue;
            state->extra[i] = extra;
            state->charts[i]->setMargins(state->base + QMargins(extra, 0, 0, 0));
        }
    };
    for (QChart* chart : {upper, lower}) QObject::connect(chart, &QChart::plotAreaChanged, chart, align);
}

}  // namespace loom::ui
