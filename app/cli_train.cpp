#include "cli_train.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <optional>
#include <ostream>
#include <sstream>

#include "cli_model.h"
#include "data/csv_reader.h"
#include "data/npy.h"
#include "data/sample_catalogue.h"
#include "engine/isa/cpu_dispatch.h"
#include "engine/kernels/row_chunks.h"
#include "engine/plan.h"
#include "engine/weights_file.h"
#include "interop/keras_model.h"
#include "io/atomic_file.h"
#include "train/config_json.h"
#include "train/run_folder.h"
#include "train/run_history.h"
#include "train/trainer.h"
#include "train/warm_start.h"

namespace loom::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// --threads above this is a typing mistake, not a machine.
constexpr long long kMostThreads = 1024;

std::atomic<bool> g_interrupted{false};

extern "C" void onInterrupt(int) { g_interrupted.store(true); }

/// Prints a progress line per batch (redrawn in place on a terminal) and a line per epoch;
/// turns Ctrl+C into a stop after the current batch.
class Progress : public TrainingObserver {
public:
    Progress(std::ostream& err, TrainingControl& control, bool quiet)
        : m_err(err), m_control(control), m_quiet(quiet), m_tty(::isatty(2) != 0) {}

    void onBatch(const BatchReport& r) override {
        if (g_interrupted.load()) m_control.requestStop();
        if (m_quiet || !m_tty) return;
        const int width = 24;
        const int filled = r.batches ? width * r.batch / r.batches : width;
        const double perBatch = r.elapsedSeconds / std::max(1, m_batchesSeen + 1);
        ++m_batchesSeen;
        const double left = perBatch * ((m_epochs - r.epoch) * r.batches + (r.batches - r.batch));
        m_err << "\r  epoch " << r.epoch << "/" << m_epochs << " [" << std::string(filled, '=')
              << std::string(width - filled, ' ') << "] " << r.batch << "/" << r.batches
              << "  loss " << std::setprecision(4) << r.loss << "  " << std::fixed
              << std::setprecision(0) << r.samplesPerSecond << " samples/s";
        if (r.threads < r.mostThreads) m_err << " on " << r.threads << " of " << r.mostThreads << " cores";
        m_err << "  ETA " << clock(left) << std::defaultfloat << "   " << std::flush;
    }

    void onEpoch(const EpochReport& r) override {
        if (m_quiet) return;
        if (m_tty) m_err << "\r" << std::string(120, ' ') << "\r";
        m_err << "epoch " << r.epoch << "/" << r.epochs << "  loss " << std::setprecision(6)
              << r.loss;
        if (r.accuracy >= 0) m_err << "  accuracy " << std::setprecision(4) << r.accuracy;
        if (r.valLoss >= 0) m_err << "  val_loss " << std::setprecision(6) << r.valLoss;
        if (r.valAccuracy >= 0) m_err << "  val_accuracy " << std::setprecision(4) << r.valAccuracy;
        m_err << "  lr " << std::setprecision(3) << r.learningRate << "  " << std::fixed
              << std::setprecision(1) << r.elapsedSeconds << "s" << std::defaultfloat << "\n";
    }

    void setEpochs(int epochs) { m_epochs = epochs; }

private:
    std::ostream& m_err;
    TrainingControl& m_control;
    bool m_quiet, m_tty;
    int m_epochs = 1, m_batchesSeen = 0;

    static std::string clock(double seconds) {
        const long s = std::lround(seconds);
        std::ostringstream o;
        o << s / 60 << ":" << std::setw(2) << std::setfill('0') << s % 60;
        return o.str();
    }
};

}  // namespace

TrainConfig configFrom(const Project& project, const Args& a) {
    json t = project.training;
    TrainConfig c = trainConfigFromJson(t);
    if (auto loss = a.get("loss")) {
        const auto l = parseLoss(*loss);
        if (!l) throw UsageError{"unknown loss '" + *loss + "'"};
        c.loss = *l;
    }
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
    DataSpec d = dataSpecFromJson(stored);
    if (auto s = a.get("data")) d.source = *s;
    if (auto t = a.get("target")) d.target = *t;
    if (auto c = a.get("column")) {
        d.columns.clear();
        std::stringstream list(*c);
        for (std::string item; std::getline(list, item, ',');) d.columns.push_back(item);
    }
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
        "data", "target", "column", "label", "window", "stride", "steps", "epochs", "batch-size",
        "optimizer", "lr", "loss", "seed", "validation-split", "normalize", "missing", "out",
        "weights", "run", "input", "patience", "scale", "to", "resume", "shuffle", "threads"};
    return names;
}

namespace {

/// Keeps the run folder: a checkpoint at the start and after every finished epoch, each
/// replacing the last as one; passes progress on to the terminal.
class RunKeeper : public SessionObserver {
public:
    RunKeeper(Progress& progress, TrainingControl& control, const Plan<float>& plan,
              fs::path dir, RunRecord record)
        : m_progress(progress), m_control(control), m_plan(plan), m_dir(std::move(dir)),
          m_record(std::move(record)) {}

    void onBatch(const BatchReport& r) override {
        ++m_batch;
        if (m_batch % m_record.run.batchLossEvery == 0) m_record.run.batchLosses.push_back(static_cast<float>(r.loss));
        m_record.run.batchesPerEpoch = r.batches;
        m_progress.onBatch(r);
    }
    void onEpoch(const EpochReport& r) override { m_progress.onEpoch(r); }
    bool wantsCheckpoints() const override { return true; }
    void onCheckpoint(const TrainingState& state) override {
        if (!m_error.empty()) return;
        m_record.run.history = state.history;
        m_record.state = state;
        m_record.complete = false;
        m_record.run.outcome = "Epoch " + std::to_string(state.epochsDone) + " finished; the run goes on.";
        m_weights = m_plan.exportWeights();
        try {
            writeRunFolder(m_dir, m_record, m_weights, &m_plan);
            m_saved = true;
        } catch (const std::exception& e) {
            m_error = e.what();
            m_control.requestStop();
        }
    }

    /// Writes the folder as the run ended: the trained weights when it finished or stopped
    /// early; the last checkpoint, with the ending, when it was stopped or its numbers broke.
    void finish(const TrainResult& result, const std::string& message) {
        if (!m_error.empty() || !m_saved) return;
        m_record.complete = true;
        m_record.run.reason = result.reason;
        m_record.run.outcome = message;
        try {
            if (result.reason == StopReason::Finished || result.reason == StopReason::EarlyStopped) {
                m_record.run.history = result.history;
                // Early stopping put back the best epoch's weights: nothing to continue from.
                if (result.reason == StopReason::EarlyStopped) m_record.state.reset();
                writeRunFolder(m_dir, m_record, m_plan.exportWeights(), &m_plan);
            } else {
                writeRunFolder(m_dir, m_record, m_weights, &m_plan);
            }
        } catch (const std::exception& e) {
            m_error = e.what();
        }
    }

    const std::string& error() const { return m_error; }
    bool saved() const { return m_saved; }
    int epochsKept() const { return m_record.state ? m_record.state->epochsDone : 0; }

private:
    Progress& m_progress;
    TrainingControl& m_control;
    const Plan<float>& m_plan;
    fs::path m_dir;
    RunRecord m_record;
    std::vector<NamedTensor> m_weights;  ///< of the last checkpoint
    long m_batch = 0;
    bool m_saved = false;
    std::string m_error;
};

/// `train --resume DIR`: the run's settings as they were; only --epochs may change them.
void checkResumeOptions(const Args& a) {
    for (const char* o : {"data", "target", "column", "label", "window", "stride", "steps",
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
    a.expect({"data", "target", "column", "label", "window", "stride", "steps", "epochs", "batch-size",
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
        err << data.train.size() << " training and " << data.validation.size() << " validation windows of "
            << data.window.length << " steps\n";
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

int evaluateCommand(const Args& a, std::ostream& out, std::ostream& err) {
    a.expect({"data", "target", "column", "label", "window", "stride", "steps", "seed", "normalize",
              "missing", "weights", "run", "loss", "batch-size"},
             {"json"}, 1, "a MODEL");
    try {
        const LoadedModel model = loadModel(a.positional[0]);
        std::optional<RunRecord> run;
        const std::vector<NamedTensor> weights = weightsFor(model, a, &run);
        TrainConfig config = configFrom(model.project, a);
        DataSpec spec = run ? dataSpecFromJson(run->run.training["data"]) : dataFrom(model.project, a);
        if (a.get("data")) spec = dataFrom(model.project, a);
        if (run) {
            const TrainConfig trained = trainConfigFromJson(run->run.training);
            if (!a.get("loss")) config.loss = trained.loss;
        }
        spec.validationSplit = 0.0;
        Plan<float> plan = Plan<float>::compile(model.project.graph, config.batchSize, spec.window);
        plan.loadWeights(weights);
        PreparedData data;
        Evaluation e;
        try {
            DataSpec read = spec;
            read.source = resolveDataSource(spec.source);
            data = prepareData(read, plan.dims(plan.inputs().at(0)), plan.dims(plan.outputs().at(0)),
                               run ? &run->normalizer : nullptr);
            e = evaluate(plan, data.train, config.loss);
        } catch (const DataError& problem) {
            throw aboutData(spec.source, problem);
        }
        if (a.flag("json")) {
            json j = {{"loss", e.loss}, {"loss_name", lossName(config.loss)}, {"samples", data.train.size()}};
            if (e.accuracy >= 0) j["accuracy"] = e.accuracy;
            out << j.dump(2) << "\n";
        } else {
            out << lossName(config.loss) << ": " << std::setprecision(6) << e.loss;
            if (e.accuracy >= 0) out << "  accuracy: " << std::setprecision(4) << e.accuracy;
            out << "  (" << data.train.size() << " samples)\n";
        }
        return kOk;
    } catch (const UsageError&) {
        throw;
    } catch (const std::exception& e) {
        err << "layerloom-cli: error: " << e.what() << "\n";
        return kInvalid;
    }
}

int predictCommand(const Args& a, std::ostream& out, std::ostream& err) {
    a.expect({"input", "out", "weights", "run", "batch-size"}, {}, 1, "a MODEL");
    const auto inputPath = a.get("input");
    if (!inputPath) throw UsageError{"predict needs --input X.json|X.npy"};
    try {
        const LoadedModel model = loadModel(a.positional[0]);
        std::optional<RunRecord> run;
        const std::vector<NamedTensor> weights = weightsFor(model, a, &run);
        NpyArray x;
        if (inputPath->ends_with(".npy")) {
            x = readNpy(*inputPath);
        } else {
            x.values = readJsonArray(*inputPath, x.shape);
        }
        if (x.shape.size() < 2) throw DataError(*inputPath + ": give a batch: (batch, time, features)");
        const Dims sample(x.shape.begin() + 1, x.shape.end());
        const int batch = static_cast<int>(a.integer("batch-size", 1).value_or(64));
        Plan<float> plan = Plan<float>::compile(model.project.graph, batch, sample.size() == 2 ? sample[0] : 0);
        plan.loadWeights(weights);
        const Dims& in = plan.dims(plan.inputs().at(0));
        if (sample != in) {
            throw DataError(*inputPath + ": the samples have shape " + formatShape(sample) +
                            ", but the model's Input takes " + formatShape(in));
        }
        // The run's normalisation, both ways, as training and the window's previews use it.
        const Normalizer norm = run ? run->normalizer : Normalizer{};
        const std::int64_t features = in.back();
        try {
            norm.toModelUnits(x.values, features);
        } catch (const DataError& e) {
            throw DataError("run.json: " + std::string(e.what()) + " (the model's Input)");
        }
        NpyArray y;
        y.values = predict(plan, x.values);
        y.shape = {x.shape[0]};
        const Dims& od = plan.dims(plan.outputs().at(0));
        y.shape.insert(y.shape.end(), od.begin(), od.end());
        if (od.back() == features) norm.toDataUnits(y.values, features);
        const std::string target = a.get("out", "-");
        if (target.ends_with(".npy")) {
            writeNpy(target, y);
            return kOk;
        }
        // Nested JSON arrays (batch, time, features), as the Keras fixtures hold them.
        std::function<json(std::size_t, std::size_t&)> nest = [&](std::size_t depth, std::size_t& at) {
            json j = json::array();
            for (std::int64_t i = 0; i < y.shape[depth]; ++i) {
                j.push_back(depth + 1 == y.shape.size() ? json(y.values[at++]) : nest(depth + 1, at));
            }
            return j;
        };
        std::size_t at = 0;
        const std::string text = nest(0, at).dump() + "\n";
        if (target == "-") {
            out << text;
        } else {
            writeFileAtomically(target, text);
        }
        return kOk;
    } catch (const UsageError&) {
        throw;
    } catch (const std::exception& e) {
        err << "layerloom-cli: error: " << e.what() << "\n";
        return kInvalid;
    }
}

}  // namespace loom::cli
