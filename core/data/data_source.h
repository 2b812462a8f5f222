#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/npy.h"
#include "data/series.h"
#include "data/task.h"
#include "data/token_ids.h"
#include "data/windowing.h"

namespace loom {

/// Where training data comes from and how it becomes samples for a model.
struct DataSpec {
    /// A CSV file, a .npy file of samples, a .npz archive (arrays `x` and optionally `y`), or
    /// `synthetic:NAME`.
    std::string source;
    std::string target;                ///< .npy targets for a .npy source; else derived
    std::vector<std::string> columns;  ///< CSV columns by name or index; default: every numeric
    /// CSV columns grouped by the layer they feed (an Input) or are the target of (an output):
    /// for a model with several Inputs or outputs, or one whose output forecasts some columns
    /// from others. See column_groups.h.
    std::map<std::string, std::vector<std::string>, std::less<>> layerColumns;
    std::string labelColumn;  ///< CSV column of class labels: classify windows by their last step
    /// What the model does with its windows; none: what its shapes suggest (taskFromShapes),
    /// for a model that has no task yet. A task classifies with the label column.
    std::optional<ModelTask> task;
    std::int64_t window = 0;           ///< 0: the model's Input length
    std::int64_t stride = 1;
    std::int64_t syntheticSteps = 2000;
    std::uint64_t seed = 1;  ///< for synthetic series
    Normalizer::Kind normalize = Normalizer::Kind::ZScore;
    MissingPolicy missing = MissingPolicy::Error;
    double validationSplit = 0.2;  ///< the last fraction in time validates
};

/// Whether `source` holds samples already cut into windows (a .npy or .npz file) rather than a
/// series.
bool holdsCutSamples(const std::string& source);

struct PreparedData {
    Dataset train;
    Dataset validation;  ///< empty when validationSplit is 0
    Normalizer normalizer;
    WindowSpec window;
    /// The task the windows were cut for; none for samples given already cut (.npy, .npz).
    std::optional<ModelTask> task;
    std::vector<std::string> columns;  ///< the series' feature names
    std::vector<std::string> notes;    ///< what was done that the user should know
};

/// Loads, cleans, splits, normalises (fitted on the training part only) and windows the data
/// for a model with Input `inputDims` and output `outputDims`, for the spec's task (taskFor).
/// Throws DataError saying what does not fit.
/// With `fitted`, that normaliser is used instead of fitting one (evaluating a trained model).
/// `progress`, when given, is told the fraction of a CSV file read now and then; returning
/// false stops the reading with ReadCancelled.
/// With `ids`, the model's Input holds token ids (time,) that reader reads: a series' one
/// column gives windows of ids, as they are (never normalised), each checked to be a whole
/// number in [0, input_dim) and named by its row when it is not; such windows are classified.
PreparedData prepareData(const DataSpec& spec, const Dims& inputDims, const Dims& outputDims,
                         const Normalizer* fitted = nullptr,
                         const std::function<bool(double)>& progress = {},
                         const std::optional<TokenIdReader>& ids = std::nullopt);

/// Samples already cut (holdsCutSamples), read before the model is compiled: their own length
/// is the one a free time axis takes, so `steps` becomes the first Input's. None for a series,
/// which the model's window decides.
/// An .npz archive's arrays are matched with the model's `ends`: an Input's array is named after
/// the Input layer, or x, x_1, x_2, ... in the order of the model's Inputs; an output's after
/// the output layer, or y, y_1, ... A model with one Input and one output may leave out y to
/// reconstruct x. Without `ends`, the archive's x and y are read.
std::optional<PreparedData> readCutSamples(const DataSpec& spec, std::int64_t& steps,
                                           const std::function<bool(double)>& progress = {},
                                           const ModelEnds& ends = {});

/// The arrays of an archive (readNpz) for a model's Inputs, named as readCutSamples matches
/// them (after the Input layer, or x, x_1, ...). Throws DataError naming what is missing.
std::vector<NpyArray> inputArrays(const std::map<std::string, NpyArray>& arrays, const std::vector<std::string>& inputs,
                                  const std::string& source);

/// Loads the series a CSV or synthetic source holds (for previews and plots); with a label
/// column, its values go to `labels` and it is not a feature. `progress` as for prepareData.
Series loadSeries(const DataSpec& spec, std::vector<double>* labels = nullptr,
                  const std::function<bool(double)>& progress = {});
/// The same from a table already read from spec.source.
Series seriesFromTable(const DataSpec& spec, const CsvTable& table, std::vector<double>* labels = nullptr);
/// The numeric columns that are features when the spec names none: every numeric column but
/// a leading year, index or time column and the label column.
std::vector<std::string> defaultFeatureColumns(const DataSpec& spec, const CsvTable& table);
/// Whether `values` rise by one equal, positive step throughout, as years or a row index do.
bool risesEvenly(const std::vector<double>& values);

/// The rows' own labels, for plots, tables and outputs: a leading date column, or a leading
/// numeric column counting up (a year, an index) that is not a feature. Empty otherwise.
struct RowIndex {
    std::string name;
    std::vector<double> values;      ///< a numeric index, one per row
    std::vector<std::string> texts;  ///< dates as written, one per row
    bool empty() const { return name.empty(); }
    /// Row `t`'s label as written ("1995-01-03", "1700"); the row number from 1 without an index.
    std::string label(std::int64_t t) const;
};
/// The index of a table whose `features` are chosen (the label column is never the index).
RowIndex rowIndexOf(const CsvTable& table, const DataSpec& spec, const std::vector<std::string>& features);

/// The part of `series` a model with `spec` trains on, as training takes it: its gaps handled
/// by the spec's policy (DataError naming the rows when it refuses them), then its first
/// 1 - validationSplit. The normaliser is fitted on it.
Series trainingPart(const DataSpec& spec, Series series);

/// A series and its time column, from one read of its source.
struct IndexedSeries {
    Series series;
    RowIndex index;
};
/// Reads a CSV file, a sample (`sample:` resolved from `samples`, else shippedSampleFolder())
/// or a synthetic series, with its spec's columns; errors name the source as given. `purpose`
/// ("anomaly detection") says what refuses .npy and .npz samples, which are not one series.
IndexedSeries readIndexedSeries(DataSpec spec, const std::optional<std::filesystem::path>& samples,
                                const std::string& purpose, const std::function<bool(double)>& progress = {});

/// prepareData for a series already loaded (with its labels when the spec has a label column).
PreparedData prepareSeries(const DataSpec& spec, Series series, const std::vector<double>& labels,
                           const Dims& inputDims, const Dims& outputDims,
                           const Normalizer* fitted = nullptr,
                           const std::optional<TokenIdReader>& ids = std::nullopt);

/// Throws DataError naming the first label (by row) that is not one of `classes` classes (0 or
/// 1 for a single score).
void checkClassLabels(const std::vector<double>& labels, std::int64_t classes, const std::string& column);

/// Handles a series' gaps by the spec's missing-value policy (DataError naming the rows when it
/// refuses them), with a note saying what was done.
void handleGaps(const DataSpec& spec, Series& series, std::vector<std::string>& notes);

/// What a series' preparation ends with, for out.window: splits the series in time, normalises
/// it (fitted on the training part, or `fitted`) and cuts both parts into windows (with
/// `labels`, one per step, for classification). Fills out's normaliser, train, validation and
/// notes; throws DataError saying which part is too short.
void cutSeries(const DataSpec& spec, const Series& series, const std::vector<double>& labels, const Normalizer* fitted,
               PreparedData& out);

}  // namespace loom
