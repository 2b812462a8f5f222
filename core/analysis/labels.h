#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "analysis/anomaly.h"
#include "data/data_source.h"

namespace loom {

/// A known anomaly: steps `start` to `end` of a series (inclusive).
struct LabelWindow {
    std::int64_t start = 0;
    std::int64_t end = 0;
};

/// Reads known anomaly windows for a series from `file`:
/// - a CSV whose first two columns are start and end (a header row is optional),
/// - a JSON list of [start, end] pairs, or an object of such lists keyed by data file (as the
///   Numenta Anomaly Benchmark keeps its labels), of which the one for `seriesFile` is taken.
/// Times are matched to `index` as written ("2026-02-13 10:00"; a time between two rows takes
/// the next row for a start and the one before for an end), to a numeric time column by value,
/// or to row numbers (from 1) when the series has no time column. A window reaching over the
/// series' ends is cut to them; one wholly before or after it is left out and counted in
/// `outside`. Throws DataError naming the file and the entry that does not fit, the keys when
/// none is for `seriesFile`, or the series' span when every window lies outside it.
std::vector<LabelWindow> readLabelWindows(const std::filesystem::path& file, const std::string& seriesFile,
                                          const RowIndex& index, std::int64_t steps, std::int64_t* outside = nullptr);

/// How flagged intervals agree with known windows, event by event: an interval that overlaps a
/// window is a true alarm, a window that some interval overlaps is found.
struct LabelAgreement {
    std::int64_t windows = 0, found = 0;       ///< known windows, and those found
    std::int64_t intervals = 0, trueAlarms = 0;
    double precision = 0.0;  ///< true alarms / intervals (1 with no interval)
    double recall = 0.0;     ///< found / windows
    double f1 = 0.0;
    /// Step by step, beside the events: the flagged steps, and those inside a known window. One
    /// interval over the whole series finds every window (F1 1) yet has little of its time in them.
    std::int64_t flaggedSteps = 0, flaggedInWindows = 0;
};
LabelAgreement agreement(const std::vector<AnomalyInterval>& intervals, const std::vector<LabelWindow>& windows);

}  // namespace loom
