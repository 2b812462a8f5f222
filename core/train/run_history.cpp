#include "train/run_history.h"

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <set>
#include <stdexcept>

#include "graph/project_file.h"
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
    throw std::runtime_error("unknown run ending '" + s + "'");
}

json epochJson(const EpochReport& e) {
    json gradients = json::object();
    for (const LayerGradient& g : e.gradients) gradients[g.layer] = g.norm;
    return {{"epoch", e.epoch},           {"loss", e.loss},
            {"accuracy", e.accuracy},     {"val_loss", e.valLoss},
            {"val_accuracy", e.valAccuracy}, {"learning_rate", e.learningRate},
            {"seconds", e.elapsedSeconds}, {"samples_per_second", e.samplesPerSecond},
            {"gradients", gradients}};
}

EpochReport epochFrom(const json& j) {
    EpochReport e;
    e.epoch = j.at("epoch").get<int>();
    e.loss = j.at("loss").get<double>();
    e.accuracy = j.value("accuracy", -1.0);
    e.valLoss = j.value("val_loss", -1.0);
    e.valAccuracy = j.value("val_accuracy", -1.0);
    e.learningRate = j.value("learning_rate", 0.0);
    e.elapsedSeconds = j.value("seconds", 0.0);
    e.samplesPerSecond = j.value("samples_per_second", 0.0);
    if (j.contains("gradients")) {
        for (const auto& [layer, norm] : j["gradients"].items()) e.gradients.push_back({layer, norm.get<double>()});
    }
    return e;
}

std::string layerKind(const Node& n) { return n.kind == "InputLayer" ? "Input" : n.kind; }

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
            {"parameters", run.parameters}};
}

TrainingRun runFromJson(const json& j) {
    TrainingRun run;
    try {
        run.number = j.at("number").get<int>();
        run.started = j.value("started", std::string());
        json doc = {{"format", kProjectFormat}, {"version", kProjectVersion}, {"graph", j.at("graph")}};
        run.graph = parseProject(doc.dump(), "run " + std::to_string(run.number)).graph;
        run.training = j.value("training", json::object());
        for (const json& e : j.at("history")) run.history.push_back(epochFrom(e));
        run.batchLosses = j.value("batch_losses", std::vector<float>{});
        run.batchLossEvery = std::max(1, j.value("batch_loss_every", 1));
        run.batchesPerEpoch = j.value("batches_per_epoch", 0);
        run.reason = reasonFrom(j.value("ending", std::string("finished")));
        run.outcome = j.value("outcome", std::string());
        run.parameters = j.value("parameters", std::int64_t{0});
    } catch (const json::exception& e) {
        throw std::runtime_error("a saved training run is damaged: " + std::string(e.what()));
    }
    return run;
}

std::string historyCsv(const std::vector<EpochReport>& history) {
    std::ostringstream csv;
    csv << "epoch,loss,val_loss,accuracy,val_accuracy,learning_rate,seconds\n";
    auto cell = [](double v) {
        return v < 0 ? std::string() : (std::ostringstream() << std::setprecision(9) << v).str();
    };
    for (const EpochReport& e : history) {
        csv << e.epoch << "," << cell(e.loss) << "," << cell(e.valLoss) << "," << cell(e.accuracy) << ","
            << cell(e.valAccuracy) << "," << cell(e.learningRate) << "," << cell(e.elapsedSeconds) << "\n";
    }
    return csv.str();
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
            if (from && to) w.insert(from->name + " -> " + to->name);
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

}  // namespace loom
