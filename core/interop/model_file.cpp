#include "interop/model_file.h"

#include <algorithm>
#include <cctype>

#include "interop/keras_model.h"
#include "interop/onnx/onnx_import.h"

namespace loom {

KerasFileKind kerasFileKind(const std::filesystem::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".json") return KerasFileKind::LayersJson;
    if (ext == ".h5" || ext == ".hdf5") return KerasFileKind::H5;
    if (ext == ".keras") return KerasFileKind::Archive;
    return KerasFileKind::None;
}

bool isKerasModelFile(const std::filesystem::path& path) { return kerasFileKind(path) != KerasFileKind::None; }

bool isOnnxModelFile(const std::filesystem::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".onnx";
}

bool isImportedModelFile(const std::filesystem::path& path) { return isKerasModelFile(path) || isOnnxModelFile(path); }

Project openModelFile(const std::filesystem::path& path, std::vector<std::string>* notes, std::stop_token stop) {
    if (isOnnxModelFile(path)) {
        OnnxImport imported = importOnnxFile(path);
        imported.project.weightsFrom = "the weights of the ONNX model " + path.filename().string();
        if (notes) *notes = std::move(imported.notes);
        return std::move(imported.project);
    }
    if (!isKerasModelFile(path)) return loadProject(path);
    KerasImport imported = importKerasFile(path, std::chrono::seconds(60), stop);
    if (imported.project.name.empty()) {
        // A model.json is named after its folder, a model file after itself.
        imported.project.name = kerasFileKind(path) == KerasFileKind::LayersJson
                                    ? std::filesystem::absolute(path).parent_path().filename().string()
                                    : path.stem().string();
    }
    imported.project.weights = std::move(imported.weights);
    if (!imported.project.weights.empty()) {
        imported.project.weightsFrom = "the weights of the Keras model " + path.filename().string();
    }
    if (notes) *notes = std::move(imported.notes);
    return std::move(imported.project);
}

}  // namespace loom
