#pragma once

#include <iosfwd>

#include "cli_args.h"

namespace loom::cli {

/// `detect MODEL (--run DIR | --weights FILE) [--data SOURCE] ...`: scores every step of a
/// series with a trained reconstruction model and lists the flagged intervals.
int detectCommand(const Args& args, std::ostream& out, std::ostream& err);

/// `forecast MODEL (--run DIR | --weights FILE) [--data SOURCE] [--horizon H] ...`: the next
/// steps of a series, and a backtest beside the naive forecasts.
int forecastCommand(const Args& args, std::ostream& out, std::ostream& err);

}  // namespace loom::cli
