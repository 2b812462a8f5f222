#pragma once

#include <iosfwd>

#include "cli_args.h"
#include "data/data_source.h"
#include "cli_settings.h"

namespace loom::cli {

int trainCommand(const Args& args, std::ostream& out, std::ostream& err);
int predictCommand(const Args& args, std::ostream& out, std::ostream& err);
int evaluateCommand(const Args& args, std::ostream& out, std::ostream& err);

}  // namespace loom::cli
