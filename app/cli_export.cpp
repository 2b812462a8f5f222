#include "cli_export.h"

#include <filesystem>
#include <ostream>

#include "cli_model.h"
#include "cli_train.h"
#include "interop/keras_model.h"
#include "service/model_export.h"
#include "service/training_job.h"
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
/// the training settings as a DistributedDataParallel job, prepared as `train` prepares a run.
int exportJob(const Args& a, const LoadedModel& model, const std::string& file,
              const std::filesystem::path& target, std::ostream& out, std::ostream& err) {
    TrainingSettings settings;
    try {
        settings = settingsFrom(model.project, a);
    } catch (const std::runtime_error& e) {
        err << "layerloom-cli: error: " << file << ": " << e.what() << "\n";
        return kInvalid;
    }
    std::optional<RunRecord> run;
    TrainingSession session(sessionSetup(model.project.graph, settings, startingWeights(model, a, &run)));
    try {
        session.prepare();
    } catch (const PlanError&) {
        throw;
    } catch (const DataError& e) {
        // As train says it: the data does not fit the model, or cannot be read.
        err << "layerloom-cli: error: " << file << ": " << aboutData(settings.data.source, e).what() << "\n";
        return kInvalid;
    }
    Project project = model.project;
    if (project.name.empty()) project.name = std::filesystem::path(file).stem().string();
    PytorchJobReport report;
    try {
        report = exportTrainingJob(session, project, std::filesystem::absolute(file).lexically_normal().string(), target);
    } catch (const DataError& e) {
        // Settings the job cannot train with (a metric the output cannot give, class weights with
        // sample weights): the model's problem, said as train says it.
        err << "layerloom-cli: error: " << file << ": " << e.what() << "\n";
        return kInvalid;
    }
    const PreparedData& data = session.data();
    for (const std::string& note : data.notes) err << note << "\n";
    for (const std::string& w : report.warnings) err << "layerloom-cli: warning: " << w << "\n";
    out << "wrote the training job " << target.string() << " (" << report.files.size() << " files: "
        << data.train.size() << " training and " << data.validation.size() << " validation samples, "
        << settings.config.epochs << " epochs, batch " << settings.config.batchSize << ")\n"
        << "train it with:  torchrun --standalone --nproc_per_node=N " << (target / "train.py").string()
        << "\nor on one process:  python3 " << (target / "train.py").string() << "\n";
    return kOk;
}

ModelFormat formatNamed(const std::string& name) {
    if (name == "keras") return ModelFormat::KerasCode;
    if (name == "keras-file") return ModelFormat::KerasFile;
    if (name == "pytorch") return ModelFormat::Pytorch;
    if (name == "onnx") return ModelFormat::Onnx;
    return ModelFormat::Layers;
}

}  // namespace

int exportCommand(const Args& a, std::ostream& out, std::ostream& err) {
    std::set<std::string> allowed = {"to", "weights", "run", "seed", "opset"};
    allowed.insert(jobOptions().begin(), jobOptions().end());
    a.expect(allowed, {"sequential"}, 2, "a MODEL and an OUT");
    const std::string format = a.get("to", "");
    if (format != "tfjs" && format != "keras" && format != "pytorch" && format != "keras-file" &&
        format != "pytorch-job" && format != "onnx") {
        throw UsageError{format.empty() ? "say which format with --to keras|keras-file|onnx|pytorch|pytorch-job|tfjs"
                                        : "unknown format '" + format + "' (--to keras|keras-file|onnx|pytorch|pytorch-job|tfjs)"};
    }
    if (a.get("opset") && format != "onnx") throw UsageError{"--opset goes with --to onnx, not --to " + format};
    const int opset = static_cast<int>(a.integer("opset", kOnnxOldestOpset).value_or(kOnnxNewestOpset));
    if (opset > kOnnxNewestOpset) {
        throw UsageError{"--opset " + std::to_string(opset) + ": LayerLoom writes ONNX opsets " +
                         std::to_string(kOnnxOldestOpset) + " to " + std::to_string(kOnnxNewestOpset)};
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
    if (format == "onnx" && target.extension() != ".onnx") {
        throw UsageError{"--to onnx writes OUT.onnx, not '" + target.filename().string() + "'"};
    }
    try {
        const LoadedModel model = loadModel(file);
        if (const Validation v = validate(model.project.graph); v.hasErrors()) {
            err << "layerloom-cli: error: " << file << " has " << v.count(Severity::Error)
                << " error(s); run 'layerloom-cli validate " << file << "' to see them\n";
            return kInvalid;
        }
        if (format == "pytorch-job") return exportJob(a, model, file, target, out, err);
        ModelExportRequest request;
        request.project = model.project;
        if (request.project.name.empty()) request.project.name = std::filesystem::path(file).stem().string();
        request.format = formatNamed(format);
        request.sequential = a.flag("sequential");
        request.onnxOpset = opset;
        request.target = target;
        std::optional<RunRecord> run;
        if (request.format != ModelFormat::KerasCode) {
            StartingWeights weights = startingWeights(model, a, &run);
            request.weights = std::move(weights.tensors);
            request.origin = weights.origin;
        }
        if (auto seed = a.integer("seed", 0)) request.seed = static_cast<std::uint64_t>(*seed);
        const ModelExportResult done = exportModel(request);
        if (done.withWeights && !done.trained) {
            out << "no trained weights given (--weights FILE or --run DIR): exporting new ones "
                   "(Keras's initialisers, seed " << done.seed << ")\n";
        }
        for (const std::string& why : done.trained ? done.match.reasons : std::vector<std::string>{}) {
            err << "layerloom-cli: warning: exported with new weights: " << why << "\n";
        }
        switch (request.format) {
            case ModelFormat::KerasCode: out << "wrote " << target.string() << "\n"; break;
            case ModelFormat::KerasFile:
                out << "wrote " << target.string() << " (" << done.tensors << " weight tensors) for "
                    << (kerasFile == KerasFileKind::Archive ? "Keras 3's" : "tf.keras 2's") << " keras.models.load_model\n";
                break;
            case ModelFormat::Pytorch:
                out << "wrote " << (target / "model.py").string() << " with weights.bin and weights.json ("
                    << done.tensors << " weight tensors); python3 " << (target / "model.py").string()
                    << " INPUT.json OUTPUT.json predicts\n";
                break;
            case ModelFormat::Layers:
                out << "wrote " << (target / "model.json").string() << " and " << (target / "weights.bin").string()
                    << " (" << done.tensors << " weight tensors)\n";
                break;
            case ModelFormat::Onnx:
                out << "wrote " << target.string() << " (ONNX opset " << opset << ", " << done.tensors
                    << " weight tensors) for ONNX Runtime and every tool that reads ONNX\n";
                break;
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
