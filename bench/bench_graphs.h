#pragma once

#include <string>

#include "graph/model_graph.h"
#include "layers/layer_nodes.h"

namespace loom::bench {

/// A deep residual sequence model of about `nodes` layers: Input(64, 16), then blocks of
/// LSTM -> Dropout -> LSTM -> Add(skip) -> Dense, every fourth block joined by a Concatenate
/// with the block before, laid out top to bottom. It exercises every shape rule on each pass.
inline ModelGraph residualStack(int nodes) {
    ModelGraph g;
    auto node = [&](const char* kind, ParamMap params, double y, double x = 0.0) {
        const NodeId id = addLayer(g, kind, {x, y});
        for (auto& [k, v] : params) g.setParam(id, k, v);
        return id;
    };
    auto wire = [&](NodeId a, NodeId b, int port = 0) { g.connect({a, 0}, {b, port}); };
    double y = 0;
    NodeId prev = node("InputLayer", {{"shape", Dims{64, 16}}}, y);
    NodeId blockBefore = prev;
    int block = 0;
    while (static_cast<int>(g.nodes().size()) + 6 <= nodes) {
        const NodeId a = node("LSTM", {{"units", std::int64_t{16}}, {"return_sequences", true}},
                              y += 120);
        wire(prev, a);
        const NodeId d = node("Dropout", {}, y += 120);
        wire(a, d);
        const NodeId b = node("LSTM", {{"units", std::int64_t{16}}, {"return_sequences", true}},
                              y += 120);
        wire(d, b);
        const NodeId sum = node("Add", {}, y += 120);
        wire(b, sum, 0);
        wire(prev, sum, 1);
        NodeId out = node("Dense", {{"units", std::int64_t{16}}}, y += 120);
        wire(sum, out);
        if (++block % 4 == 0) {
            const NodeId cat = node("Concatenate", {}, y += 120, 300);
            wire(out, cat, 0);
            wire(blockBefore, cat, 1);
            const NodeId proj = node("TimeDistributed", {{"units", std::int64_t{16}}}, y += 120);
            wire(cat, proj);
            out = proj;
        }
        blockBefore = prev;
        prev = out;
    }
    while (static_cast<int>(g.nodes().size()) < nodes) {
        const NodeId d = node("Dropout", {}, y += 120);
        wire(prev, d);
        prev = d;
    }
    return g;
}

}  // namespace loom::bench
