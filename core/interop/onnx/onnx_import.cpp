#include "interop/onnx/onnx_import.h"

#include <cmath>
#include <map>

#include "engine/plan.h"
#include "interop/onnx/onnx_export.h"
#include "service/model_export.h"
#include "shape/validator.h"

namespace loom {

namespace {

/// Positions are told apart in two exact floats: position p is low (p mod 2^23) + 1 and high
/// p / 2^23 + 1.
constexpr std::uint64_t kLowPart = std::uint64_t{1} << 23;
enum class Numbering { Zeros, Low, High };

/// Weights whose values are parts of their own positions over every tensor in turn, or all
/// zeros: exported, they tell which value of the file's constants is which weight's, and
/// which values are the export's own constants.
std::vector<NamedTensor> numbered(std::vector<NamedTensor> weights, Numbering numbering) {
    std::uint64_t p = 0;
    for (NamedTensor& t : weights) {
        for (float& v : t.values) {
            v = numbering == Numbering::Zeros ? 0.0f
                : numbering == Numbering::Low ? static_cast<float>(p % kLowPart + 1)
                                              : static_cast<float>(p / kLowPart + 1);
            ++p;
        }
    }
    return weights;
}

bool sameNode(const OnnxNode& a, const OnnxNode& b) {
    if (a.op != b.op || a.inputs != b.inputs || a.outputs != b.outputs || a.attributes.size() != b.attributes.size()) return false;
    for (std::size_t k = 0; k < a.attributes.size(); ++k) {
        if (a.attributes[k].name != b.attributes[k].name || a.attributes[k].value != b.attributes[k].value) return false;
    }
    return true;
}

}  // namespace

std::optional<OnnxImport> importOwnOnnx(const OnnxGraph& file) {
    const auto meta = std::find_if(file.metadata.begin(), file.metadata.end(),
                                   [](const auto& kv) { return kv.first == kOnnxProjectKey; });
    if (meta == file.metadata.end()) return std::nullopt;
    OnnxImport out;
    try {
        out.project = parseProject(meta->second, "the ONNX file's LayerLoom project");
    } catch (const std::exception&) {
        return std::nullopt;
    }
    Project& p = out.project;
    const Validation v = validate(p.graph);
    if (v.hasErrors()) return std::nullopt;
    // The project's weights are among the file's constants (all but those inference never reads,
    // which are no larger than those it does), or it is not this file's: known before anything
    // is allocated for them.
    std::uint64_t held = 0;
    for (const OnnxInitializer& c : file.initializers()) held += c.floats.size();
    if (v.totalParams < 0 || static_cast<std::uint64_t>(v.totalParams) > 2 * held) return std::nullopt;
    std::vector<NamedTensor> weights;
    try {
        Plan<float> plan = Plan<float>::compile(p.graph, 1, 256);
        plan.initialize(projectSeed(p));
        weights = plan.exportWeights();
    } catch (const std::exception&) {
        return std::nullopt;
    }
    OnnxGraph tagged(file.opset()), high(file.opset()), zeros(file.opset());
    try {
        tagged = onnxGraph(p, numbered(weights, Numbering::Low), file.opset());
        high = onnxGraph(p, numbered(weights, Numbering::High), file.opset());
        zeros = onnxGraph(p, numbered(weights, Numbering::Zeros), file.opset());
    } catch (const std::exception&) {
        return std::nullopt;
    }
    const auto& nodes = file.nodes();
    if (nodes.size() != tagged.nodes().size()) return std::nullopt;
    for (std::size_t k = 0; k < nodes.size(); ++k) {
        if (!sameNode(nodes[k], tagged.nodes()[k])) return std::nullopt;
    }
    const auto& constants = file.initializers();
    if (constants.size() != tagged.initializers().size() || zeros.initializers().size() != constants.size() ||
        high.initializers().size() != constants.size()) {
        return std::nullopt;
    }
    std::vector<std::pair<NamedTensor*, std::size_t>> positions;
    for (NamedTensor& t : weights) {
        for (std::size_t i = 0; i < t.values.size(); ++i) positions.emplace_back(&t, i);
    }
    std::vector<bool> seen(positions.size(), false);
    for (std::size_t k = 0; k < constants.size(); ++k) {
        const OnnxInitializer& f = constants[k];
        const OnnxInitializer& t = tagged.initializers()[k];
        const OnnxInitializer& z = zeros.initializers()[k];
        const OnnxInitializer& hi = high.initializers()[k];
        if (z.floats.size() != t.floats.size() || hi.floats.size() != t.floats.size()) return std::nullopt;
        if (f.name != t.name || f.dims != t.dims || f.type != t.type || f.ints != t.ints || f.floats.size() != t.floats.size()) {
            return std::nullopt;
        }
        for (std::size_t i = 0; i < f.floats.size(); ++i) {
            if (t.floats[i] == z.floats[i]) {
                // The export's own constant.
                if (std::bit_cast<std::uint32_t>(f.floats[i]) != std::bit_cast<std::uint32_t>(t.floats[i])) return std::nullopt;
                continue;
            }
            const float low = t.floats[i], upper = hi.floats[i];
            if (z.floats[i] != 0.0f || low < 1.0f || upper < 1.0f || low != std::floor(low) || upper != std::floor(upper) ||
                low > static_cast<float>(kLowPart)) {
                return std::nullopt;  // not a weight copied as it is
            }
            const std::uint64_t at64 = (static_cast<std::uint64_t>(upper) - 1) * kLowPart + static_cast<std::uint64_t>(low) - 1;
            if (at64 >= positions.size()) return std::nullopt;
            const std::size_t at = static_cast<std::size_t>(at64);
            auto [tensor, index] = positions[at];
            // A weight the graph uses twice (a shared layer's) has one value.
            if (seen[at] && std::bit_cast<std::uint32_t>(tensor->values[index]) != std::bit_cast<std::uint32_t>(f.floats[i])) {
                return std::nullopt;
            }
            tensor->values[index] = f.floats[i];
            seen[at] = true;
        }
    }
    // What inference never reads (keras_hub's untied reverse projection) is not in the file: it
    // keeps its initial values.
    std::size_t at = 0;
    for (const NamedTensor& t : weights) {
        const bool any = std::any_of(seen.begin() + static_cast<std::ptrdiff_t>(at),
                                     seen.begin() + static_cast<std::ptrdiff_t>(at + t.values.size()), [](bool b) { return b; });
        const bool all = std::all_of(seen.begin() + static_cast<std::ptrdiff_t>(at),
                                     seen.begin() + static_cast<std::ptrdiff_t>(at + t.values.size()), [](bool b) { return b; });
        if (any && !all) return std::nullopt;
        if (!any) out.notes.push_back(t.name + " is not in the ONNX file (inference does not read it): it starts from its initialiser");
        at += t.values.size();
    }
    p.weights = std::move(weights);
    p.weightsFrom = "the ONNX file";
    return out;
}

OnnxImport importOnnx(const OnnxGraph& graph) {
    if (auto own = importOwnOnnx(graph)) return std::move(*own);
    const bool project = std::any_of(graph.metadata.begin(), graph.metadata.end(),
                                     [](const auto& kv) { return kv.first == kOnnxProjectKey; });
    if (!project) return liftOnnxGraph(graph);
    // LayerLoom wrote the file, and another tool changed its operators since.
    constexpr const char* changed = "the file holds a LayerLoom project, but another tool has changed its operators since";
    try {
        OnnxImport lifted = liftOnnxGraph(graph);
        lifted.notes.insert(lifted.notes.begin(), std::string(changed) + ": its layers come from the operators it has now");
        return lifted;
    } catch (const OnnxReadError& e) {
        throw OnnxReadError(std::string(changed) + ", into ones LayerLoom cannot read back: " + e.what());
    }
}

OnnxImport importOnnxFile(const std::filesystem::path& file) {
    const OnnxGraph graph = readOnnxFile(file);
    try {
        OnnxImport out = importOnnx(graph);
        // An exporter's default graph name (PyTorch's) says less than the file's.
        const std::string& named = graph.graphName;
        const bool exporterDefault = named == "torch_jit" || named == "main_graph" || named == "torch-jit-export";
        if (out.project.name.empty() || (exporterDefault && out.project.name == named)) out.project.name = file.stem().string();
        return out;
    } catch (const OnnxReadError& e) {
        throw OnnxReadError(file.string() + ": " + e.what());
    }
}

}  // namespace loom
