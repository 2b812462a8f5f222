#pragma once

#include <cstdint>
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

struct NamedTensor {
    std::string name;
    std::vector<std::int64_t> shape;
    std::vector<float> values;

    std::int64_t size() const {
        std::int64_t n = 1;
        for (std::int64_t d : shape) n *= d;
        return n;
    }
    bool operator==(const NamedTensor&) const = default;
};

}  // namespace loom
