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

/// Length of the valid UTF-8 sequence at `s[i]`, or 0.
std::size_t utf8Length(std::string_view s, std::size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
    }
    return n;
}

}  // namespace

std::string groupedNumber(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

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

std::string printableExcerpt(std::string_view bytes, std::size_t limit) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    std::size_t i = 0, shown = 0;
    for (; i < bytes.size() && shown < limit; ++shown) {
        const std::size_t n = utf8Length(bytes, i);
        const auto b = static_cast<unsigned char>(bytes[i]);
        if (n == 1 && b >= 0x20 && b != 0x7F) {
            out += bytes[i];
        } else if (n > 1) {
            out.append(bytes.substr(i, n));
        } else {
            out += "\\x";
            out += kHex[b >> 4];
            out += kHex[b & 0xF];
        }
        i += std::max<std::size_t>(n, 1);
    }
    if (i < bytes.size()) out += " ... " + groupedNumber(bytes.size() - i) + " more bytes";
    return out;
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
    }
}

}  // namespace loom
