#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "data/data_source.h"
#include "data/token_ids.h"

namespace loom {

/// What a data choice gives, from one read of its file, for a panel that shows it before
/// training: the columns to choose from, the series, and how it would train or why not.
struct DataPreview {
    std::vector<std::string> numericColumns;  ///< a CSV's numeric columns; empty otherwise
    std::vector<std::string> features;        ///< the columns that are features
    Series series;                            ///< empty when the data cannot be read
    std::string problem;                      ///< why it cannot train; empty when it can
    /// When it can: the windows training would see.
    std::int64_t trainWindows = 0, validationWindows = 0;
    WindowSpec window;
    /// For samples already cut (.npy, .npz): the shape of one sample and of its target.
    std::optional<Dims> sampleDims, targetDims;
    /// For a model with several Inputs or outputs: each one's array, "a (4,), b (3,)", and the
    /// targets' likewise.
    std::string inputsText, targetsText;
    std::vector<std::string> notes;
    RowIndex index;  ///< the rows' own labels: a leading date, year or index column
};

/// Reads spec.source once (a CSV, a synthetic series, or samples already cut in a .npy or .npz
/// file, whose shapes it compares with the model's) and prepares it as training would for
/// a model with Input and output shapes `dims`; without them `modelProblem` says why the model
/// cannot train. The spec's columns choose the features (none: defaultFeatureColumns). Safe
/// on any thread; throws ReadCancelled when `progress` (told the fraction read) returns false;
/// every other problem goes to `problem`.
/// With `ids`, samples already cut are token ids that reader must take (a problem names the
/// first that does not fit).
/// A model with several Inputs or outputs (`ends`) takes an .npz archive: each of its arrays
/// is compared with its end's shape; a series gets `modelProblem`.
DataPreview previewData(DataSpec spec, const std::optional<std::pair<Dims, Dims>>& dims,
                        const std::string& modelProblem, const std::function<bool(double)>& progress = {},
                        const std::optional<TokenIdReader>& ids = std::nullopt, const ModelEnds& ends = {});

}  // namespace loom
