#include "io/message_text.h"

#include <algorithm>

namespace loom {
namespace {

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

std::string counted(std::size_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string groupedNumber(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
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

}  // namespace loom
