// Outside JSON: nesting limits before anything is built, and messages without raw bytes.
#include <gtest/gtest.h>

#include "io/json_input.h"

namespace loom {
namespace {

std::string errorOf(const std::string& text) {
    try {
        parseJsonInput(text);
    } catch (const JsonInputError& e) {
        return e.what();
    }
    return "";
}

TEST(JsonInput, RefusesDeepNestingBeforeParsing) {
    const std::string deep = "{\"runs\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
    const std::string m = errorOf(deep);
    EXPECT_EQ(m, "line 1, column " + std::to_string(10 + kMaxJsonDepth - 1) + ": nested more than " +
                     std::to_string(kMaxJsonDepth) + " levels deep, which no LayerLoom or Keras file is");
    // Up to the limit is fine, and brackets inside strings do not count.
    const std::string fine = std::string(kMaxJsonDepth - 1, '[') + "\"[[[[{{{{\"" +
                             std::string(kMaxJsonDepth - 1, ']');
    EXPECT_NO_THROW(parseJsonInput(fine));
    EXPECT_NO_THROW(parseJsonInput(R"({"a": "\"[[[[[[", "b": [1]})"));
}

TEST(JsonInput, SaysWhereAndWhatWithoutRawBytes) {
    EXPECT_EQ(errorOf("\xff"), "line 1, column 1: not valid JSON: unexpected '\\xFF'");
    EXPECT_EQ(errorOf("{\n  \"a\": 1,,\n}"),
              "line 2, column 10: not valid JSON: unexpected ',' after '  \"a\": 1,'");
    EXPECT_EQ(errorOf("{\"a\": [1, 2"), "line 1, column 12: not valid JSON: the text ends too early");
    EXPECT_EQ(errorOf(""), "line 1, column 1: not valid JSON: the text ends too early");
    // The library throws another kind of error for these, without a place (found by fuzzing).
    EXPECT_EQ(errorOf("{\"tensors\": [\n 1, 81e308]}"),
              "line 2, column 5: not valid JSON: the number 81e308 is beyond what a double holds");
}

TEST(JsonInput, ExcerptsAreShortAndPrintable) {
    EXPECT_EQ(printableExcerpt("caf\xc3\xa9 \x01\xff"), "caf\xc3\xa9 \\x01\\xFF");
    EXPECT_EQ(printableExcerpt(std::string(10000, 'x'), 10), "xxxxxxxxxx ... 9,990 more bytes");
    EXPECT_EQ(jsonExcerpt(nlohmann::json::parse("[1, 2, 3]")), "[1,2,3]");
    EXPECT_EQ(groupedNumber(279000000000), "279,000,000,000");
    EXPECT_EQ(groupedNumber(7), "7");
}

}  // namespace
}  // namespace loom
