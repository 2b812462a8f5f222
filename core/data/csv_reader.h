#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loom {

/// Data that cannot be used, with where: file, line, column.
class DataError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct CsvColumn {
    enum class Kind { Numeric, Date, Text };
    std::string name;
    Kind kind = Kind::Numeric;
    std::vector<double> values;  ///< Numeric columns; NaN where a value is missing
    std::vector<std::int64_t> missingRows;  ///< data rows (from 1) with an empty or NA cell
    /// The cells as written, kept for the first column only when it holds dates: the rows'
    /// labels for plots ("Jan-1-1995"); empty for a missing cell.
    std::vector<std::string> texts;
};

/// A delimited text table, columns typed by their content.
struct CsvTable {
    std::vector<CsvColumn> columns;
    std::int64_t rows = 0;
    char delimiter = ',';
    bool hasHeader = true;
    /// Where the data rows stand in the file: the line of row 1 (as an editor counts, from 1),
    /// and, after blank lines, the rows from which the lines run further ahead, with by how much.
    std::int64_t firstDataLine = 1;
    std::vector<std::pair<std::int64_t, std::int64_t>> lineShifts;
    /// With CsvOptions::strayWordsAsMissing: for each column of numbers with stray words, the
    /// error reading it would have been ("file:148: column 'value' holds numbers, but ...").
    std::vector<std::string> strayWords;

    /// The file's line of data row `row` (from 1).
    std::int64_t lineOf(std::int64_t row) const;

    const CsvColumn* column(const std::string& name) const;
    /// A column by name, or by index from 0 when `key` is a number. Throws DataError naming
    /// the numeric columns when there is no such column or it holds dates or text.
    const CsvColumn& numericColumn(const std::string& key) const;
    std::vector<std::string> numericColumnNames() const;
};

struct CsvOptions {
    std::optional<char> delimiter;  ///< detected from `,` `;` tab `|` when not given
    std::optional<bool> header;     ///< detected when not given: a first row with any text
    /// Told the fraction read now and then (from 0 to 1); returning false stops reading with
    /// ReadCancelled.
    std::function<bool(double)> progress;
    /// For showing a file that training would refuse: a column of numbers with a few stray
    /// words reads as numbers with those cells missing, and CsvTable::strayWords says what
    /// training would say. Without it the stray word is an error.
    bool strayWordsAsMissing = false;
};

/// Reading stopped because the progress callback asked for it.
class ReadCancelled : public std::runtime_error {
public:
    ReadCancelled() : std::runtime_error("reading was cancelled") {}
};

/// Reads a CSV file. Missing values (empty, NA, NaN, null, ?) are kept as NaN and listed per
/// column, never dropped silently; rows with the wrong number of cells are errors with their
/// line number.
CsvTable readCsv(const std::filesystem::path& file, const CsvOptions& options = {});
CsvTable parseCsv(const std::string& text, const std::string& source,
                  const CsvOptions& options = {});

/// A cell as CSV writers put it: quoted (with quotes doubled) when it holds the delimiter,
/// a quote or a line break, so that readCsv reads it back as it was.
std::string csvCell(std::string_view text);

/// A number for a CSV cell: the shortest text that reads back the same, or at `digits`
/// significant digits when given; empty for NaN (a missing cell).
std::string csvNumber(double value, int digits = 0);

/// "3 missing values in 'volume', at rows 5, 17 and 40" (at most 10 rows listed); with
/// `place`, each row as it says ("line 59 (1995-03-01)").
std::string describeMissing(const CsvColumn& column, const std::function<std::string(std::int64_t row)>& place = {});

}  // namespace loom
