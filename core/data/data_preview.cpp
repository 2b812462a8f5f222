#include "data/data_preview.h"

#include <algorithm>
#include <functional>


namespace loom {

namespace {

/// The first column as the rows' labels, when it is dates or a number that only counts up.
void takeRowIndex(DataPreview& p, const CsvTable& table, const DataSpec& spec) {
    if (table.columns.empty()) return;
    const CsvColumn& first = table.columns.front();
    if (first.name == spec.labelColumn || std::find(p.features.begin(), p.features.end(), first.name) != p.features.end()) {
        return;
    }
    if (first.kind == CsvColumn::Kind::Date && !first.texts.empty()) {
        p.indexName = first.name;
        p.indexTexts = first.texts;
    } else if (first.kind == CsvColumn::Kind::Numeric && first.missingRows.empty() && first.values.size() > 1 &&
               std::adjacent_find(first.values.begin(), first.values.end(), std::greater_equal<>()) == first.values.end()) {
        p.indexName = first.name;
        p.indexValues = first.values;
    }
}

}  // namespace

DataPreview previewData(DataSpec spec, const std::optional<std::pair<Dims, Dims>>& dims,
                        const std::string& modelProblem, const std::function<bool(double)>& progress) {
    DataPreview p;
    std::vector<double> labels;
    try {
        if (spec.source.starts_with("synthetic:")) {
            p.series = loadSeries(spec);
        } else {
            CsvOptions options;
            options.progress = progress;
            const CsvTable table = readCsv(spec.source, options);
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
            takeRowIndex(p, table, spec);
        }
    } catch (const ReadCancelled&) {
        throw;
    } catch (const std::exception& e) {
        p.series = Series{};
        p.problem = e.what();
        return p;
    }
    if (p.features.empty()) p.features = p.series.names;
    if (!dims) {
        p.problem = modelProblem;
        return p;
    }
    try {
        const PreparedData prepared = prepareSeries(spec, p.series, labels, dims->first, dims->second);
        p.trainWindows = prepared.train.size();
        p.validationWindows = prepared.validation.size();
        p.window = prepared.window;
        p.notes = prepared.notes;
    } catch (const std::exception& e) {
        p.problem = e.what();
    }
    return p;
}

}  // namespace loom
