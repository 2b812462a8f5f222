#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace loom {

// How the core writes its files: the project, weights, arrays, run folders, exports.

/// Why a file written to `path` could not take its place: "it is a folder", "it is not a
/// regular file" (a device, a pipe), "its links go round in a circle"; empty when nothing is
/// there yet, or a file, or a symbolic link to either.
std::string replaceProblem(const std::filesystem::path& path);

/// The file that a file written to `path` replaces: `path` with its symbolic links followed.
/// Throws std::runtime_error ("cannot write PATH: " and replaceProblem's reason) when that is
/// not a file or nothing. Every writer that renames a finished file into place asks it first.
std::filesystem::path writeTarget(const std::filesystem::path& path);

/// Writes `data` to `path` atomically (temporary file, flush to disk, rename). Through a
/// symbolic link it replaces the file the link points to; it refuses to replace a folder, a
/// device or a pipe. Throws std::runtime_error saying what and why.
void writeFileAtomically(const std::filesystem::path& path, std::string_view data);

}  // namespace loom
