#pragma once

#include <QList>
#include <QPointF>
#include <cmath>
#include <vector>

namespace loom::ui {

/// Points for a line chart of `values` at x = x0, x0 + dx, ...: all of them when there are at
/// most 2 * buckets, else the lowest and the highest point of each of `buckets` runs,
/// so that a 100,000-point series draws as fast as a short one and keeps its spikes.
/// Values that are not finite are left out.
template <class T>
QList<QPointF> decimated(const std::vector<T>& values, double x0, double dx, int buckets = 1500) {
    QList<QPointF> out;
    const std::size_t n = values.size();
    auto point = [&](std::size_t i) { return QPointF(x0 + dx * static_cast<double>(i), static_cast<double>(values[i])); };
    if (n <= static_cast<std::size_t>(2 * buckets)) {
        out.reserve(static_cast<qsizetype>(n));
        for (std::size_t i = 0; i < n; ++i) {
            if (std::isfinite(static_cast<double>(values[i]))) out.append(point(i));
        }
        return out;
    }
    out.reserve(buckets * 2);
    for (int b = 0; b < buckets; ++b) {
        const std::size_t begin = n * static_cast<std::size_t>(b) / static_cast<std::size_t>(buckets);
        const std::size_t end = n * static_cast<std::size_t>(b + 1) / static_cast<std::size_t>(buckets);
        std::size_t lo = begin, hi = begin;
        bool any = false;
        for (std::size_t i = begin; i < end; ++i) {
            if (!std::isfinite(static_cast<double>(values[i]))) continue;
            if (!any || values[i] < values[lo]) lo = i;
            if (!any || values[i] > values[hi]) hi = i;
            any = true;
        }
        if (!any) continue;
        // In x order, so that the line does not double back.
        const std::size_t a = std::min(lo, hi), c = std::max(lo, hi);
        out.append(point(a));
        if (c != a) out.append(point(c));
    }
    return out;
}

/// An exponential moving average (TensorBoard's smoothing), for noisy per-batch losses.
template <class T>
std::vector<double> smoothed(const std::vector<T>& values, double weight = 0.9) {
    std::vector<double> out(values.size());
    double last = 0.0, norm = 0.0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double v = static_cast<double>(values[i]);
        if (!std::isfinite(v)) {
            out[i] = v;
            continue;
        }
        last = last * weight + v * (1 - weight);
        norm = norm * weight + (1 - weight);
        out[i] = last / norm;
    }
    return out;
}

}  // namespace loom::ui
