#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace loom::ui {

/// The folder the window reads the sample series of the core's catalogue (data/
/// sample_catalogue.h) from: the shipped one (share/layerloom/data) where LayerLoom is
/// installed or runs from its build tree, else a copy of the series compiled into the program,
/// kept in its data folder, so that it runs from any folder. Decided (and copied) once, at the
/// first call; nullopt when neither can be had (the core then says where it looked).
std::optional<std::filesystem::path> sampleFolder();

/// `source` as a file to read for previews: a sample series from sampleFolder(), anything else
/// as it is. A sample that does not exist stays as named, for the core to refuse with its list.
std::string readableSource(const std::string& source);

}  // namespace loom::ui
