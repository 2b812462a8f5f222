#pragma once

#include <QAbstractSpinBox>
#include <QComboBox>
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

/// Inputs `a` (4,) and `b` (3,); outputs `values` = Dense(2)(a) and `flag` =
/// Dense(1, sigmoid)(Concatenate(a, b)).
inline Project twoInputsTwoOutputs() {
    Project p;
    p.name = "two by two";
    ModelGraph& g = p.graph;
    const NodeId a = addLayer(g, "InputLayer", {0, 0});
    const NodeId b = addLayer(g, "InputLayer", {300, 0});
    g.setParam(a, "shape", Dims{4});
    g.setParam(b, "shape", Dims{3});
    g.rename(a, "a");
    g.rename(b, "b");
    const NodeId values = addLayer(g, "Dense", {0, 150});
    g.setParam(values, "units", std::int64_t{2});
    g.rename(values, "values");
    const NodeId joined = addLayer(g, "Concatenate", {300, 150});
    const NodeId flag = addLayer(g, "Dense", {300, 300});
    g.setParam(flag, "units", std::int64_t{1});
    g.setParam(flag, "activation", std::string("sigmoid"));
    g.rename(flag, "flag");
    g.connect({a, 0}, {values, 0});
    g.connect({a, 0}, {joined, 0});
    g.connect({b, 0}, {joined, 1});
    g.connect({joined, 0}, {flag, 0});
    return p;
}

/// Picks the entry of a combo box whose data is `data`, as the user's choice.
inline void choose(QComboBox* box, const QString& data) {
    const int index = box->findData(data);
    QVERIFY2(index >= 0, qPrintable(data));
    box->setFocus();
    box->setCurrentIndex(index);
}

/// Types `text` into a spin box as the user does, and Enter.
inline void typeInto(QAbstractSpinBox* box, const QString& text) {
    box->setFocus();
    box->selectAll();
    QTest::keyClicks(box, text);
    QTest::keyClick(box, Qt::Key_Enter);
}

/// Runs the event loop until `done`, for at most `ms` milliseconds (a generous limit, not a
/// timing); returns whether it got done.
inline bool waitFor(const std::function<bool()>& done, int ms) {
    return QTest::qWaitFor(done, ms);
}

}  // namespace loom::ui::test
