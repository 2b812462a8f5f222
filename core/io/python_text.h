#pragma once

#include <cctype>
#include <sstream>
#include <string>

namespace loom::python {

/// Pieces of Python source the code exporters (Keras, PyTorch) share.

/// A double-quoted Python string literal.
inline std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

/// A float literal that Python reads back exactly enough (always with a point or exponent).
inline std::string number(double v) {
    std::ostringstream s;
    s.precision(10);
    s << v;
    std::string t = s.str();
    if (t.find_first_of(".eE") == std::string::npos) t += ".0";
    return t;
}

/// A Python identifier for a layer name: `lstm_1` stays, `my layer` becomes `my_layer`, and
/// names the generated code uses itself (keywords, modules, `self`, `x`) get a trailing `_`.
inline std::string identifier(const std::string& name) {
    std::string id;
    for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "l_" + id;
    static const char* taken[] = {
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
        "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
        "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return",
        "try", "while", "with", "yield", "self", "x", "model", "keras", "layers", "regularizers",
        "torch", "nn", "F", "np", "json", "os", "sys", "hard_sigmoid", "activation"};
    for (const char* t : taken) {
        if (id == t) return id + "_";
    }
    return id;
}

}  // namespace loom::python
