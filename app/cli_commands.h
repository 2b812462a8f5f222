#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace loom::cli {

/// Exit codes of layerloom-cli.
enum Exit : int { kOk = 0, kInvalid = 1, kUnreadable = 2, kUsage = 64 };

/// Runs `layerloom-cli ARGS...`, writing results to `out` and problems to `err`.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace loom::cli
