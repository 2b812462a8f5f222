#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/series.h"

namespace loom {

/// Built-in generators for trying models without data, all repeatable for a seed:
///   sines       a sum of three sines with noise
///   square      a square wave with noise
///   sawtooth    a sawtooth wave with noise
///   random_walk a Gaussian random walk
///   anomalies   sines with injected spikes and level shifts (labels in `anomalyLabels`)
/// Throws DataError for an unknown name.
Series syntheticSeries(const std::string& name, std::int64_t steps, std::uint64_t seed,
                       std::vector<int>* anomalyLabels = nullptr);
const std::vector<std::string>& syntheticNames();

}  // namespace loom
