#include "fuzz_support.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace loom::fuzz {

namespace fs = std::filesystem;

std::vector<std::string> splitFiles(const std::uint8_t* data, std::size_t size, std::size_t count) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> files;
    std::size_t at = 0;
    while (files.size() + 1 < count) {
        const std::size_t next = all.find(kFileSeparator, at);
        if (next == std::string_view::npos) break;
        files.emplace_back(all.substr(at, next - at));
        at = next + kFileSeparator.size();
    }
    files.emplace_back(all.substr(at));
    return files;
}

namespace {
fs::path g_scratch;
void removeScratch() {
    std::error_code ec;
    fs::remove_all(g_scratch, ec);
}
}  // namespace

fs::path scratchFolder() {
    if (g_scratch.empty()) {
        const fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
        g_scratch = base / ("layerloom-fuzz-" + std::to_string(::getpid()));
        std::atexit(removeScratch);
    }
    std::error_code ec;
    fs::remove_all(g_scratch, ec);
    fs::create_directories(g_scratch);
    return g_scratch;
}

void writeFile(const fs::path& file, std::string_view bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::logic_error("the fuzz target cannot write " + file.string());
}

void writeFiles(const fs::path& folder, const std::vector<std::string>& files,
                std::initializer_list<const char*> names) {
    std::size_t i = 0;
    for (const char* name : names) {
        if (i == files.size()) break;
        writeFile(folder / name, files[i++]);
    }
}

bool speaksLibrary(const std::string& message, std::string_view input) {
    for (const char* word : {"[json.exception", "basic_string", "_M_", "vector::", "std::bad_alloc",
                             "bad_optional_access", "map::at", "bad_variant_access"}) {
        if (message.find(word) != std::string::npos && input.find(word) == std::string_view::npos) {
            return true;
        }
    }
    return false;
}

void finding(const char* what, const std::string& message) {
    std::fprintf(stderr, "\n==== fuzz finding: %s ====\n%s\n", what, message.c_str());
    std::abort();
}

}  // namespace loom::fuzz
