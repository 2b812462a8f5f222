#include "cli_train.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <csignal>
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
#include "data/shipped_files.h"
#include "engine/plan.h"
#include "engine/weights_file.h"
#include "interop/keras_model.h"
#include "train/config_json.h"
#include "train/run_history.h"
#include "train/trainer.h"

namespace loom::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

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
              << std::setprecision(0) << r.samplesPerSecond << " samples/s  ETA "
              << clock(left) << std::defaultfloat << "   " << std::flush;
    }

    void onEpoch(const EpochReport& r) override {
        if (m_quiet) return;
        if (m_tty) m_err << "\r" << std::string(100, ' ') << "\r";
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

/// Training settings: the project's `training` section, then the command line on top.
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
    if (auto p = a.integer("patience", 1)) {
        c.earlyStopping.enabled = true;
        c.earlyStopping.patience = static_cast<int>(*p);
    }
    return c;
}

/// `sample:NAME` names a series that ships with LayerLoom (share/layerloom/data), as the app's
/// Data panel stores it in projects.
void resolveSample(DataSpec& d) {
    constexpr std::string_view prefix = "sample:";
    if (!d.source.starts_with(prefix)) return;
    d.source = sampleSeriesFile(d.source.substr(prefix.size())).string();
}

/// The normalisation a run folder's run.json stores, checked; errors name the file.
Normalizer runNormalizer(const json& run, const Args& a) {
    try {
        return normalizerFromJson(run["normalizer"]);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error((fs::path(a.get("run").value_or(".")) / "run.json").string() +
                                 ": /normalizer: " + e.what());
    }
}

DataSpec dataFrom(const Project& project, const Args& a) {
    const json stored = project.training.is_object() && project.training.contains("data")
                            ? project.training["data"]
                            : json::object();
    DataSpec d = dataSpecFromJson(stored);
    if (auto s = a.get("data")) d.source = *s;
    if (d.source.empty()) throw UsageError{"give the data with --data FILE.csv|FILE.npy|synthetic:NAME|sample:NAME.csv"};
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
    return d;
}

void writeHistory(const fs::path& file, const TrainResult& r) {
    writeFileAtomically(file, historyCsv(r.history));
}

}  // namespace

const std::set<std::string>& trainingOptions() {
    static const std::set<std::string> names = {
        "data", "target", "column", "label", "window", "stride", "steps", "epochs", "batch-size",
        "optimizer", "lr", "loss", "seed", "validation-split", "normalize", "missing", "out",
        "weights", "run", "input", "patience", "scale", "to"};
    return names;
}

int trainCommand(const Args& a, std::ostream& out, std::ostream& err) {
    a.expect({"data", "target", "column", "label", "window", "stride", "steps", "epochs", "batch-size",
              "optimizer", "lr", "loss", "seed", "validation-split", "normalize", "missing", "out",
              "weights", "patience"},
             {"quiet"}, 1, "a MODEL");
    const std::string modelPath = a.positional[0];
    // Ctrl+C from here on stops training after the current batch; what was trained is kept.
    g_interrupted = false;
    struct RestoreSignal {
        void (*previous)(int) = std::signal(SIGINT, onInterrupt);
        ~RestoreSignal() { std::signal(SIGINT, previous); }
    } restoreSignal;
    LoadedModel model;
    try {
        model = loadModel(modelPath);
    } catch (const std::exception& e) {
        err << "layerloom-cli: error: " << e.what() << "\n";
        return kUnreadable;
    }
    TrainConfig config;
    DataSpec dataSpec;
    try {
        config = configFrom(model.project, a);
        dataSpec = dataFrom(model.project, a);
        resolveSample(dataSpec);
    } catch (const std::runtime_error& e) {
        err << "layerloom-cli: error: " << modelPath << ": " << e.what() << "\n";
        return kInvalid;
    }

    // A free time axis takes the window length.
    const std::int64_t steps = dataSpec.window > 0 ? dataSpec.window : 0;
    std::optional<Plan<float>> compiled;
    PreparedData data;
    try {
        compiled.emplace(Plan<float>::compile(model.project.graph, config.batchSize, steps));
        data = prepareData(dataSpec, compiled->dims(compiled->inputs().at(0)),
                           compiled->dims(compiled->outputs().at(0)));
        if (auto w = a.get("weights")) {
            compiled->loadWeights(loadWeights(*w));
        } else if (model.weights) {
            compiled->loadWeights(*model.weights);
        } else {
            compiled->initialize(config.seed);
        }
    } catch (const std::exception& e) {
        err << "layerloom-cli: error: " << modelPath << ": " << e.what() << "\n";
        return kInvalid;
    }
    Plan<float>& plan = *compiled;
    const fs::path outDir = a.get("out", fs::path(modelPath).stem().string() + "-run");
    std::error_code ec;
    fs::create_directories(outDir, ec);
    if (ec) {
        err << "layerloom-cli: error: cannot create " << outDir.string() << ": " << ec.message() << "\n";
        return kUnreadable;
    }

    const bool quiet = a.flag("quiet");
    if (!quiet) {
        for (const std::string& note : data.notes) err << note << "\n";
        err << "training " << plan.params().size() << " weight tensors, " << config.epochs
            << " epochs, batch " << config.batchSize << ", " << config.optimizer.name() << " lr "
            << config.optimizer.learningRate << ", loss " << lossName(config.loss) << "\n";
    }
    TrainingControl control;
    Progress progress(err, control, quiet);
    progress.setEpochs(config.epochs);
    const TrainResult result =
        train(plan, data.train, data.validation.size() > 0 ? &data.validation : nullptr, config,
              &control, &progress);

    // Keep what was trained whatever the ending.
    const json runInfo = {{"model", modelPath},
                          {"training", trainConfigToJson(config)},
                          {"data", dataSpecToJson(dataSpec)},
                          {"window", {{"length", data.window.length},
                                      {"stride", data.window.stride},
                                      {"horizon", data.window.horizon}}},
                          {"normalizer", normalizerToJson(data.normalizer)},
                          {"result", result.message},
                          {"epochs_completed", result.history.size()}};
    try {
        if (result.reason != StopReason::InvalidData) saveWeights(outDir / "weights.llw", plan.exportWeights());
        writeHistory(outDir / "history.csv", result);
        writeFileAtomically(outDir / "run.json", runInfo.dump(2) + "\n");
    } catch (const std::exception& e) {
        err << "layerloom-cli: error: " << e.what() << "\n";
        return kUnreadable;
    }
    out << result.message << "\n";
    if (result.reason != StopReason::InvalidData) {
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
        json run;
        const std::vector<NamedTensor> weights = weightsFor(model, a, &run);
        TrainConfig config = configFrom(model.project, a);
        DataSpec spec = run.contains("data") ? dataSpecFromJson(run["data"]) : dataFrom(model.project, a);
        if (a.get("data")) spec = dataFrom(model.project, a);
        resolveSample(spec);
        if (run.contains("training")) {
            const TrainConfig trained = trainConfigFromJson(run["training"]);
            if (!a.get("loss")) config.loss = trained.loss;
        }
        spec.validationSplit = 0.0;
        Plan<float> plan = Plan<float>::compile(model.project.graph, config.batchSize, spec.window);
        plan.loadWeights(weights);
        std::optional<Normalizer> fitted;
        if (run.contains("normalizer")) fitted = runNormalizer(run, a);
        const PreparedData data = prepareData(spec, plan.dims(plan.inputs().at(0)),
                                              plan.dims(plan.outputs().at(0)), fitted ? &*fitted : nullptr);
        Evaluation e;
        try {
            e = evaluate(plan, data.train, config.loss);
        } catch (const DataError& problem) {
            throw DataError(spec.source + ": " + problem.what());
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
        json run;
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
        const Normalizer norm = run.contains("normalizer") ? runNormalizer(run, a) : Normalizer{};
        const std::int64_t features = in.back();
        const bool scaled = norm.kind != Normalizer::Kind::None;
        if (scaled && static_cast<std::int64_t>(norm.shift.size()) != features) {
            throw DataError("run.json's normalisation is for " + std::to_string(norm.shift.size()) +
                            " features; the model's Input has " + std::to_string(features));
        }
        if (scaled) {
            for (std::size_t i = 0; i < x.values.size(); ++i) {
                const auto f = static_cast<std::size_t>(static_cast<std::int64_t>(i) % features);
                x.values[i] = static_cast<float>((x.values[i] - norm.shift[f]) / norm.scale[f]);
            }
        }
        NpyArray y;
        y.values = predict(plan, x.values);
        y.shape = {x.shape[0]};
        const Dims& od = plan.dims(plan.outputs().at(0));
        y.shape.insert(y.shape.end(), od.begin(), od.end());
        if (scaled && od.back() == features) {
            for (std::size_t i = 0; i < y.values.size(); ++i) {
                const auto f = static_cast<std::int64_t>(i) % features;
                y.values[i] = static_cast<float>(norm.invert(y.values[i], f));
            }
        }
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
