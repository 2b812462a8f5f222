// The x axis of a plotted series, along its own years, index or dates.
#include "training/time_axis.h"

#include <QDateTime>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include "data/row_dates.h"
#include "training/chart_util.h"

namespace loom::ui {

namespace {

/// How a series' dates are read (core's dateSeconds, the day first or not) and the finest
/// calendar field they vary in: 0 years, 1 months, 2 days, 3 hours, 4 minutes, 5 seconds.
struct DateReading {
    bool dayFirst = true;
    int finest = 5;
};

std::optional<QDateTime> parse(const std::string& text, const DateReading& r) {
    const auto seconds = dateSeconds(text, r.dayFirst);
    if (!seconds) return std::nullopt;
    return QDateTime::fromSecsSinceEpoch(*seconds, Qt::UTC);
}

/// How all of `texts` read, judged from a few of them spread over the whole, which must be
/// dates and rise; nothing when they are not.
std::optional<DateReading> readingOf(const std::vector<std::string>& texts) {
    if (texts.size() < 2) return std::nullopt;
    for (const bool dayFirst : {true, false}) {
        DateReading r{dayFirst, 0};
        bool fits = true;
        std::optional<QDateTime> previous;
        for (std::size_t k = 0; k <= 16 && fits; ++k) {
            const auto at = parse(texts[(texts.size() - 1) * k / 16], r);
            fits = at && (!previous || *previous <= *at);
            if (!fits) break;
            previous = at;
            // The finest field that is not at its start: no hours between dates without times.
            const QDate d = at->date();
            const QTime t = at->time();
            const int finest = t.second() ? 5 : t.minute() ? 4 : t.hour() ? 3 : d.day() > 1 ? 2 : d.month() > 1 ? 1 : 0;
            r.finest = std::max(r.finest, finest);
        }
        if (fits && parse(texts.front(), r) < parse(texts.back(), r)) return r;
    }
    return std::nullopt;
}

/// A calendar step between ticks: `count` years, months, days, hours, minutes or seconds.
struct CalendarStep {
    enum Field { Year, Month, Day, Hour, Minute, Second } field;
    int count;
    const char* label;  ///< how a tick at this spacing is written
    double seconds() const {
        static constexpr std::array<double, 6> unit{365.25 * 86400, 30.44 * 86400, 86400, 3600, 60, 1};
        return unit[static_cast<std::size_t>(field)] * count;
    }
};

constexpr std::array<CalendarStep, 34> kCalendarSteps{{
    {CalendarStep::Second, 1, "hh:mm:ss"},     {CalendarStep::Second, 2, "hh:mm:ss"},
    {CalendarStep::Second, 5, "hh:mm:ss"},     {CalendarStep::Second, 10, "hh:mm:ss"},
    {CalendarStep::Second, 15, "hh:mm:ss"},    {CalendarStep::Second, 30, "hh:mm:ss"},
    {CalendarStep::Minute, 1, "hh:mm"},        {CalendarStep::Minute, 2, "hh:mm"},
    {CalendarStep::Minute, 5, "hh:mm"},        {CalendarStep::Minute, 10, "hh:mm"},
    {CalendarStep::Minute, 15, "hh:mm"},       {CalendarStep::Minute, 30, "hh:mm"},
    {CalendarStep::Hour, 1, "d MMM hh:mm"},    {CalendarStep::Hour, 2, "d MMM hh:mm"},
    {CalendarStep::Hour, 3, "d MMM hh:mm"},    {CalendarStep::Hour, 6, "d MMM hh:mm"},
    {CalendarStep::Hour, 12, "d MMM hh:mm"},   {CalendarStep::Day, 1, "d MMM yyyy"},
    {CalendarStep::Day, 2, "d MMM yyyy"},      {CalendarStep::Day, 7, "d MMM yyyy"},
    {CalendarStep::Day, 14, "d MMM yyyy"},     {CalendarStep::Month, 1, "MMM yyyy"},
    {CalendarStep::Month, 2, "MMM yyyy"},      {CalendarStep::Month, 3, "MMM yyyy"},
    {CalendarStep::Month, 6, "MMM yyyy"},      {CalendarStep::Year, 1, "yyyy"},
    {CalendarStep::Year, 2, "yyyy"},           {CalendarStep::Year, 5, "yyyy"},
    {CalendarStep::Year, 10, "yyyy"},          {CalendarStep::Year, 20, "yyyy"},
    {CalendarStep::Year, 50, "yyyy"},          {CalendarStep::Year, 100, "yyyy"},
    {CalendarStep::Year, 500, "yyyy"},         {CalendarStep::Year, 1000, "yyyy"},
}};

std::int64_t floorTo(std::int64_t value, std::int64_t step) {
    return (value >= 0 ? value : value - step + 1) / step * step;
}

/// The last boundary of `step` at or before `t`.
QDateTime boundaryBefore(const QDateTime& t, const CalendarStep& step) {
    const QDate d = t.date();
    switch (step.field) {
    case CalendarStep::Year:
        // Years count from 1: there is no year 0 to start from.
        return QDateTime(QDate(static_cast<int>(std::max<std::int64_t>(1, floorTo(d.year(), step.count))), 1, 1), QTime(0, 0), Qt::UTC);
    case CalendarStep::Month: {
        const std::int64_t months = floorTo(std::int64_t{d.year()} * 12 + d.month() - 1, step.count);
        return QDateTime(QDate(static_cast<int>(floorTo(months, 12) / 12), static_cast<int>(months - floorTo(months, 12)) + 1, 1),
                         QTime(0, 0), Qt::UTC);
    }
    case CalendarStep::Day:
        return QDateTime(QDate::fromJulianDay(floorTo(d.toJulianDay(), step.count)), QTime(0, 0), Qt::UTC);
    default:
        return QDateTime::fromSecsSinceEpoch(floorTo(t.toSecsSinceEpoch(), static_cast<std::int64_t>(step.seconds())),
                                             Qt::UTC);
    }
}

QDateTime next(const QDateTime& t, const CalendarStep& step) {
    switch (step.field) {
    case CalendarStep::Year: return t.addYears(step.count);
    case CalendarStep::Month: return t.addMonths(step.count);
    case CalendarStep::Day: return t.addDays(step.count);
    default: return t.addSecs(static_cast<qint64>(step.seconds()));
    }
}

}  // namespace

std::vector<DateTick> dateTicks(const std::vector<std::string>& texts, std::int64_t from, std::int64_t to,
                                double width, const QFontMetricsF& metrics) {
    const auto reading = readingOf(texts);
    if (!reading) return {};
    const auto last = static_cast<std::int64_t>(texts.size()) - 1;
    from = std::clamp<std::int64_t>(from, 0, last);
    to = std::clamp<std::int64_t>(to, from, last);
    const auto at = [&](std::int64_t step) { return parse(texts[static_cast<std::size_t>(step)], *reading); };
    const auto first = at(from), end = at(to);
    if (!first || !end) return {};
    const auto span = static_cast<double>(first->secsTo(*end));

    const CalendarStep* chosen = &kCalendarSteps.back();
    for (const CalendarStep& step : kCalendarSteps) {
        if (static_cast<int>(step.field) > reading->finest) continue;  // no hours between days
        const double labelWidth = metrics.horizontalAdvance(end->toString(QString::fromLatin1(step.label))) + 16;
        const double room = std::max(2.0, std::floor(width / labelWidth));
        if (span / step.seconds() + 1 <= room) {
            chosen = &step;
            break;
        }
    }
    std::vector<DateTick> ticks;
    bool failed = false;
    // At most a tick per label's room, and never past an invalid date (a loop that could not end).
    int room = 0;
    for (QDateTime b = boundaryBefore(*first, *chosen); b.isValid() && b <= *end && !failed && room < 1000;
         b = next(b, *chosen), ++room) {
        if (b < *first) continue;
        // The first step at or after the boundary: the dates rise, so a binary search finds it.
        std::int64_t lo = from, hi = to;
        while (lo < hi) {
            const std::int64_t mid = lo + (hi - lo) / 2;
            const auto t = at(mid);
            if (!t) {
                failed = true;
                break;
            }
            if (*t < b) lo = mid + 1;
            else hi = mid;
        }
        const auto t = at(lo);
        if (failed || !t) break;
        if (!ticks.empty() && ticks.back().step == lo) continue;
        ticks.push_back({lo, t->toString(QString::fromLatin1(chosen->label))});
    }
    if (failed) return {};
    return ticks;
}

QAbstractAxis* timeAxis(const RowIndex& index, std::int64_t steps, double* x0, double* dx, double width) {
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
    setTimeRange(axis, index, 0, steps - 1, *x0, *dx, width);
    return axis;
}

void setTimeRange(QAbstractAxis* axis, const RowIndex& index, std::int64_t from, std::int64_t to, double x0, double dx,
                  double width) {
    const auto span = static_cast<double>(std::max<std::int64_t>(1, to - from));
    if (width <= 0) width = 400;  // a chart not laid out yet; keepDateTicksFitting corrects it
    if (auto* dates = qobject_cast<QCategoryAxis*>(axis)) {
        for (const QString& label : dates->categoriesLabels()) dates->remove(label);
        dates->setRange(static_cast<double>(from), static_cast<double>(to));
        const QFontMetricsF metrics(dates->labelsFont());
        std::vector<DateTick> ticks = dateTicks(index.texts, from, to, width, metrics);
        if (ticks.empty()) {
            // Dates in no format known: as written, as many as fit, a round number of steps apart.
            double labelWidth = 60;
            if (!index.texts.empty()) {
                const auto i = static_cast<std::size_t>(std::clamp<std::int64_t>(to, 0, static_cast<std::int64_t>(index.texts.size()) - 1));
                labelWidth = metrics.horizontalAdvance(QString::fromStdString(index.texts[i])) + 16;
            }
            const auto every = std::max<std::int64_t>(1, static_cast<std::int64_t>(roundStep(span, std::max(2.0, std::floor(width / labelWidth)))));
            for (std::int64_t t = (from + every - 1) / every * every; t <= to; t += every) {
                if (t >= 0 && static_cast<std::size_t>(t) < index.texts.size()) {
                    ticks.push_back({t, QString::fromStdString(index.texts[static_cast<std::size_t>(t)])});
                }
            }
        }
        for (const DateTick& tick : ticks) {
            if (!tick.label.isEmpty()) dates->append(tick.label, static_cast<double>(tick.step));
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

void keepDateTicksFitting(QChart* chart, std::function<const RowIndex*()> index) {
    struct Shown {
        const QAbstractAxis* axis = nullptr;
        int width = -1;
        std::int64_t from = -1, to = -1;
    };
    auto shown = std::make_shared<Shown>();
    QObject::connect(chart, &QChart::plotAreaChanged, chart, [chart, index = std::move(index), shown](const QRectF& area) {
        const auto axes = chart->axes(Qt::Horizontal);
        auto* dates = axes.isEmpty() ? nullptr : qobject_cast<QCategoryAxis*>(axes.front());
        const RowIndex* rows = index();
        if (!dates || !rows) return;
        const Shown now{dates, static_cast<int>(area.width()), std::llround(dates->min()), std::llround(dates->max())};
        // New labels may move the plot area by a pixel or two again: that ends it.
        if (now.axis == shown->axis && std::abs(now.width - shown->width) <= 2 && now.from == shown->from && now.to == shown->to) return;
        *shown = now;
        setTimeRange(dates, *rows, now.from, now.to, 0, 1, area.width());
    });
}

}  // namespace loom::ui
