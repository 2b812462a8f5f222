#pragma once

#include <cmath>

namespace loom {

/// Whether error `a` ranks before `b` when the worst come first: larger first, and a diverged
/// run's NaN before any number (a strict weak order, which sorting needs and `>` on NaN is not).
inline bool worseError(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && !std::isnan(b);
    return a > b;
}

}  // namespace loom
