#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/named_tensor.h"
#include "graph/model_graph.h"

namespace loom {

/// A LayerLoom project: the model graph with node positions, its trained weights, and the
/// training settings and past runs that later parts of the app own (kept as JSON so that this
/// layer stays ignorant of them).
struct Project {
    std::string name;
    /// What the model is for and where it comes from, in words (a template says which
    /// keras.io example it is and where the example's data comes from); may be empty.
    std::string description;
    ModelGraph graph;
    nlohmann::json training = nlohmann::json::object();
    /// Trained weights named `layer/param`; empty for an untrained model. Stored in the file as
    /// little-endian float32, base64-encoded.
    std::vector<NamedTensor> weights;
    /// Where those weights came from, in words ("run 3", "the Keras model's own"); empty when
    /// not known. Stored as `weights.from`.
    std::string weightsFrom;
    /// Past training runs, oldest first (see ui/training); kept as the app wrote them.
    nlohmann::json runs = nlohmann::json::array();

    bool operator==(const Project&) const = default;
};

/// A copy of every field but the weights (for a copy whose weights come from elsewhere, such
/// as a training run's last epoch). A field added to Project is added here too.
inline Project withoutWeights(const Project& p) {
    Project copy;
    copy.name = p.name;
    copy.description = p.description;
    copy.graph = p.graph;
    copy.training = p.training;
    copy.weightsFrom = p.weightsFrom;
    copy.runs = p.runs;
    return copy;
}

inline constexpr std::string_view kProjectFormat = "layerloom-project";
/// Version 2 added `weights` and `runs`; version 1 files still open.
inline constexpr int kProjectVersion = 2;

/// A file that cannot be read as a project. what() is a complete message for the user; the
/// fields say where: a JSON pointer into the document, a line and column for syntax errors,
/// and the layer's name where one is involved.
class ProjectError : public std::runtime_error {
public:
    ProjectError(std::string message, std::string pointer = {}, int line = 0, int column = 0,
                 std::string nodeName = {});
    const std::string& pointer() const { return m_pointer; }
    int line() const { return m_line; }
    int column() const { return m_column; }
    const std::string& nodeName() const { return m_nodeName; }

private:
    std::string m_pointer;
    int m_line = 0;
    int m_column = 0;
    std::string m_nodeName;
};

/// Parses project text. `source` names it in messages (a file name).
Project parseProject(std::string_view text, std::string_view source = "project");
std::string serializeProject(const Project& project);

Project loadProject(const std::filesystem::path& path);
/// Writes through a temporary file in the same folder and renames it over `path`, so that a
/// crash or a full disk never leaves a half-written project. Throws std::runtime_error.
void saveProject(const Project& project, const std::filesystem::path& path);

}  // namespace loom
