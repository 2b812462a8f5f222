#include "data/windowing.h"

#include <cmath>

namespace loom {

Windows makeWindows(const Series& s, const WindowSpec& spec, const std::vector<double>* labels) {
    if (spec.length < 1 || spec.stride < 1 || spec.horizon < 1) {
        throw DataError("the window length, stride and horizon must be at least 1");
    }
    const bool forecast = spec.target == WindowSpec::Target::Forecast;
    const bool classify = spec.target == WindowSpec::Target::Classification;
    if (classify && (!labels || static_cast<std::int64_t>(labels->size()) != s.steps)) {
        throw DataError("classification windows need one label per step");
    }
    const std::int64_t span = spec.length + (forecast ? spec.horizon : 0);
    if (s.steps < span) {
        throw DataError("the series has " + std::to_string(s.steps) + " steps, fewer than one " +
                        (forecast ? "window plus its forecast horizon (" : "window (") +
                        std::to_string(span) + ")");
    }
    Windows w;
    w.data.xDims = {spec.length, s.features};
    if (classify) {
        w.data.yDims = {1};
    } else if (forecast) {
        w.data.yDims = spec.horizon == 1 ? Dims{s.features} : Dims{spec.horizon, s.features};
    } else {
        w.data.yDims = w.data.xDims;
    }
    for (std::int64_t start = 0; start + span <= s.steps; start += spec.stride) {
        bool gap = false;
        for (std::int64_t i = start * s.features; i < (start + span) * s.features && !gap; ++i) {
            gap = std::isnan(s.values[static_cast<std::size_t>(i)]);
        }
        if (gap) {
            ++w.dropped;
            continue;
        }
        for (std::int64_t t = start; t < start + spec.length; ++t) {
            for (std::int64_t f = 0; f < s.features; ++f) {
                w.data.x.push_back(static_cast<float>(s.at(t, f)));
            }
        }
        if (classify) {
            w.data.y.push_back(static_cast<float>((*labels)[static_cast<std::size_t>(start + spec.length - 1)]));
            w.starts.push_back(start);
            continue;
        }
        const std::int64_t from = forecast ? start + spec.length : start;
        const std::int64_t to = forecast ? from + spec.horizon : start + spec.length;
        for (std::int64_t t = from; t < to; ++t) {
            for (std::int64_t f = 0; f < s.features; ++f) {
                w.data.y.push_back(static_cast<float>(s.at(t, f)));
            }
        }
        w.starts.push_back(start);
    }
    if (w.starts.empty()) {
        throw DataError("every window touches a missing value (" + std::to_string(w.dropped) +
                        " dropped); interpolate the gaps instead");
    }
    return w;
}

}  // namespace loom
