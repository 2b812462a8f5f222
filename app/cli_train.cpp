#include "cli_train.h"

#include <csignal>
#include <filesystem>
#include <optional>
#include <ostream>

#include "cli_model.h"
#include "cli_progress.h"
#include "data/csv_reader.h"
#include "data/sample_catalogue.h"
#include "engine/isa/cpu_dispatch.h"
#include "engine/kernels/row_chunks.h"
#include "engine/weights_file.h"
#include "train/run_folder.h"

namespace loom::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// --threads above this is a typing mistake, not a machine.
constexpr long long kMostThreads = 1024;

extern "C" void onInterrupt(int) { g_interrupted.store(true); }

/// `train --resume DIR`: the run's settings as they were; only --epochs may change them.
void checkResumeOptions(const Args& a) {
    for (const char* o : {"data", "target", "column", "layer-columns", "label", "window", "stride", "steps",
                                 "batch-size", "optimizer", "lr", "loss", "seed", "validation-split",
                                 "normalize", "missing", "weights", "patience", "shuffle"}) {
        if (a.get(o)) {
            throw UsageError{"--resume continues a run with the settings it had; --" + std::string(o) +
                             " cannot change them (only --epochs, --out and --quiet go with --resume)"};
        }
    }
}

}  // namespace

int trainCommand(const Args& a, std::ostream& out, std::ostream& err) {
    a.expect({"data", "target", "column", "layer-columns", "label", "window", "stride", "steps", "epochs", "batch-size",
              "optimizer", "lr", "loss", "seed", "validation-split", "normalize", "missing", "out",
              "weights", "patience", "resume", "shuffle", "threads"},
             {"quiet"}, 1, "a MODEL");
    // --threads N holds every batch to N threads, so that a run repeats bit for bit; without it
    // a run takes every core, or fewer while other programs keep cores busy (ThreadChooser).
    const std::optional<long long> threads = a.integer("threads", 1);
    if (threads && *threads > kMostThreads) {
        throw UsageError{"--threads must be at most " + std::to_string(kMostThreads) + ", not " + std::to_string(*threads)};
    }
    const std::string modelPath = a.positional[0];
    const auto resumeDir = a.get("resume");
    if (resumeDir) checkResumeOptions(a);
    // Ctrl+C, and SIGTERM as `timeout` and job schedulers send it, stop training after the
    // current batch (or the reading of a CSV file); the run folder keeps every finished epoch.
    g_interrupted = false;
    struct RestoreSignals {
        void (*interrupt)(int) = std::signal(SIGINT, onInterrupt);
        void (*terminate)(int) = std::signal(SIGTERM, onInterrupt);
        ~RestoreSignals() {
            std::signal(SIGINT, interrupt);
            std::signal(SIGTERM, terminate);
        }
    } restoreSignals;
    LoadedModel model;
    std::optional<RunFolder> resumed;
    try {
        model = loadModel(modelPath);
        if (resumeDir) resumed = readRunFolder(*resumeDir);
    } catch (const std::exception& e) {
        err << "layerloom-cli: error: " << e.what() << "\n";
        return kUnreadable;
    }
    TrainingSettings settings;
    try {
        if (resumed) {
            settings = trainingSettings(resumed->record.run.training);
            if (auto e = a.integer("epochs", 1)) settings.config.epochs = static_cast<int>(*e);
        } else {
            settings = settingsFrom(model.project, a);
        }
    } catch (const std::runtime_error& e) {
        err << "layerloom-cli: error: " << modelPath << ": " << e.what() << "\n";
        return kInvalid;
    }
    const TrainConfig& config = settings.config;
    const fs::path outDir = a.get("out", resumeDir.value_or(fs::path(modelPath).stem().string() + "-run"));
    // Before the data is read and the first batch runs: a run that cannot be kept is not started.
    try {
        checkRunFolderTarget(outDir);
    } catch (const std::exception& e) {
        err << "layerloom-cli: error: --out: " << e.what() << "\n";
        return kUnreadable;
    }

    // As in the window: layers start from the given weights where they fit (--weights, a
    // Keras model's own, or those the project was saved with), the rest afresh.
    std::optional<TrainingSession> session;
    try {
        StartingWeights given;
        if (auto file = a.get("weights")) {
            given = {loadWeights(*file), WeightsOrigin::Given, *file};
        } else {
            given = {model.weights.value_or(std::vector<NamedTensor>{}), WeightsOrigin::Model, model.project.weightsFrom};
        }
        SessionSetup setup = sessionSetup(model.project.graph, settings, std::move(given));
        if (resumed) setup.resume = std::make_shared<const RunFolder>(std::move(*resumed));
        setup.previewSamples = 0;
        if (threads) {
            setup.threads = static_cast<int>(*threads);
            setup.fixedThreads = true;
        }
        session.emplace(std::move(setup));
        session->prepare([](double) { return !g_interrupted.load(); });
    } catch (const ReadCancelled&) {
        err << "interrupted while reading the data; nothing was trained\n";
        return kInterrupted;
    } catch (const DataError& e) {
        err << "layerloom-cli: error: " << aboutData(settings.data.source, e).what() << "\n";
        return kInvalid;
    } catch (const std::exception& e) {
        err << "layerloom-cli: error: " << modelPath << ": " << e.what() << "\n";
        return kInvalid;
    }
    const PreparedData& data = session->data();
    const TrainingState* state = session->resumeState();

    const bool quiet = a.flag("quiet");
    if (!quiet) {
        for (const std::string& note : model.notes) err << note << "\n";
        if (!resumed && namesNoData(model.project, a)) {
            err << "no data chosen: training on " << settings.data.source << " (--data chooses other data)\n";
        }
        for (const std::string& note : data.notes) err << note << "\n";
        if (holdsCutSamples(settings.data.source)) {
            err << data.train.size() << " training and " << data.validation.size() << " validation samples of shape "
                << formatShape(data.train.xDims) << "\n";
        } else {
            err << data.train.size() << " training and " << data.validation.size() << " validation windows of "
                << data.window.length << " steps\n";
        }
        if (state) {
            err << "resuming " << *resumeDir << " after epoch " << state->epochsDone << " of "
                << config.epochs << "\n";
        }
        err << "training " << session->plan().params().size() << " weight tensors, " << config.epochs
            << " epochs, batch " << config.batchSize << ", " << config.optimizer.name() << " lr "
            << config.optimizer.learningRate << ", loss " << lossName(config.loss) << ", "
            << (threads ? std::to_string(*threads) + (*threads == 1 ? " thread" : " threads")
                        : "up to " + std::to_string(kernelThreads()) + " threads")
            << "\n";
    }
    TrainingControl control;
    Progress progress(err, control, quiet);
    progress.setEpochs(config.epochs);
    RunKeeper keeper(progress, control, session->plan(), outDir,
                     beginRunRecord(*session, modelPath, localTimeNow()));
    const TrainResult result = session->run(control, &keeper);

    std::string message = result.message;
    const std::string resumeHint = "; continue with: layerloom-cli train " + modelPath +
                                   " --resume " + outDir.string();
    if (!keeper.error().empty()) {
        message = "Training stopped: " + keeper.error() + ".";
    } else if (result.reason == StopReason::Cancelled) {
        message = result.message.substr(0, result.message.find(';')) + ". " + outDir.string() +
                  " keeps " + std::to_string(keeper.epochsKept()) + " finished epoch" +
                  (keeper.epochsKept() == 1 ? "" : "s") + resumeHint;
    } else if (result.reason == StopReason::NonFinite) {
        message += " " + outDir.string() + " keeps the weights of the last finished epoch (" +
                   std::to_string(keeper.epochsKept()) + ").";
    }
    keeper.finish(result, message);
    if (!keeper.error().empty()) {
        err << "layerloom-cli: error: " << keeper.error() << "\n";
        return kUnreadable;
    }
    out << message << "\n";
    if (keeper.saved()) {
        out << "weights: " << (outDir / "weights.llw").string() << "\nhistory: "
            << (outDir / "history.csv").string() << "\n";
    }
    switch (result.reason) {
        case StopReason::Finished:
        case StopReason::EarlyStopped: return kOk;
        case StopReason::Cancelled: return kInterrupted;
        case StopReason::NonFinite:
        case StopReason::InvalidData: return kInvalid;
    }
    return kOk;
}

}  // namespace loom::cli
