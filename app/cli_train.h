#pragma once

#include <iosfwd>

#include "cli_args.h"
#include "data/data_source.h"
#include "graph/project_file.h"
#include "train/trainer.h"

namespace loom::cli {

int trainCommand(const Args& args, std::ostream& out, std::ostream& err);
int predictCommand(const Args& args, std::ostream& out, std::ostream& err);
int evaluateCommand(const Args& args, std::ostream& out, std::ostream& err);

/// Training settings: the project's `training` section, then the command line on top.
TrainConfig configFrom(const Project& project, const Args& args);
/// The data settings: the project's `training.data` section, then the command line on top.
DataSpec dataFrom(const Project& project, const Args& args);
/// `sample:NAME` names a series that ships with LayerLoom (share/layerloom/data), as the app's
/// Data panel stores it in projects.
void resolveSample(DataSpec& spec);

/// The options train, evaluate and predict take values for.
const std::set<std::string>& trainingOptions();

}  // namespace loom::cli
