#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace loom {

/// Keras's kernel_regularizer: none, L1, L2 or L1L2 with its factors.
struct Regularizer {
    enum class Kind { None, L1, L2, L1L2 };
    Kind kind = Kind::None;
    double l1 = 0.0;
    double l2 = 0.0;
    bool operator==(const Regularizer&) const = default;
};

/// A tensor shape without the batch axis; kNone marks an axis whose size is not fixed.
using Dims = std::vector<std::int64_t>;
inline constexpr std::int64_t kNone = -1;

/// The value of one layer parameter. Choices (activations...) are strings.
using ParamValue = std::variant<bool, std::int64_t, double, std::string, Regularizer, Dims>;

/// How a value reads in messages and tables: `True`, `20`, `0.2`, `selu`, `l2(0.01)`, `(32, 1)`.
std::string formatParam(const ParamValue& value);

/// Keras-style shape text for dims after the batch axis: `(None, 32, 1)`.
std::string formatShape(const Dims& dims);

std::string regularizerName(Regularizer::Kind kind);

}  // namespace loom
