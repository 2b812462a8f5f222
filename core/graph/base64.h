#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loom {

/// Standard base64 (RFC 4648, with padding), for binary data inside JSON files.
std::string toBase64(std::string_view bytes);
/// The decoded bytes, or nothing when `text` is not valid base64.
std::optional<std::string> fromBase64(std::string_view text);

}  // namespace loom
