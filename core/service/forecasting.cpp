#include "service/forecasting.h"

#include "io/message_text.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <utility>

#include "data/sample_catalogue.h"
#include "engine/plan.h"

namespace loom {

namespace {

/// A time written as ISO 8601 writes it: "2026-01-05", "2026-01-05 13:00", "2026-01-05T13:00:30".
struct IsoTime {
    std::int64_t seconds = 0;  ///< since 1970-01-01 00:00
    std::size_t length = 10;   ///< 10: a date; 16: with hours and minutes; 19: with seconds
    char separator = ' ';
};

std::optional<IsoTime> parseIsoTime(const std::string& s) {
    if (s.size() != 10 && s.size() != 16 && s.size() != 19) return std::nullopt;
    const auto digits = [&](std::size_t at, std::size_t n) -> std::optional<int> {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return std::nullopt;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    const auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2);
    if (!y || !mo || !d || s[4] != '-' || s[7] != '-') return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*mo)},
                                           std::chrono::day{static_cast<unsigned>(*d)}};
    if (!date.ok()) return std::nullopt;
    IsoTime t;
    t.length = s.size();
    t.seconds = static_cast<std::int64_t>(std::chrono::sys_days{date}.time_since_epoch().count()) * 86400;
    if (s.size() == 10) return t;
    const auto h = digits(11, 2), mi = digits(14, 2);
    if ((s[10] != ' ' && s[10] != 'T') || s[13] != ':' || !h || !mi || *h > 23 || *mi > 59) return std::nullopt;
    t.separator = s[10];
    t.seconds += *h * 3600 + *mi * 60;
    if (s.size() == 16) return t;
    const auto sec = digits(17, 2);
    if (s[16] != ':' || !sec || *sec > 59) return std::nullopt;
    t.seconds += *sec;
    return t;
}

std::string formatIsoTime(std::int64_t seconds, const IsoTime& like) {
    const std::int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
    const std::int64_t rest = seconds - days * 86400;
    const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
    char text[128];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u%c%02lld:%02lld:%02lld", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), like.separator,
                  static_cast<long long>(rest / 3600), static_cast<long long>(rest / 60 % 60),
                  static_cast<long long>(rest % 60));
    return std::string(text, like.length);
}

/// The time `past` steps after the last of `texts`, when they are ISO times a constant step
/// apart at the end (hourly, daily); nothing otherwise.
std::optional<std::string> isoTimeAfter(const std::vector<std::string>& texts, std::int64_t past) {
    constexpr std::size_t kLooked = 4;  // the last rows whose steps must agree
    if (texts.size() < 2) return std::nullopt;
    const std::size_t from = texts.size() - std::min(texts.size(), kLooked);
    std::optional<IsoTime> last;
    std::int64_t step = 0;
    for (std::size_t i = from; i < texts.size(); ++i) {
        const std::optional<IsoTime> t = parseIsoTime(texts[i]);
        if (!t || (last && t->length != last->length)) return std::nullopt;
        if (last) {
            const std::int64_t gap = t->seconds - last->seconds;
            if (gap <= 0 || (step != 0 && gap != step)) return std::nullopt;
            step = gap;
        }
        last = t;
    }
    // Months and years are no constant number of seconds (a 31-day step from Jul 1 to Aug 1
    // is not the next month's): only steps up to four weeks go on.
    constexpr std::int64_t kLongestStep = 28 * 86400;
    if (step > kLongestStep || past > (std::int64_t{1} << 40) / step) return std::nullopt;
    const std::int64_t seconds = last->seconds + step * past;
    constexpr std::int64_t kYear10000 = 253402300800;  // 10000-01-01, past the four-digit years
    if (seconds >= kYear10000) return std::nullopt;
    return formatIsoTime(seconds, *last);
}

/// The model's forecasts of `horizon` steps from each origin, in the model's units, row-major
/// (origin, step, feature): the model's own horizon at a time, its forecasts fed back as the
/// newest steps of the window when more are asked for.
std::vector<double> forecastBatch(Plan<float>& plan, const Series& units, const std::vector<std::int64_t>& origins,
                                  std::int64_t window, std::int64_t modelHorizon, std::int64_t horizon) {
    const std::int64_t f = units.features, sample = window * f, n = static_cast<std::int64_t>(origins.size());
    std::vector<float> inputs(static_cast<std::size_t>(plan.maxBatch() * sample));
    for (std::int64_t b = 0; b < n; ++b) {
        const std::int64_t from = (origins[static_cast<std::size_t>(b)] - window) * f;
        for (std::int64_t i = 0; i < sample; ++i) {
            inputs[static_cast<std::size_t>(b * sample + i)] = static_cast<float>(units.values[static_cast<std::size_t>(from + i)]);
        }
    }
    std::vector<double> out(static_cast<std::size_t>(n * horizon * f));
    for (std::int64_t done = 0; done < horizon; done += modelHorizon) {
        const float* batch[] = {inputs.data()};
        plan.predict(batch, static_cast<int>(n));
        const float* y = plan.output(0);
        const std::int64_t take = std::min(modelHorizon, horizon - done);
        for (std::int64_t b = 0; b < n; ++b) {
            const float* forecast = y + b * modelHorizon * f;
            for (std::int64_t i = 0; i < take * f; ++i) {
                out[static_cast<std::size_t>((b * horizon + done) * f + i)] = static_cast<double>(forecast[i]);
            }
            // The window moves on by the model's horizon: its oldest steps out, the forecast in.
            float* w = inputs.data() + b * sample;
            const std::int64_t keep = std::max<std::int64_t>(0, window - modelHorizon);
            std::copy(w + (window - keep) * f, w + window * f, w);
            const std::int64_t fresh = window - keep;  // the newest forecast steps fill the rest
            std::copy(forecast + (modelHorizon - fresh) * f, forecast + modelHorizon * f, w + keep * f);
        }
    }
    return out;
}

/// Whether steps [from, to) of every feature have values.
bool complete(const Series& s, std::int64_t from, std::int64_t to) {
    if (from < 0 || to > s.steps) return false;
    for (std::int64_t i = from * s.features; i < to * s.features; ++i) {
        if (std::isnan(s.values[static_cast<std::size_t>(i)])) return false;
    }
    return true;
}

}  // namespace

ForecastOutcome forecastSeries(const ForecastRequest& request, const std::function<bool(double)>& progress) {
    const EvaluationRequest& model = request.model;
    DataSpec trainingSpec = model.data;
    chooseDefaultData(trainingSpec);
    Plan<float> plan = scoringPlan(model.graph, model.batchSize, trainingSpec.window > 0 ? trainingSpec.window : 0);
    const Dims& in = plan.dims(plan.inputs().at(0));
    const ModelTask task = requireTask(trainingSpec, plan, WindowSpec::Target::Forecast);
    plan.loadWeights(model.weights);

    ForecastOutcome o;
    o.window = in[0];
    o.modelHorizon = task.horizon;
    o.horizon = request.horizon.value_or(o.modelHorizon);
    if (o.horizon < 1) throw DataError("the horizon must be at least one step");
    // Forecasts fed back on themselves far past the data say nothing; a cap keeps the sizes sane.
    constexpr std::int64_t kMostSteps = 100000;
    if (o.horizon > kMostSteps) {
        throw DataError("a horizon of " + std::to_string(o.horizon) + " steps is more than LayerLoom forecasts (" +
                        std::to_string(kMostSteps) + ")");
    }
    const bool sameSeries = request.data.source.empty();
    const DataSpec& spec = sameSeries ? trainingSpec : request.data;
    IndexedSeries read = readIndexedSeries(spec, model.sampleFolder, "forecasting", progressPart(progress, 0.0, 0.1));
    o.series = std::move(read.series);
    o.index = std::move(read.index);
    const std::int64_t f = o.series.features;

    Normalizer normalizer;
    if (model.normalizer) {
        normalizer = *model.normalizer;
    } else {
        Series fitOn = sameSeries ? o.series
                                  : readIndexedSeries(trainingSpec, model.sampleFolder, "forecasting").series;
        try {
            normalizer = Normalizer::fit(trainingPart(trainingSpec, std::move(fitOn)), trainingSpec.normalize);
        } catch (const DataError& e) {
            throw DataError(trainingSpec.source + ": " + e.what());
        }
    }
    Series units = inModelUnits(o.series, normalizer, spec.source);
    if (f != in[1]) {
        throw DataError(spec.source + ": the data has " + std::to_string(f) + " features, and the model's Input takes " +
                        std::to_string(in[1]));
    }
    if (o.series.steps < o.window) {
        throw DataError(spec.source + ": the series has " + counted(static_cast<std::size_t>(o.series.steps), "step", "steps") +
                        ", fewer than one window of " + std::to_string(o.window));
    }

    // The forecast itself.
    o.origin = request.origin.value_or(o.series.steps);
    if (o.origin < o.window || o.origin > o.series.steps) {
        throw DataError(spec.source + ": a forecast starts at a row from " + std::to_string(o.window + 1) +
                        " (after one window of " + std::to_string(o.window) + " steps) to " +
                        std::to_string(o.series.steps + 1) + " (just past the end), not " + std::to_string(o.origin + 1));
    }
    if (!complete(units, o.origin - o.window, o.origin)) {
        throw DataError(spec.source + ": the window before the forecast (steps " + std::to_string(o.origin - o.window + 1) +
                        " to " + std::to_string(o.origin) + ") has missing values");
    }
    o.forecast = forecastBatch(plan, units, {o.origin}, o.window, o.modelHorizon, o.horizon);
    for (std::int64_t i = 0; i < o.horizon * f; ++i) {
        o.forecast[static_cast<std::size_t>(i)] = normalizer.invert(o.forecast[static_cast<std::size_t>(i)], i % f);
    }

    // The backtest on the validation part, beside the baselines on the same origins.
    const auto [trainPart, validationPart] = splitByTime(o.series, spec.validationSplit);
    o.backtestFrom = trainPart.steps;
    if (validationPart.steps == 0) {
        o.backtestFrom = 0;
        o.notes.push_back("there is no validation part: the backtest runs over the whole series, which the model learnt from");
    }
    const Series& history = validationPart.steps == 0 ? o.series : trainPart;
    o.period = request.period;
    if (!o.period) {
        o.period = detectPeriod(history);
        o.periodDetected = o.period.has_value();
        if (!o.period) o.notes.push_back("no season was found in the series, so the seasonal naive forecast is left out");
    }
    if (request.period && (*request.period < 1 || *request.period > std::max(o.backtestFrom, o.window))) {
        throw DataError("a season of " + std::to_string(*request.period) + " steps needs that much history before the "
                        "backtest's first origin (step " + std::to_string(std::max(o.backtestFrom, o.window) + 1) +
                        "); give a shorter period");
    }
    std::vector<Baseline> baselines = {Baseline::LastValue};
    if (o.period) baselines.push_back(Baseline::Seasonal);
    baselines.push_back(Baseline::WindowMean);
    const std::vector<double> scale = naiveScale(history);
    ForecastScorer modelScores(scale);
    std::vector<ForecastScorer> baselineScores(baselines.size(), ForecastScorer(scale));
    std::vector<double> naive;
    std::vector<std::vector<double>> naiveForecasts(baselines.size());
    const std::int64_t first = std::max(o.backtestFrom, o.window), last = o.series.steps - o.horizon;
    std::vector<std::int64_t> origins;
    const auto flush = [&] {
        if (origins.empty()) return;
        const std::vector<double> y = forecastBatch(plan, units, origins, o.window, o.modelHorizon, o.horizon);
        for (std::size_t b = 0; b < origins.size(); ++b) {
            const std::int64_t at = origins[b];
            std::vector<double> values(static_cast<std::size_t>(o.horizon * f));
            for (std::int64_t i = 0; i < o.horizon * f; ++i) {
                const std::int64_t k = i % f;
                const double v = normalizer.invert(y[b * static_cast<std::size_t>(o.horizon * f) + static_cast<std::size_t>(i)], k);
                values[static_cast<std::size_t>(i)] = v;
                modelScores.add(k, v, o.series.values[static_cast<std::size_t>(at * f + i)]);
            }
            for (std::size_t k = 0; k < baselines.size(); ++k) {
                baselineForecast(baselines[k], o.series, at, o.window, o.horizon, o.period.value_or(0), naive);
                for (std::int64_t i = 0; i < o.horizon * f; ++i) {
                    baselineScores[k].add(i % f, naive[static_cast<std::size_t>(i)],
                                          o.series.values[static_cast<std::size_t>(at * f + i)]);
                }
            }
            // For plots: origins a horizon apart, at most a few thousand of them.
            if ((at - first) % o.horizon == 0 && o.samples.size() < 5000) o.samples.emplace_back(at, std::move(values));
        }
        o.origins += static_cast<std::int64_t>(origins.size());
        origins.clear();
    };
    std::int64_t skipped = 0;
    for (std::int64_t at = first; at <= last; ++at) {
        // An origin counts when the model's window, the truth and every baseline are there.
        bool usable = complete(units, at - o.window, at + o.horizon);
        for (std::size_t k = 0; usable && k < baselines.size(); ++k) {
            usable = baselineForecast(baselines[k], o.series, at, o.window, o.horizon, o.period.value_or(0), naive);
        }
        if (!usable) {
            ++skipped;
            continue;
        }
        origins.push_back(at);
        if (static_cast<int>(origins.size()) == plan.maxBatch()) {
            flush();
            if (progress && !progress(0.1 + 0.9 * static_cast<double>(at - first + 1) / static_cast<double>(last - first + 1))) {
                throw ReadCancelled();
            }
        }
    }
    flush();
    if (o.origins == 0 && skipped == 0) {
        o.notes.push_back("the validation part has no stretch of " + std::to_string(o.window + o.horizon) +
                          " steps (a window and the horizon) to backtest on");
    } else if (skipped > 0) {
        o.notes.push_back(std::to_string(skipped) + " of " + std::to_string(skipped + o.origins) +
                          " origins were left out of the backtest: a missing value in their window or truth, or "
                          "too little history for the seasonal naive forecast");
    }
    o.table.push_back({"model", modelScores.scores()});
    for (std::size_t k = 0; k < baselines.size(); ++k) {
        o.table.push_back({baselineName(baselines[k], o.period.value_or(0)), baselineScores[k].scores()});
    }
    o.verdict = forecastVerdict(o.table[0].scores, o.table[1].scores);
    return o;
}

std::string forecastTime(const ForecastOutcome& o, std::int64_t t) {
    if (t < o.series.steps) return o.index.label(t);
    const std::int64_t past = t - o.series.steps + 1;
    const RowIndex& index = o.index;
    if (index.values.size() >= 2 && risesEvenly(index.values)) {
        const double step = index.values[1] - index.values[0];
        return csvNumber(index.values.back() + step * static_cast<double>(past), 15);
    }
    if (!index.texts.empty()) {
        if (std::optional<std::string> next = isoTimeAfter(index.texts, past)) return *next;
        return index.texts.back() + " +" + std::to_string(past);
    }
    return std::to_string(t + 1);
}

std::string forecastColumnName(const ForecastOutcome& o, const char* what, std::int64_t k) {
    if (o.series.features == 1) return what;
    const auto i = static_cast<std::size_t>(k);
    return std::string(what) + "_" + (i < o.series.names.size() ? o.series.names[i] : std::to_string(k + 1));
}

std::string forecastCsv(const ForecastOutcome& o) {
    const bool truth = o.origin < o.series.steps;
    const std::int64_t f = o.series.features;
    std::string text = csvCell(o.index.empty() ? std::string("row") : o.index.name);
    for (std::int64_t k = 0; k < f; ++k) {
        text.append(",").append(csvCell(forecastColumnName(o, "forecast", k)));
        if (truth) {
            text.append(",").append(csvCell(forecastColumnName(o, "truth", k)));
            text.append(",").append(csvCell(forecastColumnName(o, "error", k)));
        }
    }
    text += "\n";
    for (std::int64_t h = 0; h < o.horizon; ++h) {
        const std::int64_t t = o.origin + h;
        text += csvCell(forecastTime(o, t));
        for (std::int64_t k = 0; k < f; ++k) {
            const double forecast = o.forecast[static_cast<std::size_t>(h * f + k)];
            text.append(",").append(csvNumber(forecast));
            if (!truth) continue;
            const double real = t < o.series.steps ? o.series.at(t, k) : std::nan("");
            text.append(",").append(csvNumber(real)).append(",").append(csvNumber(forecast - real));
        }
        text += "\n";
    }
    return text;
}

}  // namespace loom
