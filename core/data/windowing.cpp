#include "data/windowing.h"

#include "io/message_text.h"

#include <cmath>
#include <memory>

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
    const std::int64_t span = spec.span();
    if (s.steps < span) {
        throw DataError("the series has " + counted(static_cast<std::size_t>(s.steps), "step", "steps") + ", fewer than one " +
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
    // The windows are views into one float copy of the series (issue: a 200 MB CSV).
    auto source = std::make_shared<WindowSource>();
    source->features = s.features;
    source->values.assign(s.values.begin(), s.values.end());
    if (classify) source->labels.assign(labels->begin(), labels->end());
    // A window is dropped when it touches a missing value: count the gaps in the running span.
    std::int64_t gapsInSpan = 0;
    std::int64_t spanStart = 0, spanEnd = 0;  // steps [spanStart, spanEnd) counted
    auto gapsAt = [&](std::int64_t t) {
        std::int64_t g = 0;
        for (std::int64_t f = 0; f < s.features; ++f) g += std::isnan(s.at(t, f)) ? 1 : 0;
        return g;
    };
    for (std::int64_t start = 0; start + span <= s.steps; start += spec.stride) {
        if (start >= spanEnd) {
            gapsInSpan = 0;
            spanStart = spanEnd = start;
        }
        while (spanStart < start) gapsInSpan -= gapsAt(spanStart++);
        while (spanEnd < start + span) gapsInSpan += gapsAt(spanEnd++);
        if (gapsInSpan > 0) {
            ++w.dropped;
            continue;
        }
        w.starts.push_back(start);
    }
    w.data.source = std::move(source);
    w.data.starts = w.starts;
    w.data.yOffset = forecast ? spec.length : 0;
    w.data.yIsLabel = classify;
    if (w.starts.empty()) {
        throw DataError("every window touches a missing value (" + std::to_string(w.dropped) +
                        " dropped); interpolate the gaps instead");
    }
    return w;
}

}  // namespace loom
