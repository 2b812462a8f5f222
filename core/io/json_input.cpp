#include "io/json_input.h"

#include <algorithm>

namespace loom {
namespace {

/// Where nesting first goes deeper than `limit`, outside strings; npos when it never does.
std::size_t tooDeepAt(std::string_view text, int limit) {
    int depth = 0;
    bool inString = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                inString = false;
            }
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return i;
        } else if (c == ']' || c == '}') {
            depth = std::max(0, depth - 1);
        }
    }
    return std::string_view::npos;
}

}  // namespace

void lineAndColumnOf(std::string_view text, std::size_t offset, int& line, int& column) {
    line = 1;
    column = 1;
    offset = std::min(offset, text.size());
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
}

std::string jsonExcerpt(const nlohmann::json& value, std::size_t limit) {
    return printableExcerpt(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                            limit);
}

nlohmann::json parseJsonInput(std::string_view text) {
    int line = 0, column = 0;
    if (const std::size_t at = tooDeepAt(text, kMaxJsonDepth); at != std::string_view::npos) {
        lineAndColumnOf(text, at, line, column);
        throw JsonInputError("nested more than " + std::to_string(kMaxJsonDepth) +
                                 " levels deep, which no LayerLoom or Keras file is",
                             line, column);
    }
    try {
        return nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
        // e.byte is 1-based: the byte at which the parser stopped.
        const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
        lineAndColumnOf(text, at, line, column);
        std::string what;
        if (at >= text.size()) {
            what = "the text ends too early";
        } else {
            // What comes before it on its line, at most 12 bytes.
            std::size_t start = at >= 12 ? at - 12 : 0;
            if (const auto nl = text.rfind('\n', at == 0 ? 0 : at - 1);
                nl != std::string_view::npos && nl >= start && nl < at) {
                start = nl + 1;
            }
            what = "unexpected '" + printableExcerpt(text.substr(at, 1), 1) + "'";
            if (start < at) what += " after '" + printableExcerpt(text.substr(start, at - start), 12) + "'";
        }
        throw JsonInputError("not valid JSON: " + what,
                             line, column);
    } catch (const nlohmann::json::out_of_range& e) {
        // 406: a number beyond a double's range, such as 1e400. The library names the number
        // but not where it is: the first place it occurs is where the parser met it.
        const std::string message = e.what();
        const std::size_t open = message.find("parsing '");
        const std::size_t close = message.rfind('\'');
        std::string number;
        if (open != std::string::npos && close != std::string::npos && close > open + 9) {
            number = message.substr(open + 9, close - open - 9);
        }
        const std::size_t at = number.empty() ? std::string_view::npos : text.find(number);
        if (at != std::string_view::npos) lineAndColumnOf(text, at, line, column);
        throw JsonInputError("not valid JSON: the number " + printableExcerpt(number, 24) +
                                 " is beyond what a double holds",
                             line, column);
    } catch (const nlohmann::json::exception&) {
        throw JsonInputError("not valid JSON", line, column);
    }
}

}  // namespace loom
