#include "service/model_export.h"

#include "engine/plan.h"
#include "interop/keras_code.h"
#include "interop/keras_export.h"
#include "interop/onnx/onnx_export.h"
#include "interop/pytorch_code.h"
#include "shape/masks.h"
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

std::vector<std::string> exportLimits(const ModelGraph& graph, ModelFormat format) {
    switch (format) {
        case ModelFormat::Layers: return tfjsLimitations(graph);
        case ModelFormat::Onnx: return onnxLimitations(graph);
        case ModelFormat::Pytorch: return stepMaskProblems(graph, validate(graph), "PyTorch", true);
        case ModelFormat::KerasCode:
        case ModelFormat::KerasFile: break;
    }
    return {};
}

namespace {

const char* formatName(ModelFormat format) {
    switch (format) {
        case ModelFormat::Layers: return "TF.js";
        case ModelFormat::Onnx: return "ONNX";
        case ModelFormat::Pytorch: return "the PyTorch module";
        default: return "Keras";
    }
}

}  // namespace

std::string exportRefusal(const ModelGraph& graph, ModelFormat format) {
    const auto limits = exportLimits(graph, format);
    if (limits.empty()) return {};
    std::string text = format == ModelFormat::Layers ? std::string("TF.js cannot load this model")
                                                     : std::string(formatName(format)) + " cannot hold this model";
    text += ":";
    for (const std::string& l : limits) text += "\n  " + l;
    // A Keras file holds every model LayerLoom makes.
    std::vector<std::string> others;
    for (ModelFormat f : {ModelFormat::Onnx, ModelFormat::Pytorch, ModelFormat::Layers}) {
        if (f != format && exportLimits(graph, f).empty()) others.push_back(formatName(f));
    }
    text += "\nIt can go to a Keras model file (.keras or .h5)";
    for (std::size_t k = 0; k < others.size(); ++k) text += (k + 1 == others.size() ? " or " : ", ") + others[k];
    return text + " instead.";
}

ModelExportResult exportModel(const ModelExportRequest& request) {
    const Project& project = request.project;
    if (const Validation v = validate(project.graph); v.hasErrors()) {
        throw PlanError("the model has " + std::to_string(v.count(Severity::Error)) +
                        " error(s); fix them first (layerloom-cli validate, or the Problems panel, lists them)");
    }
    // A format that cannot hold the model says so before anything is written.
    if (std::string refusal = exportRefusal(project.graph, request.format); !refusal.empty()) throw PlanError(refusal);
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
            break;
        case ModelFormat::Onnx:
            exportOnnxModel(project, weights, target, request.onnxOpset);
            result.files.push_back(target);
            break;
        case ModelFormat::KerasCode: break;
    }
    for (const std::string& name : folderFiles(request.format)) result.files.push_back(target / name);
    return result;
}

}  // namespace loom
