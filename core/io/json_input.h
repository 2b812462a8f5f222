#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "io/message_text.h"

namespace loom {

/// How deep JSON from outside (projects, Keras files, weights headers, run folders) may nest.
/// LayerLoom's own files nest about ten levels; the limit keeps every later walk over the
/// document (copies, comparisons, dumps) far from the end of the stack.
inline constexpr int kMaxJsonDepth = 128;

/// JSON that cannot be read, with where: 1-based line and column (0 when unknown) and a message
/// in plain words, free of raw bytes from the file.
class JsonInputError : public std::runtime_error {
public:
    JsonInputError(const std::string& problem, int line, int column)
        : std::runtime_error("line " + std::to_string(line) + ", column " + std::to_string(column) +
                             ": " + problem),
          m_problem(problem), m_line(line), m_column(column) {}
    /// What is wrong, without where.
    const std::string& problem() const { return m_problem; }
    int line() const { return m_line; }
    int column() const { return m_column; }

private:
    std::string m_problem;
    int m_line, m_column;
};

/// Parses outside JSON. Nesting deeper than kMaxJsonDepth is refused before anything is built.
/// The error's text is "line L, column C: what went wrong".
nlohmann::json parseJsonInput(std::string_view text);

/// A JSON value for a message: its compact text, shortened as printableExcerpt does.
std::string jsonExcerpt(const nlohmann::json& value, std::size_t limit = 60);

/// 1-based line and column of byte `offset` of `text`.
void lineAndColumnOf(std::string_view text, std::size_t offset, int& line, int& column);

}  // namespace loom
