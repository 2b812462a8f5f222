#include "data/series.h"

#include <memory>

#include <algorithm>
#include <cmath>

namespace loom {

std::int64_t Series::missingCount() const {
    return std::count_if(values.begin(), values.end(), [](double v) { return std::isnan(v); });
}

Series seriesFromCsv(const CsvTable& table, const std::vector<std::string>& columns) {
    if (columns.empty()) throw DataError("choose at least one column");
    Series s;
    s.steps = table.rows;
    s.features = static_cast<std::int64_t>(columns.size());
    s.values.resize(static_cast<std::size_t>(s.steps * s.features));
    for (std::size_t f = 0; f < columns.size(); ++f) {
        const CsvColumn& c = table.numericColumn(columns[f]);
        s.names.push_back(c.name);
        for (std::int64_t t = 0; t < s.steps; ++t) {
            s.at(t, static_cast<std::int64_t>(f)) = c.values[static_cast<std::size_t>(t)];
        }
    }
    // Messages name a step by the file's line, with the time column's cell beside it.
    auto lines = std::make_shared<CsvTable>();
    lines->firstDataLine = table.firstDataLine;
    lines->lineShifts = table.lineShifts;
    auto times = table.columns.empty() || table.columns.front().texts.empty()
                     ? nullptr
                     : std::make_shared<const std::vector<std::string>>(table.columns.front().texts);
    s.place = [lines = std::shared_ptr<const CsvTable>(std::move(lines)), times](std::int64_t t) {
        std::string text = "line " + std::to_string(lines->lineOf(t + 1));
        if (times && t >= 0 && t < static_cast<std::int64_t>(times->size()) && !(*times)[static_cast<std::size_t>(t)].empty()) {
            text += " (" + (*times)[static_cast<std::size_t>(t)] + ")";
        }
        return text;
    };
    return s;
}

void handleMissing(Series& s, MissingPolicy policy) {
    if (policy == MissingPolicy::DropWindows || s.missingCount() == 0) return;
    if (policy == MissingPolicy::Error) {
        std::string text;
        for (std::int64_t f = 0; f < s.features; ++f) {
            CsvColumn c;
            c.name = f < static_cast<std::int64_t>(s.names.size()) ? s.names[static_cast<std::size_t>(f)]
                                                                   : "feature " + std::to_string(f + 1);
            for (std::int64_t t = 0; t < s.steps; ++t) {
                if (std::isnan(s.at(t, f))) c.missingRows.push_back(t + 1);
            }
            const auto place = s.place ? std::function<std::string(std::int64_t)>([&s](std::int64_t row) { return s.place(row - 1); })
                                       : std::function<std::string(std::int64_t)>();
            if (!c.missingRows.empty()) text += (text.empty() ? "" : "; ") + describeMissing(c, place);
        }
        throw DataError("the data has gaps: " + text +
                        ". Choose to interpolate them or to drop the windows that touch them.");
    }
    for (std::int64_t f = 0; f < s.features; ++f) {
        std::int64_t last = -1;  // last step with a value
        for (std::int64_t t = 0; t <= s.steps; ++t) {
            if (t < s.steps && std::isnan(s.at(t, f))) continue;
            // Fill (last, t) between two known values, or up to an end.
            for (std::int64_t k = last + 1; k < t; ++k) {
                if (last < 0 && t < s.steps) {
                    s.at(k, f) = s.at(t, f);
                } else if (t >= s.steps && last >= 0) {
                    s.at(k, f) = s.at(last, f);
                } else if (last >= 0) {
                    const double a = s.at(last, f), b = s.at(t, f);
                    s.at(k, f) = a + (b - a) * static_cast<double>(k - last) / static_cast<double>(t - last);
                }
            }
            last = t;
        }
        if (last < 0 || std::isnan(s.at(0, f))) {
            throw DataError("feature '" + (s.names.empty() ? std::to_string(f + 1) : s.names[static_cast<std::size_t>(f)]) +
                            "' has no values at all");
        }
    }
}

std::pair<Series, Series> splitByTime(const Series& s, double fraction) {
    const auto cut = s.steps - static_cast<std::int64_t>(std::llround(static_cast<double>(s.steps) * fraction));
    Series a = s, b = s;
    a.steps = cut;
    a.values.assign(s.values.begin(), s.values.begin() + cut * s.features);
    b.steps = s.steps - cut;
    b.values.assign(s.values.begin() + cut * s.features, s.values.end());
    return {std::move(a), std::move(b)};
}

Normalizer Normalizer::fit(const Series& train, Kind kind) {
    Normalizer n;
    n.kind = kind;
    n.shift.assign(static_cast<std::size_t>(train.features), 0.0);
    n.scale.assign(static_cast<std::size_t>(train.features), 1.0);
    if (kind == Kind::None) return n;
    for (std::int64_t f = 0; f < train.features; ++f) {
        double sum = 0, sq = 0, lo = INFINITY, hi = -INFINITY;
        std::int64_t count = 0;
        for (std::int64_t t = 0; t < train.steps; ++t) {
            const double v = train.at(t, f);
            if (std::isnan(v)) continue;
            sum += v;
            sq += v * v;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
            ++count;
        }
        if (count == 0) continue;
        const auto i = static_cast<std::size_t>(f);
        if (kind == Kind::ZScore) {
            const double mean = sum / static_cast<double>(count);
            const double var = std::max(0.0, sq / static_cast<double>(count) - mean * mean);
            n.shift[i] = mean;
            n.scale[i] = var > 0 ? std::sqrt(var) : 1.0;
        } else {
            n.shift[i] = lo;
            n.scale[i] = hi > lo ? hi - lo : 1.0;
        }
    }
    return n;
}

void Normalizer::apply(Series& s) const {
    if (kind == Kind::None) return;
    if (static_cast<std::int64_t>(shift.size()) != s.features ||
        static_cast<std::int64_t>(scale.size()) != s.features) {
        throw DataError("the normalisation is for " + std::to_string(shift.size()) +
                        " features; the data has " + std::to_string(s.features));
    }
    for (std::int64_t t = 0; t < s.steps; ++t) {
        for (std::int64_t f = 0; f < s.features; ++f) {
            const auto i = static_cast<std::size_t>(f);
            s.at(t, f) = (s.at(t, f) - shift[i]) / scale[i];
        }
    }
}

namespace {

void checkFeatures(const Normalizer& n, std::int64_t features) {
    if (static_cast<std::int64_t>(n.shift.size()) != features || static_cast<std::int64_t>(n.scale.size()) != features) {
        throw DataError("the normalisation is for " + std::to_string(n.shift.size()) + " features; the values have " +
                        std::to_string(features));
    }
}

}  // namespace

void Normalizer::toModelUnits(std::vector<float>& values, std::int64_t features) const {
    if (kind == Kind::None) return;
    checkFeatures(*this, features);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto f = static_cast<std::size_t>(static_cast<std::int64_t>(i) % features);
        values[i] = static_cast<float>((values[i] - shift[f]) / scale[f]);
    }
}

void Normalizer::toDataUnits(std::vector<float>& values, std::int64_t features) const {
    if (kind == Kind::None) return;
    checkFeatures(*this, features);
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = static_cast<float>(invert(values[i], static_cast<std::int64_t>(i) % features));
    }
}

}  // namespace loom
