#include "io/json_fields.h"

#include <limits>

#include "io/json_input.h"

namespace loom {

using nlohmann::json;

std::string describeJson(const json& j) {
    if (j.is_number_integer()) return "a whole number";
    if (j.is_number()) return "a number";
    if (j.is_string()) return "text " + jsonExcerpt(j, 40);
    if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
    if (j.is_null()) return "null";
    if (j.is_array()) return "a list";
    return "an object";
}

void JsonField::fail(const std::string& what) const {
    throw std::runtime_error((m_pointer.empty() ? "" : m_pointer + ": ") + what);
}

JsonField JsonField::operator[](const char* key) const {
    object();
    const auto it = m_value->find(key);
    if (it == m_value->end()) fail(std::string("missing \"") + key + "\"");
    return {*it, m_pointer + "/" + key};
}

JsonField JsonField::at(std::size_t index) const {
    if (index >= size()) fail("has no element " + std::to_string(index));
    return {(*m_value)[index], m_pointer + "/" + std::to_string(index)};
}

std::size_t JsonField::size() const {
    if (!m_value->is_array()) fail("expected a list, found " + describeJson(*m_value));
    return m_value->size();
}

double JsonField::number() const {
    if (!m_value->is_number()) fail("expected a number, found " + describeJson(*m_value));
    return m_value->get<double>();
}

std::int64_t JsonField::integer() const {
    return integer(std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
}

std::int64_t JsonField::integer(std::int64_t min, std::int64_t max) const {
    std::int64_t v = 0;
    if (m_value->is_number_unsigned()) {
        const auto u = m_value->get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            fail("the number is too large");
        }
        v = static_cast<std::int64_t>(u);
    } else if (m_value->is_number_integer()) {
        v = m_value->get<std::int64_t>();
    } else {
        fail("expected a whole number, found " + describeJson(*m_value));
    }
    if (v < min || v > max) {
        fail("expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
             ", found " + std::to_string(v));
    }
    return v;
}

std::string JsonField::text() const {
    if (!m_value->is_string()) fail("expected text, found " + describeJson(*m_value));
    return m_value->get<std::string>();
}

bool JsonField::flag() const {
    if (!m_value->is_boolean()) fail("expected true or false, found " + describeJson(*m_value));
    return m_value->get<bool>();
}

const JsonField& JsonField::object() const {
    if (!m_value->is_object()) fail("expected an object, found " + describeJson(*m_value));
    return *this;
}

double JsonField::numberOr(const char* key, double fallback) const {
    return has(key) ? (*this)[key].number() : (object(), fallback);
}

std::int64_t JsonField::integerOr(const char* key, std::int64_t fallback) const {
    return has(key) ? (*this)[key].integer() : (object(), fallback);
}

std::string JsonField::textOr(const char* key, const std::string& fallback) const {
    return has(key) ? (*this)[key].text() : (object(), fallback);
}

}  // namespace loom
