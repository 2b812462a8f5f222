#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace loom {

/// What a JSON value is, for messages: "a whole number", "text \"relu\"", "a list", ...
/// (text shortened as printableExcerpt does).
std::string describeJson(const nlohmann::json& value);

/// A value of a document from outside with its place in it (a JSON pointer), for typed reads
/// whose errors say where and what was expected:
///
///   const JsonField run(document, "");
///   const double loss = run["history"].at(3)["loss"].number();
///   // throws std::runtime_error("/history/3/loss: expected a number, found text \"x\"")
class JsonField {
public:
    JsonField(const nlohmann::json& value, std::string pointer)
        : m_value(&value), m_pointer(std::move(pointer)) {}

    const nlohmann::json& value() const { return *m_value; }
    const std::string& pointer() const { return m_pointer; }
    [[noreturn]] void fail(const std::string& what) const;

    /// Whether this is an object with `key`.
    bool has(const char* key) const { return m_value->is_object() && m_value->contains(key); }
    /// A member that must be there (and this an object).
    JsonField operator[](const char* key) const;
    /// An element of a list.
    JsonField at(std::size_t index) const;
    /// The number of elements of a list.
    std::size_t size() const;

    double number() const;
    std::int64_t integer() const;
    /// A whole number within [min, max].
    std::int64_t integer(std::int64_t min, std::int64_t max) const;
    std::string text() const;
    bool flag() const;
    const JsonField& object() const;

    /// Optional members: the fallback when absent, else checked as above.
    double numberOr(const char* key, double fallback) const;
    std::int64_t integerOr(const char* key, std::int64_t fallback) const;
    std::string textOr(const char* key, const std::string& fallback) const;

private:
    const nlohmann::json* m_value;
    std::string m_pointer;
};

}  // namespace loom
