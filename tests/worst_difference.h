#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

namespace loom::test {

/// The larger of `worst` and |a - b|, where a NaN on either side counts as an infinite
/// difference: std::max(worst, NaN) keeps `worst`, so a model that put out NaN would pass.
inline double worseOf(double worst, double a, double b) {
    const double d = std::abs(a - b);
    return std::isnan(d) ? std::numeric_limits<double>::infinity() : std::max(worst, d);
}

}  // namespace loom::test
