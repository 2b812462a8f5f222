// Every diagnostic: when it appears, what it says, and that each fix it offers repairs the graph
// when applied and validated again.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/test_graphs.h"
#include "graph/graph_edit.h"
#include "layers/layer_registry.h"

namespace loom {
namespace {

using test::add;
using test::find;
using test::input;
using test::lstm;

/// Applies fix `index` of the only diagnostic with `code`, and validates again.
Validation applyFix(ModelGraph& g, DiagCode code, std::size_t index) {
    const Validation before = validate(g);
    auto found = find(before, code);
    EXPECT_EQ(found.size(), 1u) << codeName(code);
    if (found.empty() || found.front()->fixes.size() <= index) {
        ADD_FAILURE() << "no fix " << index << " for " << codeName(code);
        return before;
    }
    applyEdit(g, found.front()->fixes[index].edit);
    return validate(g);
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

/// The first attempt at U-Net skips: a (None, 32, 20) decoder output added to a
/// (None, 32, 256) encoder output.
struct SkipGraph {
    ModelGraph g;
    NodeId in, enc, bottleneck, repeat, dec, merge, out;
    SkipGraph() {
        in = input(g, {32, 1});
        enc = lstm(g, 256, true, in);
        bottleneck = lstm(g, 20, false, enc);
        repeat = add(g, "RepeatVector", {{"n", std::int64_t{32}}}, {bottleneck});
        dec = lstm(g, 20, true, repeat);
        merge = add(g, "Add", {}, {dec, enc});
        out = add(g, "TimeDistributed", {{"units", std::int64_t{1}}}, {merge});
    }
};

TEST(MergeShapeMismatch, ExplainsTheAxisTheSizesAndWhy) {
    SkipGraph s;
    const Validation v = validate(s.g);
    auto d = find(v, DiagCode::MergeShapeMismatch);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0]->severity, Severity::Error);
    EXPECT_EQ(d[0]->node, s.merge);
    EXPECT_EQ(d[0]->port, 0);
    const std::string& m = d[0]->message;
    EXPECT_TRUE(has(m, "(None, 32, 20) from lstm_3")) << m;
    EXPECT_TRUE(has(m, "(None, 32, 256) from lstm_1")) << m;
    EXPECT_TRUE(has(m, "feature axis differs (20 vs 256)")) << m;
    EXPECT_TRUE(has(m, "time axis matches (32 steps)")) << m;
    EXPECT_TRUE(has(m, "lstm_3 has units=20")) << m;
    EXPECT_TRUE(has(m, "lstm_1 has units=256")) << m;
    EXPECT_EQ(v.count(Severity::Error), 1u);
    // Shapes downstream are still inferred, so later problems show at once.
    EXPECT_EQ(test::shapeOf(s.g, v, s.out), "(None, 32, 1)");
}

TEST(MergeShapeMismatch, ProjectionFixKeepsTheSequenceAndValidates) {
    SkipGraph s;
    const Validation v = applyFix(s.g, DiagCode::MergeShapeMismatch, 0);
    EXPECT_TRUE(v.diagnostics.empty());
    const Node* proj = s.g.node(s.g.inputEdges(s.merge).front()->from.node);
    EXPECT_EQ(proj->kind, "TimeDistributed");
    EXPECT_EQ(proj->param<std::int64_t>("units"), 256);
    EXPECT_EQ(test::shapeOf(s.g, v, proj->id), "(None, 32, 256)");
    EXPECT_EQ(s.g.inputEdges(proj->id).front()->from.node, s.dec);
}

TEST(MergeShapeMismatch, ConcatenateFixRenamesAndKeepsOperandOrder) {
    SkipGraph s;
    const Validation v = applyFix(s.g, DiagCode::MergeShapeMismatch, 1);
    EXPECT_TRUE(v.diagnostics.empty());
    EXPECT_EQ(s.g.node(s.merge)->kind, "Concatenate");
    EXPECT_EQ(s.g.node(s.merge)->name, "concatenate_1");
    EXPECT_EQ(test::shapeOf(s.g, v, s.merge), "(None, 32, 276)");
    EXPECT_EQ(s.g.inputEdges(s.merge)[0]->from.node, s.dec);
}

TEST(MergeShapeMismatch, VectorProjectionForVectors) {
    ModelGraph g;
    const NodeId in = input(g, {10, 3});
    const NodeId a = lstm(g, 8, false, in);
    const NodeId b = lstm(g, 16, false, in);
    const NodeId m = add(g, "Add", {}, {b, a});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::MergeShapeMismatch);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0]->port, 1);
    EXPECT_FALSE(has(d[0]->message, "time axis")) << d[0]->message;
    const Validation after = applyFix(g, DiagCode::MergeShapeMismatch, 0);
    EXPECT_TRUE(after.diagnostics.empty());
    EXPECT_EQ(g.node(g.inputEdges(m)[1]->from.node)->kind, "Dense");
}

TEST(MergeTimeMismatch, NamesBothLengthsAndOffersToSetN) {
    ModelGraph g;
    const NodeId in = input(g, {32, 8});
    const NodeId enc = lstm(g, 8, false, in);
    const NodeId rep = add(g, "RepeatVector", {{"n", std::int64_t{16}}}, {enc});
    add(g, "Add", {}, {in, rep});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::MergeTimeMismatch);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "time axis differs (16 vs 32 steps)")) << d[0]->message;
    EXPECT_TRUE(has(d[0]->message, "repeat_vector_1 repeats its input n=16 times"));
    EXPECT_TRUE(has(d[0]->message, "input_1 is declared with shape (32, 8)"));
    EXPECT_TRUE(applyFix(g, DiagCode::MergeTimeMismatch, 0).diagnostics.empty());
    EXPECT_EQ(g.node(rep)->param<std::int64_t>("n"), 32);
}

TEST(MergeTimeMismatch, AppliesToConcatenateToo) {
    ModelGraph g;
    const NodeId a = input(g, {32, 4});
    const NodeId b = input(g, {30, 4});
    add(g, "Concatenate", {}, {a, b});
    const Validation v = validate(g);
    EXPECT_EQ(find(v, DiagCode::MergeTimeMismatch).size(), 1u);
}

// The Keras anomaly example's decoder on an odd length: the transposed convolution makes 26
// steps of the encoder's 13, the skip has 25. The message says how the 26 came about; the
// fixes set output_padding, crop or pad.
TEST(MergeTimeMismatch, ExplainsATransposedConvolutionsLengthAndOffersOutputPadding) {
    ModelGraph g;
    const NodeId in = input(g, {25, 1});
    const NodeId enc = add(g, "Conv1D", {{"filters", std::int64_t{8}}, {"kernel_size", std::int64_t{7}},
                                         {"strides", std::int64_t{2}}, {"padding", std::string("same")}}, {in});
    const NodeId dec = add(g, "Conv1DTranspose", {{"filters", std::int64_t{1}}, {"kernel_size", std::int64_t{7}},
                                                  {"strides", std::int64_t{2}}, {"padding", std::string("same")}}, {enc});
    add(g, "Add", {}, {dec, in});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::MergeTimeMismatch);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "(25 vs 26 steps)")) << d[0]->message;
    EXPECT_TRUE(has(d[0]->message, "conv1d_transpose_1 (kernel_size=7, strides=2, padding=\"same\") makes 13 x 2 = 26 steps"))
        << d[0]->message;
    std::vector<std::string> titles;
    for (const Fix& f : d[0]->fixes) titles.push_back(f.title);
    ASSERT_FALSE(titles.empty());
    EXPECT_NE(std::find(titles.begin(), titles.end(), "Set output_padding=0 on conv1d_transpose_1"), titles.end())
        << ::testing::PrintToString(titles);
    ModelGraph fixed = g;
    const std::size_t k = static_cast<std::size_t>(
        std::find(titles.begin(), titles.end(), "Set output_padding=0 on conv1d_transpose_1") - titles.begin());
    EXPECT_TRUE(applyFix(fixed, DiagCode::MergeTimeMismatch, k).diagnostics.empty());
    EXPECT_EQ(fixed.node(dec)->param<std::int64_t>("output_padding"), 0);
    // With it set, the shape says the sum: (13 - 1) x 2 + 7 - 2 x 3 + 0 = 25.
    const Validation after = validate(fixed);
    EXPECT_EQ(findLayer("Conv1DTranspose")->explainSize(*fixed.node(dec), after.of(fixed, dec).output->time()),
              "conv1d_transpose_1 (kernel_size=7, strides=2, padding=\"same\", output_padding=0) makes (13 - 1) x 2 + 7 - 2 x 3 + 0 "
              "= 25 steps");
    // Crop and pad are there too.
    EXPECT_GE(titles.size(), 3u);
}

// A residual Add around an attention whose output_shape is not the query's width: the message
// says which side sets each width, and the first fix sets output_shape back.
TEST(MergeShapeMismatch, SaysAnAttentionsOutputShapeSetsItsWidthAndOffersToChangeIt) {
    ModelGraph g;
    const NodeId in = input(g, {10, 8});
    const NodeId attention = add(g, "MultiHeadAttention",
                                 {{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{4}}, {"output_shape", std::int64_t{4}}},
                                 {in, in});
    add(g, "Add", {}, {in, attention});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::MergeShapeMismatch);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "multi_head_attention_1 has output_shape=4")) << d[0]->message;
    ASSERT_FALSE(d[0]->fixes.empty());
    EXPECT_EQ(d[0]->fixes.front().title, "Set output_shape=8 on multi_head_attention_1");
    ModelGraph fixed = g;
    EXPECT_TRUE(applyFix(fixed, DiagCode::MergeShapeMismatch, 0).diagnostics.empty());
    EXPECT_EQ(fixed.node(attention)->param<std::int64_t>("output_shape"), 8);
}

// The key and the value of an attention pair up step by step: different lengths are refused
// with both named; a vector is no query; an attention needs a value.
TEST(AttentionSteps, KeyAndValueOfDifferentLengthsAreRefusedByName) {
    ModelGraph g;
    const NodeId q = input(g, {5, 4});
    const NodeId v = input(g, {7, 4});
    const NodeId k = input(g, {6, 2});
    add(g, "MultiHeadAttention", {}, {q, v, k});
    const Validation bad = validate(g);
    auto d = find(bad, DiagCode::AttentionSteps);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "reads 7 value steps (input_2) but 6 key steps (input_3)")) << d[0]->message;
    EXPECT_EQ(d[0]->port, 2);

    ModelGraph vector;
    const NodeId flat = input(vector, {4});
    add(vector, "MultiHeadAttention", {}, {flat, input(vector, {3, 4})});
    EXPECT_EQ(find(validate(vector), DiagCode::NeedsSequence).size(), 1u);

    ModelGraph alone;
    add(alone, "MultiHeadAttention", {}, {input(alone, {3, 4})});
    const Validation lone = validate(alone);
    const auto noValue = find(lone, DiagCode::DanglingInput);
    ASSERT_EQ(noValue.size(), 1u);
    EXPECT_TRUE(has(noValue[0]->message, "has nothing wired into its value port")) << noValue[0]->message;

    // A key with no value is not a value: the free port is named.
    ModelGraph gap;
    const NodeId query = input(gap, {3, 4});
    const NodeId attention = add(gap, "MultiHeadAttention", {}, {query});
    gap.connect({input(gap, {3, 2}), 0}, {attention, 2});
    const Validation gapped = validate(gap);
    const auto missing = find(gapped, DiagCode::DanglingInput);
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_TRUE(has(missing[0]->message, "has nothing wired into its value port")) << missing[0]->message;
    EXPECT_EQ(missing[0]->port, 1);
}

// An attention mask has a row per query step and a column per value step: another shape is
// refused with both lengths named and the mask's Input reshaped by the fix; attention_mask on
// with nothing in the port names the port and offers to turn it off; a fourth wire while it is
// off says how to show the port; the key's port may stay free before the mask's.
TEST(AttentionSteps, AnAttentionMaskNeedsARowPerQueryStepAndAColumnPerValueStep) {
    ModelGraph g;
    const NodeId q = input(g, {5, 4});
    const NodeId v = input(g, {7, 4});
    const NodeId mask = input(g, {5, 6});
    const NodeId attention = add(g, "MultiHeadAttention", {{"attention_mask", true}}, {q, v});
    g.connect({mask, 0}, {attention, 3});
    const Validation bad = validate(g);
    auto d = find(bad, DiagCode::AttentionSteps);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "The attention mask of multi_head_attention_1 (MultiHeadAttention), from input_3, is "
                                   "(None, 5, 6), but it needs (None, 5, 7): a row per query step (input_1 has 5) and a "
                                   "column per value step (input_2 has 7)."))
        << d[0]->message;
    EXPECT_EQ(d[0]->port, 3);
    ASSERT_EQ(d[0]->fixes.size(), 1u);
    EXPECT_EQ(d[0]->fixes.front().title, "Set input_3's shape to (5, 7)");
    ModelGraph fixed = g;
    EXPECT_TRUE(applyFix(fixed, DiagCode::AttentionSteps, 0).diagnostics.empty());
    EXPECT_EQ(fixed.node(mask)->param<Dims>("shape"), (Dims{5, 7}));

    // Turned on, nothing wired.
    ModelGraph unwired;
    const NodeId query = input(unwired, {5, 4});
    const NodeId a = add(unwired, "MultiHeadAttention", {{"attention_mask", true}}, {query, query});
    const Validation unwiredReport = validate(unwired);
    const auto missing = find(unwiredReport, DiagCode::DanglingInput);
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_TRUE(has(missing[0]->message, "has nothing wired into its attention_mask port, which attention_mask asks for"))
        << missing[0]->message;
    EXPECT_EQ(missing[0]->port, 3);
    ASSERT_EQ(missing[0]->fixes.size(), 1u);
    EXPECT_EQ(missing[0]->fixes.front().title, "Turn attention_mask off");
    ModelGraph off = unwired;
    EXPECT_TRUE(applyFix(off, DiagCode::DanglingInput, 0).diagnostics.empty());
    EXPECT_FALSE(off.node(a)->param<bool>("attention_mask"));

    // Turned on with a key wired and nothing in the mask's port: the key is not taken for the
    // mask, and only the free port is reported.
    ModelGraph keyed;
    const NodeId kq = input(keyed, {10, 4});
    const NodeId kk = input(keyed, {20, 16});
    const NodeId ka = add(keyed, "MultiHeadAttention", {{"attention_mask", true}}, {kq, input(keyed, {20, 4}), kk});
    const Validation keyedReport = validate(keyed);
    EXPECT_TRUE(test::find(keyedReport, DiagCode::AttentionSteps).empty());
    ASSERT_EQ(test::find(keyedReport, DiagCode::DanglingInput).size(), 1u);
    EXPECT_EQ(test::find(keyedReport, DiagCode::DanglingInput).front()->node, ka);

    // Turned off, a mask wired into port 3.
    ModelGraph extra;
    const NodeId x = input(extra, {5, 4});
    const NodeId b = add(extra, "MultiHeadAttention", {}, {x, x});
    extra.connect({input(extra, {5, 5}), 0}, {b, 3});
    const Validation extraReport = validate(extra);
    const auto beyond = find(extraReport, DiagCode::PortOccupied);
    ASSERT_EQ(beyond.size(), 1u);
    EXPECT_TRUE(has(beyond[0]->message, "turn attention_mask on to show it")) << beyond[0]->message;
    extra.setParam(b, "attention_mask", true);
    EXPECT_TRUE(validate(extra).diagnostics.empty());
}

// Pooling over the features of a sequence of free length would give a vector of no fixed width.
TEST(InvalidParam, PoolingOverTheFeaturesNeedsAFixedLength) {
    ModelGraph g;
    const NodeId pool = add(g, "GlobalAveragePooling1D", {{"data_format", std::string("channels_first")}}, {input(g, {kNone, 3})});
    const Validation v = validate(g);
    const auto d = find(v, DiagCode::InvalidParam);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "no fixed length")) << d[0]->message;
    ModelGraph fixed = g;
    EXPECT_TRUE(applyFix(fixed, DiagCode::InvalidParam, 0).diagnostics.empty());
    EXPECT_EQ(fixed.node(pool)->param<std::string>("data_format"), "channels_last");
}

// PReLU learns an alpha per step unless it shares one along time: a free length cannot have
// that, and a vector has no second axis to share along. The fixes share along the right axes.
TEST(InvalidParam, PReluSaysWhichAxesItCanShareAlong) {
    ModelGraph g;
    const NodeId prelu = add(g, "PReLU", {}, {input(g, {kNone, 4})});
    auto v = validate(g);
    auto d = find(v, DiagCode::InvalidParam);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "a sequence of any length")) << d[0]->message;
    EXPECT_TRUE(applyFix(g, DiagCode::InvalidParam, 0).diagnostics.empty());
    EXPECT_EQ(g.node(prelu)->param<std::string>("shared_axes"), "[1]");

    ModelGraph h;
    add(h, "PReLU", {{"shared_axes", std::string("[2]")}}, {input(h, {6})});
    v = validate(h);
    d = find(v, DiagCode::InvalidParam);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "a vector, whose only axis is 1")) << d[0]->message;
    EXPECT_TRUE(applyFix(h, DiagCode::InvalidParam, 0).diagnostics.empty());
}

TEST(InvalidParam, SoftmaxOverTheBatchOrAMissingAxisIsExplained) {
    ModelGraph g;
    add(g, "Softmax", {{"axis", std::int64_t{0}}}, {input(g, {5, 2})});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::InvalidParam);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "the samples of a batch")) << d[0]->message;
    ModelGraph steps = g;
    EXPECT_TRUE(applyFix(g, DiagCode::InvalidParam, 0).diagnostics.empty());
    EXPECT_TRUE(applyFix(steps, DiagCode::InvalidParam, 1).diagnostics.empty());

    // Over one feature, a softmax always gives 1: a warning, with the steps offered instead.
    ModelGraph one;
    add(one, "Softmax", {}, {input(one, {5, 1})});
    const Validation u = validate(one);
    auto w1 = find(u, DiagCode::InvalidParam);
    ASSERT_EQ(w1.size(), 1u);
    EXPECT_EQ(w1[0]->severity, Severity::Warning);
    EXPECT_TRUE(has(w1[0]->message, "always gives 1")) << w1[0]->message;
    EXPECT_TRUE(applyFix(one, DiagCode::InvalidParam, 0).diagnostics.empty());

    ModelGraph h;
    add(h, "Softmax", {{"axis", std::int64_t{2}}}, {input(h, {5})});
    const Validation w = validate(h);
    EXPECT_EQ(find(w, DiagCode::InvalidParam).size(), 1u);
    EXPECT_TRUE(applyFix(h, DiagCode::InvalidParam, 0).diagnostics.empty());
}

TEST(InvalidParam, Conv1DTransposeOutputPaddingBelowItsStrides) {
    ModelGraph g;
    add(g, "Conv1DTranspose", {{"strides", std::int64_t{2}}, {"output_padding", std::int64_t{2}}}, {input(g, {5, 2})});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::InvalidParam);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "must be below strides=2")) << d[0]->message;
    ModelGraph h = g;
    EXPECT_TRUE(applyFix(g, DiagCode::InvalidParam, 0).diagnostics.empty());
    EXPECT_TRUE(applyFix(h, DiagCode::InvalidParam, 1).diagnostics.empty());
}

TEST(MergeBroadcastVector, WarnsAboutKerasSilentRepeat) {
    ModelGraph g;
    const NodeId in = input(g, {10, 4});
    const NodeId vec = lstm(g, 64, false, in);
    const NodeId seq = lstm(g, 64, true, in);
    const NodeId m = add(g, "Add", {}, {vec, seq});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::MergeBroadcastVector);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0]->severity, Severity::Warning);
    EXPECT_FALSE(v.hasErrors());
    EXPECT_EQ(test::shapeOf(g, v, m), "(None, 10, 64)");  // what Keras computes
    EXPECT_TRUE(has(d[0]->message, "silently")) << d[0]->message;
    ASSERT_EQ(d[0]->fixes.size(), 2u);

    ModelGraph g2 = g;
    EXPECT_TRUE(applyFix(g, DiagCode::MergeBroadcastVector, 0).diagnostics.empty());
    EXPECT_EQ(g.node(g.inputEdges(m)[0]->from.node)->kind, "RepeatVector");
    EXPECT_TRUE(applyFix(g2, DiagCode::MergeBroadcastVector, 1).diagnostics.empty());
    EXPECT_TRUE(g2.node(vec)->param<bool>("return_sequences"));
}

TEST(MergeBroadcastVector, DifferentWidthsAreAnError) {
    ModelGraph g;
    const NodeId in = input(g, {10, 4});
    add(g, "Add", {}, {lstm(g, 20, false, in), lstm(g, 64, true, in)});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::MergeShapeMismatch);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "vector with no time axis")) << d[0]->message;
    EXPECT_FALSE(d[0]->fixes.empty());
}

TEST(MergeBroadcastSize1, WarnsAboutStretchedFeatures) {
    ModelGraph g;
    const NodeId in = input(g, {32, 1});
    add(g, "Add", {}, {in, lstm(g, 64, true, in)});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::MergeBroadcastSize1);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0]->severity, Severity::Warning);
    EXPECT_TRUE(applyFix(g, DiagCode::MergeBroadcastSize1, 0).diagnostics.empty());
}

TEST(MergeBroadcastSize1, WarnsAboutStretchedTime) {
    ModelGraph g;
    add(g, "Add", {}, {input(g, {1, 8}), input(g, {32, 8})});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::MergeBroadcastSize1);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "1 step")) << d[0]->message;
}

TEST(MergeTooFewInputs, NeedsTwoBranches) {
    ModelGraph g;
    add(g, "Add", {}, {input(g, {4, 2})});
    EXPECT_EQ(find(validate(g), DiagCode::MergeTooFewInputs).size(), 1u);
}

TEST(MergeShapeMismatch, EveryElementwiseMergeSaysWhatItDoes) {
    const std::pair<const char*, const char*> kinds[] = {
        {"Subtract", "cannot subtract"}, {"Multiply", "cannot multiply"},
        {"Average", "cannot average"}, {"Maximum", "cannot take the maximum of"}};
    for (auto [kind, verb] : kinds) {
        SkipGraph s;
        s.g.node(s.merge)->kind = kind;
        const Validation v = validate(s.g);
        auto d = find(v, DiagCode::MergeShapeMismatch);
        ASSERT_EQ(d.size(), 1u) << kind;
        EXPECT_TRUE(has(d[0]->message, verb)) << d[0]->message;
        EXPECT_TRUE(has(d[0]->message, std::string(kind) + " needs equal shapes")) << d[0]->message;
        EXPECT_TRUE(applyFix(s.g, DiagCode::MergeShapeMismatch, 0).diagnostics.empty()) << kind;
    }
}

TEST(PortOccupied, SubtractTakesExactlyTwoInputs) {
    ModelGraph g;
    const NodeId a = input(g, {4});
    const NodeId sub = add(g, "Subtract", {}, {a, input(g, {4})});
    g.connect({input(g, {4}), 0}, {sub, 2});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::PortOccupied);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "takes 2 inputs")) << d[0]->message;
    ModelGraph one;
    add(one, "Subtract", {}, {input(one, {4})});
    EXPECT_EQ(find(validate(one), DiagCode::MergeTooFewInputs).size(), 1u);
}

TEST(ReshapeSize, ATargetOfAnotherSizeIsExplainedAndEachFixValidates) {
    for (std::size_t fix : {0u, 1u}) {
        ModelGraph g;
        const NodeId r = add(g, "Reshape", {{"target_shape", Dims{5, 5}}}, {input(g, {6, 4})});
        add(g, "Dense", {{"units", std::int64_t{1}}}, {r});
        const Validation v = validate(g);
        const auto found = find(v, DiagCode::ReshapeSize);
        ASSERT_EQ(found.size(), 1u);
        EXPECT_TRUE(has(found[0]->message, "holds 24 values per sample, to (5, 5): that holds 25")) << found[0]->message;
        ASSERT_EQ(found[0]->fixes.size(), 2u);
        EXPECT_FALSE(applyFix(g, DiagCode::ReshapeSize, fix).hasErrors());
    }
    ModelGraph odd;
    add(odd, "Reshape", {{"target_shape", Dims{kNone, 5}}}, {input(odd, {6, 4})});
    const Validation v = validate(odd);
    ASSERT_EQ(find(v, DiagCode::ReshapeSize).size(), 1u);
    EXPECT_TRUE(has(find(v, DiagCode::ReshapeSize)[0]->message, "24 is not a multiple of 5"));
}

TEST(ReshapeSize, TheFreeSizeMayStandOnEitherAxis) {
    ModelGraph g;
    const NodeId steps = add(g, "Reshape", {{"target_shape", Dims{4, kNone}}}, {input(g, {6, 4})});
    const NodeId flat = add(g, "Reshape", {{"target_shape", Dims{kNone}}}, {steps});
    const NodeId kept = add(g, "Permute", {{"dims", std::string("(1, 2)")}}, {steps});
    Validation v = validate(g);
    EXPECT_EQ(test::shapeOf(g, v, steps), "(None, 4, 6)");
    EXPECT_EQ(test::shapeOf(g, v, flat), "(None, 24)");
    EXPECT_EQ(test::shapeOf(g, v, kept), "(None, 4, 6)");
    g.setParam(steps, "target_shape", Dims{5, kNone});
    v = validate(g);
    ASSERT_EQ(find(v, DiagCode::ReshapeSize).size(), 1u);
    EXPECT_TRUE(has(find(v, DiagCode::ReshapeSize)[0]->message, "to (5, None): 24 is not a multiple of 5"))
        << find(v, DiagCode::ReshapeSize)[0]->message;
    // Two free sizes say nothing about either: the parameter is refused.
    EXPECT_TRUE(checkParam(*findLayer("Reshape")->param("target_shape"), Dims{kNone, kNone}).has_value());
    EXPECT_TRUE(checkParam(*findLayer("InputLayer")->param("shape"), Dims{4, kNone}).has_value());
}

TEST(ReshapeSize, ADenseBeforeTheReshapeCanMakeAMultiple) {
    ModelGraph g;
    const NodeId dense = add(g, "Dense", {{"units", std::int64_t{30}}}, {input(g, {8})});
    add(g, "Reshape", {{"target_shape", Dims{kNone, 4}}}, {dense});
    const Validation v = validate(g);
    const auto found = find(v, DiagCode::ReshapeSize);
    ASSERT_EQ(found.size(), 1u);
    ASSERT_FALSE(found[0]->fixes.empty());
    EXPECT_EQ(found[0]->fixes[0].title, "Set units=32 on dense_1");
    EXPECT_FALSE(applyFix(g, DiagCode::ReshapeSize, 0).hasErrors());
    EXPECT_EQ(test::shapeOf(g, validate(g), g.nodeByName("reshape_1")->id), "(None, 8, 4)");
}

TEST(ReshapeSize, AFreeLengthCannotBeFlattened) {
    for (const char* kind : {"Flatten", "Reshape", "Permute"}) {
        ModelGraph g;
        add(g, kind, {}, {input(g, {kNone, 4})});
        const Validation v = validate(g);
        const auto found = find(v, DiagCode::ReshapeSize);
        ASSERT_EQ(found.size(), 1u) << kind;
        EXPECT_TRUE(has(found[0]->message, "a sequence of any length")) << found[0]->message;
    }
}

TEST(ConcatSequenceVector, OffersRepeatVectorAndReturnSequences) {
    ModelGraph g;
    const NodeId in = input(g, {32, 1});
    const NodeId vec = lstm(g, 20, false, in);
    const NodeId seq = lstm(g, 16, true, in);
    const NodeId c = add(g, "Concatenate", {}, {vec, seq});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::ConcatSequenceVector);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "(None, 20) from lstm_1, a vector")) << d[0]->message;
    EXPECT_EQ(test::shapeOf(g, v, c), "(None, 32, 36)");
    ModelGraph g2 = g;
    EXPECT_TRUE(applyFix(g, DiagCode::ConcatSequenceVector, 0).diagnostics.empty());
    EXPECT_TRUE(applyFix(g2, DiagCode::ConcatSequenceVector, 1).diagnostics.empty());
}

TEST(ConcatAxisMismatch, OffersToJoinFeatures) {
    ModelGraph g;
    const NodeId in = input(g, {32, 1});
    add(g, "Concatenate", {{"axis", std::int64_t{1}}},
        {lstm(g, 20, true, in), lstm(g, 256, true, in)});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::ConcatAxisMismatch);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "differ in features (256 vs 20)")) << d[0]->message;
    EXPECT_TRUE(applyFix(g, DiagCode::ConcatAxisMismatch, 0).diagnostics.empty());
}

TEST(InvalidParam, ConcatenateAlongTheBatchAxis) {
    ModelGraph g;
    const NodeId c = add(g, "Concatenate", {{"axis", std::int64_t{0}}},
                         {input(g, {3, 2}), input(g, {3, 2})});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::InvalidParam);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0]->node, c);
    EXPECT_TRUE(has(d[0]->message, "batch")) << d[0]->message;
    EXPECT_TRUE(applyFix(g, DiagCode::InvalidParam, 0).diagnostics.empty());
}

TEST(NeedsSequence, OffersReturnSequencesOrRepeatVector) {
    ModelGraph g;
    const NodeId in = input(g, {32, 1});
    const NodeId enc = lstm(g, 20, false, in);
    const NodeId dec = lstm(g, 20, true, enc);
    const Validation v = validate(g);
    auto d = find(v, DiagCode::NeedsSequence);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0]->node, dec);
    EXPECT_TRUE(has(d[0]->message, "return_sequences=False")) << d[0]->message;
    EXPECT_TRUE(has(d[0]->message, "32 steps")) << d[0]->message;
    ModelGraph g2 = g;
    EXPECT_TRUE(applyFix(g, DiagCode::NeedsSequence, 0).diagnostics.empty());
    EXPECT_TRUE(g.node(enc)->param<bool>("return_sequences"));
    const Validation after = applyFix(g2, DiagCode::NeedsSequence, 1);
    EXPECT_TRUE(after.diagnostics.empty());
    const Node* rep = g2.node(g2.inputEdges(dec).front()->from.node);
    EXPECT_EQ(rep->kind, "RepeatVector");
    EXPECT_EQ(rep->param<std::int64_t>("n"), 32);
}

TEST(NeedsSequence, LooksThroughDropoutForTheRecurrentLayer) {
    ModelGraph g;
    const NodeId in = input(g, {12, 2});
    const NodeId enc = lstm(g, 8, false, in);
    const NodeId drop = add(g, "Dropout", {}, {enc});
    add(g, "TimeDistributed", {}, {drop});
    EXPECT_TRUE(applyFix(g, DiagCode::NeedsSequence, 0).diagnostics.empty());
    EXPECT_TRUE(g.node(enc)->param<bool>("return_sequences"));
}

// A vector made by pooling has no return_sequences to turn on: the message says to read the
// sequence before the pooling, or to repeat the vector, and offers only RepeatVector.
TEST(NeedsSequence, AfterAPoolingItNamesTheLayerBeforeIt) {
    ModelGraph g;
    const NodeId in = input(g, {12, 2});
    const NodeId conv = add(g, "Conv1D", {{"filters", std::int64_t{4}}}, {in});
    const NodeId pool = add(g, "GlobalAveragePooling1D", {}, {conv});
    add(g, "LSTM", {{"units", std::int64_t{3}}}, {pool});
    const Validation v = validate(g);
    const auto found = find(v, DiagCode::NeedsSequence);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_FALSE(has(found[0]->message, "return its whole sequence")) << found[0]->message;
    EXPECT_TRUE(has(found[0]->message, "Either wire lstm_1 to a layer before global_average_pooling1d_1 that still gives a sequence"))
        << found[0]->message;
    ASSERT_EQ(found[0]->fixes.size(), 1u);
    EXPECT_TRUE(has(found[0]->fixes[0].title, "RepeatVector")) << found[0]->fixes[0].title;
    (void)pool;
}

TEST(NeedsSequence, LooksThroughNormalizationsToABidirectionalLayer) {
    ModelGraph g;
    const NodeId in = input(g, {12, 2});
    const NodeId enc = add(g, "Bidirectional", {{"units", std::int64_t{8}}}, {in});
    const NodeId norm = add(g, "BatchNormalization", {}, {add(g, "LayerNormalization", {}, {enc})});
    add(g, "Bidirectional", {{"units", std::int64_t{4}}}, {norm});
    const Validation v = validate(g);
    const auto found = find(v, DiagCode::NeedsSequence);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_TRUE(has(found[0]->message, "Either let bidirectional_1 return its whole sequence")) << found[0]->message;
    EXPECT_TRUE(applyFix(g, DiagCode::NeedsSequence, 0).diagnostics.empty());
    EXPECT_TRUE(g.node(enc)->param<bool>("return_sequences"));
}

TEST(NeedsVector, OffersToReturnTheLastStep) {
    ModelGraph g;
    const NodeId in = input(g, {32, 1});
    const NodeId enc = lstm(g, 20, true, in);
    add(g, "RepeatVector", {{"n", std::int64_t{32}}}, {enc});
    const Validation v = validate(g);
    ASSERT_EQ(find(v, DiagCode::NeedsVector).size(), 1u);
    EXPECT_TRUE(applyFix(g, DiagCode::NeedsVector, 0).diagnostics.empty());
    EXPECT_FALSE(g.node(enc)->param<bool>("return_sequences"));
}

TEST(Cycle, NamesTheLayersAndOffersToCutTheLoop) {
    ModelGraph g;
    const NodeId in = input(g, {8, 2});
    const NodeId merge = add(g, "Add", {}, {in});
    const NodeId a = lstm(g, 2, true, merge);
    const NodeId b = lstm(g, 2, true, a);
    g.connect({b, 0}, {merge, 1});
    add(g, "Dense", {}, {b});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::Cycle);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "add_1 -> lstm_1 -> lstm_2 -> add_1")) << d[0]->message;
    EXPECT_EQ(d[0]->related.size(), 2u);
    const Validation after = applyFix(g, DiagCode::Cycle, 0);
    EXPECT_TRUE(find(after, DiagCode::Cycle).empty());
    EXPECT_EQ(find(after, DiagCode::MergeTooFewInputs).size(), 1u);  // the wire is gone
}

TEST(Cycle, SelfLoop) {
    ModelGraph g;
    const NodeId d = add(g, "Dense", {}, {input(g, {3})});
    g.connect({d, 0}, {d, 0});
    EXPECT_EQ(find(validate(g), DiagCode::Cycle).size(), 1u);
}

TEST(DanglingInput, RequiredPortWithoutWire) {
    ModelGraph g;
    add(g, "Dense", {}, {input(g, {3})});
    const NodeId lonely = add(g, "LSTM");
    const Validation v = validate(g);
    auto d = find(v, DiagCode::DanglingInput);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0]->node, lonely);
    EXPECT_TRUE(find(v, DiagCode::Unreachable).empty());  // said once, not twice
}

TEST(PortOccupied, TwoWiresIntoOnePort) {
    ModelGraph g;
    const NodeId in = input(g, {3});
    const NodeId d = add(g, "Dense", {}, {in});
    g.connect({input(g, {3}), 0}, {d, 0});
    EXPECT_TRUE(applyFix(g, DiagCode::PortOccupied, 0).diagnostics.size() == 1u);  // unused input
}

TEST(NoInput, EmptyAndInputlessGraphs) {
    ModelGraph empty;
    EXPECT_EQ(find(validate(empty), DiagCode::NoInput).size(), 1u);
    ModelGraph g;
    add(g, "Dense");
    EXPECT_EQ(find(validate(g), DiagCode::NoInput).size(), 1u);
}

TEST(NoOutput, OnlyAnInput) {
    ModelGraph g;
    input(g, {4, 1});
    const Validation v = validate(g);
    const auto d = find(v, DiagCode::NoOutput);
    ASSERT_EQ(d.size(), 1u);
    // A new model says what to do next, in the words of the editor.
    EXPECT_TRUE(has(d[0]->message, "only its Input so far. Add a layer after it (press Tab")) << d[0]->message;
}

TEST(Unreachable, LayerFedByALayerWithoutInput) {
    ModelGraph g;
    add(g, "Dense", {}, {input(g, {3})});
    const NodeId orphan = add(g, "Dense");
    const NodeId after = add(g, "Dense", {}, {orphan});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::Unreachable);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0]->node, after);
    EXPECT_EQ(d[0]->severity, Severity::Warning);
}

TEST(UnusedInput, InputWithoutWires) {
    ModelGraph g;
    add(g, "Dense", {}, {input(g, {3})});
    input(g, {5});
    const Validation v = validate(g);
    EXPECT_EQ(find(v, DiagCode::UnusedInput).size(), 1u);
    EXPECT_FALSE(v.hasErrors());
}

// A layer added as a second branch off the chain (the card left hanging) makes a second
// output: a warning on it, not on the model's real end, with the fixes to wire it in or drop it.
TEST(ExtraOutput, ALayerLeftHangingIsNamedWithItsFixes) {
    const auto build = [](NodeId& lstm1, NodeId& hanging, NodeId& end) {
        ModelGraph g;
        lstm1 = lstm(g, 8, true, input(g, {16, 2}));
        const NodeId lstm2 = lstm(g, 4, true, lstm1);
        end = add(g, "TimeDistributed", {{"units", std::int64_t{2}}}, {lstm2});
        hanging = add(g, "Dropout", {}, {lstm1});
        return g;
    };
    NodeId lstm1 = 0, hanging = 0, end = 0;
    ModelGraph g = build(lstm1, hanging, end);
    Validation v = validate(g);
    EXPECT_FALSE(v.hasErrors());
    EXPECT_EQ(v.outputs.size(), 2u);
    auto d = find(v, DiagCode::ExtraOutput);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0]->node, hanging);
    EXPECT_EQ(d[0]->severity, Severity::Warning);
    EXPECT_TRUE(has(d[0]->message, "the model has 2 outputs")) << d[0]->message;
    EXPECT_TRUE(has(d[0]->message, "time_distributed_1's")) << d[0]->message;
    ASSERT_EQ(d[0]->fixes.size(), 2u);
    EXPECT_EQ(d[0]->fixes[0].title, "Put dropout_1 between lstm_1 and lstm_2");
    EXPECT_EQ(d[0]->fixes[1].title, "Delete dropout_1");
    // Wired in: one output, the chain runs through it.
    v = applyFix(g, DiagCode::ExtraOutput, 0);
    EXPECT_EQ(v.outputs, std::vector<NodeId>{end});
    EXPECT_TRUE(find(v, DiagCode::ExtraOutput).empty());
    EXPECT_EQ(g.inputEdges(g.nodeByName("lstm_2")->id).front()->from.node, hanging);
    // Deleted: gone with its wire.
    g = build(lstm1, hanging, end);
    v = applyFix(g, DiagCode::ExtraOutput, 1);
    EXPECT_EQ(g.node(hanging), nullptr);
    EXPECT_EQ(v.outputs, std::vector<NodeId>{end});
    EXPECT_EQ(g.outputEdges(lstm1).size(), 1u);
}

// A skip into a merge is no second output; a model of one layer chain has none to report.
TEST(ExtraOutput, SkipsAndChainsHaveOne) {
    ModelGraph g;
    const NodeId in = input(g, {8, 3});
    const NodeId a = lstm(g, 3, true, in);
    const NodeId sum = add(g, "Add", {}, {a, in});
    add(g, "TimeDistributed", {{"units", std::int64_t{3}}}, {sum});
    EXPECT_TRUE(find(validate(g), DiagCode::ExtraOutput).empty());
    EXPECT_EQ(validate(g).outputs.size(), 1u);
}

// An LSTM or GRU with an activation that has no upper bound: nothing keeps the state in
// range, so the design is flagged before training diverges, with tanh as the one-click fix.
TEST(UnboundedActivation, RecurrentLayersWithSeluAreWarnedAndTanhFixesThem) {
    ModelGraph g;
    const NodeId in = input(g, {16, 2});
    const NodeId enc = add(g, "LSTM", {{"units", std::int64_t{8}}, {"activation", std::string("selu")},
                                       {"return_sequences", true}}, {in});
    const NodeId dec = add(g, "GRU", {{"units", std::int64_t{2}}, {"activation", std::string("relu")},
                                      {"return_sequences", true}}, {enc});
    Validation v = validate(g);
    EXPECT_FALSE(v.hasErrors());
    auto d = find(v, DiagCode::UnboundedActivation);
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0]->node, enc);
    EXPECT_EQ(d[0]->severity, Severity::Warning);
    EXPECT_TRUE(has(d[0]->message, "lstm_1 (LSTM) uses activation=selu")) << d[0]->message;
    EXPECT_TRUE(has(d[0]->message, "candidate state and to the cell output")) << d[0]->message;
    EXPECT_TRUE(has(d[1]->message, "gru_1 (GRU) uses activation=relu")) << d[1]->message;
    ASSERT_EQ(d[0]->fixes.size(), 1u);
    EXPECT_EQ(d[0]->fixes[0].title, "Use tanh");
    EXPECT_EQ(codeName(DiagCode::UnboundedActivation), "unbounded-activation");
    applyEdit(g, d[0]->fixes[0].edit);
    applyEdit(g, find(validate(g), DiagCode::UnboundedActivation)[0]->fixes[0].edit);
    v = validate(g);
    EXPECT_TRUE(v.diagnostics.empty());
    EXPECT_EQ(g.node(enc)->param<std::string>("activation"), "tanh");
    EXPECT_EQ(g.node(dec)->param<std::string>("activation"), "tanh");
}

// Bounded activations (and Dense layers, whose output is not fed back) are left alone.
TEST(UnboundedActivation, BoundedOnesAndFeedForwardLayersPass) {
    for (const char* act : {"tanh", "sigmoid", "hard_sigmoid", "softmax"}) {
        ModelGraph g;
        const NodeId in = input(g, {16, 2});
        add(g, "LSTM", {{"units", std::int64_t{4}}, {"activation", std::string(act)}}, {in});
        EXPECT_TRUE(find(validate(g), DiagCode::UnboundedActivation).empty()) << act;
    }
    ModelGraph g;
    add(g, "Dense", {{"activation", std::string("selu")}}, {input(g, {3})});
    EXPECT_TRUE(validate(g).diagnostics.empty());
}

TEST(DuplicateName, OffersAFreshName) {
    ModelGraph g;
    const NodeId in = input(g, {3});
    const NodeId a = add(g, "Dense", {}, {in});
    const NodeId b = add(g, "Dense", {}, {a});
    g.rename(b, g.node(a)->name);
    const Validation v = validate(g);
    auto d = find(v, DiagCode::DuplicateName);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0]->node, b);
    EXPECT_EQ(d[0]->related, std::vector<NodeId>{a});
    EXPECT_TRUE(applyFix(g, DiagCode::DuplicateName, 0).diagnostics.empty());
    EXPECT_NE(g.node(a)->name, g.node(b)->name);
}

TEST(InvalidParam, OutOfRangeValueResetsToDefault) {
    ModelGraph g;
    const NodeId l = add(g, "LSTM", {{"units", std::int64_t{0}}}, {input(g, {4, 1})});
    const Validation v = validate(g);
    auto d = find(v, DiagCode::InvalidParam);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_TRUE(has(d[0]->message, "units must be at least 1 (it is 0)")) << d[0]->message;
    EXPECT_FALSE(v.of(g, l).output.has_value());
    EXPECT_TRUE(applyFix(g, DiagCode::InvalidParam, 0).diagnostics.empty());
}

TEST(UnknownKind, IsReportedNotThrown) {
    ModelGraph g;
    Node n;
    n.id = 7;
    n.kind = "Conv3D";
    n.name = "conv3d_1";
    g.insertNode(n);
    EXPECT_EQ(find(validate(g), DiagCode::UnknownKind).size(), 1u);
}

TEST(DiagCodes, HaveDistinctStableNames) {
    std::set<std::string_view> names;
    for (int c = 0; c <= static_cast<int>(DiagCode::PositionsOnly); ++c) {
        names.insert(codeName(static_cast<DiagCode>(c)));
    }
    EXPECT_EQ(names.size(), static_cast<std::size_t>(DiagCode::PositionsOnly) + 1);
    EXPECT_FALSE(names.contains("unknown"));
    EXPECT_EQ(codeName(DiagCode::MergeShapeMismatch), "merge-shape-mismatch");
}

TEST(ApplyEdit, IsAllOrNothing) {
    SkipGraph s;
    const ModelGraph before = s.g;
    GraphEdit e;
    e.ops.push_back(edit::SetParam{s.dec, "units", std::int64_t{256}});
    e.ops.push_back(edit::RemoveEdge{9999});
    EXPECT_THROW(applyEdit(s.g, e), EditError);
    EXPECT_EQ(s.g, before);
}

}  // namespace
}  // namespace loom

namespace loom {
namespace {

/// The classic 1-D U-Net mistake: 25 steps pool to 12, up-sample to 24, and the skip
/// Concatenate meets the encoder's 25.
struct OddUNet {
    ModelGraph g;
    NodeId in, enc, pool, mid, up, dec, cat, out;
    explicit OddUNet(std::int64_t steps = 25) {
        in = input(g, {steps, 1});
        const ParamMap same{{"filters", std::int64_t{8}}, {"padding", std::string("same")}};
        enc = add(g, "Conv1D", same, {in});
        pool = add(g, "MaxPooling1D", {}, {enc});
        mid = add(g, "Conv1D", same, {pool});
        up = add(g, "UpSampling1D", {}, {mid});
        cat = add(g, "Concatenate", {}, {up, enc});
        out = add(g, "Conv1D", {{"filters", std::int64_t{1}}, {"padding", std::string("same")}}, {cat});
    }
};

TEST(TimeAxis, TheUNetMismatchNamesEveryLayerThatSetALength) {
    OddUNet u;
    const Validation v = validate(u.g);
    const auto found = find(v, DiagCode::MergeTimeMismatch);
    ASSERT_EQ(found.size(), 1u);
    const std::string& m = found[0]->message;
    EXPECT_TRUE(has(m, "the time axis differs (25 vs 24 steps)")) << m;
    EXPECT_TRUE(has(m, "24 because max_pooling1d_1 floors 25 / 2 to 12, up_sampling1d_1 doubles 12 to 24")) << m;
    EXPECT_TRUE(has(m, "25 because input_1 is declared with shape (25, 1)")) << m;
    // padding="same" on the pooling would give 13 and 26: not offered. Crop and pad are.
    std::vector<std::string> titles;
    for (const Fix& f : found[0]->fixes) titles.push_back(f.title);
    ASSERT_EQ(titles.size(), 2u);
    EXPECT_EQ(titles[0], "Crop 1 step from the end of conv1d_1's output (Cropping1D)");
    EXPECT_EQ(titles[1], "Pad up_sampling1d_1's output with 1 step of zeros at the end (ZeroPadding1D)");
}

TEST(TimeAxis, EachFixMakesTheModelValid) {
    for (std::size_t fix = 0; fix < 2; ++fix) {
        OddUNet u;
        const Validation after = applyFix(u.g, DiagCode::MergeTimeMismatch, fix);
        EXPECT_FALSE(after.hasErrors()) << fix;
        EXPECT_EQ(test::shapeOf(u.g, after, u.cat), fix == 0 ? "(None, 24, 16)" : "(None, 25, 16)");
    }
}

TEST(TimeAxis, SamePaddingOnThePoolingIsOfferedWhereItMakesTheLengthsMeet) {
    // 23 steps: pooling floors to 11, up-sampling gives 22; with padding="same" 12 and 24,
    // which meets a skip taken after a conv that crops one step (24).
    ModelGraph g;
    const NodeId in = input(g, {25, 1});
    const NodeId enc = add(g, "Conv1D", {{"filters", std::int64_t{4}}}, {in});  // valid: 23
    const NodeId shrink = add(g, "Cropping1D", {{"crop_before", std::int64_t{0}}, {"crop_after", std::int64_t{0}}}, {enc});
    const NodeId pool = add(g, "MaxPooling1D", {}, {shrink});
    const NodeId up = add(g, "UpSampling1D", {}, {pool});
    const NodeId skip = add(g, "ZeroPadding1D", {{"pad_before", std::int64_t{0}}}, {enc});  // 24
    const NodeId cat = add(g, "Concatenate", {}, {up, skip});
    add(g, "Dense", {{"units", std::int64_t{1}}}, {cat});
    const Validation v = validate(g);
    const auto found = find(v, DiagCode::MergeTimeMismatch);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_TRUE(has(found[0]->message, "24 vs 22")) << found[0]->message;
    ASSERT_EQ(found[0]->fixes.size(), 3u);
    EXPECT_EQ(found[0]->fixes[0].title, "Use padding=\"same\" on max_pooling1d_1");
    EXPECT_FALSE(applyFix(g, DiagCode::MergeTimeMismatch, 0).hasErrors());
}

TEST(TimeAxis, AWindowLongerThanItsInputIsExplainedAndFixed) {
    ModelGraph g;
    const NodeId in = input(g, {4, 2});
    const NodeId conv = add(g, "Conv1D", {{"kernel_size", std::int64_t{3}}, {"dilation_rate", std::int64_t{2}}}, {in});
    add(g, "Dense", {{"units", std::int64_t{1}}}, {conv});
    const Validation v = validate(g);
    const auto found = find(v, DiagCode::WindowTooLong);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_TRUE(has(found[0]->message, "kernel_size=3 with dilation_rate=2 spans 5 steps, but the input has 4"))
        << found[0]->message;
    EXPECT_FALSE(applyFix(g, DiagCode::WindowTooLong, 0).hasErrors());
}

TEST(TimeAxis, StridesAndDilationTogetherAreRefusedAsKerasRefusesThem) {
    ModelGraph g;
    const NodeId in = input(g, {16, 2});
    add(g, "Dense", {{"units", std::int64_t{1}}},
        {add(g, "Conv1D", {{"strides", std::int64_t{2}}, {"dilation_rate", std::int64_t{2}}}, {in})});
    const Validation v = validate(g);
    ASSERT_EQ(find(v, DiagCode::InvalidParam).size(), 1u);
    EXPECT_FALSE(applyFix(g, DiagCode::InvalidParam, 0).hasErrors());
}

/// An Input of token ids (dtype int32) of `steps` steps.
NodeId tokenInput(ModelGraph& g, std::int64_t steps) {
    const NodeId in = input(g, {steps});
    g.setParam(in, "dtype", std::string("int32"));
    return in;
}

// A mask that a layer drops without using it is a warning naming both layers; the wires that
// carry one are marked, up to the layer that uses it up.
TEST(MaskDropped, ALayerThatDropsTheMaskIsAWarningAndMaskedWiresAreMarked) {
    ModelGraph g;
    const NodeId masking = add(g, "Masking", {}, {input(g, {8, 2})});
    const NodeId dense = add(g, "Dense", {{"units", std::int64_t{4}}}, {masking});
    const NodeId conv = add(g, "Conv1D", {{"filters", std::int64_t{3}}}, {dense});
    const NodeId last = add(g, "LSTM", {{"units", std::int64_t{2}}}, {conv});
    Validation v = validate(g);
    auto found = find(v, DiagCode::MaskDropped);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0]->severity, Severity::Warning);
    EXPECT_EQ(found[0]->node, conv);
    EXPECT_TRUE(has(found[0]->message, "conv1d_1 (Conv1D) does not take the step mask that dense_1 carries")) << found[0]->message;
    EXPECT_TRUE(v.of(g, masking).masked);
    EXPECT_TRUE(v.of(g, dense).masked);
    EXPECT_FALSE(v.of(g, conv).masked);
    EXPECT_FALSE(v.of(g, last).masked);
    // The LSTM reading the mask directly uses it up: no warning.
    ModelGraph direct;
    add(direct, "LSTM", {{"units", std::int64_t{2}}}, {add(direct, "Masking", {}, {input(direct, {8, 2})})});
    EXPECT_TRUE(find(validate(direct), DiagCode::MaskDropped).empty());
}

// A layer that reads a masked sequence backwards and returns it passes the mask on unreversed,
// as Keras's does: a warning, with two fixes that each end it. Reading backwards without a
// mask, or returning the last step only, is no problem.
TEST(BackwardsOrder, AReversedSequenceWithItsInputsMaskIsAWarningAndEitherFixEndsIt) {
    for (std::size_t fix : {0u, 1u}) {
        ModelGraph g;
        const NodeId masking = add(g, "Masking", {}, {input(g, {8, 2})});
        const NodeId back = add(g, "GRU", {{"units", std::int64_t{3}}, {"return_sequences", true}, {"go_backwards", true}}, {masking});
        add(g, "LSTM", {{"units", std::int64_t{2}}}, {back});
        const Validation v = validate(g);
        auto found = find(v, DiagCode::BackwardsOrder);
        ASSERT_EQ(found.size(), 1u);
        EXPECT_EQ(found[0]->severity, Severity::Warning);
        EXPECT_EQ(found[0]->node, back);
        EXPECT_TRUE(has(found[0]->message, "gru_1 reads its sequence backwards (go_backwards)")) << found[0]->message;
        ASSERT_EQ(found[0]->fixes.size(), 2u);
        applyEdit(g, found[0]->fixes[fix].edit);
        EXPECT_TRUE(find(validate(g), DiagCode::BackwardsOrder).empty()) << fix;
    }
    ModelGraph plain;
    const NodeId in = input(plain, {8, 2});
    const NodeId back = add(plain, "GRU", {{"units", std::int64_t{3}}, {"return_sequences", true}, {"go_backwards", true}}, {in});
    EXPECT_TRUE(find(validate(plain), DiagCode::BackwardsOrder).empty());
    // Joined with a forward reading: step t meets step T-1-t.
    const NodeId forward = add(plain, "GRU", {{"units", std::int64_t{3}}, {"return_sequences", true}}, {in});
    const NodeId join = add(plain, "Concatenate", {}, {forward, back});
    const Validation v = validate(plain);
    const auto found = find(v, DiagCode::BackwardsOrder);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0]->node, back);
    EXPECT_EQ(found[0]->related, std::vector<NodeId>{join});
    EXPECT_TRUE(has(found[0]->message, "concatenate_1 joins it step by step")) << found[0]->message;
    EXPECT_FALSE(has(found[0]->message, "step mask")) << found[0]->message;
}

// A sequence longer than a position table has rows for is an error on the position layer,
// naming both lengths, and its fix makes the table long enough. TokenAndPositionEmbedding
// reads token ids as Embedding does.
TEST(PositionTables, ASequenceLongerThanTheTableIsAnErrorWithItsFix) {
    ModelGraph g;
    const NodeId ids = tokenInput(g, 12);
    const NodeId tpe = add(g, "TokenAndPositionEmbedding",
                           {{"vocabulary_size", std::int64_t{50}}, {"sequence_length", std::int64_t{10}}, {"embedding_dim", std::int64_t{4}}},
                           {ids});
    add(g, "GlobalAveragePooling1D", {}, {tpe});
    Validation v = validate(g);
    EXPECT_TRUE(find(v, DiagCode::TokenIds).empty());
    auto found = find(v, DiagCode::InvalidParam);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0]->node, tpe);
    EXPECT_TRUE(has(found[0]->message, "has positions for sequence_length=10 steps, but input_1 gives it 12")) << found[0]->message;
    ASSERT_EQ(found[0]->fixes.size(), 1u);
    EXPECT_EQ(found[0]->fixes[0].title, "Set sequence_length=12 on token_and_position_embedding_1");
    applyEdit(g, found[0]->fixes[0].edit);
    EXPECT_FALSE(validate(g).hasErrors());

    ModelGraph floats;
    const NodeId pos = add(floats, "PositionEmbedding", {{"sequence_length", std::int64_t{4}}}, {input(floats, {6, 3})});
    const Validation w = validate(floats);
    found = find(w, DiagCode::InvalidParam);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0]->node, pos);
}

// A PositionEmbedding in the chain in place of an Add around it: the data goes nowhere. A
// warning, whose fix sums the positions with the sequence in a new Add that takes over the
// embedding's readers. Read beside an Add, as keras_hub's examples do, it says nothing.
TEST(PositionTables, PositionsInPlaceOfTheDataAreAWarningWithTheAddAsFix) {
    ModelGraph g;
    const NodeId lstm = add(g, "LSTM", {{"units", std::int64_t{4}}, {"return_sequences", true}}, {input(g, {6, 2})});
    const NodeId pos = add(g, "PositionEmbedding", {{"sequence_length", std::int64_t{6}}}, {lstm});
    const NodeId next = add(g, "LSTM", {{"units", std::int64_t{2}}}, {pos});
    Validation v = validate(g);
    auto found = find(v, DiagCode::PositionsOnly);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0]->node, pos);
    EXPECT_TRUE(has(found[0]->message, "nothing else reads lstm_1")) << found[0]->message;
    ASSERT_EQ(found[0]->fixes.size(), 1u);
    applyEdit(g, found[0]->fixes[0].edit);
    v = validate(g);
    EXPECT_TRUE(find(v, DiagCode::PositionsOnly).empty());
    EXPECT_FALSE(v.hasErrors());
    const Node* sum = g.node(g.inputEdges(next).front()->from.node);
    ASSERT_NE(sum, nullptr);
    EXPECT_EQ(sum->kind, "Add");
    std::vector<NodeId> summed;
    for (const Edge* e : g.inputEdges(sum->id)) summed.push_back(e->from.node);
    EXPECT_EQ(summed, (std::vector<NodeId>{lstm, pos}));
}

TEST(TokenIds, OnlyAnEmbeddingReadsThemAndEitherFixRepairs) {
    ModelGraph g;
    const NodeId in = tokenInput(g, 20);
    const NodeId dense = add(g, "Dense", {{"units", std::int64_t{4}}}, {in});
    const Validation v = validate(g);
    const auto found = find(v, DiagCode::TokenIds);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0]->node, dense);
    EXPECT_EQ(found[0]->port, 0);
    EXPECT_TRUE(has(found[0]->message, "holds token ids (dtype int32), which only an Embedding reads")) << found[0]->message;
    ASSERT_EQ(found[0]->fixes.size(), 2u);
    EXPECT_EQ(found[0]->fixes[0].title, "Insert an Embedding after " + g.node(in)->name);

    ModelGraph embedded = g;
    const Validation after = applyFix(embedded, DiagCode::TokenIds, 0);
    EXPECT_FALSE(after.hasErrors());
    EXPECT_EQ(test::shapeOf(embedded, after, dense), "(None, 20, 4)");
    ModelGraph floats = g;
    EXPECT_FALSE(applyFix(floats, DiagCode::TokenIds, 1).hasErrors());
    EXPECT_EQ(floats.node(in)->param<std::string>("dtype"), "float32");
}

TEST(TokenIds, AnEmbeddingMakesASequenceOfItsOutputDim) {
    ModelGraph g;
    const NodeId e = add(g, "Embedding", {{"input_dim", std::int64_t{100}}, {"output_dim", std::int64_t{8}}},
                         {tokenInput(g, kNone)});
    const Validation v = validate(g);
    EXPECT_FALSE(v.hasErrors());
    EXPECT_EQ(test::shapeOf(g, v, e), "(None, None, 8)");
    EXPECT_EQ(v.of(g, e).params, 800);
}

TEST(TokenIds, AnEmbeddingOfASequenceSaysWhatShapeTheIdsNeed) {
    ModelGraph g;
    const NodeId e = add(g, "Embedding", {}, {input(g, {20, 3})});
    const Validation v = validate(g);
    const auto found = find(v, DiagCode::NeedsVector);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0]->node, e);
    EXPECT_TRUE(has(found[0]->message, "reads token ids shaped (None, time), one id per step, but input_1 gives "
                                       "(None, 20, 3)")) << found[0]->message;
}

}  // namespace
}  // namespace loom
