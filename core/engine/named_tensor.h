#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

/// A named float32 tensor, as weights are stored and exchanged: `lstm_1/kernel`, row-major.
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
