// What every layer kind must hold to, whatever it is: the invariants the registry, the engine
// and the interop code rely on, checked over the whole registry so that a new kind meets them.
#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "engine/kernel.h"
#include "engine/plan.h"
#include "interop/keras_topology.h"
#include "layers/layer_nodes.h"
#include "layers/layer_registry.h"
#include "shape/validator.h"

namespace loom {
namespace {

TEST(LayerKinds, HaveUniqueNamesAndACategoryWithAColour) {
    std::set<std::string_view> kinds, bases;
    for (const LayerSpec* s : allLayers()) {
        EXPECT_TRUE(kinds.insert(s->kind()).second) << s->kind();
        EXPECT_TRUE(bases.insert(s->nameBase()).second) << s->nameBase();
        EXPECT_FALSE(s->category().name.empty()) << s->kind();
        EXPECT_NE(s->category().color, 0u) << s->kind();
        EXPECT_FALSE(s->description().empty()) << s->kind();
        EXPECT_EQ(findLayer(s->kind()), s);
    }
}

TEST(LayerKinds, EveryKindButInputHasAKernelInBothPrecisions) {
    for (const LayerSpec* s : allLayers()) {
        Node node;
        node.kind = std::string(s->kind());
        node.params = s->defaults();
        const std::vector<Dims> inputs(static_cast<std::size_t>(std::max(1, s->minInputs())), Dims{4, 3});
        const KernelSetup setup{node, inputs, Dims{4, 3}};
        if (s->kind() == "InputLayer") {
            EXPECT_THROW(makeKernel<float>(setup), std::invalid_argument);
            continue;
        }
        if (s->inputRank() == InputRank::Vector) continue;  // built below on the right rank
        EXPECT_NE(makeKernel<float>(setup), nullptr) << s->kind();
        EXPECT_NE(makeKernel<double>(setup), nullptr) << s->kind();
    }
    Node node;
    node.kind = "NoSuchKind";
    EXPECT_THROW(makeKernel<float>(KernelSetup{node, {{3}}, {3}}), std::invalid_argument);
}

TEST(LayerKinds, FansFollowKerasForEveryRank) {
    EXPECT_EQ(fansOf({7}).in, 7.0);
    EXPECT_EQ(fansOf({7}).out, 7.0);
    EXPECT_EQ(fansOf({3, 5}).in, 3.0);
    EXPECT_EQ(fansOf({3, 5}).out, 5.0);
    // Conv1D's kernel (kernel_size, in, filters): the receptive field multiplies both.
    EXPECT_EQ(fansOf({4, 3, 5}).in, 12.0);
    EXPECT_EQ(fansOf({4, 3, 5}).out, 20.0);
}

TEST(LayerKinds, GlorotLimitsComeFromTheFans) {
    ModelGraph g;
    const NodeId in = addLayer(g, "InputLayer");
    g.setParam(in, "shape", Dims{6});
    const NodeId d = addLayer(g, "Dense");
    g.setParam(d, "units", std::int64_t{40});
    g.connect({in, 0}, {d, 0});
    Plan<double> plan = Plan<double>::compile(g, 1);
    plan.initialize(7);
    const double limit = std::sqrt(6.0 / (6.0 + 40.0));
    double largest = 0;
    for (double x : plan.params().front().value) largest = std::max(largest, std::abs(x));
    EXPECT_LE(largest, limit);
    EXPECT_GT(largest, 0.9 * limit);
}

TEST(LayerKinds, ParamCountIsTheSizeOfTheWeightsThePlanHolds) {
    ModelGraph g;
    const NodeId in = addLayer(g, "InputLayer");
    g.setParam(in, "shape", Dims{5, 3});
    NodeId prev = in;
    for (const char* kind : {"LSTM", "GRU", "TimeDistributed"}) {
        const NodeId n = addLayer(g, kind);
        if (std::string(kind) != "TimeDistributed") g.setParam(n, "return_sequences", true);
        g.connect({prev, 0}, {n, 0});
        prev = n;
    }
    const Validation v = validate(g);
    const Plan<float> plan = Plan<float>::compile(g, 2);
    for (const Node& n : g.nodes()) {
        std::int64_t held = 0;
        for (const auto& p : plan.params()) held += p.node == n.id ? static_cast<std::int64_t>(p.value.size()) : 0;
        EXPECT_EQ(v.of(g, n.id).params, held) << n.kind;
    }
}

TEST(LayerKinds, KerasWeightNamesLoseTheirCellScopesOnly) {
    EXPECT_EQ(layerLoomWeightName("kernel"), "kernel");
    EXPECT_EQ(layerLoomWeightName("lstm_cell/kernel:0"), "kernel");
    EXPECT_EQ(layerLoomWeightName("gru_cell_12/recurrent_kernel:0"), "recurrent_kernel");
    EXPECT_EQ(layerLoomWeightName("forward_lstm/lstm_cell/bias"), "forward_layer/bias");
    EXPECT_EQ(layerLoomWeightName("forward_lstm_3/lstm_cell_7/kernel:0"), "forward_layer/kernel");
    EXPECT_EQ(layerLoomWeightName("backward_simple_rnn/simple_rnn_cell_3/kernel:0"), "backward_layer/kernel");
    // A weight that happens to be called like a cell keeps its name.
    EXPECT_EQ(layerLoomWeightName("my_cell"), "my_cell");
}

TEST(LayerKinds, WeightNamesDoNotDependOnTheInputSizes) {
    for (const LayerSpec* s : allLayers()) {
        Node node;
        node.kind = std::string(s->kind());
        node.params = s->defaults();
        const std::vector<Dims> inputs(static_cast<std::size_t>(std::max(1, s->minInputs())), Dims{7, 5});
        std::vector<std::string> names;
        for (const ParamShape& w : s->weights(node, inputs)) names.push_back(w.name);
        EXPECT_EQ(s->weightNames(node), names) << s->kind();
    }
}

}  // namespace
}  // namespace loom

namespace loom {
namespace {

/// What `kind` reads from a Keras config (as tf.keras 2 writes it): the parameters, or why not.
std::string readConfig(const char* kind, const char* config, ParamMap* out = nullptr) {
    const LayerSpec* spec = findLayer(kind);
    ParamMap params = spec->defaults();
    const std::string problem = spec->readKeras(nlohmann::json::parse(config), KerasProducer::Keras2, params);
    if (out) *out = params;
    return problem;
}

TEST(LayerKinds, TheNewKindsReadKerasConfigsAndSayWhatTheyCannotTake) {
    ParamMap p;
    // Keras writes a built normalization's axis as a list.
    EXPECT_EQ(readConfig("LayerNormalization", R"({"axis": [2], "epsilon": 1e-5, "center": false})", &p), "");
    EXPECT_EQ(std::get<std::int64_t>(p.at("axis")), 2);
    EXPECT_EQ(std::get<double>(p.at("epsilon")), 1e-5);
    EXPECT_NE(readConfig("LayerNormalization", R"({"axis": [1, 2]})"), "");
    EXPECT_EQ(readConfig("LayerNormalization", R"({"rms_scaling": true})"), "rms_scaling is not supported");
    EXPECT_EQ(readConfig("BatchNormalization", R"({"axis": -1, "momentum": 0.9})", &p), "");
    EXPECT_EQ(std::get<double>(p.at("momentum")), 0.9);
    // Bidirectional: the wrapped kind and its options, merge_mode; not what LayerLoom lacks.
    EXPECT_EQ(readConfig("Bidirectional",
                         R"({"layer": {"class_name": "GRU", "config": {"units": 7, "reset_after": false}}, "merge_mode": "ave"})", &p),
              "");
    EXPECT_EQ(std::get<std::string>(p.at("layer")), "GRU");
    EXPECT_EQ(std::get<std::int64_t>(p.at("units")), 7);
    EXPECT_FALSE(std::get<bool>(p.at("reset_after")));
    EXPECT_EQ(std::get<std::string>(p.at("merge_mode")), "ave");
    EXPECT_NE(readConfig("Bidirectional", R"({"layer": {"class_name": "Dense", "config": {}}})").find("not \"Dense\""),
              std::string::npos);
    EXPECT_NE(readConfig("Bidirectional", R"({"layer": {"class_name": "LSTM", "config": {}}, "merge_mode": null})")
                  .find("merge_mode None"),
              std::string::npos);
    EXPECT_NE(readConfig("Bidirectional", R"({"layer": {"class_name": "LSTM", "config": {}}, "merge_mode": "max"})"), "");
    // The wrapper reads backwards itself; a wrapped layer that does too is named, and the
    // wrapped layer's go_backwards=false is no parameter of the wrapper's.
    EXPECT_NE(readConfig("Bidirectional", R"({"layer": {"class_name": "GRU", "config": {"go_backwards": true}}})")
                  .find("go_backwards=True reads the sequence backwards twice over"),
              std::string::npos);
    EXPECT_EQ(readConfig("Bidirectional", R"({"layer": {"class_name": "GRU", "config": {"go_backwards": false}}})", &p), "");
    EXPECT_FALSE(p.contains("go_backwards"));
    // A recurrent layer of its own reads it.
    EXPECT_EQ(readConfig("LSTM", R"({"units": 3, "go_backwards": true})", &p), "");
    EXPECT_TRUE(std::get<bool>(p.at("go_backwards")));
    EXPECT_NE(readConfig("Bidirectional", R"({"layer": 3})"), "");
    // Reshape's one -1 may stand anywhere; Permute has both orders of a sequence's two axes.
    EXPECT_EQ(readConfig("Reshape", R"({"target_shape": [-1, 4]})", &p), "");
    EXPECT_EQ(std::get<Dims>(p.at("target_shape")), (Dims{kNone, 4}));
    EXPECT_EQ(readConfig("Reshape", R"({"target_shape": [4, -1]})", &p), "");
    EXPECT_EQ(std::get<Dims>(p.at("target_shape")), (Dims{4, kNone}));
    EXPECT_EQ(readConfig("Reshape", R"({"target_shape": [-1]})", &p), "");
    EXPECT_NE(readConfig("Reshape", R"({"target_shape": [-1, -1]})"), "");
    EXPECT_NE(readConfig("Reshape", R"({"target_shape": [2, 2, 2]})").find("vectors and sequences"), std::string::npos);
    EXPECT_NE(readConfig("Reshape", R"({})"), "");
    EXPECT_EQ(readConfig("Permute", R"({"dims": [2, 1]})", &p), "");
    EXPECT_EQ(std::get<std::string>(p.at("dims")), "(2, 1)");
    EXPECT_EQ(readConfig("Permute", R"({"dims": [1, 2]})", &p), "");
    EXPECT_EQ(std::get<std::string>(p.at("dims")), "(1, 2)");
    EXPECT_NE(readConfig("Permute", R"({"dims": [2, 1, 3]})"), "");
    EXPECT_NE(readConfig("Flatten", R"({"data_format": "channels_first"})"), "");
    // Masks: Masking's value, Embedding's mask_zero.
    EXPECT_EQ(readConfig("Masking", R"({"mask_value": -1.0})", &p), "");
    EXPECT_EQ(std::get<double>(p.at("mask_value")), -1.0);
    EXPECT_EQ(readConfig("Embedding", R"({"input_dim": 9, "output_dim": 2, "mask_zero": true})", &p), "");
    EXPECT_TRUE(std::get<bool>(p.at("mask_zero")));
}

// Keras and TF.js configs carry null where Python's None is meant: Keras's constructors read it
// as the default, as false where they test the option's truth, and as linear for an activation.
// A null that changes what the layer computes and that LayerLoom cannot follow is still refused.
// MultiHeadAttention: sizes as numbers, lists of one or None; attention over time only; the
// call's options; what LayerLoom cannot take, by name.
TEST(LayerKinds, MultiHeadAttentionReadsKerasConfigsAndCalls) {
    ParamMap p;
    EXPECT_EQ(readConfig("MultiHeadAttention",
                         R"({"num_heads": 4, "key_dim": 16, "value_dim": 16, "output_shape": [8], "attention_axes": [1],
                             "dropout": 0.1, "kernel_constraint": null})", &p), "");
    EXPECT_EQ(std::get<std::int64_t>(p.at("value_dim")), 16);
    EXPECT_EQ(std::get<std::int64_t>(p.at("output_shape")), 8);
    EXPECT_EQ(readConfig("MultiHeadAttention", R"({"num_heads": 4, "key_dim": 16, "value_dim": null, "output_shape": null})", &p), "");
    EXPECT_EQ(std::get<std::int64_t>(p.at("value_dim")), 0);
    EXPECT_EQ(std::get<std::int64_t>(p.at("output_shape")), 0);
    EXPECT_NE(readConfig("MultiHeadAttention", R"({"num_heads": 2, "key_dim": 2, "attention_axes": [-2]})").find("time axis only"),
              std::string::npos);
    EXPECT_NE(readConfig("MultiHeadAttention", R"({"num_heads": 2, "key_dim": 2, "output_shape": [4, 4]})").find("one size"),
              std::string::npos);
    EXPECT_NE(readConfig("MultiHeadAttention", R"({"num_heads": 2, "key_dim": 2, "bias_constraint": {"class_name": "NonNeg"}})"),
              "");

    const LayerSpec* spec = findLayer("MultiHeadAttention");
    ParamMap call = spec->defaults();
    EXPECT_EQ(spec->readKerasCall(nlohmann::json::parse(R"({"use_causal_mask": true, "training": false, "query_mask": null})"), call), "");
    EXPECT_TRUE(std::get<bool>(call.at("use_causal_mask")));
    EXPECT_EQ(spec->readKerasCall(nlohmann::json::parse(R"({"return_attention_scores": true})"), call), "");
    EXPECT_TRUE(std::get<bool>(call.at("return_attention_scores")));
    EXPECT_NE(spec->readKerasCall(nlohmann::json::parse(R"({"return_attention_scores": "yes"})"), call).find("not true or false"),
              std::string::npos);
    // An attention mask is a tensor into a port of its own, which attention_mask shows.
    EXPECT_EQ(spec->readKerasCall(nlohmann::json::parse(R"({"attention_mask": ["mask", 0, 0]})"), call), "");
    EXPECT_TRUE(std::get<bool>(call.at("attention_mask")));
    EXPECT_EQ(spec->readKerasCall(nlohmann::json::parse(R"({"attention_mask": null})"), call), "");
    EXPECT_FALSE(std::get<bool>(call.at("attention_mask")));
    // The tf.keras 2 config has no seed, which its constructor would refuse; Keras 3's has.
    Node node{.id = 1, .kind = "MultiHeadAttention", .name = "attention", .params = spec->defaults()};
    const std::vector<Dims> inputs = {{5, 4}, {5, 4}};
    EXPECT_FALSE(spec->kerasConfig(node, KerasFormat::TfKeras2, inputs).contains("seed"));
    EXPECT_TRUE(spec->kerasConfig(node, KerasFormat::Keras3, inputs).contains("seed"));
    EXPECT_FALSE(spec->kerasConfig(node, KerasFormat::Keras3, inputs).contains("use_causal_mask"));
}

TEST(LayerKinds, NullOptionsReadAsKerasReadsNone) {
    ParamMap p;
    // TF.js 4.22 writes a Bidirectional's LSTM with unit_forget_bias null.
    EXPECT_EQ(readConfig("Bidirectional",
                         R"({"layer": {"class_name": "LSTM", "config": {"units": 5, "unit_forget_bias": null,
                             "return_sequences": null, "dropout": null, "kernel_regularizer": null,
                             "recurrent_activation": null}}, "merge_mode": "concat"})",
                         &p),
              "");
    EXPECT_FALSE(std::get<bool>(p.at("unit_forget_bias")));
    EXPECT_FALSE(std::get<bool>(p.at("return_sequences")));
    EXPECT_EQ(std::get<double>(p.at("dropout")), 0.0);
    EXPECT_EQ(std::get<std::string>(p.at("recurrent_activation")), "linear");
    EXPECT_EQ(readConfig("Dense", R"({"units": 3, "activation": null, "use_bias": true})", &p), "");
    EXPECT_EQ(std::get<std::string>(p.at("activation")), "linear");
    EXPECT_EQ(std::get<std::int64_t>(p.at("units")), 3);
    EXPECT_EQ(readConfig("Dense", R"({"units": 3, "kernel_regularizer": {"class_name": "L1L2", "config": {"l1": null, "l2": 0.01}}})", &p),
              "");
    EXPECT_EQ(std::get<Regularizer>(p.at("kernel_regularizer")).kind, Regularizer::Kind::L2);
    EXPECT_EQ(readConfig("Conv1D", R"({"filters": 4, "kernel_size": [3], "data_format": null, "groups": null})", &p), "");
    EXPECT_EQ(readConfig("GlobalAveragePooling1D", R"({"data_format": null, "keepdims": null})"), "");
    EXPECT_EQ(readConfig("MaxPooling1D", R"({"pool_size": [2], "strides": null, "data_format": null})"), "");
    EXPECT_EQ(readConfig("LayerNormalization", R"({"axis": -1, "rms_scaling": null, "center": null})", &p), "");
    EXPECT_FALSE(std::get<bool>(p.at("center")));
    EXPECT_EQ(readConfig("Dropout", R"({"rate": 0.5, "noise_shape": null, "seed": null})"), "");
    // A size of None is no model at all.
    EXPECT_EQ(readConfig("Dense", R"({"units": null})"), "units is None, where Dense needs a whole number");
}

TEST(LayerKinds, ActivationLayersReadKerasConfigsOfEveryProducer) {
    ParamMap p;
    // LeakyReLU's slope is alpha in Keras 2 and TF.js, negative_slope in Keras 3.
    EXPECT_EQ(readConfig("LeakyReLU", R"({"alpha": 0.1})", &p), "");
    EXPECT_EQ(std::get<double>(p.at("negative_slope")), 0.1);
    EXPECT_EQ(readConfig("LeakyReLU", R"({"negative_slope": 0.25})", &p), "");
    EXPECT_EQ(std::get<double>(p.at("negative_slope")), 0.25);
    // ReLU's max_value None is no cap; a cap of 0 is refused, since LayerLoom's 0 means none.
    EXPECT_EQ(readConfig("ReLU", R"({"max_value": null, "negative_slope": 0.0, "threshold": 0.5})", &p), "");
    EXPECT_EQ(std::get<double>(p.at("max_value")), 0.0);
    EXPECT_EQ(std::get<double>(p.at("threshold")), 0.5);
    EXPECT_EQ(readConfig("ReLU", R"({"max_value": 6.0})", &p), "");
    EXPECT_EQ(std::get<double>(p.at("max_value")), 6.0);
    EXPECT_NE(readConfig("ReLU", R"({"max_value": 0.0})").find("no cap"), std::string::npos);
    EXPECT_EQ(readConfig("Softmax", R"({"axis": [1]})", &p), "");
    EXPECT_EQ(std::get<std::int64_t>(p.at("axis")), 1);
    EXPECT_EQ(readConfig("PReLU", R"({"shared_axes": [1], "alpha_regularizer": null})", &p), "");
    EXPECT_EQ(std::get<std::string>(p.at("shared_axes")), "[1]");
    EXPECT_EQ(readConfig("PReLU", R"({"shared_axes": null})", &p), "");
    EXPECT_EQ(std::get<std::string>(p.at("shared_axes")), "none");
    EXPECT_EQ(readConfig("PReLU", R"({"shared_axes": 2})", &p), "");
    EXPECT_EQ(std::get<std::string>(p.at("shared_axes")), "[2]");
    EXPECT_EQ(readConfig("PReLU", R"({"shared_axes": [3]})"), "shared_axes=[3] is not one of None, [1], [2], [1, 2]");
    EXPECT_EQ(readConfig("PReLU", R"({"alpha_constraint": {"class_name": "NonNeg"}})"), "alpha_constraint is not supported");
    // Keras 3 writes swish as silu and takes hard_swish for hard_silu.
    EXPECT_EQ(readConfig("Dense", R"({"units": 2, "activation": "silu"})", &p), "");
    EXPECT_EQ(std::get<std::string>(p.at("activation")), "swish");
    EXPECT_EQ(readConfig("Activation", R"({"activation": "hard_swish"})", &p), "");
    EXPECT_EQ(std::get<std::string>(p.at("activation")), "hard_silu");
}

}  // namespace
}  // namespace loom
