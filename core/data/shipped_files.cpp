#include "data/shipped_files.h"

#include <cstdlib>
#include <vector>
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

std::string shippedFilesSearchText() {
    std::string looked;
    for (const fs::path& d : candidates()) looked += (looked.empty() ? "" : ", ") + d.string();
    return "looked in " + (looked.empty() ? std::string("no folder") : looked);
}

}  // namespace loom
