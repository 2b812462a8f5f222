#include "cli_export.h"

#include <filesystem>
#include <ostream>

#include "cli_model.h"
#include "cli_train.h"
#include "interop/pytorch_job.h"
#include "train/warm_start.h"
#include "engine/plan.h"
#include "interop/keras_code.h"
#include "interop/keras_export.h"
#include "interop/keras_model.h"
#include "interop/pytorch_code.h"
#include "shape/validator.h"

namespace loom::cli {

namespace {

/// The data and training options a training job takes, as `train` takes them.
const std::set<std::string>& jobOptions() {
    static const std::set<std::string> names = {
        "data", "target", "column", "label", "window", "stride", "steps", "epochs", "batch-size",
        "optimizer", "lr", "loss", "validation-split", "normalize", "missing", "patience", "shuffle"};
    return names;
}

/// `export MODEL DIR --to pytorch-job`: the model, its starting weights, the prepared data and
/// the training settings as a DistributedDataParallel job.
int exportJob(const Args& a, const LoadedModel& model, const std::string& file,
              const std::filesystem::path& target, std::ostream& out, std::ostream& err) {
    TrainConfig config;
    DataSpec spec;
    try {
        config = configFrom(model.project, a);
        spec = dataFrom(model.project, a);
        resolveSample(spec);
    } catch (const std::runtime_error& e) {
        err << "layerloom-cli: error: " << file << ": " << e.what() << "\n";
        return kInvalid;
    }
    const std::int64_t steps = spec.window > 0 ? spec.window : 0;
    if (std::string problem = memoryProblem(model.project.graph, config.batchSize, steps); !problem.empty()) {
        throw PlanError(problem);
    }
    Plan<float> plan = Plan<float>::compile(model.project.graph, config.batchSize, steps);
    std::optional<RunRecord> run;
    const std::vector<NamedTensor> given = givenWeights(model, a, &run).value_or(std::vector<NamedTensor>{});
    // As train: the given weights where they fit (--weights, --run, or the model's own), the
    // rest from Keras's initialisers with the seed.
    const WeightMatch match = warmStart(plan, model.project.graph, given, config.seed);
    if (!given.empty() && match.none()) {
        throw std::runtime_error("the given weights fit none of the model's layers" +
                                 (match.reasons.empty() ? std::string() : ": " + match.reasons.front()));
    }
    if (!given.empty()) {
        for (const std::string& why : match.reasons) err << "layerloom-cli: warning: starts with new weights: " << why << "\n";
    }
    PreparedData data;
    try {
        data = prepareData(spec, plan.dims(plan.inputs().at(0)), plan.dims(plan.outputs().at(0)));
    } catch (const std::exception& e) {
        // As train says it: the data does not fit the model, or cannot be read.
        err << "layerloom-cli: error: " << file << ": " << e.what() << "\n";
        return kInvalid;
    }
    Project project = model.project;
    if (project.name.empty()) project.name = std::filesystem::path(file).stem().string();
    PytorchJobInput job;
    job.project = &project;
    job.plan = &plan;
    job.config = config;
    job.dataSpec = spec;
    job.data = &data;
    job.modelPath = std::filesystem::absolute(file).lexically_normal().string();
    const PytorchJobReport report = exportPytorchJob(job, target);
    for (const std::string& note : data.notes) err << note << "\n";
    for (const std::string& w : report.warnings) err << "layerloom-cli: warning: " << w << "\n";
    out << "wrote the training job " << target.string() << " (" << report.files.size() << " files: "
        << data.train.size() << " training and " << data.validation.size() << " validation samples, "
        << config.epochs << " epochs, batch " << config.batchSize << ")\n"
        << "train it with:  torchrun --standalone --nproc_per_node=N " << (target / "train.py").string()
        << "\nor on one process:  python3 " << (target / "train.py").string() << "\n";
    return kOk;
}

}  // namespace

int exportCommand(const Args& a, std::ostream& out, std::ostream& err) {
    std::set<std::string> allowed = {"to", "weights", "run", "seed"};
    allowed.insert(jobOptions().begin(), jobOptions().end());
    a.expect(allowed, {"sequential"}, 2, "a MODEL and an OUT");
    const std::string format = a.get("to", "");
    if (format != "tfjs" && format != "keras" && format != "pytorch" && format != "keras-file" &&
        format != "pytorch-job") {
        throw UsageError{format.empty() ? "say which format with --to keras|keras-file|pytorch|pytorch-job|tfjs"
                                        : "unknown format '" + format + "' (--to keras|keras-file|pytorch|pytorch-job|tfjs)"};
    }
    if (format != "pytorch-job") {
        for (const std::string& o : jobOptions()) {
            if (a.get(o)) throw UsageError{"--" + o + " goes with --to pytorch-job (a training job), not --to " + format};
        }
    }
    const std::string& file = a.positional[0];
    const std::filesystem::path target = a.positional[1];
    const KerasFileKind kerasFile = kerasFileKind(target);
    if (format == "keras-file" && kerasFile != KerasFileKind::Archive && kerasFile != KerasFileKind::H5) {
        throw UsageError{"--to keras-file writes OUT.keras (Keras 3) or OUT.h5 (tf.keras 2), not '" + target.filename().string() + "'"};
    }
    try {
        const LoadedModel model = loadModel(file);
        const Validation v = validate(model.project.graph);
        if (v.hasErrors()) {
            err << "layerloom-cli: error: " << file << " has " << v.count(Severity::Error)
                << " error(s); run 'layerloom-cli validate " << file << "' to see them\n";
            return kInvalid;
        }
        if (format == "pytorch-job") return exportJob(a, model, file, target, out, err);
        if (format == "keras") {
            Project project = model.project;
            if (project.name.empty()) project.name = std::filesystem::path(file).stem().string();
            writeFileAtomically(target, kerasCode(project, {a.flag("sequential")}));
            out << "wrote " << target.string() << "\n";
            return kOk;
        }
        Plan<float> plan = Plan<float>::compile(model.project.graph, 1);
        std::optional<RunRecord> run;
        if (auto weights = givenWeights(model, a, &run)) {
            // As File > Export: the trained weights where they fit the layers, Keras's
            // initialisers (with --seed) elsewhere, and a warning naming those layers.
            const auto seed = static_cast<std::uint64_t>(a.integer("seed", 0).value_or(0));
            const WeightMatch match = warmStart(plan, model.project.graph, *weights, seed);
            if (match.none()) {
                throw std::runtime_error("the given weights fit none of the model's layers" +
                                         (match.reasons.empty() ? std::string() : ": " + match.reasons.front()));
            }
            for (const std::string& why : match.reasons) {
                err << "layerloom-cli: warning: exported with new weights: " << why << "\n";
            }
        } else {
            const auto seed = a.integer("seed", 0).value_or(0);
            plan.initialize(static_cast<std::uint64_t>(seed));
            out << "no trained weights given (--weights FILE or --run DIR): exporting new ones "
                   "(Keras's initialisers, seed "
                << seed << ")\n";
        }
        Project project = model.project;
        if (project.name.empty()) project.name = std::filesystem::path(file).stem().string();
        if (format == "keras-file") {
            exportKerasFile(project, plan.exportWeights(), target);
            out << "wrote " << target.string() << " (" << plan.params().size() << " weight tensors) for "
                << (kerasFile == KerasFileKind::Archive ? "Keras 3's" : "tf.keras 2's") << " keras.models.load_model\n";
            return kOk;
        }
        if (format == "pytorch") {
            exportPytorchModel(project, plan.exportWeights(), target);
            out << "wrote " << (target / "model.py").string() << " with weights.bin and weights.json ("
                << plan.params().size() << " weight tensors); python3 " << (target / "model.py").string()
                << " INPUT.json OUTPUT.json predicts\n";
            return kOk;
        }
        exportLayersModel(project, plan.exportWeights(), target);
        out << "wrote " << (target / "model.json").string() << " and "
            << (target / "weights.bin").string() << " (" << plan.params().size()
            << " weight tensors)\n";
        for (const std::string& limit : tfjsLimitations(project.graph)) {
            err << "layerloom-cli: warning: " << limit << "\n";
        }
        return kOk;
    } catch (const UsageError&) {
        throw;
    } catch (const PlanError& e) {
        // The model cannot run (errors, or too large for this machine): like validate's errors.
        err << "layerloom-cli: error: " << e.what() << "\n";
        return kInvalid;
    } catch (const std::exception& e) {
        err << "layerloom-cli: error: " << e.what() << "\n";
        return kUnreadable;
    }
}

}  // namespace loom::cli
