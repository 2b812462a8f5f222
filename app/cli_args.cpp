#include "cli_args.h"

#include <charconv>

namespace loom::cli {

Args Args::parse(const std::vector<std::string>& argv, const std::set<std::string>& valued) {
    Args a;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& s = argv[i];
        if (s.starts_with("--")) {
            std::string name = s.substr(2);
            std::optional<std::string> value;
            if (auto eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name.resize(eq);
            }
            if (valued.contains(name)) {
                if (!value) {
                    if (i + 1 >= argv.size()) throw UsageError{"--" + name + " needs a value"};
                    value = argv[++i];
                }
                a.options[name] = *value;
            } else {
                if (value) throw UsageError{"--" + name + " takes no value"};
                a.flags.insert(name);
            }
        } else if (s == "-h") {
            a.flags.insert("help");
        } else if (s.starts_with("-") && s != "-") {
            throw UsageError{"unknown option '" + s + "'"};
        } else if (a.command.empty()) {
            a.command = s;
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
}

void Args::expect(const std::set<std::string>& allowedOptions, const std::set<std::string>& allowedFlags,
                  std::size_t positionalCount, const std::string& what) const {
    for (const auto& [name, value] : options) {
        if (!allowedOptions.contains(name)) {
            throw UsageError{command + " does not take --" + name};
        }
    }
    for (const std::string& f : flags) {
        if (!allowedFlags.contains(f)) throw UsageError{"unknown option '--" + f + "'"};
    }
    if (positional.size() < positionalCount) throw UsageError{command + " needs " + what};
    if (positional.size() > positionalCount) {
        throw UsageError{"unexpected argument '" + positional[positionalCount] + "'"};
    }
}

std::optional<std::string> Args::get(const std::string& name) const {
    auto it = options.find(name);
    if (it == options.end()) return std::nullopt;
    return it->second;
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
    return get(name).value_or(fallback);
}

std::optional<long long> Args::integer(const std::string& name, long long min) const {
    const auto s = get(name);
    if (!s) return std::nullopt;
    long long v = 0;
    auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
    if (ec != std::errc() || ptr != s->data() + s->size() || v < min) {
        throw UsageError{"--" + name + " must be a whole number of at least " + std::to_string(min) +
                         ", not '" + *s + "'"};
    }
    return v;
}

std::optional<double> Args::number(const std::string& name) const {
    const auto s = get(name);
    if (!s) return std::nullopt;
    double v = 0;
    auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
    if (ec != std::errc() || ptr != s->data() + s->size()) {
        throw UsageError{"--" + name + " must be a number, not '" + *s + "'"};
    }
    return v;
}

}  // namespace loom::cli
