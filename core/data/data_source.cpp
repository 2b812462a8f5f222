#include "data/data_source.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <set>
#include <sstream>

#include "data/csv_reader.h"
#include "data/npy.h"
#include "data/sample_catalogue.h"
#include "data/synthetic.h"
#include "data/synthetic_samples.h"
#include "io/message_text.h"

namespace loom {

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string featureWord(std::int64_t n) { return std::to_string(n) + (n == 1 ? " feature" : " features"); }

Dataset fromArrays(const NpyArray& x, const NpyArray* y, const std::string& source) {
    if (x.shape.size() < 2 || x.shape.size() > 3) {
        throw DataError(source + ": samples must be shaped (samples, time, features) or "
                        "(samples, features), not " + std::to_string(x.shape.size()) + "-D");
    }
    Dataset d;
    d.xDims.assign(x.shape.begin() + 1, x.shape.end());
    d.x = x.values;
    if (y) {
        if (y->shape.empty() || y->shape[0] != x.shape[0]) {
            throw DataError(source + ": there are " + std::to_string(x.shape[0]) +
                            " samples but " + std::to_string(y->shape.empty() ? 0 : y->shape[0]) +
                            " targets");
        }
        d.yDims.assign(y->shape.begin() + 1, y->shape.end());
        if (d.yDims.empty()) d.yDims = {1};
        d.y = y->values;
    } else {
        d.yDims = d.xDims;
        d.y = d.x;
    }
    return d;
}

/// An .npz's `sample_weight` array: one finite, non-negative weight per sample, shaped
/// (samples,) or (samples, 1) as Keras takes it.
std::vector<float> sampleWeights(const NpyArray& w, std::int64_t samples, const std::string& source) {
    const bool column = w.shape.size() == 2 && w.shape[1] == 1;
    if (!(w.shape.size() == 1 || column) || w.shape[0] != samples) {
        std::string shape;
        for (std::int64_t d : w.shape) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
        if (w.shape.size() == 1) shape += ",";
        throw DataError(source + ": sample_weight must hold one weight per sample, shaped (" + std::to_string(samples) +
                        ",); it is shaped (" + shape + ")");
    }
    for (std::size_t i = 0; i < w.values.size(); ++i) {
        if (!std::isfinite(w.values[i]) || w.values[i] < 0) {
            std::ostringstream value;
            value << w.values[i];
            throw DataError(source + ": sample_weight of sample " + std::to_string(i) + " is " + value.str() +
                            "; weights must be finite and at least 0");
        }
    }
    return w.values;
}

/// The array of an archive that feeds (or is the target of) the model's end `k`, named `name`:
/// the array of that name, else `prefix` ("x" or "y") for the first end and prefix_k after.
const NpyArray* arrayFor(const std::map<std::string, NpyArray>& arrays, const std::string& name, const std::string& prefix,
                         std::size_t k, std::set<std::string>& used) {
    for (const std::string& key : {name, k == 0 ? prefix : prefix + "_" + std::to_string(k)}) {
        // An array feeds one end: an Input's is not also an output's target.
        if (key.empty() || used.contains(key)) continue;
        if (const auto found = arrays.find(key); found != arrays.end()) {
            used.insert(key);
            return &found->second;
        }
    }
    return nullptr;
}

/// What is missing for an end `k` named `name`, in words, for the list of missing arrays.
std::string missingArray(const std::string& what, const std::string& name, const std::string& prefix, std::size_t k) {
    const std::string index = k == 0 ? prefix : prefix + "_" + std::to_string(k);
    return what + " '" + printableExcerpt(name, 40) + "' (an array named '" + printableExcerpt(name, 40) + "' or '" + index + "')";
}

/// The arrays of an archive, listed for a message.
std::string arrayNames(const std::map<std::string, NpyArray>& arrays) {
    std::string held;
    for (const auto& [name, array] : arrays) held += (held.empty() ? "'" : ", '") + printableExcerpt(name, 40) + "'";
    return held.empty() ? std::string("no arrays") : held;
}

/// The arrays for the ends named `names` ("x" or "y" their `prefix`), by name or by place, each
/// array used once; each end without one is added to `missing`, in words, as `what` ("the Input").
std::vector<const NpyArray*> arraysFor(const std::map<std::string, NpyArray>& arrays, const std::vector<std::string>& names,
                                       const std::string& prefix, const std::string& what, std::set<std::string>& used,
                                       std::string& missing) {
    std::vector<const NpyArray*> found;
    for (std::size_t k = 0; k < names.size(); ++k) {
        found.push_back(arrayFor(arrays, names[k], prefix, k, used));
        if (!found.back()) missing += (missing.empty() ? "" : "; ") + missingArray(what, names[k], prefix, k);
    }
    return found;
}

}  // namespace

std::vector<NpyArray> inputArrays(const std::map<std::string, NpyArray>& arrays, const std::vector<std::string>& inputs,
                                  const std::string& source) {
    std::set<std::string> used;
    std::string missing;
    const std::vector<const NpyArray*> found = arraysFor(arrays, inputs, "x", "the Input", used, missing);
    if (!missing.empty()) {
        throw DataError(source + ": the model reads each Input from its own array; there is none for " + missing +
                        ". The archive holds " + arrayNames(arrays));
    }
    std::vector<NpyArray> out;
    for (const NpyArray* a : found) out.push_back(*a);
    return out;
}

namespace {

/// An archive's samples for a model with several Inputs or outputs: an array for each, every
/// one with a sample per row of the first.
Dataset fromNamedArrays(const std::map<std::string, NpyArray>& arrays, const ModelEnds& ends, const std::string& source,
                        std::vector<std::string>& notes) {
    std::set<std::string> used{"sample_weight"};
    std::string missing;
    const std::vector<const NpyArray*> inputs = arraysFor(arrays, ends.inputs, "x", "the Input", used, missing);
    const std::vector<const NpyArray*> targets = arraysFor(arrays, ends.outputs, "y", "the output", used, missing);
    if (!missing.empty()) {
        throw DataError(source + ": the model has " + counted(ends.inputs.size(), "Input", "Inputs") + " and " +
                        counted(ends.outputs.size(), "output", "outputs") + ", each read from its own array; there is none for " +
                        missing + ". The archive holds " + arrayNames(arrays));
    }
    Dataset d = fromArrays(*inputs.front(), targets.front(), source);
    const std::int64_t samples = inputs.front()->shape.front();
    const auto part = [&](const NpyArray& a, const std::string& name, bool target) {
        const std::string which = (target ? "the target array for '" : "the array for '") + printableExcerpt(name, 40) + "'";
        if (a.shape.empty() || a.shape.front() != samples) {
            throw DataError(source + ": " + which + " has " + std::to_string(a.shape.empty() ? 0 : a.shape.front()) +
                            " samples, but the first Input's has " + std::to_string(samples));
        }
        if (!target && (a.shape.size() < 2 || a.shape.size() > 3)) {
            throw DataError(source + ": " + which + " must be shaped (samples, time, features) or (samples, features), not " +
                            std::to_string(a.shape.size()) + "-D");
        }
        DataPart p{name, a.values, Dims(a.shape.begin() + 1, a.shape.end())};
        if (p.dims.empty()) p.dims = {1};
        return p;
    };
    for (std::size_t k = 1; k < inputs.size(); ++k) d.moreInputs.push_back(part(*inputs[k], ends.inputs[k], false));
    for (std::size_t k = 1; k < targets.size(); ++k) d.moreTargets.push_back(part(*targets[k], ends.outputs[k], true));
    for (const auto& [name, array] : arrays) {
        if (!used.contains(name)) notes.push_back("the array '" + printableExcerpt(name, 40) + "' feeds none of the model's Inputs and outputs");
    }
    return d;
}

}  // namespace

namespace {

/// Whether a column counts rows or time rather than measuring something, by its name: a year
/// or time column, or one of the names spreadsheets, pandas (an unnamed index) and loggers
/// give a row counter, whose values must then rise in equal steps (so that a measurement
/// called "n" stays a feature).
bool isIndexColumn(const CsvColumn& column) {
    std::string lower;
    for (char c : column.name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "year" || lower == "index" || lower == "time" || lower == "t") return true;
    // ("column 1": a header cell left empty, as pandas writes its index.)
    static const std::set<std::string> counters{"idx", "step", "steps", "#", "n", "no", "row", "id", "unnamed: 0",
                                                    "column 1"};
    if (!counters.contains(lower)) return false;
    return column.missingRows.empty() && risesEvenly(column.values);
}

}  // namespace

bool risesEvenly(const std::vector<double>& v) {
    if (v.size() < 2) return false;
    const double step = v[1] - v[0];
    if (!(step > 0) || !std::isfinite(step)) return false;
    const double tolerance = 1e-9 * std::max(std::abs(v.front()), std::abs(v.back())) + 1e-12;
    for (std::size_t i = 2; i < v.size(); ++i) {
        if (!(std::abs(v[i] - v[i - 1] - step) <= tolerance)) return false;
    }
    return true;
}

std::vector<std::string> defaultFeatureColumns(const DataSpec& spec, const CsvTable& table) {
    std::vector<std::string> columns = table.numericColumnNames();
    // A leading year or index column is not a feature.
    if (columns.size() > 1 && isIndexColumn(table.numericColumn(columns.front()))) columns.erase(columns.begin());
    std::erase(columns, spec.labelColumn);
    return columns;
}

std::string RowIndex::label(std::int64_t t) const {
    const auto i = static_cast<std::size_t>(t);
    if (i < texts.size()) return texts[i];
    if (i < values.size()) {
        std::ostringstream text;
        text << std::setprecision(15) << values[i];
        return text.str();
    }
    return std::to_string(t + 1);
}

RowIndex rowIndexOf(const CsvTable& table, const DataSpec& spec, const std::vector<std::string>& features) {
    RowIndex index;
    if (table.columns.empty()) return index;
    const CsvColumn& first = table.columns.front();
    if (first.name == spec.labelColumn || std::find(features.begin(), features.end(), first.name) != features.end()) {
        return index;
    }
    if (first.kind == CsvColumn::Kind::Date && !first.texts.empty()) {
        index.name = first.name;
        index.texts = first.texts;
    } else if (first.kind == CsvColumn::Kind::Numeric && first.missingRows.empty() && first.values.size() > 1 &&
               std::adjacent_find(first.values.begin(), first.values.end(), std::greater_equal<>()) == first.values.end()) {
        index.name = first.name;
        index.values = first.values;
    }
    return index;
}

Series seriesFromTable(const DataSpec& spec, const CsvTable& table, std::vector<double>* labels) {
    std::vector<std::string> columns = spec.columns;
    if (columns.empty()) {
        columns = defaultFeatureColumns(spec, table);
        if (columns.empty()) throw DataError(spec.source + ": the file has no numeric column");
    }
    try {
        if (!spec.labelColumn.empty()) {
            const CsvColumn& l = table.numericColumn(spec.labelColumn);
            if (!l.missingRows.empty()) {
                // At the file's lines, as the features' gaps are named.
                throw DataError("the labels have gaps: " +
                                describeMissing(l, [&](std::int64_t row) { return "line " + std::to_string(table.lineOf(row)); }));
            }
            if (labels) *labels = l.values;
        }
        return seriesFromCsv(table, columns);
    } catch (const DataError& e) {
        throw DataError(spec.source + ": " + e.what());
    }
}

Series trainingPart(const DataSpec& spec, Series series) {
    if (series.missingCount() > 0) handleMissing(series, spec.missing);
    return splitByTime(series, spec.validationSplit).first;
}

IndexedSeries readIndexedSeries(DataSpec spec, const std::optional<std::filesystem::path>& samples,
                                const std::string& purpose, const std::function<bool(double)>& progress) {
    const std::string given = spec.source;
    spec.source = resolveDataSource(spec.source, samples);
    if (holdsCutSamples(spec.source)) {
        throw DataError(given + ": " + purpose + " reads a series (a CSV file, a sample or a synthetic series), "
                        "not samples already cut into windows");
    }
    spec.labelColumn.clear();
    IndexedSeries read;
    if (spec.source.starts_with("synthetic:")) {
        read.series = loadSeries(spec);
        return read;
    }
    CsvOptions options;
    options.progress = progress;
    const CsvTable table = readCsv(spec.source, options);
    try {
        read.series = seriesFromTable(spec, table);
    } catch (const DataError& e) {
        // seriesFromTable names the file it read; the user named `given`.
        const std::string what = e.what();
        throw DataError(what.starts_with(spec.source) ? given + what.substr(spec.source.size()) : what);
    }
    read.index = rowIndexOf(table, spec, read.series.names);
    return read;
}

Series loadSeries(const DataSpec& spec, std::vector<double>* labels,
                  const std::function<bool(double)>& progress) {
    if (spec.source.starts_with("synthetic:")) {
        if (!spec.labelColumn.empty()) throw DataError("synthetic series have no label column");
        return syntheticSeries(spec.source.substr(10), spec.syntheticSteps, spec.seed);
    }
    CsvOptions options;
    options.progress = progress;
    return seriesFromTable(spec, readCsv(spec.source, options), labels);
}

bool holdsCutSamples(const std::string& source) {
    return endsWith(source, ".npy") || endsWith(source, ".npz") || isSyntheticSampleSet(source);
}

namespace {

/// Samples already cut (holdsCutSamples), split; see readCutSamples for `ends`.
PreparedData cutSamples(const DataSpec& spec, const ModelEnds& ends) {
    PreparedData out;
    const std::string& src = spec.source;
    Dataset all;
    const bool archive = endsWith(src, ".npz") || isSyntheticArchive(src);
    if (isSyntheticArchive(src) && !ends.several()) {
        throw DataError(src + " holds an array for each of a model's several Inputs (or outputs), as keras.io's " +
                        (src.ends_with("copy") ? "lstm_seq2seq template has them" : "fraud detection example has them") +
                        "; it feeds a model with a layer for each");
    }
    if (ends.several() && !archive) {
        throw DataError(src + ": the model has " + counted(ends.inputs.size(), "Input", "Inputs") + " and " +
                        counted(ends.outputs.size(), "output", "outputs") +
                        "; give its samples as an .npz archive with an array for each (np.savez)");
    }
    if (isSyntheticSampleSet(src) && !archive) {
        all = syntheticSamples(src.substr(10), spec.syntheticSteps, spec.seed);
    } else if (archive) {
        const auto arrays = endsWith(src, ".npz") ? readNpz(src) : syntheticArchive(src.substr(10), spec.syntheticSteps, spec.seed);
        if (ends.several()) {
            all = fromNamedArrays(arrays, ends, src, out.notes);
        } else {
            std::set<std::string> used;
            const NpyArray* x = arrayFor(arrays, ends.inputs.empty() ? "" : ends.inputs.front(), "x", 0, used);
            if (!x) throw DataError(src + ": the archive has no array named 'x'");
            all = fromArrays(*x, arrayFor(arrays, ends.outputs.empty() ? "" : ends.outputs.front(), "y", 0, used), src);
        }
        if (arrays.contains("sample_weight")) all.weights = sampleWeights(arrays.at("sample_weight"), all.size(), src);
    } else {
        const NpyArray x = readNpy(src);
        NpyArray y;
        if (!spec.target.empty()) y = readNpy(spec.target);
        all = fromArrays(x, spec.target.empty() ? nullptr : &y, src);
    }
    const std::int64_t n = all.size();
    const auto valCount = static_cast<std::int64_t>(static_cast<double>(n) * spec.validationSplit);
    if (n - valCount < 1) throw DataError(src + ": too few samples to train on");
    out.train = all.slice(0, n - valCount);
    if (valCount > 0) out.validation = all.slice(n - valCount, n);
    out.notes.insert(out.notes.begin(), std::to_string(n) + " samples from " + src);
    return out;
}

}  // namespace

PreparedData prepareData(const DataSpec& spec, const Dims& inputDims, const Dims& outputDims,
                         const Normalizer* fitted, const std::function<bool(double)>& progress,
                         const std::optional<TokenIdReader>& ids) {
    if (holdsCutSamples(spec.source)) return cutSamples(spec, {});
    std::vector<double> labels;
    Series series = loadSeries(spec, &labels, progress);
    return prepareSeries(spec, std::move(series), labels, inputDims, outputDims, fitted, ids);
}

std::optional<PreparedData> readCutSamples(const DataSpec& spec, std::int64_t& steps,
                                           const std::function<bool(double)>& progress, const ModelEnds& ends) {
    if (!holdsCutSamples(spec.source)) return std::nullopt;
    (void)progress;  // archives are read at once
    PreparedData cut = cutSamples(spec, ends);
    if (!cut.train.xDims.empty()) steps = cut.train.xDims.front();
    return cut;
}

namespace {

/// Every value of a series of token ids (one column) is a whole number the reader's table has;
/// gaps are left to the missing-value policy.
void checkSeriesIds(const Series& series, const TokenIdReader& reader) {
    for (std::int64_t i = 0; i < series.steps; ++i) {
        const double id = series.values[static_cast<std::size_t>(i)];
        if (std::isnan(id) || (id >= 0 && id < static_cast<double>(reader.inputDim) && id == std::floor(id))) continue;
        std::ostringstream what;
        what << (series.place ? series.place(i) : "row " + std::to_string(i + 1)) << " of column '"
             << printableExcerpt(series.names.front(), 40) << "' holds " << id;
        if (id != std::floor(id)) {
            what << ", which is not a token id (a whole number)";
        } else {
            what << reader.outOfRange();
        }
        throw DataError(what.str());
    }
}

}  // namespace

void checkClassLabels(const std::vector<double>& labels, std::int64_t classes, const std::string& column) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const double v = labels[i];
        const bool ok = classes == 1 ? (v == 0.0 || v == 1.0)
                                     : (v >= 0 && v < static_cast<double>(classes) && v == std::floor(v));
        if (!ok) {
            throw DataError("label " + std::to_string(v) + " at row " + std::to_string(i + 1) + " of column '" + column +
                            "' is not " +
                            (classes == 1 ? std::string("0 or 1") : "a class from 0 to " + std::to_string(classes - 1)));
        }
    }
}

void handleGaps(const DataSpec& spec, Series& series, std::vector<std::string>& notes) {
    const std::int64_t gaps = series.missingCount();
    if (gaps == 0) return;
    handleMissing(series, spec.missing);
    notes.push_back(std::to_string(gaps) + " missing values " +
                    (spec.missing == MissingPolicy::Interpolate ? "interpolated" : "left out with their windows"));
}

void cutSeries(const DataSpec& spec, const Series& series, const std::vector<double>& labels, const Normalizer* fitted,
               PreparedData& out) {
    const WindowSpec& w = out.window;
    auto [trainPart, valPart] = splitByTime(series, spec.validationSplit);
    const auto cut = static_cast<std::ptrdiff_t>(trainPart.steps);
    const std::vector<double> trainLabels = labels.empty() ? labels : std::vector<double>(labels.begin(), labels.begin() + cut);
    const std::vector<double> valLabels = labels.empty() ? labels : std::vector<double>(labels.begin() + cut, labels.end());
    out.normalizer = fitted ? *fitted : Normalizer::fit(trainPart, spec.normalize);
    out.normalizer.apply(trainPart);
    out.normalizer.apply(valPart);
    if (valPart.steps > 0 && trainPart.steps < w.span()) {
        // Say which part is short, and what helps: a longer series, or a smaller split.
        const std::string window = (w.target == WindowSpec::Target::Forecast ? "one window and its forecast horizon ("
                                                                             : "one window (") +
                                   std::to_string(w.span()) + " steps)";
        throw DataError("the training part (the first " + std::to_string(trainPart.steps) + " of the " +
                        std::to_string(series.steps) + " steps) is shorter than " + window +
                        (series.steps < w.span() ? "; the data needs more steps, or the model a shorter window"
                                                 : "; use a smaller validation split or a shorter window"));
    }
    Windows train = makeWindows(trainPart, w, labels.empty() ? nullptr : &trainLabels);
    out.train = std::move(train.data);
    std::int64_t dropped = train.dropped;
    if (spec.validationSplit > 0.0) {
        try {
            Windows val = makeWindows(valPart, w, labels.empty() ? nullptr : &valLabels);
            out.validation = std::move(val.data);
            dropped += val.dropped;
        } catch (const DataError& e) {
            throw DataError(std::string("the validation part (the last ") +
                            std::to_string(valPart.steps) + " steps): " + e.what() +
                            "; use a smaller validation split or a shorter window");
        }
    }
    if (dropped > 0) out.notes.push_back(std::to_string(dropped) + " windows touching gaps dropped");
}

PreparedData prepareSeries(const DataSpec& spec, Series series, const std::vector<double>& labels,
                           const Dims& modelInput, const Dims& outputDims, const Normalizer* fitted,
                           const std::optional<TokenIdReader>& ids) {
    PreparedData out;
    out.columns = series.names;
    // Token ids (time,) are windows of one column, one id per step.
    const bool idWindows = ids && modelInput.size() == 1;
    if (idWindows && series.features != 1) {
        throw DataError("the model's Input holds token ids, one per step, so it reads one column of whole numbers; "
                        "the data has " + featureWord(series.features) + ". Choose one column under Columns");
    }
    if (idWindows && spec.labelColumn.empty()) {
        throw DataError("a model that reads token ids from a column classifies its windows: choose the column of "
                        "class labels under Labels");
    }
    const Dims inputDims = idWindows ? Dims{modelInput[0], 1} : modelInput;
    const std::int64_t features = inputDims.back();
    if (inputDims.size() != 2) {
        throw DataError("the model's Input takes vectors " + formatShape(inputDims) +
                        "; a time series needs an Input of shape (time, features)");
    }
    if (series.features != features) {
        std::string names;
        for (std::size_t i = 0; i < std::min<std::size_t>(series.names.size(), 10); ++i) {
            if (!names.empty()) names += ", ";
            names += '\'';
            names += printableExcerpt(series.names[i], 40);
            names += '\'';
        }
        if (series.names.size() > 10) names += ", ... " + groupedNumber(series.names.size() - 10) + " more";
        throw DataError("the data has " + featureWord(series.features) + " (" + names +
                        "), but the model's Input takes " + featureWord(features) + " per step");
    }
    handleGaps(spec, series, out.notes);
    WindowSpec& w = out.window;
    w.length = spec.window > 0 ? spec.window : inputDims[0];
    if (w.length < 1) throw DataError("the model's Input has a free time axis; give a window length");
    if (inputDims[0] != kNone && w.length != inputDims[0]) {
        throw DataError("a window of " + std::to_string(w.length) + " steps does not fit the "
                        "model's Input of " + std::to_string(inputDims[0]) + " steps");
    }
    w.stride = spec.stride;
    Dims reconstruction = inputDims;
    reconstruction[0] = w.length;
    Dims outDims = outputDims;
    if (!outDims.empty() && outDims[0] == kNone) outDims[0] = w.length;
    const bool labelled = !spec.labelColumn.empty();
    const ModelTask task = taskFor(spec.task, labelled, reconstruction, outDims);
    out.task = task;
    w.target = task.target;
    w.horizon = task.horizon;
    if (task.target == WindowSpec::Target::Classification) {
        if (!labelled) throw DataError("classifying windows needs the column of class labels: choose it under Labels");
        checkClassLabels(labels, outDims[0], spec.labelColumn);
    }

    if (idWindows) {
        checkSeriesIds(series, *ids);
        if (spec.normalize != Normalizer::Kind::None) out.notes.push_back("token ids are read as they are, not normalised");
    }
    const Normalizer asRead;  // token ids are never normalised
    cutSeries(spec, series, labels, idWindows ? &asRead : fitted, out);
    if (idWindows) {
        out.train.xDims = modelInput;
        if (spec.validationSplit > 0.0) out.validation.xDims = modelInput;
    }
    return out;
}

}  // namespace loom
