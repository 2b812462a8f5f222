#pragma once

#include <iosfwd>

#include "cli_args.h"

namespace loom::cli {

int trainCommand(const Args& args, std::ostream& out, std::ostream& err);
int predictCommand(const Args& args, std::ostream& out, std::ostream& err);
int evaluateCommand(const Args& args, std::ostream& out, std::ostream& err);

/// The options train, evaluate and predict take values for.
const std::set<std::string>& trainingOptions();

}  // namespace loom::cli
