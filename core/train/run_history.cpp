#include "train/run_history.h"

#include <algorithm>
#include <iomanip>
#include <limits>
#include <sstream>
#include <set>
#include <stdexcept>

#include "graph/project_file.h"
#include "io/json_fields.h"
#include "io/message_text.h"
#include "layers/layer_registry.h"
#include "train/config_json.h"

namespace loom {

using nlohmann::json;

namespace {

const char* reasonName(StopReason r) {
    switch (r) {
        case StopReason::Cancelled: return "stopped";
        case StopReason::EarlyStopped: return "early_stopped";
        case StopReason::NonFinite: return "non_finite";
        case StopReason::InvalidData: return "invalid_data";
        case StopReason::Finished: break;
    }
    return "finished";
}

StopReason reasonFrom(const std::string& s) {
    if (s == "stopped") return StopReason::Cancelled;
    if (s == "early_stopped") return StopReason::EarlyStopped;
    if (s == "non_finite") return StopReason::NonFinite;
    if (s == "invalid_data") return StopReason::InvalidData;
    if (s == "finished") return StopReason::Finished;
    throw std::runtime_error("unknown run ending '" + printableExcerpt(s, 40) + "'");
}

json epochJson(const EpochReport& e) {
    json gradients = json::object();
    for (const LayerGradient& g : e.gradients) gradients[g.layer] = g.norm;
    json j = {{"epoch", e.epoch},           {"loss", e.loss},
              {"accuracy", e.accuracy},     {"val_loss", e.valLoss},
              {"val_accuracy", e.valAccuracy}, {"learning_rate", e.learningRate},
              {"seconds", e.elapsedSeconds}, {"samples_per_second", e.samplesPerSecond},
              {"gradients", gradients}};
    if (!e.metrics.empty()) j["metrics"] = e.metrics;
    return j;
}

/// Whether `name` is a history name of a metric LayerLoom computes: "mae" or "val_mae".
bool isMetricHistoryName(const std::string& name) {
    const std::string base = name.rfind("val_", 0) == 0 ? name.substr(4) : name;
    // A model with several outputs reports each one's loss and metrics after its name.
    if (base.size() > 5 && base.ends_with("_loss")) return true;
    if (const auto metric = parseMetric(base)) return metricName(*metric) == base;
    return quantityMetric(base).has_value();
}

EpochReport epochFrom(const JsonField& j) {
    EpochReport e;
    e.epoch = static_cast<int>(j["epoch"].integer(1, std::numeric_limits<int>::max()));
    e.loss = j["loss"].number();
    e.accuracy = j.numberOr("accuracy", -1.0);
    e.valLoss = j.numberOr("val_loss", -1.0);
    e.valAccuracy = j.numberOr("val_accuracy", -1.0);
    e.learningRate = j.numberOr("learning_rate", 0.0);
    e.elapsedSeconds = j.numberOr("seconds", 0.0);
    e.samplesPerSecond = j.numberOr("samples_per_second", 0.0);
    if (j.has("gradients")) {
        const JsonField gradients = j["gradients"].object();
        for (const auto& [layer, norm] : gradients.value().items()) {
            e.gradients.push_back({layer, JsonField(norm, gradients.pointer() + "/" + layer).number()});
        }
    }
    if (j.has("metrics")) {
        // Names this version does not compute (a later one's metrics) are left out, not shown,
        // and so are values that are no number (a NaN is written as null).
        const JsonField metrics = j["metrics"].object();
        for (const auto& [name, value] : metrics.value().items()) {
            if (isMetricHistoryName(name) && value.is_number()) e.metrics[name] = value.get<double>();
        }
    }
    return e;
}

std::string layerKind(const Node& n) { return n.isInput() ? "Input" : n.kind; }

}  // namespace

double TrainingRun::bestLoss() const {
    double best = -1;
    for (const EpochReport& e : history) {
        const double v = e.valLoss >= 0 ? e.valLoss : e.loss;
        if (best < 0 || v < best) best = v;
    }
    return best;
}

json runToJson(const TrainingRun& run) {
    json history = json::array();
    for (const EpochReport& e : run.history) history.push_back(epochJson(e));
    std::vector<float> losses = run.batchLosses;
    int every = run.batchLossEvery;
    if (losses.size() > kKeptBatchLosses) {
        const std::size_t step = (losses.size() + kKeptBatchLosses - 1) / kKeptBatchLosses;
        std::vector<float> thin;
        for (std::size_t i = 0; i < losses.size(); i += step) thin.push_back(losses[i]);
        losses = std::move(thin);
        every *= static_cast<int>(step);
    }
    Project p;
    p.graph = run.graph;
    return {{"number", run.number},
            {"started", run.started},
            {"graph", json::parse(serializeProject(p))["graph"]},
            {"training", run.training},
            {"history", history},
            {"batch_losses", losses},
            {"batch_loss_every", every},
            {"batches_per_epoch", run.batchesPerEpoch},
            {"ending", reasonName(run.reason)},
            {"outcome", run.outcome},
            {"parameters", run.parameters},
            {"started_from", run.startedFrom}};
}

TrainingRun runFromJson(const json& document) {
    const JsonField j(document, "");
    TrainingRun run;
    run.number = static_cast<int>(j["number"].integer(0, std::numeric_limits<int>::max()));
    run.started = j.textOr("started", std::string());
    json doc = {{"format", kProjectFormat}, {"version", kProjectVersion}, {"graph", j["graph"].value()}};
    try {
        run.graph = parseProject(doc.dump(), "run " + std::to_string(run.number)).graph;
    } catch (const std::runtime_error& e) {
        j["graph"].fail(e.what());
    }
    run.training = j.has("training") && !j["training"].value().is_null() ? j["training"].object().value()
                                                                         : json::object();
    const JsonField history = j["history"];
    for (std::size_t i = 0; i < history.size(); ++i) run.history.push_back(epochFrom(history.at(i)));
    if (j.has("batch_losses")) {
        const JsonField losses = j["batch_losses"];
        run.batchLosses.reserve(std::min<std::size_t>(losses.size(), kKeptBatchLosses));
        for (std::size_t i = 0; i < losses.size(); ++i) {
            run.batchLosses.push_back(static_cast<float>(losses.at(i).number()));
        }
    }
    run.batchLossEvery = static_cast<int>(std::max<std::int64_t>(1, j.has("batch_loss_every")
        ? j["batch_loss_every"].integer(1, std::numeric_limits<int>::max()) : 1));
    run.batchesPerEpoch = static_cast<int>(j.has("batches_per_epoch")
        ? j["batches_per_epoch"].integer(0, std::numeric_limits<int>::max()) : 0);
    try {
        run.reason = reasonFrom(j.textOr("ending", "finished"));
    } catch (const std::runtime_error& e) {
        j["ending"].fail(e.what());
    }
    run.outcome = j.textOr("outcome", std::string());
    run.parameters = j.has("parameters") ? j["parameters"].integer(0, std::numeric_limits<std::int64_t>::max()) : 0;
    run.startedFrom = j.textOr("started_from", std::string());
    return run;
}

std::string historyCsv(const std::vector<EpochReport>& history) {
    std::ostringstream csv;
    // The metrics follow the fixed columns, each beside its validation value, in the order of
    // Keras's names.
    std::vector<std::string> metrics;
    for (const EpochReport& e : history) {
        for (const auto& [name, value] : e.metrics) {
            // Keras's "accuracy" of a model that is no classifier goes into the accuracy columns.
            if (name == "accuracy" || name.rfind("val_", 0) == 0 || std::find(metrics.begin(), metrics.end(), name) != metrics.end()) {
                continue;
            }
            metrics.push_back(name);
        }
    }
    std::sort(metrics.begin(), metrics.end());
    csv << "epoch,loss,val_loss,accuracy,val_accuracy,learning_rate,seconds";
    for (const std::string& name : metrics) csv << "," << name << ",val_" << name;
    csv << "\n";
    auto cell = [](double v) {
        return v < 0 ? std::string() : (std::ostringstream() << std::setprecision(9) << v).str();
    };
    auto metricCell = [&](const EpochReport& e, const std::string& name) {
        const auto found = e.metrics.find(name);
        return found == e.metrics.end() ? std::string() : cell(found->second);
    };
    const auto accuracy = [&](const EpochReport& e, double own, const char* name) {
        return own >= 0 ? cell(own) : metricCell(e, name);
    };
    for (const EpochReport& e : history) {
        csv << e.epoch << "," << cell(e.loss) << "," << cell(e.valLoss) << "," << accuracy(e, e.accuracy, "accuracy") << ","
            << accuracy(e, e.valAccuracy, "val_accuracy") << "," << cell(e.learningRate) << "," << cell(e.elapsedSeconds);
        for (const std::string& name : metrics) csv << "," << metricCell(e, name) << "," << metricCell(e, "val_" + name);
        csv << "\n";
    }
    return csv.str();
}

std::string metricsLine(const EpochReport& e) {
    const bool validation = e.valLoss >= 0;
    std::vector<std::pair<std::string, double>> values;
    if (e.accuracy >= 0) {
        values.emplace_back(validation && e.valAccuracy >= 0 ? "val_accuracy" : "accuracy",
                            validation && e.valAccuracy >= 0 ? e.valAccuracy : e.accuracy);
    }
    for (const auto& [name, value] : e.metrics) {
        // A validation value where there is one, else the training value.
        const bool val = name.rfind("val_", 0) == 0;
        if (val ? validation : !(validation && e.metrics.count("val_" + name))) values.emplace_back(name, value);
    }
    std::string line;
    for (const auto& [name, value] : values) {
        line += (line.empty() ? "" : ", ") + name + " " + (std::ostringstream() << std::setprecision(4) << value).str();
    }
    return line;
}

std::vector<std::string> architectureChanges(const ModelGraph& a, const ModelGraph& b) {
    std::vector<std::string> out;
    auto byName = [](const ModelGraph& g, const std::string& name) -> const Node* {
        for (const Node& n : g.nodes()) {
            if (n.name == name) return &n;
        }
        return nullptr;
    };
    for (const Node& n : a.nodes()) {
        if (!byName(b, n.name)) out.push_back("removed " + n.name + " (" + layerKind(n) + ")");
    }
    for (const Node& n : b.nodes()) {
        const Node* old = byName(a, n.name);
        if (!old) {
            out.push_back("added " + n.name + " (" + layerKind(n) + ")");
            continue;
        }
        if (old->kind != n.kind) {
            out.push_back(n.name + ": " + layerKind(*old) + " -> " + layerKind(n));
            continue;
        }
        // Values as the layer uses them: a parameter left out has its default.
        auto value = [](const Node& node, const ParamSpec& p) {
            const auto it = node.params.find(p.name);
            return formatParam(it == node.params.end() ? p.defaultValue : it->second);
        };
        if (const LayerSpec* spec = findLayer(n.kind)) {
            for (const ParamSpec& p : spec->params()) {
                const std::string from = value(*old, p), to = value(n, p);
                if (from != to) out.push_back(n.name + ": " + p.name + " " + from + " -> " + to);
            }
        }
    }
    auto wires = [](const ModelGraph& g) {
        std::set<std::string> w;
        for (const Edge& e : g.edges()) {
            const Node* from = g.node(e.from.node);
            const Node* to = g.node(e.to.node);
            if (!from || !to) continue;
            // A state wire says which state it carries and where it enters.
            std::string wire = from->name;
            if (e.from.port) wire.append(1, ':').append(std::to_string(e.from.port));
            wire.append(" -> ").append(to->name);
            if (e.from.port || e.to.port) wire.append(1, ':').append(std::to_string(e.to.port));
            w.insert(std::move(wire));
        }
        return w;
    };
    const std::set<std::string> wa = wires(a), wb = wires(b);
    for (const std::string& w : wa) {
        if (!wb.contains(w)) out.push_back("unwired " + w);
    }
    for (const std::string& w : wb) {
        if (!wa.contains(w)) out.push_back("wired " + w);
    }
    return out;
}

std::string runWeightsText(int number) { return "run " + std::to_string(number) + "'s weights"; }

std::optional<int> runNumberOfWeights(std::string_view from) {
    constexpr std::string_view head = "run ", tail = "'s weights";
    if (!from.starts_with(head) || !from.ends_with(tail) || from.size() <= head.size() + tail.size()) return std::nullopt;
    const std::string_view digits = from.substr(head.size(), from.size() - head.size() - tail.size());
    if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    return std::stoi(std::string(digits));
}

}  // namespace loom
