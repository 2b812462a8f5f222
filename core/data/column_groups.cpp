#include "data/column_groups.h"

#include <algorithm>
#include <optional>

#include "io/message_text.h"

namespace loom {
namespace {

std::string inQuotes(const std::string& name) { return "'" + printableExcerpt(name, 40) + "'"; }

/// "'a', 'b' and 'c'".
std::string namesText(const std::vector<std::string>& names) {
    std::string text;
    for (std::size_t k = 0; k < names.size(); ++k) {
        if (k) text += k + 1 == names.size() ? " and " : ", ";
        text += inQuotes(names[k]);
    }
    return text;
}

/// The index of `column` in `all`, added when new.
std::int64_t indexIn(std::vector<std::string>& all, const std::string& column) {
    auto it = std::find(all.begin(), all.end(), column);
    if (it == all.end()) {
        all.push_back(column);
        return static_cast<std::int64_t>(all.size()) - 1;
    }
    return it - all.begin();
}

/// A group's columns as indexes into `all`; DataError when one is named twice.
std::vector<std::int64_t> indexesOf(const std::vector<std::string>& group, const std::string& layer,
                                    std::vector<std::string>& all) {
    std::vector<std::int64_t> out;
    for (std::size_t k = 0; k < group.size(); ++k) {
        if (std::find(group.begin(), group.begin() + static_cast<std::ptrdiff_t>(k), group[k]) !=
            group.begin() + static_cast<std::ptrdiff_t>(k)) {
            throw DataError("the columns of " + inQuotes(layer) + " name " + inQuotes(group[k]) + " twice");
        }
        out.push_back(indexIn(all, group[k]));
    }
    return out;
}

}  // namespace

Series seriesColumns(const Series& all, const std::vector<std::string>& columns, const std::string& source) {
    Series out;
    out.steps = all.steps;
    out.features = static_cast<std::int64_t>(columns.size());
    out.names = columns;
    std::vector<std::int64_t> from;
    for (const std::string& c : columns) {
        auto it = std::find(all.names.begin(), all.names.end(), c);
        if (it == all.names.end()) {
            throw DataError(source + " has no column " + inQuotes(c) + "; its columns are " + namesText(all.names));
        }
        from.push_back(it - all.names.begin());
    }
    out.values.resize(static_cast<std::size_t>(out.steps * out.features));
    for (std::int64_t t = 0; t < out.steps; ++t) {
        for (std::int64_t f = 0; f < out.features; ++f) out.at(t, f) = all.at(t, from[static_cast<std::size_t>(f)]);
    }
    return out;
}

std::vector<std::string> namesOf(const std::vector<std::int64_t>& indexes, const std::vector<std::string>& columns) {
    if (indexes.empty()) return columns;
    std::vector<std::string> out;
    for (std::int64_t i : indexes) out.push_back(columns.at(static_cast<std::size_t>(i)));
    return out;
}

bool takesColumnGroups(const DataSpec& spec, const ModelEnds& ends) {
    return !spec.layerColumns.empty() || ends.several();
}

ColumnGroups resolveColumnGroups(const DataSpec& spec, const ModelEnds& ends, const std::vector<std::string>& defaults) {
    for (const auto& [layer, columns] : spec.layerColumns) {
        const bool known = std::find(ends.inputs.begin(), ends.inputs.end(), layer) != ends.inputs.end() ||
                           std::find(ends.outputs.begin(), ends.outputs.end(), layer) != ends.outputs.end();
        if (!known) {
            std::vector<std::string> names = ends.inputs;
            names.insert(names.end(), ends.outputs.begin(), ends.outputs.end());
            throw DataError("the data gives columns for " + inQuotes(layer) +
                            ", which is neither an Input nor an output of the model (" + namesText(names) + ")");
        }
        if (columns.empty()) throw DataError("the data gives " + inQuotes(layer) + " no columns; choose at least one");
    }
    ColumnGroups g;
    for (const std::string& input : ends.inputs) {
        auto it = spec.layerColumns.find(input);
        if (it != spec.layerColumns.end()) {
            g.inputs.push_back(indexesOf(it->second, input, g.columns));
        } else if (ends.inputs.size() == 1) {
            g.inputs.push_back(indexesOf(spec.columns.empty() ? defaults : spec.columns, input, g.columns));
        } else {
            throw DataError("the model's Input " + inQuotes(input) + " has no columns: with " +
                            counted(ends.inputs.size(), "Input", "Inputs") +
                            ", choose the columns each one reads, or give the samples as an .npz archive with an array "
                            "for each Input and output");
        }
        if (g.inputs.back().empty()) throw DataError("the data has no numeric column for " + inQuotes(input));
    }
    const bool labelled = !spec.labelColumn.empty();
    std::vector<std::int64_t> everyInput;
    for (const auto& group : g.inputs) {
        for (std::int64_t c : group) {
            if (std::find(everyInput.begin(), everyInput.end(), c) == everyInput.end()) everyInput.push_back(c);
        }
    }
    for (const std::string& output : ends.outputs) {
        auto it = spec.layerColumns.find(output);
        if (labelled) {
            if (ends.outputs.size() > 1) {
                throw DataError("a label column is the target of one output; this model has " +
                                counted(ends.outputs.size(), "output", "outputs") +
                                ": give their targets as columns, or the samples as an .npz archive");
            }
            if (it != spec.layerColumns.end()) {
                throw DataError("the output " + inQuotes(output) + " classifies its windows by the label column " +
                                inQuotes(spec.labelColumn) + ", so it takes no columns of its own");
            }
            g.outputs.emplace_back();
        } else if (it != spec.layerColumns.end()) {
            g.outputs.push_back(indexesOf(it->second, output, g.columns));
        } else {
            g.outputs.push_back(everyInput);
        }
    }
    return g;
}

std::string columnGroupsText(const ColumnGroups& groups, const ModelEnds& ends) {
    std::string text;
    const auto add = [&](const std::string& layer, const std::vector<std::int64_t>& columns) {
        if (!text.empty()) text += "; ";
        text += layer + ": ";
        for (std::size_t k = 0; k < columns.size(); ++k) {
            text += (k ? ", " : "") + printableExcerpt(groups.columns[static_cast<std::size_t>(columns[k])], 40);
        }
    };
    for (std::size_t k = 0; k < ends.inputs.size() && k < groups.inputs.size(); ++k) add(ends.inputs[k], groups.inputs[k]);
    for (std::size_t k = 0; k < ends.outputs.size() && k < groups.outputs.size(); ++k) {
        if (!groups.outputs[k].empty()) add(ends.outputs[k], groups.outputs[k]);
    }
    return text;
}

PreparedData prepareGroupedSeries(const DataSpec& spec, Series series, const std::vector<double>& labels,
                                  const ColumnGroups& groups, const ModelEnds& ends, const Normalizer* fitted) {
    PreparedData out;
    out.columns = series.names;
    // Every Input takes the same windows: its own columns of the same steps.
    std::int64_t length = 0;
    std::string first;
    for (std::size_t k = 0; k < ends.inputs.size(); ++k) {
        const Dims& d = ends.inputDims[k];
        const std::string& name = ends.inputs[k];
        const auto columns = static_cast<std::int64_t>(groups.inputs[k].size());
        if (d.size() != 2) {
            throw DataError("the Input " + inQuotes(name) + " takes " + formatShape(d) +
                            "; a series' columns feed Inputs of shape (time, features)");
        }
        if (d[1] != columns) {
            throw DataError("the Input " + inQuotes(name) + " takes " + counted(static_cast<std::size_t>(d[1]), "feature", "features") +
                            " per step, but its columns are " + counted(static_cast<std::size_t>(columns), "column", "columns") + " (" +
                            namesText(namesOf(groups.inputs[k], groups.columns)) + ")");
        }
        if (length == 0) {
            length = d[0];
            first = name;
        } else if (d[0] != length) {
            throw DataError("the Inputs " + inQuotes(first) + " (" + counted(static_cast<std::size_t>(length), "step", "steps") + ") and " +
                            inQuotes(name) + " (" + counted(static_cast<std::size_t>(d[0]), "step", "steps") +
                            ") take windows of different lengths; a series feeds every Input the same steps");
        }
    }
    if (length < 1) throw DataError("the model's Inputs have a free time axis; give a window length");
    if (spec.window > 0 && spec.window != length) {
        throw DataError("a window of " + counted(static_cast<std::size_t>(spec.window), "step", "steps") +
                        " does not fit the model's Inputs of " + counted(static_cast<std::size_t>(length), "step", "steps"));
    }
    // Each output's task, from its shape and its columns; they must agree.
    const bool labelled = !spec.labelColumn.empty();
    std::optional<ModelTask> task;
    std::string taskOf;
    for (std::size_t k = 0; k < ends.outputs.size(); ++k) {
        const std::string& name = ends.outputs[k];
        const Dims in = labelled ? ends.inputDims.front() : Dims{length, static_cast<std::int64_t>(groups.outputs[k].size())};
        ModelTask t;
        try {
            t = taskFor(spec.task, labelled, in, ends.outputDims[k]);
        } catch (const DataError& e) {
            const std::string columns = namesText(namesOf(groups.outputs[k], groups.columns));
            if (ends.outputs.size() > 1 && !labelled && !spec.layerColumns.contains(name)) {
                // Likely a layer left hanging: say what the model is and where the target came from.
                std::string outputs;
                for (std::size_t j = 0; j < ends.outputs.size(); ++j) outputs += (j ? ", " : "") + ends.outputs[j];
                throw DataError("this model has " + counted(ends.inputs.size(), "Input", "Inputs") + " and " +
                                counted(ends.outputs.size(), "output", "outputs") + " (" + outputs + "); the output " +
                                inQuotes(name) + " has no columns of its own, so its target is every column the Inputs "
                                "read (" + columns + "): " + e.what());
            }
            // A classifier's target is the label column, not columns of its own.
            if (labelled) throw DataError("the output " + inQuotes(name) + ": " + e.what());
            throw DataError("the output " + inQuotes(name) + " (columns " + columns + "): " + e.what());
        }
        if (task && !(t == *task)) {
            throw DataError("the output " + inQuotes(taskOf) + " " + describeTask(*task) + ", but " + inQuotes(name) + " " +
                            describeTask(t) + "; every output of a series does the same");
        }
        task = t;
        taskOf = name;
    }
    if (!task) throw DataError("the model has no output");
    if (task->target == WindowSpec::Target::Classification) checkClassLabels(labels, ends.outputDims.front()[0], spec.labelColumn);

    handleGaps(spec, series, out.notes);
    out.task = *task;
    out.window.length = length;
    out.window.stride = spec.stride;
    out.window.target = task->target;
    out.window.horizon = task->horizon;
    cutSeries(spec, series, labels, fitted, out);

    // The windows of every column, shared: each end takes its own columns of them.
    const std::int64_t offset = task->target == WindowSpec::Target::Forecast ? length : 0;
    for (Dataset* d : {&out.train, &out.validation}) {
        if (d->size() == 0) continue;
        d->xColumns = groups.inputs.front();
        d->xDims = ends.inputDims.front();
        for (std::size_t k = 1; k < ends.inputs.size(); ++k) {
            d->moreInputs.push_back({ends.inputs[k], {}, ends.inputDims[k], groups.inputs[k], 0});
        }
        if (task->target != WindowSpec::Target::Classification) {
            d->yColumns = groups.outputs.front();
            d->yDims = ends.outputDims.front();
        }
        for (std::size_t k = 1; k < ends.outputs.size(); ++k) {
            d->moreTargets.push_back({ends.outputs[k], {}, ends.outputDims[k], groups.outputs[k], offset});
        }
    }
    out.notes.push_back("columns by layer: " + columnGroupsText(groups, ends));
    return out;
}

PreparedData prepareGroupedData(const DataSpec& spec, const ModelEnds& ends, const Normalizer* fitted,
                                const std::function<bool(double)>& progress) {
    std::vector<double> labels;
    if (spec.source.starts_with("synthetic:")) {
        if (!spec.labelColumn.empty()) throw DataError("synthetic series have no label column");
        Series all = loadSeries(spec);
        const ColumnGroups groups = resolveColumnGroups(spec, ends, all.names);
        return prepareGroupedSeries(spec, seriesColumns(all, groups.columns, spec.source), labels, groups, ends, fitted);
    }
    CsvOptions options;
    options.progress = progress;
    const CsvTable table = readCsv(spec.source, options);
    const ColumnGroups groups = resolveColumnGroups(spec, ends, defaultFeatureColumns(spec, table));
    DataSpec read = spec;
    read.columns = groups.columns;
    Series series = seriesFromTable(read, table, &labels);
    return prepareGroupedSeries(spec, std::move(series), labels, groups, ends, fitted);
}

}  // namespace loom
