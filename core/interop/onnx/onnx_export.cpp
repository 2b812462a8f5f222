#include "interop/onnx/onnx_export.h"

#include <map>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "io/atomic_file.h"
#include "layers/layer_registry.h"
#include "shape/masks.h"
#include "shape/validator.h"

namespace loom {

namespace {

/// A graph input's or output's type and sizes: a dynamic batch, and a free time axis by name.
OnnxValue valueOf(const std::string& name, const Dims& sizes, OnnxType type) {
    OnnxValue v;
    v.name = name;
    v.type = type;
    v.dims = {-1};
    v.symbols = {"batch"};
    for (std::int64_t d : sizes) {
        v.dims.push_back(d == kNone ? -1 : d);
        v.symbols.push_back(d == kNone ? name + "_steps" : std::string());
    }
    return v;
}

}  // namespace

std::vector<std::string> onnxLimitations(const ModelGraph& g) {
    const Validation v = validate(g);
    std::vector<std::string> problems = stepMaskProblems(g, v, "ONNX", false);
    for (NodeId id : v.order) {
        const Node& n = *g.node(id);
        if (n.isInput()) continue;
        if (const LayerSpec* spec = findLayer(n.kind)) {
            if (std::string why = spec->onnxLimitation(n); !why.empty()) problems.push_back(std::move(why));
        }
    }
    return problems;
}

OnnxGraph onnxGraph(const Project& project, const std::vector<NamedTensor>& weights, int opset) {
    if (opset < kOnnxOldestOpset || opset > kOnnxNewestOpset) {
        throw std::invalid_argument("ONNX opset " + std::to_string(opset) + " is not one LayerLoom writes: choose " +
                                    std::to_string(kOnnxOldestOpset) + " to " + std::to_string(kOnnxNewestOpset));
    }
    const ModelGraph& g = project.graph;
    const Validation v = validate(g);
    if (v.hasErrors()) {
        throw std::invalid_argument("the model has " + std::to_string(v.count(Severity::Error)) +
                                    " error(s); fix them before exporting");
    }
    if (const auto problems = onnxLimitations(g); !problems.empty()) {
        std::string text = "ONNX cannot hold this model as it is:";
        for (const std::string& p : problems) text += "\n  " + p;
        throw std::invalid_argument(text);
    }
    std::map<std::string, const NamedTensor*, std::less<>> byName;
    for (const NamedTensor& t : weights) byName[t.name] = &t;

    OnnxGraph graph(opset);
    std::map<PortRef, std::string> values;
    for (NodeId id : v.inputs) {
        const Node& n = *g.node(id);
        const auto dtype = n.params.find("dtype");
        const bool ids = dtype != n.params.end() && std::get_if<std::string>(&dtype->second) &&
                         std::get<std::string>(dtype->second) == "int32";
        graph.beginLayer(n.name, "LayerLoom Input " + n.name);
        OnnxValue in = valueOf(n.name, v.of(g, id).output->sizes(), ids ? OnnxType::Int32 : OnnxType::Float);
        in.doc = "the Input layer " + n.name;
        graph.addInput(std::move(in));
        values[{id, 0}] = n.name;
    }
    for (NodeId id : v.order) {
        const Node& n = *g.node(id);
        if (n.isInput()) continue;
        const LayerSpec& spec = *findLayer(n.kind);
        std::vector<std::string> inputs;
        std::vector<Dims> dims;
        for (const Edge* e : g.inputEdges(id)) {
            inputs.push_back(values.at(e->from));
            dims.push_back(v.shapeAt(g, e->from)->sizes());
        }
        // A layer called at several places computes with its owner's weights.
        const Node& owner = *g.node(g.weightsOwner(id));
        std::vector<const NamedTensor*> mine;
        for (const ParamShape& w : spec.weights(n, dims)) {
            const auto found = byName.find(owner.name + "/" + w.name);
            if (found == byName.end()) throw std::logic_error("no weight " + owner.name + "/" + w.name + " to export");
            mine.push_back(found->second);
        }
        const Dims output = v.of(g, id).output->sizes();
        graph.beginLayer(n.name, "LayerLoom " + std::string(n.kind) + " " + n.name +
                                     (owner.id != id ? " (the weights of " + owner.name + ")" : std::string()));
        const std::vector<std::string> out = spec.onnx(n, graph, {inputs, dims, mine, &output});
        for (std::size_t port = 0; port < out.size(); ++port) values[{id, static_cast<int>(port)}] = out[port];
    }
    for (NodeId id : v.outputs) {
        const Node& n = *g.node(id);
        graph.beginLayer(n.name, "the output of " + n.name);
        OnnxValue out = valueOf(n.name, v.of(g, id).output->sizes(), OnnxType::Float);
        out.doc = "the output of " + n.name;
        graph.addOutput(std::move(out), values.at({id, 0}));
    }
    for (const PortRef& view : v.viewOutputs) {
        const Node& n = *g.node(view.node);
        graph.beginLayer(n.name, "the attention scores of " + n.name);
        OnnxValue out = valueOf(viewOutputName(g, view), v.shapeAt(g, view)->sizes(), OnnxType::Float);
        out.doc = "the attention scores of " + n.name + " (batch, heads, query steps, value steps)";
        graph.addOutput(std::move(out), values.at(view));
    }
    return graph;
}

void exportOnnxModel(const Project& project, const std::vector<NamedTensor>& weights, const std::filesystem::path& file,
                     int opset) {
    OnnxGraph graph = onnxGraph(project, weights, opset);
    const std::string name = project.name.empty() ? file.stem().string() : project.name;
    // The project itself (without weights or runs), so that LayerLoom reads its own file back
    // as the same graph, with the training settings, whatever the operators lost.
    Project design = project;
    design.weights.clear();
    design.weightsFrom.clear();
    design.runs = nlohmann::json::array();
    graph.metadata.emplace_back(kOnnxProjectKey, serializeProject(design));
    std::string doc = name + ", designed in LayerLoom.";
    if (!project.description.empty()) doc += " " + project.description;
    writeFileAtomically(file, onnxModelBytes(graph, name, doc));
}

}  // namespace loom
