#include "train/config_json.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "io/message_text.h"

namespace loom {

using nlohmann::json;

namespace {

template <class T>
T get(const json& j, const char* key, T fallback) {
    if (!j.is_object() || !j.contains(key) || j[key].is_null()) return fallback;
    try {
        return j[key].get<T>();
    } catch (const json::exception&) {
        throw std::runtime_error(std::string("training setting '") + key + "' has the wrong type (" +
                                 j[key].dump() + ")");
    }
}

const char* normalizeName(Normalizer::Kind k) {
    return k == Normalizer::Kind::ZScore ? "zscore" : k == Normalizer::Kind::MinMax ? "minmax" : "none";
}

const char* missingName(MissingPolicy p) {
    return p == MissingPolicy::Interpolate ? "interpolate" : p == MissingPolicy::DropWindows ? "drop" : "error";
}

const char* scheduleName(LearningRateSchedule::Kind k) {
    switch (k) {
        case LearningRateSchedule::Kind::StepDecay: return "step";
        case LearningRateSchedule::Kind::Cosine: return "cosine";
        case LearningRateSchedule::Kind::ReduceOnPlateau: return "plateau";
        case LearningRateSchedule::Kind::Constant: break;
    }
    return "constant";
}

/// {"0": 1.0, "1": 4.5}: class indexes (as JSON keys are text) and their weights.
std::map<std::int64_t, double> classWeightFromJson(const json& j) {
    if (!j.is_object()) throw std::runtime_error("training setting 'class_weight' must map classes to weights");
    std::map<std::int64_t, double> weights;
    for (const auto& [key, value] : j.items()) {
        std::int64_t cls = -1;
        const bool digits = !key.empty() && key.size() <= 9 &&
                            std::all_of(key.begin(), key.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
        if (digits) cls = std::stoll(key);
        if (cls < 0) {
            throw std::runtime_error("training setting 'class_weight' names class '" + printableExcerpt(key, 20) +
                                     "'; classes are numbered 0, 1, ...");
        }
        if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < 0) {
            throw std::runtime_error("training setting 'class_weight' gives class " + key + " the weight " +
                                     printableExcerpt(value.dump(), 20) + "; weights are numbers of at least 0");
        }
        weights[cls] = value.get<double>();
    }
    return weights;
}

/// ["mae", "auc"]: Keras's metric names; each kept once, in the order given.
std::vector<Metric> metricsFromJson(const json& j) {
    if (!j.is_array()) throw std::runtime_error("training setting 'metrics' must be a list of metric names");
    std::vector<Metric> metrics;
    for (const json& item : j) {
        const std::string name = item.is_string() ? item.get<std::string>() : item.dump();
        const auto metric = parseMetric(name);
        if (!metric) {
            std::string known;
            for (Metric m : allMetrics()) known += (known.empty() ? "" : ", ") + metricName(m);
            throw std::runtime_error("unknown metric '" + printableExcerpt(name, 40) + "' (LayerLoom computes " + known + ")");
        }
        if (std::find(metrics.begin(), metrics.end(), *metric) == metrics.end()) metrics.push_back(*metric);
    }
    return metrics;
}

const char* modeName(Monitor::Mode m) {
    return m == Monitor::Mode::Min ? "min" : m == Monitor::Mode::Max ? "max" : "auto";
}

/// "val_auc", "auc" or {"quantity": "auc", "mode": "max"}: what early stopping and the
/// plateau schedule watch. Keras's val_ prefix is read as the quantity itself, since LayerLoom
/// watches the validation value whenever there is validation data.
Monitor monitorFromJson(const json& j) {
    if (!j.is_string() && !j.is_object()) {
        throw std::runtime_error("training setting 'monitor' is " + printableExcerpt(j.dump(), 40) +
                                 "; it names the loss or a metric (\"val_auc\", or {\"quantity\": \"auc\", \"mode\": \"max\"})");
    }
    Monitor m;
    std::string quantity = j.is_string() ? j.get<std::string>() : get<std::string>(j, "quantity", "loss");
    if (quantity.rfind("val_", 0) == 0) quantity = quantity.substr(4);
    // A model with several outputs reports each one's loss and metrics after its name
    // ("dense_1_loss", "dense_1_mae"); whether the model has that output is the run's to say.
    if (quantity != "loss" && !quantity.ends_with("_loss")) {
        if (const auto metric = parseMetric(quantity)) {
            quantity = metricName(*metric);
        } else if (!quantityMetric(quantity)) {
            throw std::runtime_error("training setting 'monitor' names '" + printableExcerpt(quantity, 40) +
                                     "', which is neither the loss nor a metric");
        }
    }
    m.quantity = quantity;
    const std::string mode = j.is_object() ? get<std::string>(j, "mode", "auto") : "auto";
    if (mode == "min") m.mode = Monitor::Mode::Min;
    else if (mode == "max") m.mode = Monitor::Mode::Max;
    else if (mode != "auto") throw std::runtime_error("training setting 'monitor' has the mode '" + printableExcerpt(mode, 20) + "' (auto, min or max)");
    return m;
}

/// {"dense_1": {"loss": "mse", "loss_weight": 0.5, "metrics": ["mae"]}}: how the outputs of a
/// model with several train, where they differ from the run's loss and metrics.
std::vector<OutputLoss> outputLossesFromJson(const json& j, const TrainConfig& run) {
    if (!j.is_object()) throw std::runtime_error("training setting 'outputs' must map output layers to their losses");
    std::vector<OutputLoss> outputs;
    for (const auto& [name, entry] : j.items()) {
        const std::string about = "training setting 'outputs' for '" + printableExcerpt(name, 40) + "'";
        if (name.empty() || !entry.is_object()) throw std::runtime_error(about + " must name a layer and hold its loss");
        OutputLoss o{name, run.loss, run.fromLogits, 1.0, run.metrics};
        if (entry.contains("loss") && !entry["loss"].is_null()) {
            const std::string lossText = entry["loss"].is_string() ? entry["loss"].get<std::string>() : entry["loss"].dump();
            const auto loss = parseLoss(lossText);
            if (!loss) throw std::runtime_error(about + " names the unknown loss '" + printableExcerpt(lossText, 40) + "'");
            o.loss = *loss;
        }
        o.fromLogits = get(entry, "from_logits", o.fromLogits) && isClassification(o.loss);
        o.weight = get(entry, "loss_weight", 1.0);
        if (!std::isfinite(o.weight) || o.weight < 0) {
            throw std::runtime_error(about + " gives the loss weight " + printableExcerpt(entry["loss_weight"].dump(), 20) +
                                     "; weights are numbers of at least 0");
        }
        if (entry.contains("metrics") && !entry["metrics"].is_null()) o.metrics = metricsFromJson(entry["metrics"]);
        outputs.push_back(std::move(o));
    }
    return outputs;
}

}  // namespace

TrainConfig trainConfigFromJson(const json& t) {
    TrainConfig c;
    const std::string lossName_ = get<std::string>(t, "loss", "mse");
    const auto loss = parseLoss(lossName_);
    if (!loss) throw std::runtime_error("unknown loss '" + lossName_ + "'");
    c.loss = *loss;
    // Only the cross-entropies take logits; for the others the setting means nothing.
    c.fromLogits = get(t, "from_logits", false) && isClassification(c.loss);
    const json opt = t.is_object() && t.contains("optimizer") ? t["optimizer"] : json::object();
    const std::string optName = opt.is_string() ? opt.get<std::string>() : get<std::string>(opt, "name", "adam");
    const auto defaults = OptimizerConfig::defaultsFor(optName);
    if (!defaults) throw std::runtime_error("unknown optimizer '" + optName + "'");
    c.optimizer = *defaults;
    if (opt.is_object()) {
        c.optimizer.learningRate = get(opt, "learning_rate", c.optimizer.learningRate);
        c.optimizer.beta1 = get(opt, "beta_1", c.optimizer.beta1);
        c.optimizer.beta2 = get(opt, "beta_2", c.optimizer.beta2);
        c.optimizer.epsilon = get(opt, "epsilon", c.optimizer.epsilon);
        c.optimizer.amsgrad = get(opt, "amsgrad", c.optimizer.amsgrad);
        // Files written before weight decay applied to every optimizer (they have no amsgrad
        // key) wrote AdamW's default, 0.004, for all of them, and only AdamW used it.
        const double decay = get(opt, "weight_decay", c.optimizer.weightDecay);
        const bool legacy = c.optimizer.kind != OptimizerConfig::Kind::AdamW && !opt.contains("amsgrad") && decay == 0.004;
        if (!legacy) c.optimizer.weightDecay = decay;
        c.optimizer.rho = get(opt, "rho", c.optimizer.rho);
        c.optimizer.momentum = get(opt, "momentum", c.optimizer.momentum);
        c.optimizer.nesterov = get(opt, "nesterov", c.optimizer.nesterov);
        if (opt.contains("clipnorm") && !opt["clipnorm"].is_null()) c.optimizer.clipNorm = get(opt, "clipnorm", 1.0);
        if (opt.contains("clipvalue") && !opt["clipvalue"].is_null()) c.optimizer.clipValue = get(opt, "clipvalue", 1.0);
    }
    if (t.is_object() && t.contains("class_weight") && !t["class_weight"].is_null()) {
        c.classWeight = classWeightFromJson(t["class_weight"]);
    }
    if (t.is_object() && t.contains("metrics") && !t["metrics"].is_null()) c.metrics = metricsFromJson(t["metrics"]);
    if (t.is_object() && t.contains("monitor") && !t["monitor"].is_null()) c.monitor = monitorFromJson(t["monitor"]);
    if (t.is_object() && t.contains("outputs") && !t["outputs"].is_null()) c.outputLosses = outputLossesFromJson(t["outputs"], c);
    c.epochs = get(t, "epochs", c.epochs);
    c.batchSize = get(t, "batch_size", c.batchSize);
    c.seed = get<std::uint64_t>(t, "seed", c.seed);
    c.shuffle = get(t, "shuffle", c.shuffle);
    if (t.is_object() && t.contains("early_stopping")) {
        const json& e = t["early_stopping"];
        c.earlyStopping.enabled = get(e, "enabled", true);
        c.earlyStopping.patience = get(e, "patience", c.earlyStopping.patience);
        c.earlyStopping.minDelta = get(e, "min_delta", c.earlyStopping.minDelta);
        c.earlyStopping.restoreBestWeights = get(e, "restore_best_weights", true);
    }
    if (t.is_object() && t.contains("schedule")) {
        const json& s = t["schedule"];
        const std::string kind = get<std::string>(s, "kind", "constant");
        if (kind == "step") c.schedule.kind = LearningRateSchedule::Kind::StepDecay;
        else if (kind == "cosine") c.schedule.kind = LearningRateSchedule::Kind::Cosine;
        else if (kind == "plateau") c.schedule.kind = LearningRateSchedule::Kind::ReduceOnPlateau;
        else if (kind != "constant") throw std::runtime_error("unknown learning-rate schedule '" + kind + "'");
        c.schedule.factor = get(s, "factor", c.schedule.factor);
        c.schedule.everyEpochs = get(s, "every_epochs", c.schedule.everyEpochs);
        c.schedule.patience = get(s, "patience", c.schedule.patience);
        c.schedule.minLearningRate = get(s, "min_learning_rate", c.schedule.minLearningRate);
    }
    if (c.epochs < 1) throw std::runtime_error("training setting 'epochs' must be at least 1");
    if (c.batchSize < 1) throw std::runtime_error("training setting 'batch_size' must be at least 1");
    if (!(c.optimizer.learningRate > 0)) {
        throw std::runtime_error("training setting 'learning_rate' must be positive");
    }
    if (!(c.optimizer.weightDecay >= 0 && std::isfinite(c.optimizer.weightDecay))) {
        throw std::runtime_error("training setting 'weight_decay' must be a number of at least 0");
    }
    return c;
}

json trainConfigToJson(const TrainConfig& c) {
    json opt = {{"name", c.optimizer.name()},
                {"learning_rate", c.optimizer.learningRate},
                {"beta_1", c.optimizer.beta1},
                {"beta_2", c.optimizer.beta2},
                {"epsilon", c.optimizer.epsilon},
                {"amsgrad", c.optimizer.amsgrad},
                {"weight_decay", c.optimizer.weightDecay},
                {"rho", c.optimizer.rho},
                {"momentum", c.optimizer.momentum},
                {"nesterov", c.optimizer.nesterov},
                {"clipnorm", c.optimizer.clipNorm ? json(*c.optimizer.clipNorm) : json(nullptr)},
                {"clipvalue", c.optimizer.clipValue ? json(*c.optimizer.clipValue) : json(nullptr)}};
    json j = {{"loss", lossName(c.loss)},
              {"from_logits", c.fromLogits},
              {"optimizer", opt},
              {"epochs", c.epochs},
              {"batch_size", c.batchSize},
              {"seed", c.seed},
              {"shuffle", c.shuffle},
              {"schedule",
               {{"kind", scheduleName(c.schedule.kind)},
                {"factor", c.schedule.factor},
                {"every_epochs", c.schedule.everyEpochs},
                {"patience", c.schedule.patience},
                {"min_learning_rate", c.schedule.minLearningRate}}}};
    if (!c.classWeight.empty()) {
        json weights = json::object();
        for (const auto& [cls, weight] : c.classWeight) weights[std::to_string(cls)] = weight;
        j["class_weight"] = weights;
    }
    if (!c.metrics.empty()) {
        json names = json::array();
        for (Metric m : c.metrics) names.push_back(metricName(m));
        j["metrics"] = names;
    }
    if (c.monitor.quantity != "loss" || c.monitor.mode != Monitor::Mode::Auto) {
        j["monitor"] = {{"quantity", c.monitor.quantity}, {"mode", modeName(c.monitor.mode)}};
    }
    if (!c.outputLosses.empty()) {
        json outputs = json::object();
        for (const OutputLoss& o : c.outputLosses) {
            json names = json::array();
            for (Metric m : o.metrics) names.push_back(metricName(m));
            outputs[o.output] = {{"loss", lossName(o.loss)}, {"from_logits", o.fromLogits}, {"loss_weight", o.weight}, {"metrics", names}};
        }
        j["outputs"] = outputs;
    }
    if (c.earlyStopping.enabled) {
        j["early_stopping"] = {{"enabled", true},
                               {"patience", c.earlyStopping.patience},
                               {"min_delta", c.earlyStopping.minDelta},
                               {"restore_best_weights", c.earlyStopping.restoreBestWeights}};
    }
    return j;
}

DataSpec dataSpecFromJson(const json& d) {
    DataSpec s;
    s.source = get<std::string>(d, "source", "");
    s.target = get<std::string>(d, "target", "");
    s.columns = get<std::vector<std::string>>(d, "columns", {});
    s.labelColumn = get<std::string>(d, "label_column", "");
    for (auto& [layer, columns] : get<std::map<std::string, std::vector<std::string>>>(d, "layer_columns", {})) {
        s.layerColumns.emplace(layer, std::move(columns));
    }
    if (d.is_object() && d.contains("task") && !d["task"].is_null()) {
        const std::string name = get<std::string>(d, "task", "");
        const auto target = parseTaskName(name);
        if (!target) {
            throw std::runtime_error("unknown task '" + printableExcerpt(name, 40) + "' (reconstruct, forecast or classify)");
        }
        ModelTask task{*target, 1};
        if (task.target == WindowSpec::Target::Forecast) {
            const nlohmann::json& horizon = d.contains("horizon") ? d["horizon"] : nlohmann::json(1);
            if (!horizon.is_number_integer()) {
                throw std::runtime_error("a forecast's horizon must be a whole number of steps, not " +
                                         printableExcerpt(horizon.dump(), 40));
            }
            task.horizon = horizon.get<std::int64_t>();
            if (task.horizon < 1 || task.horizon > kMostHorizonSteps) {
                throw std::runtime_error("a forecast's horizon must be from 1 to " + std::to_string(kMostHorizonSteps) +
                                         " steps, not " + std::to_string(task.horizon));
            }
        }
        s.task = task;
    }
    s.window = get<std::int64_t>(d, "window", 0);
    s.stride = get<std::int64_t>(d, "stride", 1);
    s.syntheticSteps = get<std::int64_t>(d, "synthetic_steps", s.syntheticSteps);
    s.seed = get<std::uint64_t>(d, "seed", s.seed);
    s.validationSplit = get(d, "validation_split", s.validationSplit);
    const std::string norm = get<std::string>(d, "normalize", "zscore");
    if (norm == "zscore") s.normalize = Normalizer::Kind::ZScore;
    else if (norm == "minmax") s.normalize = Normalizer::Kind::MinMax;
    else if (norm == "none") s.normalize = Normalizer::Kind::None;
    else throw std::runtime_error("unknown normalisation '" + norm + "' (zscore, minmax or none)");
    const std::string missing = get<std::string>(d, "missing", "error");
    if (missing == "error") s.missing = MissingPolicy::Error;
    else if (missing == "drop") s.missing = MissingPolicy::DropWindows;
    else if (missing == "interpolate") s.missing = MissingPolicy::Interpolate;
    else throw std::runtime_error("unknown missing-value policy '" + missing + "' (error, drop or interpolate)");
    if (s.validationSplit < 0 || s.validationSplit >= 1) {
        throw std::runtime_error("the validation split must be at least 0 and below 1");
    }
    return s;
}

json dataSpecToJson(const DataSpec& s) {
    json j = {{"source", s.source},           {"target", s.target},
              {"columns", s.columns},         {"label_column", s.labelColumn},
              {"window", s.window},
              {"stride", s.stride},           {"synthetic_steps", s.syntheticSteps},
              {"seed", s.seed},               {"validation_split", s.validationSplit},
              {"normalize", normalizeName(s.normalize)}, {"missing", missingName(s.missing)}};
    if (!s.layerColumns.empty()) {
        json groups = json::object();
        for (const auto& [layer, columns] : s.layerColumns) groups[layer] = columns;
        j["layer_columns"] = groups;
    }
    if (s.task) {
        j["task"] = std::string(taskName(s.task->target));
        if (s.task->target == WindowSpec::Target::Forecast) j["horizon"] = s.task->horizon;
    }
    return j;
}

json normalizerToJson(const Normalizer& n) {
    return {{"kind", normalizeName(n.kind)}, {"shift", n.shift}, {"scale", n.scale}};
}

Normalizer normalizerFromJson(const json& j) {
    Normalizer n;
    const std::string kind = get<std::string>(j, "kind", "none");
    if (kind == "zscore") {
        n.kind = Normalizer::Kind::ZScore;
    } else if (kind == "minmax") {
        n.kind = Normalizer::Kind::MinMax;
    } else if (kind != "none") {
        throw std::runtime_error("the normalizer's kind is '" + printableExcerpt(kind) +
                                 "', not zscore, minmax or none");
    }
    if (n.kind == Normalizer::Kind::None) return n;
    n.shift = get<std::vector<double>>(j, "shift", {});
    n.scale = get<std::vector<double>>(j, "scale", {});
    // One shift and one scale per feature, every one usable: a run folder is outside data.
    if (n.shift.empty() || n.shift.size() != n.scale.size()) {
        throw std::runtime_error("the normalizer needs one shift and one scale per feature; it has " +
                                 std::to_string(n.shift.size()) + " shifts and " +
                                 std::to_string(n.scale.size()) + " scales");
    }
    for (std::size_t f = 0; f < n.shift.size(); ++f) {
        if (!std::isfinite(n.shift[f]) || !std::isfinite(n.scale[f]) || n.scale[f] == 0.0) {
            throw std::runtime_error("the normalizer's feature " + std::to_string(f) +
                                     " has shift " + std::to_string(n.shift[f]) + " and scale " +
                                     std::to_string(n.scale[f]) + "; a scale must be finite and not 0");
        }
    }
    return n;
}

}  // namespace loom
