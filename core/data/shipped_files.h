#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace loom {

/// The folder holding what ships with LayerLoom: `examples/` (projects) and `data/` (the
/// sample series). Looked for, in order: $LAYERLOOM_DATA_DIR; share/layerloom beside the
/// running program, as installed (PREFIX/bin and PREFIX/share/layerloom) and as laid out in
/// the build tree (build/app and build/share/layerloom). nullopt when none exists.
std::optional<std::filesystem::path> shippedFilesDirectory();

/// The sample series that ship with LayerLoom (file names such as `sunspots.csv`), sorted.
std::vector<std::string> sampleSeriesNames();

/// Which of `names` (sample series file names, `sunspots.csv`) the user's `given` means: the
/// same name, or the name without its `.csv` (`sunspots`). Empty when none.
std::string matchSampleSeries(const std::string& given, const std::vector<std::string>& names);

/// The file of the sample series `name` (`sunspots.csv`, or `sunspots`). Throws std::runtime_error saying
/// which series there are, or where LayerLoom looked, when there is no such series.
std::filesystem::path sampleSeriesFile(const std::string& name);

}  // namespace loom
