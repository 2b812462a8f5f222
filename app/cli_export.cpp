#include "cli_export.h"

#include <filesystem>
#include <ostream>

#include "cli_model.h"
#include "train/warm_start.h"
#include "engine/plan.h"
#include "interop/keras_code.h"
#include "interop/keras_export.h"
#include "interop/keras_model.h"
#include "interop/pytorch_code.h"
#include "shape/validator.h"

namespace loom::cli {

int exportCommand(const Args& a, std::ostream& out, std::ostream& err) {
    a.expect({"to", "weights", "run", "seed"}, {"sequential"}, 2, "a MODEL and an OUT");
    const std::string format = a.get("to", "");
    if (format != "tfjs" && format != "keras" && format != "pytorch" && format != "keras-file") {
        throw UsageError{format.empty() ? "say which format with --to keras|keras-file|pytorch|tfjs"
                                        : "unknown format '" + format + "' (--to keras|keras-file|pytorch|tfjs)"};
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
