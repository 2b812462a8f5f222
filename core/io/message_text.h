#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace loom {

/// `bytes` from a file, as text fit for a message: bytes that are not printable UTF-8 as \xNN,
/// and at most `limit` characters, the rest said as "... N more bytes".
std::string printableExcerpt(std::string_view bytes, std::size_t limit = 60);

/// 12,345,678: a count for a message.
std::string groupedNumber(std::uint64_t n);

/// "1 Input", "2 Inputs": a count and its noun, singular or plural.
std::string counted(std::size_t n, std::string_view one, std::string_view many);

}  // namespace loom
