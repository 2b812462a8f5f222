#pragma once

#include <iosfwd>

#include "cli_args.h"

namespace loom::cli {

/// `layerloom-cli export MODEL OUT --to keras|tfjs`: the model as Keras code, or with its
/// weights in the Keras/TF.js layers format.
int exportCommand(const Args& args, std::ostream& out, std::ostream& err);

}  // namespace loom::cli
