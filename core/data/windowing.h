#pragma once

#include <cstdint>

#include "data/dataset.h"
#include "data/series.h"

namespace loom {

struct WindowSpec {
    enum class Target {
        Reconstruction,  ///< target = input (autoencoders)
        Forecast,        ///< target = the next `horizon` steps
        Classification,  ///< target = the label at the window's last step
    };
    std::int64_t length = 32;
    std::int64_t stride = 1;
    Target target = Target::Reconstruction;
    std::int64_t horizon = 1;

    /// The steps one window takes: its length, and a forecast's horizon after it.
    std::int64_t span() const { return length + (target == Target::Forecast ? horizon : 0); }
};

struct Windows {
    Dataset data;                     ///< x (length, features); y per the target
    std::vector<std::int64_t> starts;  ///< first step of each window
    std::int64_t dropped = 0;          ///< windows skipped because they touch a missing value
};

/// Cuts a series into windows. Throws DataError when the series is shorter than one window.
/// Forecast targets are (horizon, features), or (features,) for a horizon of 1; classification
/// targets one label per window, taken from `labels` (one per step).
Windows makeWindows(const Series& series, const WindowSpec& spec,
                    const std::vector<double>* labels = nullptr);

}  // namespace loom
