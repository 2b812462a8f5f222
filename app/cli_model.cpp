#include "cli_model.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/weights_file.h"
#include "io/json_input.h"
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

std::optional<std::vector<NamedTensor>> givenWeights(const LoadedModel& model, const Args& a,
                                                     nlohmann::json* run) {
    namespace fs = std::filesystem;
    if (auto dir = a.get("run")) {
        const fs::path file = fs::path(*dir) / "run.json";
        std::ifstream in(file, std::ios::binary);
        if (!in) throw std::runtime_error(*dir + ": no run.json; give the folder a train command wrote");
        std::ostringstream text;
        text << in.rdbuf();
        try {
            *run = parseJsonInput(text.str());
        } catch (const JsonInputError& e) {
            throw std::runtime_error(file.string() + ":" + std::to_string(e.line()) + ":" +
                                     std::to_string(e.column()) + ": " + e.problem());
        }
        return loadWeights(fs::path(*dir) / "weights.llw");
    }
    if (auto w = a.get("weights")) return loadWeights(*w);
    return model.weights;
}

std::vector<NamedTensor> weightsFor(const LoadedModel& model, const Args& a, nlohmann::json* run) {
    if (auto w = givenWeights(model, a, run)) return *w;
    throw UsageError{"give trained weights with --weights FILE or --run DIR"};
}

}  // namespace loom::cli
