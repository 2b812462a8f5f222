#include "data/shipped_files.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

#ifndef LAYERLOOM_SHARE_RELATIVE
#error "LAYERLOOM_SHARE_RELATIVE is share/layerloom's path relative to bin/; CMake defines it"
#endif

namespace fs = std::filesystem;

namespace loom {
namespace {

/// The folder of the running program, from the kernel (Linux); empty when unknown.
fs::path programDirectory() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

std::vector<fs::path> candidates() {
    std::vector<fs::path> dirs;
    if (const char* env = std::getenv("LAYERLOOM_DATA_DIR"); env && *env) dirs.emplace_back(env);
    if (const fs::path bin = programDirectory(); !bin.empty()) {
        dirs.push_back((bin / LAYERLOOM_SHARE_RELATIVE).lexically_normal());
    }
    return dirs;
}

bool isShippedFilesDirectory(const fs::path& dir) {
    std::error_code ec;
    return fs::is_directory(dir / "examples", ec) || fs::is_directory(dir / "data", ec);
}

}  // namespace

std::optional<fs::path> shippedFilesDirectory() {
    for (const fs::path& dir : candidates()) {
        if (isShippedFilesDirectory(dir)) return dir;
    }
    return std::nullopt;
}

std::vector<std::string> sampleSeriesNames() {
    std::vector<std::string> names;
    const auto dir = shippedFilesDirectory();
    if (!dir) return names;
    std::error_code ec;
    for (fs::directory_iterator it(*dir / "data", ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() == ".csv" && it->is_regular_file(ec)) {
            names.push_back(it->path().filename().string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string matchSampleSeries(const std::string& given, const std::vector<std::string>& names) {
    for (const std::string& candidate : {given, given + ".csv"}) {
        if (std::find(names.begin(), names.end(), candidate) != names.end()) return candidate;
    }
    return {};
}

fs::path sampleSeriesFile(const std::string& name) {
    const auto dir = shippedFilesDirectory();
    if (!dir) {
        std::string looked;
        for (const fs::path& d : candidates()) looked += (looked.empty() ? "" : ", ") + d.string();
        throw std::runtime_error("cannot find the sample series that ship with LayerLoom (looked in " +
                                 (looked.empty() ? std::string("no folder") : looked) +
                                 "); set LAYERLOOM_DATA_DIR to the folder holding data/");
    }
    const auto names = sampleSeriesNames();
    const std::string file = matchSampleSeries(name, names);
    if (file.empty()) {
        std::string list;
        for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
        throw std::runtime_error("there is no sample series '" + name + "'; LayerLoom ships " +
                                 (list.empty() ? std::string("none") : list));
    }
    return *dir / "data" / file;
}

}  // namespace loom
