// The x axis of a plotted series, along its own years, index or dates.
#include "training/time_axis.h"

#include <QtCharts/QCategoryAxis>
#include <QtCharts/QValueAxis>

#include "training/chart_util.h"

namespace loom::ui {

QAbstractAxis* timeAxis(const RowIndex& index, std::int64_t steps, double* x0, double* dx) {
    *x0 = 0;
    *dx = 1;
    QAbstractAxis* axis = nullptr;
    if (static_cast<std::int64_t>(index.values.size()) == steps && risesEvenly(index.values)) {
        *x0 = index.values.front();
        *dx = index.values[1] - index.values[0];
        auto* x = new QValueAxis;
        x->setTitleText(QString::fromStdString(index.name));
        axis = x;
    } else if (static_cast<std::int64_t>(index.texts.size()) == steps) {
        auto* x = new QCategoryAxis;
        x->setTitleText(QString::fromStdString(index.name));
        x->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
        axis = x;
    } else {
        auto* x = new QValueAxis;
        x->setTitleText(QObject::tr("time step"));
        axis = x;
    }
    setTimeRange(axis, index, 0, steps - 1, *x0, *dx);
    return axis;
}

void setTimeRange(QAbstractAxis* axis, const RowIndex& index, std::int64_t from, std::int64_t to, double x0, double dx) {
    const auto span = static_cast<double>(std::max<std::int64_t>(1, to - from));
    if (auto* dates = qobject_cast<QCategoryAxis*>(axis)) {
        for (const QString& label : dates->categoriesLabels()) dates->remove(label);
        dates->setRange(static_cast<double>(from), static_cast<double>(to));
        const auto every = std::max<std::int64_t>(1, static_cast<std::int64_t>(roundStep(span, 5)));
        for (std::int64_t t = (from + every - 1) / every * every; t <= to; t += every) {
            const auto i = static_cast<std::size_t>(t);
            const QString label = i < index.texts.size() ? QString::fromStdString(index.texts[i]) : QString();
            if (!label.isEmpty()) dates->append(label, static_cast<double>(t));
        }
        return;
    }
    auto* x = qobject_cast<QValueAxis*>(axis);
    if (!x) return;
    const double start = x0 + dx * static_cast<double>(from), end = x0 + dx * static_cast<double>(to);
    const bool whole = std::floor(x0) == x0 && std::floor(dx) == dx;
    x->setLabelFormat(whole ? "%d" : "%g");
    x->setRange(start, std::max(end, start + dx));
    if (whole) {
        const double step = std::max(dx, roundStep(end - start, 7));
        x->setTickType(QValueAxis::TicksDynamic);
        x->setTickAnchor(std::ceil(start / step) * step);
        x->setTickInterval(step);
    }
}

}  // namespace loom::ui
