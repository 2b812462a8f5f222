#include "analysis/forecast.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

namespace loom {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string number(double v) {
    std::ostringstream text;
    text << std::setprecision(4) << v;
    return text.str();
}

}  // namespace

ForecastScorer::ForecastScorer(std::vector<double> scale)
    : m_scale(std::move(scale)), m_absolute(m_scale.size(), 0.0), m_squared(m_scale.size(), 0.0),
      m_count(m_scale.size(), 0) {}

void ForecastScorer::add(std::int64_t feature, double forecast, double truth) {
    const auto i = static_cast<std::size_t>(feature);
    const double d = forecast - truth;
    m_absolute[i] += std::abs(d);
    m_squared[i] += d * d;
    ++m_count[i];
}

ForecastScores ForecastScorer::scores() const {
    double absolute = 0.0, squared = 0.0, scaled = 0.0;
    std::int64_t count = 0, features = 0;
    bool scalable = true;  // every scored feature moves in the training part
    for (std::size_t i = 0; i < m_count.size(); ++i) {
        if (m_count[i] == 0) continue;
        absolute += m_absolute[i];
        squared += m_squared[i];
        count += m_count[i];
        ++features;
        if (m_scale[i] > 0) {
            scaled += m_absolute[i] / static_cast<double>(m_count[i]) / m_scale[i];
        } else {
            scalable = false;
        }
    }
    if (count == 0) return {kNaN, kNaN, kNaN, 0};
    const auto n = static_cast<double>(count);
    return {absolute / n, std::sqrt(squared / n), scalable ? scaled / static_cast<double>(features) : kNaN, count};
}

std::vector<double> naiveScale(const Series& train) {
    std::vector<double> scale(static_cast<std::size_t>(train.features), kNaN);
    for (std::int64_t f = 0; f < train.features; ++f) {
        double sum = 0.0;
        std::int64_t count = 0;
        for (std::int64_t t = 1; t < train.steps; ++t) {
            const double d = train.at(t, f) - train.at(t - 1, f);
            if (std::isnan(d)) continue;
            sum += std::abs(d);
            ++count;
        }
        if (count > 0) scale[static_cast<std::size_t>(f)] = sum / static_cast<double>(count);
    }
    return scale;
}

std::optional<std::int64_t> detectPeriod(const Series& series, std::int64_t maxPeriod) {
    // The last stretch of the first feature, its gaps filled with its mean.
    const std::int64_t n = std::min<std::int64_t>(series.steps, 20000);
    const std::int64_t from = series.steps - n;
    std::vector<double> x;
    x.reserve(static_cast<std::size_t>(n));
    double sum = 0.0;
    std::int64_t count = 0;
    for (std::int64_t t = from; t < series.steps; ++t) {
        const double v = series.features > 0 ? series.at(t, 0) : kNaN;
        x.push_back(v);
        if (!std::isnan(v)) sum += v, ++count;
    }
    if (count < 6) return std::nullopt;
    const double mean = sum / static_cast<double>(count);
    double variance = 0.0;
    for (double& v : x) {
        v = std::isnan(v) ? 0.0 : v - mean;
        variance += v * v;
    }
    if (!(variance > 0)) return std::nullopt;
    const std::int64_t last = std::min(maxPeriod, n / 3);
    std::vector<double> acf(static_cast<std::size_t>(last + 2), 0.0);
    for (std::int64_t lag = 1; lag <= last + 1 && lag < n; ++lag) {
        double s = 0.0;
        for (std::int64_t t = lag; t < n; ++t) s += x[static_cast<std::size_t>(t)] * x[static_cast<std::size_t>(t - lag)];
        acf[static_cast<std::size_t>(lag)] = s / variance;
    }
    std::optional<std::int64_t> best;
    double bestValue = 0.3;
    for (std::int64_t lag = 2; lag <= last; ++lag) {
        const double a = acf[static_cast<std::size_t>(lag)];
        const bool peak = a > acf[static_cast<std::size_t>(lag - 1)] && a >= acf[static_cast<std::size_t>(lag + 1)];
        if (peak && a > bestValue) {
            best = lag;
            bestValue = a;
        }
    }
    return best;
}

std::string baselineName(Baseline baseline, std::int64_t period) {
    switch (baseline) {
        case Baseline::LastValue: return "last value";
        case Baseline::Seasonal: return "seasonal naive (period " + std::to_string(period) + ")";
        case Baseline::WindowMean: return "mean of the window";
    }
    return {};
}

bool baselineForecast(Baseline baseline, const Series& s, std::int64_t origin, std::int64_t window,
                      std::int64_t horizon, std::int64_t period, std::vector<double>& out) {
    const std::int64_t f = s.features;
    out.assign(static_cast<std::size_t>(horizon * f), kNaN);
    if (origin < 1 || origin > s.steps) return false;
    for (std::int64_t k = 0; k < f; ++k) {
        for (std::int64_t h = 0; h < horizon; ++h) {
            double v = kNaN;
            switch (baseline) {
                case Baseline::LastValue: v = s.at(origin - 1, k); break;
                case Baseline::Seasonal: {
                    if (period < 1) return false;
                    const std::int64_t from = origin + h - period * (h / period + 1);
                    if (from < 0) return false;
                    v = s.at(from, k);
                    break;
                }
                case Baseline::WindowMean: {
                    if (window < 1 || origin < window) return false;
                    double sum = 0.0;
                    for (std::int64_t t = origin - window; t < origin; ++t) sum += s.at(t, k);
                    v = sum / static_cast<double>(window);
                    break;
                }
            }
            if (std::isnan(v)) return false;
            out[static_cast<std::size_t>(h * f + k)] = v;
        }
    }
    return true;
}

std::string forecastVerdict(const ForecastScores& model, const ForecastScores& lastValue) {
    if (model.values == 0 || std::isnan(model.mae) || std::isnan(lastValue.mae)) {
        return "There was nothing to compare the model's forecasts with.";
    }
    if (model.mae < lastValue.mae) {
        const double better = lastValue.mae > 0 ? 100.0 * (1.0 - model.mae / lastValue.mae) : 0.0;
        return "The model beats the last-value forecast: its MAE (" + number(model.mae) + ") is " +
               number(better) + "% lower than the last value's (" + number(lastValue.mae) + ").";
    }
    return "The model does not beat the last-value forecast: its MAE (" + number(model.mae) + ") is " +
           (model.mae == lastValue.mae ? std::string("the same as") : "higher than") + " the last value's (" +
           number(lastValue.mae) + "), so repeating the last value forecasts this series at least as well.";
}

}  // namespace loom
