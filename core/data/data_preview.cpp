#include "data/data_preview.h"

#include <algorithm>

#include "data/column_groups.h"
#include "data/row_dates.h"

namespace loom {
namespace {

/// One sample's shape, without the batch axis: "(48, 1)".
std::string dimsText(const Dims& dims) {
    std::string text = "(";
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (i > 0) text += ", ";
        text += dims[i] == kNone ? std::string("None") : std::to_string(dims[i]);
    }
    return text + (dims.size() == 1 ? ",)" : ")");
}

/// Whether samples shaped `given` fit `model`'s shape, whose free axes (None) take any size.
bool fits(const Dims& given, const Dims& model) {
    if (given.size() != model.size()) return false;
    for (std::size_t i = 0; i < given.size(); ++i) {
        if (model[i] != kNone && model[i] != given[i]) return false;
    }
    return true;
}

/// previewData for samples already cut: how many train and validate, and whether one sample
/// and its target have the shapes of the model's Input and output.
void previewSamples(DataPreview& p, const DataSpec& spec, const std::optional<std::pair<Dims, Dims>>& dims,
                    const std::string& modelProblem, const std::optional<TokenIdReader>& ids, const ModelEnds& ends) {
    try {
        // The arrays training reads: by the layers' names where the archive has them.
        std::int64_t steps = 0;
        const PreparedData d = *readCutSamples(spec, steps, {}, ends);
        if (ids) {
            checkTokenIds(d.train, *ids, "training");
            checkTokenIds(d.validation, *ids, "validation");
        }
        p.trainWindows = d.train.size();
        p.validationWindows = d.validation.size();
        p.sampleDims = d.train.xDims;
        p.targetDims = d.train.yDims;
        p.notes = d.notes;
    } catch (const std::exception& e) {
        p.problem = e.what();
        return;
    }
    if (!dims) {
        p.problem = modelProblem;
        return;
    }
    const auto& [in, out] = *dims;
    // A class index per sample fits a classifier's vector of scores; nothing else does.
    const bool classIndex = out.size() == 1 && *p.targetDims == Dims{1} &&
                            (!spec.task || spec.task->target == WindowSpec::Target::Classification);
    if (!fits(*p.sampleDims, in)) {
        p.problem = "one sample is shaped " + dimsText(*p.sampleDims) + ", but the model's Input takes " + dimsText(in);
    } else if (!fits(*p.targetDims, out) && !classIndex) {
        const bool own = spec.target.empty() && !spec.source.ends_with(".npz");
        p.problem = own ? "without a targets file each sample is its own target, shaped " + dimsText(*p.targetDims) +
                              ", but the model's output is " + dimsText(out) + "; choose the targets' .npy file under Targets"
                        : "one target is shaped " + dimsText(*p.targetDims) + ", but the model's output is " + dimsText(out);
    }
}

/// previewSamples for a model with several Inputs or outputs: an array for each, each sample
/// and target of that end's shape.
void previewParts(DataPreview& p, const DataSpec& spec, const ModelEnds& ends) {
    try {
        std::int64_t steps = 0;
        const PreparedData d = *readCutSamples(spec, steps, {}, ends);
        p.trainWindows = d.train.size();
        p.validationWindows = d.validation.size();
        p.sampleDims = d.train.xDims;
        p.targetDims = d.train.yDims;
        p.notes = d.notes;
        for (std::size_t k = 0; k < d.train.inputCount() && k < ends.inputs.size(); ++k) {
            p.inputsText += (k ? ", " : "") + ends.inputs[k] + " " + dimsText(d.train.inputDims(k));
        }
        for (std::size_t k = 0; k < d.train.targetCount() && k < ends.outputs.size(); ++k) {
            p.targetsText += (k ? ", " : "") + ends.outputs[k] + " " + dimsText(d.train.targetDims(k));
        }
        for (std::size_t k = 0; k < ends.inputs.size() && k < ends.inputDims.size(); ++k) {
            if (fits(d.train.inputDims(k), ends.inputDims[k])) continue;
            p.problem = "the samples for " + ends.inputs[k] + " are shaped " + dimsText(d.train.inputDims(k)) +
                        ", but it takes " + dimsText(ends.inputDims[k]);
            return;
        }
        for (std::size_t k = 0; k < ends.outputs.size() && k < ends.outputDims.size(); ++k) {
            const Dims& given = d.train.targetDims(k);
            const Dims& out = ends.outputDims[k];
            // A class index per row fits a classifier's scores.
            Dims indexes = out;
            if (!indexes.empty()) indexes.back() = 1;
            if (fits(given, out) || fits(given, indexes)) continue;
            p.problem = "the targets for " + ends.outputs[k] + " are shaped " + dimsText(given) + ", but it gives " +
                        dimsText(out);
            return;
        }
    } catch (const std::exception& e) {
        p.problem = e.what();
    }
}

/// The ends' shapes with a free time axis set to the window's length, as training compiles them.
ModelEnds withWindow(ModelEnds ends, std::int64_t window) {
    for (auto* all : {&ends.inputDims, &ends.outputDims}) {
        for (Dims& d : *all) {
            if (d.empty() || d[0] != kNone) continue;
            if (window < 1) throw DataError("the model's Inputs have a free time axis; give a window length");
            d[0] = window;
        }
    }
    return ends;
}

/// "a (32, 2), b (32, 1)": each end's name and shape.
std::string endsText(const std::vector<std::string>& names, const std::vector<Dims>& dims) {
    std::string text;
    for (std::size_t k = 0; k < names.size() && k < dims.size(); ++k) text += (k ? ", " : "") + names[k] + " " + dimsText(dims[k]);
    return text;
}

/// previewData for a series whose columns feed the model's ends in groups (column_groups.h).
void previewGroups(DataPreview& p, const DataSpec& spec, const ModelEnds& ends, const std::string& modelProblem,
                   const std::function<bool(double)>& progress) {
    std::vector<double> labels;
    ColumnGroups groups;
    std::string groupProblem;
    std::string stray;  ///< why training would refuse the file (a word among numbers)
    try {
        std::vector<std::string> defaults;
        std::optional<CsvTable> table;
        Series synthetic;
        if (spec.source.starts_with("synthetic:")) {
            synthetic = loadSeries(spec);
            defaults = synthetic.names;
            p.numericColumns = synthetic.names;  // what the column table offers
        } else {
            CsvOptions options;
            options.progress = progress;
            options.strayWordsAsMissing = true;  // shown where it is, and said
            table = readCsv(spec.source, options);
            if (!table->strayWords.empty()) stray = table->strayWords.front();
            p.numericColumns = table->numericColumnNames();
            defaults = defaultFeatureColumns(spec, *table);
        }
        try {
            if (ends.inputs.empty()) throw DataError(modelProblem);
            groups = resolveColumnGroups(spec, ends, defaults);
        } catch (const DataError& e) {
            // The plot still shows the file's columns while the groups are being chosen.
            groupProblem = e.what();
            groups.columns = defaults;
        }
        p.features = groups.columns;
        DataSpec read = spec;
        read.columns = groups.columns;
        if (table) {
            p.series = seriesFromTable(read, *table, &labels);
            p.index = rowIndexOf(*table, read, p.features);
            if (std::string skips = skippedDatesNote(p.index.texts); !skips.empty()) p.notes.push_back(std::move(skips));
        } else {
            p.series = seriesColumns(synthetic, groups.columns, spec.source);
        }
    } catch (const ReadCancelled&) {
        throw;
    } catch (const std::exception& e) {
        p.series = Series{};
        p.problem = e.what();
        return;
    }
    if (!stray.empty() || !groupProblem.empty()) {
        p.problem = stray.empty() ? groupProblem : stray;
        return;
    }
    try {
        const ModelEnds concrete = withWindow(ends, spec.window);
        const PreparedData prepared = prepareGroupedSeries(spec, p.series, labels, groups, concrete);
        p.trainWindows = prepared.train.size();
        p.validationWindows = prepared.validation.size();
        p.window = prepared.window;
        p.notes.insert(p.notes.begin(), prepared.notes.begin(), prepared.notes.end());
        p.inputsText = endsText(ends.inputs, concrete.inputDims);
        if (prepared.window.target != WindowSpec::Target::Classification) p.targetsText = endsText(ends.outputs, concrete.outputDims);
    } catch (const std::exception& e) {
        p.problem = e.what();
    }
}

}  // namespace

DataPreview previewData(DataSpec spec, const std::optional<std::pair<Dims, Dims>>& dims,
                        const std::string& modelProblem, const std::function<bool(double)>& progress,
                        const std::optional<TokenIdReader>& ids, const ModelEnds& ends) {
    DataPreview p;
    if (ends.several() && holdsCutSamples(spec.source)) {
        previewParts(p, spec, ends);
        return p;
    }
    if (!holdsCutSamples(spec.source) && takesColumnGroups(spec, ends)) {
        previewGroups(p, spec, ends, modelProblem, progress);
        return p;
    }
    if (holdsCutSamples(spec.source)) {
        previewSamples(p, spec, dims, modelProblem, ids, ends);
        return p;
    }
    std::vector<double> labels;
    std::string stray;  ///< why training would refuse the file (a word among numbers)
    try {
        if (spec.source.starts_with("synthetic:")) {
            p.series = loadSeries(spec);
        } else {
            CsvOptions options;
            options.progress = progress;
            // A stray word in a column of numbers is shown where it is, as a gap, and said.
            options.strayWordsAsMissing = true;
            const CsvTable table = readCsv(spec.source, options);
            if (!table.strayWords.empty()) stray = table.strayWords.front();
            p.numericColumns = table.numericColumnNames();
            // The chosen columns that the file has, in its order; the label is not a feature.
            // (none of them, as after choosing another file: the file's defaults).
            const auto pick = [&](const std::vector<std::string>& chosen) {
                std::vector<std::string> out;
                for (const std::string& c : p.numericColumns) {
                    if (c != spec.labelColumn && std::find(chosen.begin(), chosen.end(), c) != chosen.end()) {
                        out.push_back(c);
                    }
                }
                return out;
            };
            spec.columns = pick(spec.columns);
            if (spec.columns.empty()) spec.columns = pick(defaultFeatureColumns(spec, table));
            p.features = spec.columns;
            p.series = seriesFromTable(spec, table, &labels);
            p.index = rowIndexOf(table, spec, p.features);
            if (std::string skips = skippedDatesNote(p.index.texts); !skips.empty()) p.notes.push_back(std::move(skips));
        }
    } catch (const ReadCancelled&) {
        throw;
    } catch (const std::exception& e) {
        p.series = Series{};
        p.problem = e.what();
        return p;
    }
    if (p.features.empty()) p.features = p.series.names;
    if (!stray.empty()) {
        p.problem = stray;
        return p;
    }
    if (!dims) {
        p.problem = modelProblem;
        return p;
    }
    try {
        const PreparedData prepared = prepareSeries(spec, p.series, labels, dims->first, dims->second, nullptr, ids);
        p.trainWindows = prepared.train.size();
        p.validationWindows = prepared.validation.size();
        p.window = prepared.window;
        p.notes.insert(p.notes.begin(), prepared.notes.begin(), prepared.notes.end());
    } catch (const std::exception& e) {
        p.problem = e.what();
    }
    return p;
}

}  // namespace loom
