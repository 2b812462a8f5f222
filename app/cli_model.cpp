#include "cli_model.h"

#include "interop/keras_model.h"

namespace loom::cli {

LoadedModel loadModel(const std::string& path) {
    LoadedModel m;
    if (path.ends_with(".json")) {
        KerasImport k = importKerasModel(path);
        m.project = std::move(k.project);
        if (!k.weights.empty()) m.weights = std::move(k.weights);
    } else {
        m.project = loadProject(path);
    }
    return m;
}

}  // namespace loom::cli
