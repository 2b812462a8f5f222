#include "cli_settings.h"

#include <sstream>

#include "data/sample_catalogue.h"
#include "io/message_text.h"
#include "train/config_json.h"

namespace loom::cli {

using nlohmann::json;

std::optional<Loss> lossOption(const Args& a) {
    const auto name = a.get("loss");
    if (!name) return std::nullopt;
    const auto loss = parseLoss(*name);
    if (!loss) throw UsageError{"unknown loss '" + *name + "'"};
    return loss;
}

TrainConfig configFrom(const Project& project, const Args& a) {
    json t = project.training;
    TrainConfig c = trainConfigFromJson(t);
    if (auto loss = lossOption(a)) c.loss = *loss;
    if (auto opt = a.get("optimizer")) {
        const auto o = OptimizerConfig::defaultsFor(*opt);
        if (!o) throw UsageError{"unknown optimizer '" + *opt + "' (sgd, adam, adamw, rmsprop)"};
        c.optimizer = *o;
    }
    if (auto lr = a.number("lr")) {
        if (!(*lr > 0)) throw UsageError{"--lr must be positive"};
        c.optimizer.learningRate = *lr;
    }
    if (auto e = a.integer("epochs", 1)) c.epochs = static_cast<int>(*e);
    if (auto b = a.integer("batch-size", 1)) c.batchSize = static_cast<int>(*b);
    if (auto s = a.integer("seed", 0)) c.seed = static_cast<std::uint64_t>(*s);
    if (auto s = a.get("shuffle")) {
        if (*s != "on" && *s != "off") throw UsageError{"--shuffle takes on or off, not '" + *s + "'"};
        c.shuffle = *s == "on";
    }
    if (auto p = a.integer("patience", 1)) {
        c.earlyStopping.enabled = true;
        c.earlyStopping.patience = static_cast<int>(*p);
    }
    return c;
}

/// A problem with the data names the data: the readers' messages begin with the file already;
/// the others (too few steps for one window, say) get the --data source in front.
DataError aboutData(const std::string& source, const DataError& e) {
    const std::string what = e.what();
    return DataError(what.starts_with(source) ? what : source + ": " + what);
}

DataSpec dataFrom(const Project& project, const Args& a) {
    const json stored = project.training.is_object() && project.training.contains("data")
                            ? project.training["data"]
                            : json::object();
    return dataFrom(dataSpecFromJson(stored), a);
}

std::map<std::string, std::vector<std::string>, std::less<>> layerColumnsFrom(const std::string& text) {
    std::map<std::string, std::vector<std::string>, std::less<>> groups;
    std::stringstream list(text);
    for (std::string group; std::getline(list, group, ';');) {
        const auto equals = group.find('=');
        if (equals == std::string::npos || equals == 0) {
            throw UsageError{"--layer-columns takes LAYER=COLUMNS groups separated by ';' (in=a,b;out=c), not '" +
                             printableExcerpt(group, 40) + "'"};
        }
        const std::string layer = group.substr(0, equals);
        if (groups.contains(layer)) throw UsageError{"--layer-columns names '" + printableExcerpt(layer, 40) + "' twice"};
        std::vector<std::string>& columns = groups[layer];
        std::stringstream names(group.substr(equals + 1));
        for (std::string item; std::getline(names, item, ',');) columns.push_back(item);
    }
    return groups;
}

DataSpec dataFrom(DataSpec d, const Args& a) {
    if (auto s = a.get("data")) d.source = *s;
    if (auto t = a.get("target")) d.target = *t;
    if (auto c = a.get("column")) {
        d.columns.clear();
        std::stringstream list(*c);
        for (std::string item; std::getline(list, item, ',');) d.columns.push_back(item);
    }
    if (auto g = a.get("layer-columns")) d.layerColumns = layerColumnsFrom(*g);
    if (auto l = a.get("label")) d.labelColumn = *l;
    if (auto w = a.integer("window", 1)) d.window = *w;
    if (auto s = a.integer("stride", 1)) d.stride = *s;
    if (auto n = a.integer("steps", 1)) d.syntheticSteps = *n;
    if (auto s = a.integer("seed", 0)) d.seed = static_cast<std::uint64_t>(*s);
    if (auto v = a.number("validation-split")) {
        if (*v < 0 || *v >= 1) throw UsageError{"--validation-split must be at least 0 and below 1"};
        d.validationSplit = *v;
    }
    json patch = json::object();
    if (auto n = a.get("normalize")) patch["normalize"] = *n;
    if (auto m = a.get("missing")) patch["missing"] = *m;
    if (!patch.empty()) {
        json merged = dataSpecToJson(d);
        merged.update(patch);
        try {
            d = dataSpecFromJson(merged);
        } catch (const std::runtime_error& e) {
            throw UsageError{e.what()};
        }
    }
    chooseDefaultData(d);
    return d;
}

bool namesNoData(const Project& project, const Args& a) {
    if (a.get("data")) return false;
    const json& t = project.training;
    return !t.is_object() || !t.contains("data") || !t["data"].is_object() ||
           t["data"].value("source", std::string()).empty();
}

TrainingSettings settingsFrom(const Project& project, const Args& a) {
    return {configFrom(project, a), dataFrom(project, a)};
}

const std::set<std::string>& trainingOptions() {
    static const std::set<std::string> names = {
        "data", "target", "column", "layer-columns", "label", "window", "stride", "steps", "epochs", "batch-size",
        "optimizer", "lr", "loss", "seed", "validation-split", "normalize", "missing", "out",
        "weights", "run", "input", "patience", "scale", "to", "resume", "shuffle", "threads",
        "threshold", "rule", "metric", "merge-gap", "intervals", "horizon", "period", "at", "opset"};
    return names;
}

}  // namespace loom::cli
