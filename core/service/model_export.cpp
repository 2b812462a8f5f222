#include "service/model_export.h"

#include "engine/plan.h"
#include "interop/keras_code.h"
#include "interop/keras_export.h"
#include "interop/pytorch_code.h"
#include "io/atomic_file.h"
#include "shape/validator.h"
#include "train/config_json.h"

namespace loom {

std::uint64_t projectSeed(const Project& project) {
    return project.training.is_object() ? trainConfigFromJson(project.training).seed : TrainConfig{}.seed;
}

std::vector<std::string> folderFiles(ModelFormat format) {
    switch (format) {
        case ModelFormat::Pytorch: return {"model.py", "weights.bin", "weights.json"};
        case ModelFormat::Layers: return {"model.json", "weights.bin"};
        default: return {};
    }
}

ModelExportResult exportModel(const ModelExportRequest& request) {
    const Project& project = request.project;
    if (const Validation v = validate(project.graph); v.hasErrors()) {
        throw PlanError("the model has " + std::to_string(v.count(Severity::Error)) +
                        " error(s); fix them first (layerloom-cli validate, or the Problems panel, lists them)");
    }
    ModelExportResult result;
    const std::filesystem::path& target = request.target;
    if (request.format == ModelFormat::KerasCode) {
        writeFileAtomically(target, kerasCode(project, {request.sequential}));
        result.files.push_back(target);
        return result;
    }

    // The trained weights where they fit the layers, Keras's initialisers (seeded) elsewhere.
    result.seed = request.seed.value_or(projectSeed(project));
    result.trained = !request.weights.empty();
    // Weights never depend on the length of a free time axis: any length that fits the model's
    // windows will do.
    Plan<float> plan = Plan<float>::compile(project.graph, 1, 256);
    result.match = warmStart(plan, project.graph, request.weights, result.seed);
    if (result.trained && result.match.none() && request.origin == WeightsOrigin::Given) {
        throw PlanError("the given weights fit none of the model's layers" +
                        (result.match.reasons.empty() ? std::string() : ": " + result.match.reasons.front()));
    }
    const std::vector<NamedTensor> weights = plan.exportWeights();
    result.withWeights = true;
    result.tensors = weights.size();
    switch (request.format) {
        case ModelFormat::KerasFile:
            exportKerasFile(project, weights, target);
            result.files.push_back(target);
            break;
        case ModelFormat::Pytorch:
            exportPytorchModel(project, weights, target);
            break;
        case ModelFormat::Layers:
            exportLayersModel(project, weights, target);
            for (const std::string& limit : tfjsLimitations(project.graph)) result.limits.push_back(limit);
            break;
        case ModelFormat::KerasCode: break;
    }
    for (const std::string& name : folderFiles(request.format)) result.files.push_back(target / name);
    return result;
}

}  // namespace loom
