// What every fuzz target shares: splitting one input into several files, a scratch folder to
// write them to, and the rule that a reader may refuse its input only with a message of its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace loom::fuzz {

/// Separates the files of one input for the targets that read several (a model.json and its
/// weights, a run folder); the JSON dictionary holds it, so that mutations keep and move it.
inline constexpr std::string_view kFileSeparator = "\n=====LAYERLOOM-FUZZ-FILE=====\n";

/// The input's files: the text between separators, at most `count` of them (the last takes
/// the rest).
std::vector<std::string> splitFiles(const std::uint8_t* data, std::size_t size, std::size_t count);

/// A folder of this process's own (in memory where /dev/shm exists), emptied on each call.
std::filesystem::path scratchFolder();

void writeFile(const std::filesystem::path& file, std::string_view bytes);
/// Writes files[i] to folder / names[i], for as many files as there are (at most names.size()).
void writeFiles(const std::filesystem::path& folder, const std::vector<std::string>& files,
                std::initializer_list<const char*> names);

/// Runs `read` on `input`. Every refusal must be a std::runtime_error whose message speaks to
/// the user; any other exception (the JSON library's, std::bad_alloc, std::invalid_argument
/// from stoll ...) or a message with a library's words in it that the input does not hold is a
/// finding: the target aborts with it.
template <class F>
void expectCleanRefusal(std::string_view input, F&& read);

[[noreturn]] void finding(const char* what, const std::string& message);
/// Whether `message` holds a library's words (`[json.exception`, `basic_string`, `_M_` ...) that
/// are not quoted from `input`.
bool speaksLibrary(const std::string& message, std::string_view input);

template <class F>
void expectCleanRefusal(std::string_view input, F&& read) {
    try {
        read();
    } catch (const std::runtime_error& e) {
        if (speaksLibrary(e.what(), input)) finding("a library's words reached the message", e.what());
    } catch (const std::exception& e) {
        finding("an exception that is not a refusal", e.what());
    }
}

}  // namespace loom::fuzz
