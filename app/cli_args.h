#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace loom::cli {

/// Exit codes of layerloom-cli.
enum Exit : int { kOk = 0, kInvalid = 1, kUnreadable = 2, kUsage = 64, kInterrupted = 130 };

/// A usage mistake: the message says which option or argument.
struct UsageError {
    std::string message;
};

/// `COMMAND POSITIONAL... --option value --option=value --flag`.
struct Args {
    std::string command;
    std::vector<std::string> positional;
    std::map<std::string, std::string> options;
    std::set<std::string> flags;

    /// Parses `argv` after the program name. `valued` names the options that take a value
    /// (without the dashes); any other `--name` is a flag.
    static Args parse(const std::vector<std::string>& argv, const std::set<std::string>& valued);

    /// Throws UsageError for options or flags the command does not take, and for a wrong
    /// number of positional arguments.
    void expect(const std::set<std::string>& allowedOptions, const std::set<std::string>& allowedFlags,
                std::size_t positionalCount, const std::string& what) const;

    std::optional<std::string> get(const std::string& name) const;
    std::string get(const std::string& name, const std::string& fallback) const;
    /// A whole number; throws UsageError naming the option when it is not one or below `min`.
    std::optional<long long> integer(const std::string& name, long long min) const;
    std::optional<double> number(const std::string& name) const;
    bool flag(const std::string& name) const { return flags.contains(name); }
};

}  // namespace loom::cli
