#pragma once

#include <QtTest>
#include <functional>

#include "graph/project_file.h"
#include "layers/layer_nodes.h"

namespace loom::ui::test {

/// The small autoencoder the training tests use: Input (16, 1) -> LSTM(units) ->
/// RepeatVector(16) -> LSTM(units, sequences) -> TimeDistributed(Dense(1)).
inline Project smallAutoencoder(std::int64_t units = 8) {
    Project p;
    p.name = "small autoencoder";
    ModelGraph& g = p.graph;
    const NodeId in = addLayer(g, "InputLayer", {0, 0});
    g.setParam(in, "shape", Dims{16, 1});
    const NodeId enc = addLayer(g, "LSTM", {0, 100});
    g.setParam(enc, "units", units);
    const NodeId rep = addLayer(g, "RepeatVector", {0, 200});
    g.setParam(rep, "n", std::int64_t{16});
    const NodeId dec = addLayer(g, "LSTM", {0, 300});
    g.setParam(dec, "units", units);
    g.setParam(dec, "return_sequences", true);
    const NodeId out = addLayer(g, "TimeDistributed", {0, 400});
    g.setParam(out, "units", std::int64_t{1});
    g.connect({in, 0}, {enc, 0});
    g.connect({enc, 0}, {rep, 0});
    g.connect({rep, 0}, {dec, 0});
    g.connect({dec, 0}, {out, 0});
    return p;
}

/// Runs the event loop until `done`, for at most `ms` milliseconds (a generous limit, not a
/// timing); returns whether it got done.
inline bool waitFor(const std::function<bool()>& done, int ms) {
    return QTest::qWaitFor(done, ms);
}

}  // namespace loom::ui::test
