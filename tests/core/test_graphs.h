#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "graph/model_graph.h"
#include "layers/layer_nodes.h"
#include "shape/validator.h"

namespace loom::test {

/// The message `call` refuses its input with (an E, any std::exception unless told; another
/// goes on up and fails the test), or "(accepted)".
template <class E = std::exception, class F>
std::string refusalOf(F&& call) {
    try {
        call();
    } catch (const E& e) {
        return e.what();
    }
    return "(accepted)";
}

/// Adds a node of `kind` with parameter overrides, wired from `inputs` in port order.
inline NodeId add(ModelGraph& g, std::string_view kind, ParamMap params = {},
                  std::vector<NodeId> inputs = {}) {
    const NodeId id = addLayer(g, kind);
    for (auto& [key, value] : params) g.setParam(id, key, value);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        g.connect({inputs[i], 0}, {id, static_cast<int>(i)});
    }
    return id;
}

inline NodeId input(ModelGraph& g, Dims shape) { return add(g, "InputLayer", {{"shape", shape}}); }

/// Calls the layer `owner` again on `inputs` (port order): a node that shares its weights.
inline NodeId call(ModelGraph& g, NodeId owner, std::vector<NodeId> inputs) {
    const NodeId id = addLayer(g, g.node(owner)->kind);
    g.share(id, owner);
    for (std::size_t i = 0; i < inputs.size(); ++i) g.connect({inputs[i], 0}, {id, static_cast<int>(i)});
    return id;
}

/// Input (16, 1) -> LSTM(units) -> RepeatVector(16) -> LSTM(units, sequences) -> TimeDistributed(1).
inline ModelGraph autoencoder(std::int64_t units = 6) {
    ModelGraph g;
    const NodeId in = input(g, {16, 1});
    const NodeId enc = add(g, "LSTM", {{"units", units}}, {in});
    const NodeId rep = add(g, "RepeatVector", {{"n", std::int64_t{16}}}, {enc});
    const NodeId dec = add(g, "LSTM", {{"units", units}, {"return_sequences", true}}, {rep});
    add(g, "TimeDistributed", {{"units", std::int64_t{1}}}, {dec});
    return g;
}

inline NodeId lstm(ModelGraph& g, std::int64_t units, bool sequences, NodeId from) {
    return add(g, "LSTM", {{"units", units}, {"return_sequences", sequences}}, {from});
}

inline std::string shapeOf(const ModelGraph& g, const Validation& v, NodeId id) {
    const auto& out = v.of(g, id).output;
    return out ? out->str() : "none";
}

inline std::vector<const Diagnostic*> find(const Validation& v, DiagCode code) {
    std::vector<const Diagnostic*> out;
    for (const Diagnostic& d : v.diagnostics) {
        if (d.code == code) out.push_back(&d);
    }
    return out;
}


}  // namespace loom::test
