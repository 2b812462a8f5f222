#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/data_source.h"

namespace loom {

/// The prefix of a data source that names a series shipping with LayerLoom: `sample:nile.csv`,
/// or `sample:nile`.
inline constexpr std::string_view kSamplePrefix = "sample:";

/// A public-domain series that ships with LayerLoom, for trying models on real data.
struct SampleSeries {
    std::string file;    ///< its file, as a project names it after the prefix: `sunspots.csv`
    std::string title;   ///< "Sunspots (yearly, 1700-2008)"
    std::string column;  ///< the value column
    std::string about;   ///< what it is and where it comes from
};

/// Every sample series, the default one (what a model with no data chosen trains on) first.
const std::vector<SampleSeries>& sampleCatalogue();

bool isSampleSource(std::string_view source);
/// A source's name for titles and menus: a sample's or a file's name ("machine_normal.csv"),
/// a synthetic series as written.
std::string sourceDisplayName(const std::string& source);

/// The series a `sample:` source names, by its file name or by that name without `.csv`;
/// nullptr when `source` is no sample or names none of the catalogue (`sample:../nile` names
/// none).
const SampleSeries* findSample(std::string_view source);

/// The spec that reads `source` as `training` reads its data (columns, gaps, window), except
/// that a sample series of the catalogue is read with its own column.
DataSpec seriesLike(const DataSpec& training, const std::string& source);

/// When `spec` names no source: the default sample series, with its column, so that a model
/// whose project chooses no data trains at once, in the window and on the command line alike.
void chooseDefaultData(DataSpec& spec);

/// The folder the sample series are read from: data/ in the folder of what ships with LayerLoom
/// (shippedFilesDirectory()); nullopt when there is none.
std::optional<std::filesystem::path> shippedSampleFolder();

/// The file to read for a data source: a sample's file in `folder` (shippedSampleFolder() when
/// not given; the window passes the copy it keeps of its own), anything else as it is. Throws
/// DataError naming the series LayerLoom ships when there is no such sample, or where it looked
/// when there is no folder of samples.
std::string resolveDataSource(const std::string& source,
                              const std::optional<std::filesystem::path>& folder = std::nullopt);

}  // namespace loom
