#include "interop/model_file.h"

#include <algorithm>
#include <cctype>

#include "interop/keras_model.h"

namespace loom {

bool isKerasModelFile(const std::filesystem::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".json";
}

Project openModelFile(const std::filesystem::path& path) {
    if (!isKerasModelFile(path)) return loadProject(path);
    KerasImport imported = importKerasModel(path);
    if (imported.project.name.empty()) {
        imported.project.name = std::filesystem::absolute(path).parent_path().filename().string();
    }
    imported.project.weights = std::move(imported.weights);
    return std::move(imported.project);
}

}  // namespace loom
