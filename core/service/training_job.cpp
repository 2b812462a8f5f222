#include "service/training_job.h"

#include <ctime>
#include <map>

#include "data/sample_catalogue.h"
#include "train/config_json.h"

namespace loom {

TrainingSettings trainingSettings(const nlohmann::json& training) {
    TrainingSettings s;
    s.config = trainConfigFromJson(training);
    if (training.is_object() && training.contains("data")) s.data = dataSpecFromJson(training["data"]);
    chooseDefaultData(s.data);
    return s;
}

nlohmann::json trainingSettingsJson(const TrainingSettings& settings) {
    nlohmann::json j = trainConfigToJson(settings.config);
    j["data"] = dataSpecToJson(settings.data);
    return j;
}

SessionSetup sessionSetup(const ModelGraph& graph, const TrainingSettings& settings, StartingWeights weights,
                          std::optional<std::filesystem::path> sampleFolder) {
    SessionSetup setup;
    setup.graph = graph;
    setup.weights = std::move(weights.tensors);
    setup.weightsOrigin = weights.origin;
    setup.weightsFrom = std::move(weights.from);
    setup.config = settings.config;
    setup.data = settings.data;
    setup.sampleFolder = std::move(sampleFolder);
    return setup;
}

TrainingRun beginRun(const TrainingSession& session, int number, std::string started) {
    const SessionSetup& setup = session.setup();
    TrainingRun run;
    run.number = number;
    run.started = std::move(started);
    run.graph = setup.graph;
    run.training = trainingSettingsJson({setup.config, setup.data});
    run.training["normalizer"] = normalizerToJson(session.data().normalizer);
    for (const auto& p : session.plan().params()) run.parameters += p.shape.size();
    run.startedFrom = startingPoint(session);
    return run;
}

std::string startingPoint(const TrainingSession& session) {
    const SessionSetup& s = session.setup();
    if (const TrainingState* state = session.resumeState()) {
        return "its own run folder, after epoch " + std::to_string(state->epochsDone);
    }
    const std::string seeded = "Keras's initialisers (seed " + std::to_string(s.config.seed) + ")";
    const WeightMatch& match = session.weightMatch();
    if (s.weights.empty() || match.none()) return seeded;
    const std::string from = s.weightsFrom.empty() ? "the model's saved weights" : s.weightsFrom;
    if (match.all()) return from;
    std::string kept;
    for (const std::string& layer : match.kept) kept += (kept.empty() ? "" : ", ") + layer;
    return from + " for " + kept + ", " + seeded + " elsewhere";
}

namespace {

/// A setting's value in words: names as they are, on/off, none.
std::string valueText(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "on" : "off";
    if (v.is_null()) return "none";
    if (v.is_array()) {
        std::string list;
        for (const nlohmann::json& item : v) list += (list.empty() ? "" : ", ") + valueText(item);
        return list.empty() ? "none" : list;
    }
    return v.dump();
}

/// "optimizer.learning_rate" -> "learning rate", "data.validation_split" -> "data validation split".
std::string settingName(std::string path) {
    if (path == "optimizer.name") return "optimizer";
    if (path.starts_with("optimizer.")) path.erase(0, std::string("optimizer.").size());
    for (char& c : path) {
        if (c == '_' || c == '.') c = ' ';
    }
    return path;
}

void flatten(const nlohmann::json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
    if (!j.is_object()) {
        out[prefix] = valueText(j);
        return;
    }
    for (const auto& [key, value] : j.items()) {
        if (prefix.empty() && key == "normalizer") continue;  // fitted, not chosen
        flatten(value, prefix.empty() ? key : prefix + "." + key, out);
    }
}

/// The settings written out in full where they can be read, else as they are.
std::map<std::string, std::string> resolvedSettings(const nlohmann::json& training) {
    nlohmann::json resolved;
    try {
        resolved = trainingSettingsJson(trainingSettings(training));
    } catch (const std::exception&) {
        resolved = training;
    }
    std::map<std::string, std::string> flat;
    flatten(resolved, "", flat);
    return flat;
}

}  // namespace

std::vector<std::string> settingsChanges(const nlohmann::json& a, const nlohmann::json& b) {
    const auto before = resolvedSettings(a), after = resolvedSettings(b);
    std::vector<std::string> lines;
    for (const auto& [path, value] : before) {
        const auto other = after.find(path);
        const std::string now = other == after.end() ? "none" : other->second;
        if (now != value) lines.push_back(settingName(path) + " " + value + " -> " + now);
    }
    for (const auto& [path, value] : after) {
        if (!before.contains(path)) lines.push_back(settingName(path) + " none -> " + value);
    }
    return lines;
}

std::vector<std::string> settingsLines(const nlohmann::json& training) {
    std::vector<std::string> lines;
    for (const auto& [path, value] : resolvedSettings(training)) lines.push_back(settingName(path) + ": " + value);
    return lines;
}

RunRecord beginRunRecord(const TrainingSession& session, std::string model, std::string started) {
    TrainingRun fresh = beginRun(session, 1, std::move(started));
    RunRecord record;
    if (const RunFolder* resumed = session.setup().resume.get()) {
        // A resumed run keeps its record (when it started, the batches it has seen) with the
        // settings it goes on with.
        record = resumed->record;
        record.run.number = fresh.number;
        record.run.graph = std::move(fresh.graph);
        record.run.training = std::move(fresh.training);
        record.run.parameters = fresh.parameters;
    } else {
        record.run = std::move(fresh);
    }
    record.model = std::move(model);
    record.window = session.data().window;
    record.normalizer = session.data().normalizer;
    return record;
}

PytorchJobReport exportTrainingJob(const TrainingSession& session, const Project& project,
                                   const std::string& modelPath, const std::filesystem::path& dir) {
    PytorchJobInput job;
    job.project = &project;
    job.plan = &session.plan();
    job.config = session.setup().config;
    job.dataSpec = session.setup().data;
    job.data = &session.data();
    const RunRecord record = beginRunRecord(session, modelPath, std::string());
    job.record = &record;
    return exportPytorchJob(job, dir);
}

std::string localTimeNow() {
    const std::time_t t = std::time(nullptr);
    std::tm local{};
    localtime_r(&t, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &local);
    return text;
}

}  // namespace loom
