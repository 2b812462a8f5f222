#pragma once

#include <optional>
#include <set>
#include <string>

#include "cli_args.h"
#include "data/csv_reader.h"
#include "graph/project_file.h"
#include "service/training_job.h"

namespace loom::cli {

/// --loss, or nothing; a UsageError for a loss LayerLoom does not know.
std::optional<Loss> lossOption(const Args& args);
/// Training settings: the project's `training` section, then the command line on top.
TrainConfig configFrom(const Project& project, const Args& args);
/// The data settings: the project's `training.data` section, then the command line on top;
/// the default sample series when neither names any data, as in the window.
DataSpec dataFrom(const Project& project, const Args& args);
/// `base` with the data options given on the command line applied.
DataSpec dataFrom(DataSpec base, const Args& args);
/// `--layer-columns in=a,b;out=c`: the CSV columns of each layer named.
std::map<std::string, std::vector<std::string>, std::less<>> layerColumnsFrom(const std::string& text);
/// Whether neither the project nor the command line names the data (the default is taken).
bool namesNoData(const Project& project, const Args& args);
/// Both, as the training-job service takes them.
TrainingSettings settingsFrom(const Project& project, const Args& args);
/// A problem with the data names the data as the user gave it.
DataError aboutData(const std::string& source, const DataError& e);

/// The options train, evaluate and predict take values for.
const std::set<std::string>& trainingOptions();

}  // namespace loom::cli
