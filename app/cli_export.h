#pragma once

#include <iosfwd>

#include "cli_args.h"

namespace loom::cli {

/// `layerloom-cli export MODEL --to tfjs OUT`: the model with its weights in another format.
int exportCommand(const Args& args, std::ostream& out, std::ostream& err);

}  // namespace loom::cli
