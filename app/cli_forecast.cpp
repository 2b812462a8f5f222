// layerloom-cli forecast: the next steps of a series from a trained forecaster, and how it
// compares with naive forecasts on the validation part.
#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <vector>

#include "cli_analysis.h"
#include "cli_model.h"
#include "cli_settings.h"
#include "data/data_source.h"
#include "data/sample_catalogue.h"
#include "io/atomic_file.h"
#include "service/forecasting.h"

namespace loom::cli {

using nlohmann::json;

namespace {

std::string cell(double v, int digits) {
    if (std::isnan(v)) return {};
    std::ostringstream text;
    text << std::setprecision(digits) << v;
    return text.str();
}

json outcomeJson(const ForecastOutcome& o) {
    json steps = json::array();
    for (std::int64_t h = 0; h < o.horizon; ++h) {
        json values = json::array();
        for (std::int64_t k = 0; k < o.series.features; ++k) values.push_back(o.forecast[static_cast<std::size_t>(h * o.series.features + k)]);
        json step = {{"time", forecastTime(o, o.origin + h)}, {"values", values}};
        const std::int64_t t = o.origin + h;
        if (t < o.series.steps) {  // the data goes on here: its truth and the error
            json truth = json::array(), error = json::array();
            for (std::int64_t k = 0; k < o.series.features; ++k) {
                const double real = o.series.at(t, k);
                truth.push_back(std::isnan(real) ? json(nullptr) : json(real));
                error.push_back(std::isnan(real) ? json(nullptr) : json(values[static_cast<std::size_t>(k)].get<double>() - real));
            }
            step["truth"] = std::move(truth);
            step["error"] = std::move(error);
        }
        steps.push_back(std::move(step));
    }
    const auto number = [](double v) { return std::isnan(v) ? json(nullptr) : json(v); };
    json table = json::array();
    for (const ForecastRow& row : o.table) {
        table.push_back({{"name", row.name}, {"mae", number(row.scores.mae)}, {"rmse", number(row.scores.rmse)},
                         {"mase", number(row.scores.mase)}});
    }
    json doc = {{"window", o.window},
                {"horizon", o.horizon},
                {"features", o.series.names},
                {"forecast", std::move(steps)},
                {"backtest", {{"from", forecastTime(o, o.backtestFrom)}, {"origins", o.origins}, {"table", std::move(table)}}},
                {"verdict", o.verdict},
                {"notes", o.notes}};
    if (o.period) doc["period"] = *o.period, doc["period_detected"] = o.periodDetected;
    return doc;
}

void printOutcome(const ForecastOutcome& o, std::ostream& out) {
    const std::int64_t f = o.series.features;
    out << "Forecast of " << o.horizon << (o.horizon == 1 ? " step" : " steps") << " from a window of " << o.window
        << " steps:\n";
    std::size_t width = std::max<std::size_t>(6, o.index.empty() ? 3 : o.index.name.size());
    for (std::int64_t h = 0; h < o.horizon; ++h) width = std::max(width, forecastTime(o, o.origin + h).size());
    out << "  " << std::left << std::setw(static_cast<int>(width + 2)) << (o.index.empty() ? "row" : o.index.name);
    // Per feature the forecast, and where the data goes on, its truth and error; columns as
    // wide as their names (at least 14), the last one unpadded.
    const bool truth = o.origin < o.series.steps;
    const std::vector<const char*> kinds = truth ? std::vector<const char*>{"forecast", "truth", "error"}
                                                 : std::vector<const char*>{"forecast"};
    std::vector<int> widths;
    for (std::int64_t k = 0; k < f; ++k) {
        for (const char* kind : kinds) widths.push_back(std::max(14, static_cast<int>(forecastColumnName(o, kind, k).size()) + 2));
    }
    widths.back() = 0;
    std::size_t column = 0;
    for (std::int64_t k = 0; k < f; ++k) {
        for (const char* kind : kinds) out << std::setw(widths[column++]) << forecastColumnName(o, kind, k);
    }
    out << "\n";
    for (std::int64_t h = 0; h < o.horizon; ++h) {
        const std::int64_t t = o.origin + h;
        out << "  " << std::setw(static_cast<int>(width + 2)) << forecastTime(o, t);
        column = 0;
        for (std::int64_t k = 0; k < f; ++k) {
            const double forecast = o.forecast[static_cast<std::size_t>(h * f + k)];
            out << std::setw(widths[column++]) << cell(forecast, 6);
            if (!truth) continue;
            const double real = t < o.series.steps ? o.series.at(t, k) : std::nan("");
            out << std::setw(widths[column++]) << (std::isnan(real) ? std::string("-") : cell(real, 6));
            out << std::setw(widths[column++]) << (std::isnan(real) ? std::string("-") : cell(forecast - real, 6));
        }
        out << "\n";
    }
    out << std::right;
    if (o.origins == 0) return;
    out << (o.backtestFrom > 0 ? "\nBacktest on the validation part (from " : "\nBacktest on the whole series (from ") << forecastTime(o, o.backtestFrom) << ", " << o.origins
        << (o.origins == 1 ? " origin" : " origins") << "):\n";
    std::size_t name = 10;
    for (const ForecastRow& row : o.table) name = std::max(name, row.name.size());
    out << "  " << std::left << std::setw(static_cast<int>(name + 2)) << "forecast" << std::setw(12) << "MAE"
        << std::setw(12) << "RMSE" << "MASE\n";
    for (const ForecastRow& row : o.table) {
        out << "  " << std::setw(static_cast<int>(name + 2)) << row.name << std::setw(12) << cell(row.scores.mae, 5)
            << std::setw(12) << cell(row.scores.rmse, 5) << (std::isnan(row.scores.mase) ? "-" : cell(row.scores.mase, 4))
            << "\n";
    }
    out << std::right << o.verdict << "\n";
}

}  // namespace

int forecastCommand(const Args& a, std::ostream& out, std::ostream& err) {
    a.expect({"data", "column", "weights", "run", "horizon", "period", "at", "out", "batch-size"}, {"json"}, 1,
             "a MODEL");
    ForecastRequest request;
    if (auto h = a.integer("horizon", 1)) request.horizon = *h;
    if (auto p = a.integer("period", 1)) request.period = *p;
    if (auto at = a.integer("at", 1)) request.origin = *at - 1;
    return reportingErrors(err, [&] {
        request.model = trainedModel(a);
        request.data = otherSeries(request.model, a);
        const ForecastOutcome o = forecastSeries(request);
        for (const std::string& note : o.notes) err << "layerloom-cli: note: " << note << "\n";
        if (auto target = a.get("out")) writeFileAtomically(*target, forecastCsv(o));
        if (a.flag("json")) {
            out << outcomeJson(o).dump(2) << "\n";
        } else {
            printOutcome(o, out);
        }
        return kOk;
    });
}

}  // namespace loom::cli
