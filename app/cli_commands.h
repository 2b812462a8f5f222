#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "cli_args.h"

namespace loom::cli {

/// Runs `layerloom-cli ARGS...`, writing results to `out` and problems to `err`; returns the
/// exit code.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace loom::cli
