#include "service/training_job.h"

#include <ctime>

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

SessionSetup sessionSetup(const ModelGraph& graph, const TrainingSettings& settings,
                          std::vector<NamedTensor> weights, WeightsOrigin origin,
                          std::optional<std::filesystem::path> sampleFolder) {
    SessionSetup setup;
    setup.graph = graph;
    setup.weights = std::move(weights);
    setup.weightsOrigin = origin;
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
    return run;
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
    job.modelPath = modelPath;
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
