// What the CLI's end-to-end tests share: running the real executable and reading what it wrote.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace loom::test {

namespace fs = std::filesystem;

struct Result {
    int exitCode = -1;
    std::string out;  // stdout and stderr together
};

/// Runs the CLI with `args`; `environment` (NAME=value ...) goes before the command.
inline Result run(const std::string& args, const std::string& environment = "") {
    const std::string command =
        (environment.empty() ? "" : "env " + environment + " ") + LAYERLOOM_CLI + " " + args + " 2>&1";
    Result r;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return r;
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe)) r.out += buffer.data();
    const int status = pclose(pipe);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

inline std::string example(const char* name) {
    return std::string(LAYERLOOM_EXAMPLES_DIR) + "/" + name;
}

inline bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

inline std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A Keras fixture small enough to train in a moment: an LSTM autoencoder of (8, 1) windows.
inline const std::string kFixture = std::string(LAYERLOOM_TEST_DATA_DIR) + "/keras_fixtures/seq_autoencoder_small";

/// The numbers of a nested JSON array, in order; of an object (an array per output, by name),
/// in the order of its names.
inline std::vector<double> flatJson(const std::string& text) {
    std::vector<double> out;
    std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& v) {
        if (v.is_array() || v.is_object()) {
            for (const auto& e : v) walk(e);
        } else {
            out.push_back(v.get<double>());
        }
    };
    walk(nlohmann::json::parse(text));
    return out;
}

inline fs::path freshDir(const char* name) {
    const fs::path dir = fs::temp_directory_path() / name;
    fs::remove_all(dir);
    return dir;
}

inline std::size_t lines(const fs::path& file) {
    std::ifstream in(file);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
}

}  // namespace loom::test
