#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace loom {

/// The folder holding what ships with LayerLoom: `examples/` (projects) and `data/` (the
/// sample series). Looked for, in order: $LAYERLOOM_DATA_DIR; share/layerloom beside the
/// running program, as installed (PREFIX/bin and PREFIX/share/layerloom) and as laid out in
/// the build tree (build/app and build/share/layerloom). nullopt when none exists.
std::optional<std::filesystem::path> shippedFilesDirectory();

/// Where shippedFilesDirectory() looked, for messages: "looked in /a, /b" (or "looked in no
/// folder").
std::string shippedFilesSearchText();

}  // namespace loom
