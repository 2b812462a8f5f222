#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loom {

/// A named float32 tensor, as weights are stored and exchanged: `lstm_1/kernel`, row-major.
/// A weight tensor's shape as Python prints a tuple: "(32, 256)", "(1024,)".
inline std::string tensorShapeText(const std::vector<std::int64_t>& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + (shape.size() == 1 ? ",)" : ")");
}

/// The most values one weight tensor read from a file may hold (16 GiB of float32).
inline constexpr std::uint64_t kMaxTensorValues = std::uint64_t{1} << 32;

/// The number of values of a shape from outside: every size 1 or more, the product at most
/// kMaxTensorValues; nullopt otherwise. Computed without overflow.
inline std::optional<std::uint64_t> valueCount(const std::vector<std::int64_t>& shape) {
    std::uint64_t n = 1;
    for (std::int64_t d : shape) {
        if (d < 1 || static_cast<std::uint64_t>(d) > kMaxTensorValues / n) return std::nullopt;
        n *= static_cast<std::uint64_t>(d);
    }
    return n;
}

struct NamedTensor {
    std::string name;
    std::vector<std::int64_t> shape;
    std::vector<float> values;

    /// The number of values; for a shape from outside, check it with valueCount first.
    std::int64_t size() const {
        std::int64_t n = 1;
        for (std::int64_t d : shape) n *= d;
        return n;
    }
    bool operator==(const NamedTensor&) const = default;
};

}  // namespace loom
