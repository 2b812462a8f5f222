// Shape rules of every layer kind, as tables: input shapes and parameters in, Keras-printed
// output shape and parameter count out.
#include <gtest/gtest.h>

#include "layers/layer_registry.h"
#include "core/test_graphs.h"

namespace loom {
namespace {

using test::add;
using test::input;

struct RuleCase {
    const char* label;
    std::string kind;
    ParamMap params;
    std::vector<Dims> inputs;
    std::string expectedShape;
    std::int64_t expectedParams;
};

void PrintTo(const RuleCase& c, std::ostream* os) { *os << c.label; }

class ShapeRule : public ::testing::TestWithParam<RuleCase> {};

TEST_P(ShapeRule, InfersKerasShapeAndParamCount) {
    const RuleCase& c = GetParam();
    ModelGraph g;
    std::vector<NodeId> ins;
    for (const Dims& d : c.inputs) ins.push_back(input(g, d));
    const NodeId node = add(g, c.kind, c.params, ins);
    const Validation v = validate(g);
    for (const Diagnostic& d : v.diagnostics) {
        // An Input alone is not a model yet; its shape is still inferred. A PositionEmbedding
        // alone after it leaves the data unread (tested in diagnostics_test).
        if (d.code == DiagCode::NoOutput && c.kind == "InputLayer") continue;
        if (d.code == DiagCode::PositionsOnly && c.kind == "PositionEmbedding") continue;
        ADD_FAILURE() << d.message;
    }
    EXPECT_EQ(test::shapeOf(g, v, node), c.expectedShape);
    EXPECT_EQ(v.of(g, node).params, c.expectedParams);
}

const std::vector<RuleCase> kRules = {
    {"input_sequence", "InputLayer", {{"shape", Dims{32, 1}}}, {}, "(None, 32, 1)", 0},
    {"input_free_time", "InputLayer", {{"shape", Dims{kNone, 8}}}, {}, "(None, None, 8)", 0},
    {"input_vector", "InputLayer", {{"shape", Dims{16}}}, {}, "(None, 16)", 0},
    {"lstm_last_step", "LSTM", {{"units", std::int64_t{20}}}, {{32, 256}}, "(None, 20)", 22160},
    {"lstm_sequence", "LSTM", {{"units", std::int64_t{512}}, {"return_sequences", true}},
     {{32, 1}}, "(None, 32, 512)", 1052672},
    {"lstm_no_bias", "LSTM", {{"units", std::int64_t{4}}, {"use_bias", false}}, {{8, 2}},
     "(None, 4)", 96},
    {"lstm_free_time", "LSTM", {{"units", std::int64_t{8}}, {"return_sequences", true}},
     {{kNone, 3}}, "(None, None, 8)", 4 * ((3 + 8) * 8 + 8)},
    {"gru_reset_after", "GRU", {{"units", std::int64_t{16}}}, {{10, 4}}, "(None, 16)",
     3 * ((4 + 16) * 16 + 32)},
    {"gru_reset_before", "GRU", {{"units", std::int64_t{16}}, {"reset_after", false}},
     {{10, 4}}, "(None, 16)", 3 * ((4 + 16) * 16 + 16)},
    {"gru_sequence", "GRU", {{"units", std::int64_t{6}}, {"return_sequences", true}},
     {{5, 2}}, "(None, 5, 6)", 3 * ((2 + 6) * 6 + 12)},
    {"dense_vector", "Dense", {{"units", std::int64_t{512}}}, {{256}}, "(None, 512)", 131584},
    {"dense_on_sequence", "Dense", {{"units", std::int64_t{3}}}, {{7, 5}}, "(None, 7, 3)", 18},
    {"dense_no_bias", "Dense", {{"units", std::int64_t{3}}, {"use_bias", false}}, {{5}},
     "(None, 3)", 15},
    {"time_distributed", "TimeDistributed", {{"units", std::int64_t{1}}}, {{32, 512}},
     "(None, 32, 1)", 513},
    {"repeat_vector", "RepeatVector", {{"n", std::int64_t{32}}}, {{20}}, "(None, 32, 20)", 0},
    {"dropout_sequence", "Dropout", {}, {{32, 4}}, "(None, 32, 4)", 0},
    {"dropout_vector", "Dropout", {{"rate", 0.5}}, {{9}}, "(None, 9)", 0},
    {"add_sequences", "Add", {}, {{32, 8}, {32, 8}}, "(None, 32, 8)", 0},
    {"add_three", "Add", {}, {{4}, {4}, {4}}, "(None, 4)", 0},
    {"add_free_time", "Add", {}, {{kNone, 8}, {32, 8}}, "(None, 32, 8)", 0},
    {"simple_rnn", "SimpleRNN", {{"units", std::int64_t{16}}}, {{32, 4}}, "(None, 16)", 4 * 16 + 16 * 16 + 16},
    {"simple_rnn_seq", "SimpleRNN", {{"units", std::int64_t{8}}, {"return_sequences", true}, {"use_bias", false}},
     {{kNone, 3}}, "(None, None, 8)", 3 * 8 + 8 * 8},
    {"layer_norm", "LayerNormalization", {}, {{32, 8}}, "(None, 32, 8)", 16},
    {"layer_norm_vector_scale_only", "LayerNormalization", {{"center", false}}, {{8}}, "(None, 8)", 8},
    {"layer_norm_axis_2", "LayerNormalization", {{"axis", std::int64_t{2}}}, {{32, 8}}, "(None, 32, 8)", 16},
    // Keras's summary counts the moving statistics: 4 * features.
    {"batch_norm", "BatchNormalization", {}, {{32, 8}}, "(None, 32, 8)", 32},
    {"batch_norm_plain", "BatchNormalization", {{"center", false}, {"scale", false}}, {{6}}, "(None, 6)", 12},
    {"flatten", "Flatten", {}, {{25, 4}}, "(None, 100)", 0},
    {"flatten_vector", "Flatten", {}, {{7}}, "(None, 7)", 0},
    {"reshape_vector_to_steps", "Reshape", {}, {{32}}, "(None, 32, 1)", 0},
    {"reshape_to_vector", "Reshape", {{"target_shape", Dims{24}}}, {{6, 4}}, "(None, 24)", 0},
    {"reshape_fixed", "Reshape", {{"target_shape", Dims{3, 8}}}, {{6, 4}}, "(None, 3, 8)", 0},
    {"permute", "Permute", {}, {{6, 4}}, "(None, 4, 6)", 0},
    // Bidirectional: both directions' weights; concat doubles the features.
    {"bidi_lstm", "Bidirectional", {{"units", std::int64_t{8}}}, {{32, 4}}, "(None, 16)", 2 * (4 * (4 * 8 + 8 * 8 + 8))},
    {"bidi_gru_sum_seq", "Bidirectional",
     {{"layer", std::string("GRU")}, {"units", std::int64_t{8}}, {"merge_mode", std::string("sum")}, {"return_sequences", true}},
     {{32, 4}}, "(None, 32, 8)", 2 * (3 * (4 * 8 + 8 * 8) + 2 * 3 * 8)},
    {"bidi_rnn_ave", "Bidirectional",
     {{"layer", std::string("SimpleRNN")}, {"units", std::int64_t{5}}, {"merge_mode", std::string("ave")}},
     {{kNone, 3}}, "(None, 5)", 2 * (3 * 5 + 5 * 5 + 5)},
    {"subtract", "Subtract", {}, {{32, 8}, {32, 8}}, "(None, 32, 8)", 0},
    {"multiply_three", "Multiply", {}, {{4}, {4}, {4}}, "(None, 4)", 0},
    {"average_free_time", "Average", {}, {{kNone, 8}, {32, 8}}, "(None, 32, 8)", 0},
    {"maximum", "Maximum", {}, {{6, 2}, {6, 2}}, "(None, 6, 2)", 0},
    {"concat_features", "Concatenate", {}, {{32, 20}, {32, 256}}, "(None, 32, 276)", 0},
    {"concat_axis2", "Concatenate", {{"axis", std::int64_t{2}}}, {{8, 4}, {8, 8}},
     "(None, 8, 12)", 0},
    {"concat_time", "Concatenate", {{"axis", std::int64_t{1}}}, {{8, 4}, {6, 4}},
     "(None, 14, 4)", 0},
    {"concat_time_free", "Concatenate", {{"axis", std::int64_t{-2}}}, {{kNone, 4}, {6, 4}},
     "(None, None, 4)", 0},
    {"concat_vectors", "Concatenate", {}, {{3}, {5}, {7}}, "(None, 15)", 0},
    // Conv1D: kernel (k, in, filters) + bias, as Keras's summary counts them.
    {"conv_valid", "Conv1D", {{"filters", std::int64_t{16}}}, {{25, 4}}, "(None, 23, 16)", 3 * 4 * 16 + 16},
    {"conv_same", "Conv1D", {{"filters", std::int64_t{8}}, {"padding", std::string("same")}}, {{25, 4}}, "(None, 25, 8)",
     3 * 4 * 8 + 8},
    {"conv_same_strided", "Conv1D", {{"filters", std::int64_t{8}}, {"padding", std::string("same")}, {"strides", std::int64_t{2}}},
     {{25, 4}}, "(None, 13, 8)", 3 * 4 * 8 + 8},
    {"conv_valid_strided", "Conv1D", {{"filters", std::int64_t{8}}, {"kernel_size", std::int64_t{5}}, {"strides", std::int64_t{3}}},
     {{25, 2}}, "(None, 7, 8)", 5 * 2 * 8 + 8},
    {"conv_causal_dilated", "Conv1D",
     {{"filters", std::int64_t{4}}, {"padding", std::string("causal")}, {"dilation_rate", std::int64_t{4}}, {"use_bias", false}},
     {{25, 3}}, "(None, 25, 4)", 3 * 3 * 4},
    {"conv_valid_dilated", "Conv1D", {{"filters", std::int64_t{4}}, {"dilation_rate", std::int64_t{2}}}, {{10, 1}},
     "(None, 6, 4)", 3 * 4 + 4},
    {"conv_free_time", "Conv1D", {{"filters", std::int64_t{4}}}, {{kNone, 1}}, "(None, None, 4)", 16},
    // Conv1DTranspose: kernel (k, filters, in) + bias; Keras's deconv_output_length.
    {"conv_t_valid", "Conv1DTranspose", {{"filters", std::int64_t{4}}, {"kernel_size", std::int64_t{7}}, {"strides", std::int64_t{2}}},
     {{25, 3}}, "(None, 55, 4)", 7 * 4 * 3 + 4},
    {"conv_t_same", "Conv1DTranspose",
     {{"filters", std::int64_t{4}}, {"kernel_size", std::int64_t{7}}, {"strides", std::int64_t{2}}, {"padding", std::string("same")}},
     {{25, 3}}, "(None, 50, 4)", 7 * 4 * 3 + 4},
    {"conv_t_same_output_padding", "Conv1DTranspose",
     {{"filters", std::int64_t{4}}, {"kernel_size", std::int64_t{7}}, {"strides", std::int64_t{2}}, {"padding", std::string("same")},
      {"output_padding", std::int64_t{0}}},
     {{25, 3}}, "(None, 49, 4)", 7 * 4 * 3 + 4},
    {"conv_t_valid_dilated_free", "Conv1DTranspose",
     {{"filters", std::int64_t{2}}, {"dilation_rate", std::int64_t{2}}, {"use_bias", false}}, {{kNone, 3}}, "(None, None, 2)",
     3 * 2 * 3},
    {"maxpool_floors", "MaxPooling1D", {}, {{25, 4}}, "(None, 12, 4)", 0},
    {"maxpool_same", "MaxPooling1D", {{"padding", std::string("same")}}, {{25, 4}}, "(None, 13, 4)", 0},
    {"avgpool_strided", "AveragePooling1D", {{"pool_size", std::int64_t{3}}, {"strides", std::int64_t{1}}}, {{10, 2}},
     "(None, 8, 2)", 0},
    {"global_max", "GlobalMaxPooling1D", {}, {{10, 6}}, "(None, 6)", 0},
    {"global_avg", "GlobalAveragePooling1D", {}, {{kNone, 6}}, "(None, 6)", 0},
    {"global_avg_channels_first", "GlobalAveragePooling1D", {{"data_format", std::string("channels_first")}}, {{500, 1}},
     "(None, 500)", 0},
    {"global_max_channels_first", "GlobalMaxPooling1D", {{"data_format", std::string("channels_first")}}, {{7, 3}},
     "(None, 7)", 0},
    {"upsample", "UpSampling1D", {}, {{12, 4}}, "(None, 24, 4)", 0},
    {"upsample_3", "UpSampling1D", {{"size", std::int64_t{3}}}, {{kNone, 4}}, "(None, None, 4)", 0},
    {"zero_pad", "ZeroPadding1D", {{"pad_before", std::int64_t{0}}}, {{24, 4}}, "(None, 25, 4)", 0},
    {"spatial_dropout", "SpatialDropout1D", {{"rate", 0.5}}, {{kNone, 4}}, "(None, None, 4)", 0},
    {"gaussian_noise", "GaussianNoise", {}, {{9}}, "(None, 9)", 0},
    {"gaussian_dropout", "GaussianDropout", {}, {{3, 9}}, "(None, 3, 9)", 0},
    {"alpha_dropout", "AlphaDropout", {}, {{3, 9}}, "(None, 3, 9)", 0},
    {"masking", "Masking", {{"mask_value", -1.0}}, {{kNone, 4}}, "(None, None, 4)", 0},
    // The activation layers keep the shape; PReLU learns an alpha per value, or per feature
    // when it shares along time.
    {"activation", "Activation", {{"activation", std::string("mish")}}, {{32, 4}}, "(None, 32, 4)", 0},
    {"relu_capped", "ReLU", {{"max_value", 6.0}}, {{9}}, "(None, 9)", 0},
    {"leaky_relu", "LeakyReLU", {}, {{kNone, 3}}, "(None, None, 3)", 0},
    {"elu", "ELU", {{"alpha", 0.5}}, {{5, 2}}, "(None, 5, 2)", 0},
    {"softmax_over_time", "Softmax", {{"axis", std::int64_t{1}}}, {{5, 2}}, "(None, 5, 2)", 0},
    {"prelu", "PReLU", {}, {{5, 3}}, "(None, 5, 3)", 15},
    {"prelu_shared_time", "PReLU", {{"shared_axes", std::string("[1]")}}, {{kNone, 3}}, "(None, None, 3)", 3},
    {"prelu_shared_both", "PReLU", {{"shared_axes", std::string("[1, 2]")}}, {{5, 3}}, "(None, 5, 3)", 1},
    {"prelu_vector", "PReLU", {}, {{7}}, "(None, 7)", 7},
    {"crop", "Cropping1D", {{"crop_before", std::int64_t{2}}, {"crop_after", std::int64_t{0}}}, {{25, 4}},
     "(None, 23, 4)", 0},
    // MultiHeadAttention: the query's shape (or output_shape); Keras's projections. The Keras
    // time-series Transformer example's block has 7,169 parameters.
    {"attention_self", "MultiHeadAttention", {{"num_heads", std::int64_t{4}}, {"key_dim", std::int64_t{256}}, {"dropout", 0.25}},
     {{500, 1}, {500, 1}}, "(None, 500, 1)", 7169},
    {"attention_cross_with_key", "MultiHeadAttention",
     {{"num_heads", std::int64_t{2}}, {"key_dim", std::int64_t{4}}, {"value_dim", std::int64_t{6}}, {"output_shape", std::int64_t{10}}},
     {{5, 8}, {7, 3}, {7, 2}}, "(None, 5, 10)", (8 * 8 + 8) + (2 * 8 + 8) + (3 * 12 + 12) + (12 * 10 + 10)},
    {"attention_free_lengths", "MultiHeadAttention", {{"num_heads", std::int64_t{1}}, {"key_dim", std::int64_t{2}}, {"use_bias", false}},
     {{kNone, 3}, {kNone, 3}}, "(None, None, 3)", 3 * (3 * 2) + 2 * 3},
    // keras_hub's position layers: the text Transformer example's embedding has 20,000 x 32
    // token rows and 200 x 32 position rows; an untied reverse projection adds its own table.
    {"position_embedding", "PositionEmbedding", {{"sequence_length", std::int64_t{50}}}, {{40, 8}}, "(None, 40, 8)", 50 * 8},
    {"token_and_position", "TokenAndPositionEmbedding",
     {{"vocabulary_size", std::int64_t{20000}}, {"sequence_length", std::int64_t{200}}, {"embedding_dim", std::int64_t{32}}},
     {{200}}, "(None, 200, 32)", 20000 * 32 + 200 * 32},
    {"token_and_position_untied", "TokenAndPositionEmbedding",
     {{"vocabulary_size", std::int64_t{10}}, {"sequence_length", std::int64_t{6}}, {"embedding_dim", std::int64_t{4}},
      {"tie_weights", false}},
     {{6}}, "(None, 6, 4)", 2 * 10 * 4 + 6 * 4},
};

INSTANTIATE_TEST_SUITE_P(AllKinds, ShapeRule, ::testing::ValuesIn(kRules),
                         [](const auto& p) { return std::string(p.param.label); });

TEST(LayerRegistry, HasEveryKindWithKerasDefaults) {
    std::vector<std::string> kinds;
    for (const LayerSpec* s : allLayers()) kinds.emplace_back(s->kind());
    EXPECT_EQ(kinds, (std::vector<std::string>{"InputLayer", "LSTM", "GRU", "SimpleRNN", "Bidirectional",
                                               "MultiHeadAttention", "PositionEmbedding", "TokenAndPositionEmbedding",
                                               "Dense", "TimeDistributed", "Embedding",
                                               "Masking", "Conv1D", "Conv1DTranspose", "MaxPooling1D", "AveragePooling1D",
                                               "GlobalMaxPooling1D", "GlobalAveragePooling1D", "UpSampling1D",
                                               "ZeroPadding1D", "Cropping1D", "Flatten", "Reshape", "Permute",
                                               "RepeatVector", "Add",
                                               "Subtract", "Multiply", "Average", "Maximum",
                                               "Concatenate", "LayerNormalization", "BatchNormalization",
                                               "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout",
                                               "AlphaDropout", "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU",
                                               "Softmax"}));
    EXPECT_EQ(std::get<double>(findLayer("LeakyReLU")->defaults().at("negative_slope")), 0.3);
    EXPECT_EQ(std::get<double>(findLayer("ReLU")->defaults().at("max_value")), 0.0);  // None: no cap
    EXPECT_EQ(std::get<double>(findLayer("ELU")->defaults().at("alpha")), 1.0);
    EXPECT_EQ(std::get<std::int64_t>(findLayer("Softmax")->defaults().at("axis")), -1);
    EXPECT_EQ(std::get<std::string>(findLayer("PReLU")->defaults().at("shared_axes")), "none");
    const LayerSpec* lstm = findLayer("LSTM");
    ASSERT_NE(lstm, nullptr);
    const ParamMap d = lstm->defaults();
    EXPECT_EQ(std::get<std::string>(d.at("activation")), "tanh");
    EXPECT_EQ(std::get<std::string>(d.at("recurrent_activation")), "sigmoid");
    EXPECT_TRUE(std::get<bool>(d.at("use_bias")));
    EXPECT_FALSE(std::get<bool>(d.at("return_sequences")));
    EXPECT_TRUE(std::get<bool>(d.at("unit_forget_bias")));
    EXPECT_EQ(std::get<double>(d.at("dropout")), 0.0);
    EXPECT_EQ(std::get<Regularizer>(d.at("kernel_regularizer")).kind, Regularizer::Kind::None);
    EXPECT_TRUE(std::get<bool>(findLayer("GRU")->defaults().at("reset_after")));
    EXPECT_EQ(std::get<std::string>(findLayer("Dense")->defaults().at("activation")), "linear");
    EXPECT_EQ(std::get<std::int64_t>(findLayer("Concatenate")->defaults().at("axis")), -1);
    EXPECT_EQ(findLayer("Conv2D"), nullptr);
    EXPECT_EQ(std::get<std::string>(findLayer("Conv1D")->defaults().at("padding")), "valid");
    EXPECT_EQ(std::get<std::int64_t>(findLayer("MaxPooling1D")->defaults().at("pool_size")), 2);
    EXPECT_EQ(std::get<double>(findLayer("Masking")->defaults().at("mask_value")), 0.0);
    EXPECT_FALSE(std::get<bool>(findLayer("Embedding")->defaults().at("mask_zero")));
}

TEST(LayerRegistry, UpSamplingBeyondAnySequenceIsReportedNotOverflowed) {
    ModelGraph g;
    NodeId x = input(g, {kMaxSteps, 1});
    for (int i = 0; i < 4; ++i) x = add(g, "UpSampling1D", {{"size", std::int64_t{1} << 16}}, {x});
    add(g, "Dense", {{"units", std::int64_t{1}}}, {x});
    const Validation v = validate(g);
    ASSERT_EQ(v.count(Severity::Error), 1u);
    EXPECT_NE(v.diagnostics.front().message.find("more than 16777216 steps"), std::string::npos)
        << v.diagnostics.front().message;
}

TEST(LayerRegistry, RejectsValuesOutsideTheSchema) {
    const LayerSpec* lstm = findLayer("LSTM");
    EXPECT_TRUE(checkParam(*lstm->param("units"), std::int64_t{0}).has_value());
    EXPECT_FALSE(checkParam(*lstm->param("units"), std::int64_t{1}).has_value());
    EXPECT_TRUE(checkParam(*lstm->param("dropout"), 1.0).has_value());
    EXPECT_FALSE(checkParam(*lstm->param("dropout"), 0.5).has_value());
    EXPECT_TRUE(checkParam(*lstm->param("activation"), std::string("softsign")).has_value());
    EXPECT_TRUE(checkParam(*lstm->param("units"), std::string("20")).has_value());
    EXPECT_TRUE(checkParam(*lstm->param("kernel_regularizer"),
                           Regularizer{Regularizer::Kind::L2, 0, -1})
                    .has_value());
    const LayerSpec* in = findLayer("InputLayer");
    EXPECT_TRUE(checkParam(*in->param("shape"), Dims{32, kNone}).has_value());
    EXPECT_TRUE(checkParam(*in->param("shape"), Dims{}).has_value());
    EXPECT_FALSE(checkParam(*in->param("shape"), Dims{kNone, 3}).has_value());
}

}  // namespace
}  // namespace loom
