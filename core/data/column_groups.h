#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/data_source.h"

namespace loom {

/// A series' columns for each of a model's Inputs and outputs (DataSpec::layerColumns): every
/// Input takes the steps of a window in its own columns, every output's target is the same
/// window (reconstruction) or the steps after it (a forecast) in its own columns, or the
/// window's label (classification).
struct ColumnGroups {
    std::vector<std::string> columns;  ///< every column read, in the order first named
    std::vector<std::vector<std::int64_t>> inputs;   ///< each Input's, as indexes into columns
    std::vector<std::vector<std::int64_t>> outputs;  ///< each output's; empty for a label target
};

/// Some of a series' columns by name (a synthetic series' groups), in the order given;
/// DataError naming a column `source` does not have.
Series seriesColumns(const Series& all, const std::vector<std::string>& columns, const std::string& source);

/// The names of some of `columns` by index (a Dataset's xColumns, a group's); every name
/// when `indexes` is empty, as a Dataset's empty column list means.
std::vector<std::string> namesOf(const std::vector<std::int64_t>& indexes, const std::vector<std::string>& columns);

/// Whether a series feeds `ends` in column groups: the spec groups its columns by layer, or
/// the model has several Inputs or outputs.
bool takesColumnGroups(const DataSpec& spec, const ModelEnds& ends);

/// Each end's columns from the spec's groups. An Input without a group takes the spec's
/// `columns` (or `defaults`, every numeric column) when it is the model's only Input; an output
/// without one takes every column the Inputs take, as a reconstruction or forecast of them does;
/// with a label column, the one output's target is the label. Throws DataError naming the layer
/// that has no columns, a group for a layer the model does not have, and a column named twice
/// in one group.
ColumnGroups resolveColumnGroups(const DataSpec& spec, const ModelEnds& ends, const std::vector<std::string>& defaults);

/// The spec's groups in words, for the Data panel and notes: "a: x, y; b: z; out: x".
std::string columnGroupsText(const ColumnGroups& groups, const ModelEnds& ends);

/// prepareData for a series read by `groups` (its columns in that order, with its labels when
/// the spec has a label column) for a model whose ends have their concrete shapes (`ends`,
/// the window length filled in). Checks each Input's features and every output's task, which
/// must agree, then cuts the windows once and gives each end its columns of them.
PreparedData prepareGroupedSeries(const DataSpec& spec, Series series, const std::vector<double>& labels,
                                  const ColumnGroups& groups, const ModelEnds& ends, const Normalizer* fitted = nullptr);

/// Reads the series of a spec with column groups and prepares it (prepareGroupedSeries).
PreparedData prepareGroupedData(const DataSpec& spec, const ModelEnds& ends, const Normalizer* fitted = nullptr,
                                const std::function<bool(double)>& progress = {});

}  // namespace loom
