#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "data/csv_reader.h"

namespace loom {

/// A multivariate time series: `steps` rows of `features` values, row-major; NaN marks a value
/// that is missing.
struct Series {
    std::vector<double> values;
    std::int64_t steps = 0;
    std::int64_t features = 0;
    std::vector<std::string> names;
    /// Where step t stands in its source, for messages ("line 59 (1995-03-01)", as an editor
    /// numbers the file's lines, with the time column's cell); empty: "row t + 1".
    std::function<std::string(std::int64_t step)> place;

    double at(std::int64_t t, std::int64_t f) const {
        return values[static_cast<std::size_t>(t * features + f)];
    }
    double& at(std::int64_t t, std::int64_t f) {
        return values[static_cast<std::size_t>(t * features + f)];
    }
    std::int64_t missingCount() const;
};

/// The chosen numeric columns of a table, by name or index.
Series seriesFromCsv(const CsvTable& table, const std::vector<std::string>& columns);

enum class MissingPolicy {
    Error,        ///< refuse, naming the rows
    DropWindows,  ///< keep NaN; windowing skips every window that touches one
    Interpolate,  ///< fill linearly between neighbours (the nearest value at the ends)
};

/// Applies the policy; with Error, throws DataError listing the missing rows per feature.
void handleMissing(Series& series, MissingPolicy policy);

/// The first `1 - fraction` of the steps and the rest, so that validation comes after training
/// in time and nothing leaks backwards.
std::pair<Series, Series> splitByTime(const Series& series, double fraction);

/// Per-feature scaling fitted on training data only, and invertible so that plots show the
/// original units.
struct Normalizer {
    enum class Kind { None, ZScore, MinMax };
    Kind kind = Kind::None;
    std::vector<double> shift;  ///< subtracted
    std::vector<double> scale;  ///< then divided by

    static Normalizer fit(const Series& train, Kind kind);
    void apply(Series& series) const;
    /// Row-major values of `features` features each, from the data's units to the model's and
    /// back; unchanged when nothing is normalised. Throws DataError when the normaliser is for
    /// another number of features.
    void toModelUnits(std::vector<float>& values, std::int64_t features) const;
    void toDataUnits(std::vector<float>& values, std::int64_t features) const;
    double invert(double value, std::int64_t feature) const {
        return kind == Kind::None ? value
                                  : value * scale[static_cast<std::size_t>(feature)] +
                                        shift[static_cast<std::size_t>(feature)];
    }
};

}  // namespace loom
