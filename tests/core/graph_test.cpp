#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/test_graphs.h"
#include "graph/graph_algorithms.h"

namespace loom {
namespace {

using test::add;
using test::input;

TEST(ModelGraph, NamesNodesTheKerasWay) {
    ModelGraph g;
    const NodeId a = addLayer(g, "LSTM");
    const NodeId b = addLayer(g, "LSTM");
    const NodeId c = addLayer(g, "TimeDistributed");
    EXPECT_EQ(g.node(a)->name, "lstm_1");
    EXPECT_EQ(g.node(b)->name, "lstm_2");
    EXPECT_EQ(g.node(c)->name, "time_distributed_1");
    g.removeNode(a);
    EXPECT_EQ(g.node(addLayer(g, "LSTM"))->name, "lstm_1");  // the free name is reused
    EXPECT_EQ(addLayer(g, "NoSuchLayer"), 0u);
}

TEST(ModelGraph, IdsStayStableAcrossRemovals) {
    ModelGraph g;
    const NodeId a = addLayer(g, "Dense");
    const NodeId b = addLayer(g, "Dense");
    g.removeNode(a);
    const NodeId c = addLayer(g, "Dense");
    EXPECT_NE(c, a);
    EXPECT_EQ(g.node(b)->name, "dense_2");
    EXPECT_EQ(g.indexOf(c), 1u);
}

TEST(ModelGraph, NewNodesCarryEverySchemaParameter) {
    ModelGraph g;
    const Node* n = g.node(addLayer(g, "GRU"));
    EXPECT_EQ(n->params.size(), 15u);  // with the three initialisers, go_backwards, return_state and initial_state
    EXPECT_EQ(n->param<std::int64_t>("units"), 32);
    EXPECT_TRUE(n->param<bool>("reset_after"));
}

TEST(ModelGraph, RemovingANodeRemovesItsWires) {
    ModelGraph g;
    const NodeId in = input(g, {4, 1});
    const NodeId l = test::lstm(g, 3, true, in);
    add(g, "Dense", {}, {l});
    const auto removed = g.removeNode(l);
    EXPECT_EQ(removed.size(), 2u);
    EXPECT_TRUE(g.edges().empty());
}

TEST(ModelGraph, InputEdgesAreInPortOrder) {
    ModelGraph g;
    const NodeId a = input(g, {3});
    const NodeId b = input(g, {3});
    const NodeId m = addLayer(g, "Concatenate");
    g.connect({b, 0}, {m, 1});
    g.connect({a, 0}, {m, 0});
    auto in = g.inputEdges(m);
    ASSERT_EQ(in.size(), 2u);
    EXPECT_EQ(in[0]->from.node, a);
    EXPECT_EQ(in[1]->from.node, b);
    EXPECT_EQ(g.connect({999, 0}, {m, 2}), 0u);
}

TEST(GraphAnalysis, TopologicalOrderPutsProducersFirst) {
    ModelGraph g;
    // Insert consumers before producers so that file order is not topological order.
    const NodeId d = addLayer(g, "Dense");
    const NodeId l = addLayer(g, "LSTM");
    const NodeId in = input(g, {5, 2});
    g.connect({l, 0}, {d, 0});
    g.connect({in, 0}, {l, 0});
    const GraphAnalysis a = analyzeGraph(g);
    EXPECT_EQ(a.order, (std::vector<NodeId>{in, l, d}));
    EXPECT_TRUE(a.cycles.empty());
    EXPECT_TRUE(std::all_of(a.reachable.begin(), a.reachable.end(), [](bool r) { return r; }));
}

TEST(GraphAnalysis, FindsEachCycleOnce) {
    ModelGraph g;
    const NodeId in = input(g, {3});
    const NodeId a = add(g, "Dense", {}, {in});
    const NodeId b = add(g, "Dense", {}, {a});
    g.connect({b, 0}, {a, 1});
    const NodeId c = add(g, "Dense", {}, {b});
    const NodeId x = addLayer(g, "Dense");
    const NodeId y = add(g, "Dense", {}, {x});
    g.connect({y, 0}, {x, 0});
    const GraphAnalysis r = analyzeGraph(g);
    ASSERT_EQ(r.cycles.size(), 2u);
    EXPECT_EQ(r.cycles[0], (std::vector<NodeId>{a, b}));
    EXPECT_EQ(r.cycles[1], (std::vector<NodeId>{x, y}));
    EXPECT_TRUE(r.inCycle[g.indexOf(a)]);
    EXPECT_FALSE(r.inCycle[g.indexOf(c)]);
    EXPECT_TRUE(r.reachable[g.indexOf(c)]);
    EXPECT_FALSE(r.reachable[g.indexOf(x)]);
    // Producers still precede consumers outside the cycles.
    auto pos = [&](NodeId id) { return std::find(r.order.begin(), r.order.end(), id); };
    EXPECT_LT(pos(in), pos(a));
    EXPECT_LT(pos(b), pos(c));
}

TEST(GraphAnalysis, ValidatesLargeGraphsWithoutRecursionLimits) {
    ModelGraph g;
    NodeId prev = input(g, {16});
    for (int i = 0; i < 5000; ++i) prev = add(g, "Dense", {{"units", std::int64_t{16}}}, {prev});
    const Validation v = validate(g);
    EXPECT_TRUE(v.diagnostics.empty());
    EXPECT_EQ(v.totalParams, 5000 * (16 * 16 + 16));
}

TEST(ParamFormat, ReadsTheWayKerasPrints) {
    EXPECT_EQ(formatShape({32, 256}), "(None, 32, 256)");
    EXPECT_EQ(formatShape({kNone, 8}), "(None, None, 8)");
    EXPECT_EQ(formatParam(Dims{16}), "(16,)");
    EXPECT_EQ(formatParam(true), "True");
    EXPECT_EQ(formatParam(Regularizer{Regularizer::Kind::L1L2, 0.01, 0.02}), "l1_l2(0.01, 0.02)");
}

}  // namespace
}  // namespace loom

#include "graph/layout.h"
#include "graph/project_file.h"
#include "layers/layer_nodes.h"

namespace loom {
namespace {

TEST(Layout, WiresRunDownwardAndCardsNeverShareAPlace) {
    for (const char* file : {"lstm_autoencoder_skips.loom", "residual_lstm_classifier.loom",
                             "lstm_autoencoder_skips_add.loom"}) {
        const Project p = loadProject(std::string(LAYERLOOM_EXAMPLES_DIR) + "/" + file);
        const auto at = layeredLayout(p.graph);
        ASSERT_EQ(at.size(), p.graph.nodes().size()) << file;
        for (const Edge& e : p.graph.edges()) {
            EXPECT_LT(at.at(e.from.node).y, at.at(e.to.node).y) << file;
        }
        std::set<std::pair<double, double>> places;
        for (const auto& [id, pt] : at) places.insert({pt.x, pt.y});
        EXPECT_EQ(places.size(), at.size()) << file;
        EXPECT_EQ(layeredLayout(p.graph), at);  // deterministic
    }
}

TEST(Layout, AChainIsOneColumnAndBranchesSitSideBySide) {
    const Project chain =
        loadProject(std::string(LAYERLOOM_EXAMPLES_DIR) + "/lstm_autoencoder_skips.loom");
    for (const auto& [id, pt] : layeredLayout(chain.graph)) EXPECT_EQ(pt.x, 0.0);
    const Project res =
        loadProject(std::string(LAYERLOOM_EXAMPLES_DIR) + "/residual_lstm_classifier.loom");
    const auto at = layeredLayout(res.graph);
    const NodeId main = res.graph.nodeByName("lstm_2")->id;
    const NodeId skip = res.graph.nodeByName("lstm_3")->id;
    EXPECT_EQ(at.at(main).y, at.at(skip).y);
    EXPECT_NE(at.at(main).x, at.at(skip).x);
}

TEST(Layout, CyclesDoNotBreakIt) {
    ModelGraph g;
    const NodeId in = test::input(g, {3});
    const NodeId a = test::add(g, "Dense", {}, {in});
    const NodeId b = test::add(g, "Dense", {}, {a});
    g.connect({b, 0}, {a, 1});
    EXPECT_EQ(layeredLayout(g).size(), 3u);
}

}  // namespace
}  // namespace loom
