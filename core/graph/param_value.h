#pragma once

#include <cstdint>
#include <string>
#include <utility>
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

/// How a weight starts: one of Keras's initialisers and its numbers (Keras's defaults: a
/// stddev of 0.05 for the normals, [-0.05, 0.05] for random_uniform, a gain of 1).
struct Initializer {
    enum class Kind {
        GlorotUniform,
        GlorotNormal,
        HeUniform,
        HeNormal,
        LecunUniform,
        LecunNormal,
        Orthogonal,  ///< a: gain
        RandomNormal,     ///< a: mean, b: stddev
        RandomUniform,    ///< a: minval, b: maxval
        TruncatedNormal,  ///< a: mean, b: stddev; redrawn beyond 2 stddev
        Zeros,
        Ones,
        Constant,  ///< a: value
        Identity,  ///< a: gain; matrices only
    };
    Kind kind = Kind::Zeros;
    double a = 0.0;
    double b = 0.0;
    Initializer() = default;
    /// Keras's defaults for `kind`'s numbers.
    Initializer(Kind k);  // NOLINT: a kind reads as its initialiser with Keras's defaults
    Initializer(Kind k, double first, double second) : kind(k), a(first), b(second) {}
    bool operator==(const Initializer&) const = default;
};

/// Keras's snake_case name: `glorot_uniform`, `random_normal`, ...
std::string initializerName(Initializer::Kind kind);
/// Every kind, in the order the inspector lists them.
const std::vector<Initializer::Kind>& allInitializers();
/// The kind a name gives (Keras's names, and its aliases `uniform`, `normal`, `zero`, `one`).
bool parseInitializer(const std::string& name, Initializer::Kind& kind);
/// The names of a kind's numbers, as Keras's config calls them; empty ones are not used.
std::pair<const char*, const char*> initializerArguments(Initializer::Kind kind);

/// A tensor shape without the batch axis; kNone marks an axis whose size is not fixed.
using Dims = std::vector<std::int64_t>;
inline constexpr std::int64_t kNone = -1;

/// The value of one layer parameter. Choices (activations...) are strings.
using ParamValue = std::variant<bool, std::int64_t, double, std::string, Regularizer, Dims, Initializer>;

/// How a value reads in messages and tables: `True`, `20`, `0.2`, `selu`, `l2(0.01)`, `(32, 1)`,
/// `glorot_uniform`, `random_normal(mean=0, stddev=0.05)`.
std::string formatParam(const ParamValue& value);

/// Keras-style shape text for dims after the batch axis: `(None, 32, 1)`.
std::string formatShape(const Dims& dims);

std::string regularizerName(Regularizer::Kind kind);

}  // namespace loom
