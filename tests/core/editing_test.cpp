// The core of the editor's gestures: trying out wires before they are made, copy and paste of
// graph pieces, and the skip-connection builders.
#include <gtest/gtest.h>

#include <cmath>

#include "core/test_graphs.h"
#include "graph/fragment.h"
#include "graph/graph_edit.h"
#include "graph/layout.h"
#include "graph/project_file.h"
#include "layers/layer_nodes.h"
#include "shape/fixes.h"
#include "shape/skip_connection.h"

namespace loom {
namespace {

using test::add;
using test::input;
using test::lstm;

Project example(const std::string& file) {
    return loadProject(std::string(LAYERLOOM_EXAMPLES_DIR) + "/" + file);
}

// --- ConnectionProbe ---------------------------------------------------------------------------

struct Bottleneck {
    ModelGraph g;
    NodeId in, enc, bottleneck, repeat, dec, merge, free;
    Bottleneck() {
        in = input(g, {32, 1});
        enc = lstm(g, 256, true, in);
        bottleneck = lstm(g, 20, false, enc);
        repeat = test::add(g, "RepeatVector", {{"n", std::int64_t{32}}}, {bottleneck});
        dec = lstm(g, 20, true, repeat);
        merge = test::add(g, "Add", {}, {dec});
        free = addLayer(g, "Dense");
    }
};

TEST(ConnectionProbe, RefusesTheClassicSkipMismatchWithTheShapeRule) {
    Bottleneck m;
    const Validation v = validate(m.g);
    const ConnectionProbe probe(m.g, v);
    const ConnectionVerdict wrong = probe.check(m.enc, m.merge, 1);
    EXPECT_EQ(wrong.kind, ConnectionVerdict::BreaksShapeRule);
    EXPECT_NE(wrong.reason.find("256"), std::string::npos) << wrong.reason;
    EXPECT_NE(wrong.reason.find("20"), std::string::npos) << wrong.reason;
    // The decoder's own width is fine; so is a second copy of the decoder output.
    EXPECT_TRUE(probe.check(m.repeat, m.merge, 1).fits()) << probe.check(m.repeat, m.merge, 1).reason;
}

TEST(ConnectionProbe, RefusesVectorsWhereSequencesAreRead) {
    Bottleneck m;
    const Validation v = validate(m.g);
    const ConnectionProbe probe(m.g, v);
    const ConnectionVerdict verdict = probe.check(m.bottleneck, m.dec, 0);
    EXPECT_EQ(verdict.kind, ConnectionVerdict::BreaksShapeRule);
    EXPECT_NE(verdict.reason.find("vector"), std::string::npos) << verdict.reason;
}

TEST(ConnectionProbe, RefusesLoopsSelfWiresInputsAndMissingPorts) {
    Bottleneck m;
    const Validation v = validate(m.g);
    const ConnectionProbe probe(m.g, v);
    const ConnectionVerdict loop = probe.check(m.dec, m.enc, 0);
    EXPECT_EQ(loop.kind, ConnectionVerdict::Impossible);
    EXPECT_NE(loop.reason.find("loop"), std::string::npos) << loop.reason;
    EXPECT_FALSE(probe.check(m.enc, m.enc, 0).allowed());
    EXPECT_FALSE(probe.check(m.enc, m.in, 0).allowed());
    EXPECT_FALSE(probe.check(m.enc, m.dec, 1).allowed());
    EXPECT_FALSE(probe.check(m.repeat, m.dec, 0).allowed()) << "already wired";
}

TEST(ConnectionProbe, AcceptsReplacingAWireAndSaysSo) {
    Bottleneck m;
    const NodeId other = lstm(m.g, 8, true, m.in);
    const Validation v = validate(m.g);
    const ConnectionProbe probe(m.g, v);
    const ConnectionVerdict verdict = probe.check(other, m.enc, 0);
    EXPECT_EQ(verdict.kind, ConnectionVerdict::Fits);
    EXPECT_NE(verdict.reason.find("Replaces the wire from input_1"), std::string::npos)
        << verdict.reason;
    // A free Dense takes anything; the probe leaves the validation as it was.
    EXPECT_TRUE(probe.check(m.enc, m.free, 0).fits());
    EXPECT_EQ(validate(m.g).diagnostics.size(), v.diagnostics.size());
}

TEST(ConnectionProbe, ExistingProblemsOfTheTargetDoNotBlockNewWires) {
    // The Add already mixes 20 and 256; a third 256-wide input adds no new problem, while a
    // wire of yet another width does.
    Bottleneck m;
    m.g.connect({m.enc, 0}, {m.merge, 1});
    const NodeId other = lstm(m.g, 8, true, m.in);
    const Validation v = validate(m.g);
    ASSERT_TRUE(v.hasErrors());
    const ConnectionProbe probe(m.g, v);
    EXPECT_TRUE(probe.check(m.enc, m.merge, 2).fits()) << probe.check(m.enc, m.merge, 2).reason;
    EXPECT_FALSE(probe.check(other, m.merge, 2).fits());
}

// --- Fragments ---------------------------------------------------------------------------------

TEST(Fragment, CopyKeepsInnerWiresAndPasteGivesFreshNamesAndIds) {
    Bottleneck m;
    const ModelGraph piece = extractFragment(m.g, {m.enc, m.bottleneck, m.free});
    EXPECT_EQ(piece.nodes().size(), 3u);
    ASSERT_EQ(piece.edges().size(), 1u);  // enc -> bottleneck; the wire from the Input stays out

    ModelGraph g = m.g;
    const std::vector<NodeId> added = pasteFragment(g, piece, {40, 40});
    ASSERT_EQ(added.size(), 3u);
    EXPECT_EQ(g.nodes().size(), m.g.nodes().size() + 3);
    EXPECT_EQ(g.node(added[0])->name, "lstm_4");
    EXPECT_EQ(g.node(added[1])->name, "lstm_5");
    EXPECT_EQ(g.node(added[0])->param<std::int64_t>("units"), 256);
    EXPECT_EQ(g.node(added[0])->position.x, m.g.node(m.enc)->position.x + 40);
    ASSERT_EQ(g.inputEdges(added[1]).size(), 1u);
    EXPECT_EQ(g.inputEdges(added[1]).front()->from.node, added[0]);
    EXPECT_TRUE(g.inputEdges(added[0]).empty());

    // Names that are free stay; custom names get a number.
    g.rename(added[2], "head");
    const std::vector<NodeId> again = pasteFragment(g, extractFragment(g, {added[2]}), {});
    EXPECT_EQ(g.node(again.front())->name, "head_1");
    ModelGraph empty;
    const auto fresh = pasteFragment(empty, piece, {});
    EXPECT_EQ(empty.node(fresh[0])->name, "lstm_1");
}

TEST(Fragment, SurvivesTheProjectFormatAsTheClipboardCarriesIt) {
    Bottleneck m;
    Project clip;
    clip.graph = extractFragment(m.g, {m.enc, m.bottleneck});
    const Project back = parseProject(serializeProject(clip), "clipboard");
    EXPECT_TRUE(back.graph == clip.graph);
}

// --- Groups ------------------------------------------------------------------------------------

TEST(Group, GathersLayersAndFollowsTheirDeletion) {
    Bottleneck m;
    const auto id = m.g.addGroup("residual block", {m.enc, m.bottleneck, 999}, true, {10, 20});
    ASSERT_NE(id, 0u);
    ASSERT_NE(m.g.group(id), nullptr);
    EXPECT_EQ(m.g.group(id)->members, (std::vector<NodeId>{m.enc, m.bottleneck}));
    EXPECT_EQ(m.g.groupOf(m.enc)->name, "residual block");
    EXPECT_EQ(m.g.groupOf(m.dec), nullptr);
    // A layer joins one group at a time: a new group takes it from the old one.
    const auto second = m.g.addGroup("decoder", {m.bottleneck, m.repeat}, false, {});
    EXPECT_EQ(m.g.group(id)->members, (std::vector<NodeId>{m.enc}));
    EXPECT_EQ(m.g.groupOf(m.bottleneck)->id, second);
    // Deleting its last layer removes a group; ungrouping keeps the layers.
    m.g.removeNode(m.enc);
    EXPECT_EQ(m.g.group(id), nullptr);
    EXPECT_TRUE(m.g.removeGroup(second));
    EXPECT_NE(m.g.node(m.repeat), nullptr);
    EXPECT_EQ(m.g.addGroup("empty", {12345}, true, {}), 0u);
    // Groups change nothing about shapes.
    EXPECT_EQ(validate(m.g).totalParams, [&] {
        ModelGraph plain = m.g;
        for (const Group& g : m.g.groups()) plain.removeGroup(g.id);
        return validate(plain).totalParams;
    }());
}

TEST(Group, SavesAndLoadsWithTheProject) {
    Bottleneck m;
    m.g.addGroup("encoder \"deep\"", {m.enc, m.bottleneck}, true, {40, 80});
    Project p;
    p.graph = m.g;
    const Project back = parseProject(serializeProject(p), "groups.loom");
    EXPECT_TRUE(back.graph == m.g);
    ASSERT_EQ(back.graph.groups().size(), 1u);
    EXPECT_EQ(back.graph.groups().front().position, (Point{40, 80}));
}

TEST(Group, BrokenGroupsInAFileSayWhere) {
    Bottleneck m;
    m.g.addGroup("block", {m.enc}, true, {});
    Project p;
    p.graph = m.g;
    const std::string text = serializeProject(p);
    const auto expectError = [](const std::string& file, const std::string& part) {
        try {
            parseProject(file, "bad.loom");
            ADD_FAILURE() << "accepted: " << part;
        } catch (const ProjectError& e) {
            EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
        }
    };
    // Replace the member list with something else.
    const auto at = text.find("\"members\"");
    const auto open = text.find('[', at), close = text.find(']', at);
    const auto withMembers = [&](const std::string& list) {
        return text.substr(0, open + 1) + list + text.substr(close);
    };
    expectError(withMembers("77"), "/graph/groups/0/members/0: the group refers to layer id 77");
    expectError(withMembers(std::to_string(m.enc) + ", " + std::to_string(m.enc)),
                "is in two groups");
    expectError(withMembers(""), "non-empty list");
}

TEST(Group, CopyAndPasteCarryWholeGroups) {
    Bottleneck m;
    m.g.addGroup("block", {m.enc, m.bottleneck}, true, {0, 120});
    const ModelGraph piece = extractFragment(m.g, {m.enc, m.bottleneck, m.repeat});
    ASSERT_EQ(piece.groups().size(), 1u);
    EXPECT_TRUE(extractFragment(m.g, {m.enc}).groups().empty());
    ModelGraph g = m.g;
    const auto added = pasteFragment(g, piece, {300, 0});
    ASSERT_EQ(g.groups().size(), 2u);
    const Group& copy = g.groups().back();
    EXPECT_EQ(copy.members, (std::vector<NodeId>{added[0], added[1]}));
    EXPECT_EQ(copy.position, (Point{300, 120}));
}

TEST(Group, AutoLayoutGivesACollapsedGroupOnePlace) {
    const Project classifier = example("residual_lstm_classifier.loom");
    ModelGraph g = classifier.graph;
    std::vector<NodeId> block;
    for (const char* name : {"lstm_2", "lstm_3", "lstm_4", "lstm_5", "add_1"}) {
        block.push_back(g.nodeByName(name)->id);
    }
    const auto id = g.addGroup("block", block, true, g.nodeByName("lstm_2")->position);
    layOut(g);
    // The card sits one row below lstm_1 and add_1's former consumers one row below the card.
    const double row = LayoutSpacing{}.row;
    const Group& group = *g.group(id);
    EXPECT_DOUBLE_EQ(group.position.y, g.nodeByName("lstm_1")->position.y + row);
    EXPECT_DOUBLE_EQ(g.nodeByName("lstm_6")->position.y, group.position.y + row);
    // Hidden layers keep their arrangement relative to the card.
    ModelGraph plain = classifier.graph;
    const double before = plain.nodeByName("lstm_4")->position.y - plain.nodeByName("lstm_2")->position.y;
    EXPECT_DOUBLE_EQ(g.nodeByName("lstm_4")->position.y - g.nodeByName("lstm_2")->position.y, before);
}

// --- Skip connections --------------------------------------------------------------------------

// A layer spliced into a long skip wire does not land on the layers the wire skips: halfway
// along it is one of them, so the new layer sits beside it, on the wire's side.
TEST(Splice, IntoALongSkipWireLandsBesideTheSkippedLayers) {
    ModelGraph g;
    const NodeId in = input(g, {25, 1});
    NodeId x = in;
    for (int i = 0; i < 3; ++i) x = add(g, "Dense", {{"units", std::int64_t{1}}}, {x});
    const NodeId sum = add(g, "Add", {}, {x, in});
    const double row = LayoutSpacing{}.row;
    for (const auto& [id, at] : layeredLayout(g)) g.node(id)->position = at;  // one column, a row apart
    const Edge* skip = g.inputEdges(sum)[1];
    ASSERT_EQ(skip->from.node, in);
    GraphEdit e = spliceInto(g, *skip, "ZeroPadding1D", {});
    const auto added = applyEdit(g, e);
    ASSERT_EQ(added.size(), 1u);
    const Point at = g.node(added[0])->position;
    for (const Node& n : g.nodes()) {
        if (n.id == added[0]) continue;
        EXPECT_FALSE(std::abs(n.position.x - at.x) < LayoutSpacing{}.column / 2 && std::abs(n.position.y - at.y) < row / 2)
            << n.name << " is under the new layer";
    }
    // Between neighbouring rows it still takes the consumer's place.
    ModelGraph h;
    const NodeId a = input(h, {5, 1});
    const NodeId b = add(h, "Dense", {{"units", std::int64_t{1}}}, {a});
    for (const auto& [id, p] : layeredLayout(h)) h.node(id)->position = p;
    const Point before = h.node(b)->position;
    const auto one = applyEdit(h, spliceInto(h, *h.inputEdges(b)[0], "Dropout", {}));
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(h.node(one[0])->position, before);
}

TEST(SkipConnection, AddProjectsTheNarrowerBranchToTheWiderWidth) {
    Bottleneck m;
    ModelGraph g = m.g;
    g.removeNode(m.merge);
    g.removeNode(m.free);
    const Validation v = validate(g);
    const Fix fix = skipConnectionFix(g, v, m.enc, m.dec, "Add");
    applyEdit(g, fix.edit);
    const Validation after = validate(g);
    for (const Diagnostic& d : after.diagnostics) {
        if (d.severity == Severity::Error) ADD_FAILURE() << d.message;
    }
    const Node* merge = g.nodeByName("add_1");
    ASSERT_NE(merge, nullptr);
    EXPECT_EQ(test::shapeOf(g, after, merge->id), "(None, 32, 256)");
    const auto in = g.inputEdges(merge->id);
    ASSERT_EQ(in.size(), 2u);
    const Node* projection = g.node(in[0]->from.node);
    EXPECT_EQ(projection->kind, "TimeDistributed");
    EXPECT_EQ(projection->param<std::int64_t>("units"), 256);
    EXPECT_EQ(g.inputEdges(projection->id).front()->from.node, m.dec);
    EXPECT_EQ(in[1]->from.node, m.enc);
}

TEST(SkipConnection, TakesOverTheDecodersConsumersAndMakesRoom) {
    Bottleneck m;
    const Validation v = validate(m.g);
    ModelGraph g = m.g;
    const double below = g.node(m.merge)->position.y;
    applyEdit(g, skipConnectionFix(g, v, m.dec, m.enc, "Concatenate").edit);  // either order
    const Node* merge = g.nodeByName("concatenate_1");
    ASSERT_NE(merge, nullptr);
    ASSERT_EQ(g.inputEdges(m.merge).size(), 1u);
    EXPECT_EQ(g.inputEdges(m.merge).front()->from.node, merge->id);
    EXPECT_GT(g.node(m.merge)->position.y, below);
    EXPECT_EQ(test::shapeOf(g, validate(g), merge->id), "(None, 32, 276)");
}

TEST(SkipConnection, RefusesWhatCannotBeJoinedAndSaysWhy) {
    Bottleneck m;
    const Validation v = validate(m.g);
    try {
        skipConnectionFix(m.g, v, m.bottleneck, m.dec, "Add");
        FAIL() << "a vector joined to a sequence";
    } catch (const EditError& e) {
        EXPECT_NE(std::string(e.what()).find("return_sequences=True on lstm_2"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(skipConnectionFix(m.g, v, m.enc, m.enc, "Add"), EditError);
    EXPECT_THROW(skipConnectionFix(m.g, v, m.enc, m.dec, "Multiply"), EditError);
}

TEST(SkipConnection, SymmetricSkipsTurnThePlainAutoencoderIntoTheShippedUNets) {
    const Project plain = example("lstm_autoencoder.loom");
    const Validation v = validate(plain.graph);
    for (auto [kind, params] : {std::pair{"Concatenate", 5035361}, std::pair{"Add", 4627553}}) {
        ModelGraph g = plain.graph;
        const Fix fix = symmetricSkipsFix(g, v, kind);
        EXPECT_NE(fix.title.find("2 pairs"), std::string::npos) << fix.title;
        applyEdit(g, fix.edit);
        const Validation after = validate(g);
        for (const Diagnostic& d : after.diagnostics) ADD_FAILURE() << kind << ": " << d.message;
        EXPECT_EQ(after.totalParams, params) << kind;
        // Nothing overlaps: every layer has its own place.
        for (const Node& a : g.nodes()) {
            for (const Node& b : g.nodes()) {
                if (a.id < b.id) {
                    EXPECT_FALSE(a.position == b.position) << a.name << " " << b.name;
                }
            }
        }
    }
}

/// The 1-D U-Net example without its skips: Conv1D and MaxPooling1D down, UpSampling1D and
/// Conv1D up.
ModelGraph plainConvAutoencoder(std::int64_t steps) {
    ModelGraph g;
    const ParamMap same{{"padding", std::string("same")}, {"activation", std::string("relu")}};
    const auto conv = [&](std::int64_t filters, NodeId from) {
        ParamMap p = same;
        p["filters"] = filters;
        return add(g, "Conv1D", p, {from});
    };
    NodeId x = conv(16, input(g, {steps, 1}));
    x = conv(32, add(g, "MaxPooling1D", {}, {x}));
    x = conv(64, add(g, "MaxPooling1D", {}, {x}));
    x = conv(32, add(g, "UpSampling1D", {}, {x}));
    x = conv(16, add(g, "UpSampling1D", {}, {x}));
    add(g, "Conv1D", {{"filters", std::int64_t{1}}, {"kernel_size", std::int64_t{1}}, {"padding", std::string("same")}}, {x});
    return g;
}

TEST(SkipConnection, SymmetricSkipsJoinTheBidirectionalAutoencoder) {
    // bidirectional_1 (32, 64) joins the input of bidirectional_4, its mirror; both Add (through
    // a projection) and Concatenate give a valid model.
    for (const char* kind : {"Concatenate", "Add"}) {
        ModelGraph g = example("bilstm_autoencoder.loom").graph;
        const Fix fix = symmetricSkipsFix(g, validate(g), kind);
        EXPECT_NE(fix.title.find("1 pair"), std::string::npos) << fix.title;
        applyEdit(g, fix.edit);
        const Validation after = validate(g);
        for (const Diagnostic& d : after.diagnostics) ADD_FAILURE() << kind << ": " << d.message;
    }
}

TEST(SkipConnection, SymmetricSkipsJoinAConvolutionalEncoderToItsDecoder) {
    ModelGraph g = plainConvAutoencoder(32);
    const Fix fix = symmetricSkipsFix(g, validate(g), "Concatenate");
    EXPECT_NE(fix.title.find("2 pairs"), std::string::npos) << fix.title;
    applyEdit(g, fix.edit);
    const Validation after = validate(g);
    for (const Diagnostic& d : after.diagnostics) ADD_FAILURE() << d.message;
    // The shipped U-Net, joined the same way: [up-sampled decoder, encoder before its pooling].
    EXPECT_EQ(after.totalParams, 19425);
    EXPECT_EQ(after.totalParams, validate(example("conv1d_unet.loom").graph).totalParams);
    const Node* first = g.nodeByName("concatenate_1");
    ASSERT_NE(first, nullptr);
    const auto in = g.inputEdges(first->id);
    ASSERT_EQ(in.size(), 2u);
    EXPECT_EQ(g.node(in[0]->from.node)->name, "up_sampling1d_1");
    EXPECT_EQ(g.node(in[1]->from.node)->name, "conv1d_2");

    // On 25 steps the outer pair does not meet, and the refusal says so with both lengths.
    ModelGraph odd = plainConvAutoencoder(25);
    try {
        symmetricSkipsFix(odd, validate(odd), "Concatenate");
        FAIL();
    } catch (const EditError& e) {
        EXPECT_NE(std::string(e.what()).find("conv1d_1 returns 25 steps and up_sampling1d_2 24"), std::string::npos)
            << e.what();
    }
}

TEST(SkipConnection, SymmetricSkipsExplainWhatTheyNeed) {
    const Project classifier = example("residual_lstm_classifier.loom");
    EXPECT_THROW(symmetricSkipsFix(classifier.graph, validate(classifier.graph), "Add"), EditError);
    const Project done = example("lstm_autoencoder_skips.loom");
    try {
        symmetricSkipsFix(done.graph, validate(done.graph), "Add");
        FAIL();
    } catch (const EditError& e) {
        EXPECT_NE(std::string(e.what()).find("already has merge"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace loom
