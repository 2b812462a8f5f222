#include "data/csv_reader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string_view>

#include "io/message_text.h"

namespace loom {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return s;
}

/// Splits one line into `cells` (views into the line), honouring double quotes.
void splitLine(std::string_view line, char delimiter, std::vector<std::string_view>& cells) {
    cells.clear();
    bool quoted = false;
    std::size_t begin = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '"') {
            quoted = !quoted;
        } else if (c == delimiter && !quoted) {
            cells.push_back(trim(line.substr(begin, i - begin)));
            begin = i + 1;
        }
    }
    cells.push_back(trim(line.substr(begin)));
}

std::size_t cellCount(std::string_view line, char delimiter) {
    std::vector<std::string_view> cells;
    splitLine(line, delimiter, cells);
    return cells.size();
}

bool isMissing(std::string_view s) {
    if (s.size() > 4) return false;
    std::string l;
    for (char c : s) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return l.empty() || l == "na" || l == "nan" || l == "null" || l == "none" || l == "?" ||
           l == "n/a" || l == "-";
}

std::optional<double> number(std::string_view s) {
    double v = 0;
    const char* begin = s.data();
    const char* end = s.data() + s.size();
    if (begin != end && *begin == '+') ++begin;
    auto [ptr, ec] = std::from_chars(begin, end, v);
    if (ec != std::errc() || ptr != end || !std::isfinite(v)) return std::nullopt;
    return v;
}

/// Dates and times as spreadsheets write them: 2001-01-31, 31/01/2001, Jan-1-1995, 12:30.
bool looksLikeDate(std::string_view s) {
    int digits = 0, letters = 0, separators = 0;
    for (char c : s) {
        if (std::isdigit(static_cast<unsigned char>(c))) ++digits;
        else if (std::isalpha(static_cast<unsigned char>(c))) ++letters;
        else if (c == '-' || c == '/' || c == ':' || c == '.' || c == ' ' || c == 'T') ++separators;
        else return false;
    }
    return digits >= 2 && separators >= 1 && letters <= 9;
}

char detectDelimiter(const std::vector<std::string_view>& lines) {
    const std::array<char, 4> candidates = {',', ';', '\t', '|'};
    char best = ',';
    std::size_t bestCount = 0;
    for (char d : candidates) {
        // The delimiter splits the first lines into the same number (> 1) of cells.
        const std::size_t cells = cellCount(lines.front(), d);
        if (cells < 2) continue;
        bool consistent = true;
        for (std::size_t i = 1; i < lines.size(); ++i) consistent = consistent && cellCount(lines[i], d) == cells;
        if (consistent && cells > bestCount) {
            best = d;
            bestCount = cells;
        }
    }
    return best;
}

std::string where(const std::string& source, std::size_t line) {
    return source + ":" + std::to_string(line);
}

/// The text's lines, one at a time, as views: without the line break, a trailing carriage
/// return or the first line's byte-order mark; blank lines are skipped.
class Lines {
public:
    explicit Lines(std::string_view text) : m_text(text) {}
    bool next(std::string_view& line) {
        while (m_at < m_text.size()) {
            const std::size_t end = std::min(m_text.find('\n', m_at), m_text.size());
            line = m_text.substr(m_at, end - m_at);
            m_at = end + 1;
            ++m_number;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (m_number == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
            if (!trim(line).empty()) return true;
        }
        return false;
    }
    std::size_t number() const { return m_number; }
    double fraction() const { return m_text.empty() ? 1.0 : static_cast<double>(m_at) / static_cast<double>(m_text.size()); }

private:
    std::string_view m_text;
    std::size_t m_at = 0;
    std::size_t m_number = 0;
};

/// What one column's cells turned out to be, gathered in one pass.
struct ColumnScan {
    std::size_t numeric = 0, dates = 0, present = 0;
    std::size_t firstWordLine = 0;  ///< the first cell that is neither a number nor missing
    std::string firstWord;
};

}  // namespace

const CsvColumn* CsvTable::column(const std::string& name) const {
    for (const CsvColumn& c : columns) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

std::vector<std::string> CsvTable::numericColumnNames() const {
    std::vector<std::string> names;
    for (const CsvColumn& c : columns) {
        if (c.kind == CsvColumn::Kind::Numeric) names.push_back(c.name);
    }
    return names;
}

const CsvColumn& CsvTable::numericColumn(const std::string& key) const {
    const CsvColumn* c = column(key);
    if (!c) {
        if (auto index = number(key); index && *index >= 0 && *index < static_cast<double>(columns.size()) &&
                                      std::floor(*index) == *index) {
            c = &columns[static_cast<std::size_t>(*index)];
        }
    }
    if (c && c->kind == CsvColumn::Kind::Numeric) return *c;
    // The choices, for the message only (a file may have thousands of columns).
    std::string choices;
    const std::vector<std::string> names = numericColumnNames();
    for (std::size_t i = 0; i < std::min<std::size_t>(names.size(), 10); ++i) {
        if (!choices.empty()) choices += ", ";
        choices += '\'';
        choices += printableExcerpt(names[i], 40);
        choices += '\'';
    }
    if (names.size() > 10) choices += ", ... " + groupedNumber(names.size() - 10) + " more";
    if (!c) {
        throw DataError("there is no column '" + printableExcerpt(key, 40) + "'; numeric columns: " +
                        (choices.empty() ? "none" : choices));
    }
    if (c->kind != CsvColumn::Kind::Numeric) {
        throw DataError("column '" + printableExcerpt(c->name, 40) + "' holds " +
                        (c->kind == CsvColumn::Kind::Date ? "dates" : "text") +
                        ", not numbers; numeric columns: " + (choices.empty() ? "none" : choices));
    }
    return *c;
}

CsvTable parseCsv(const std::string& text, const std::string& source, const CsvOptions& options) {
    // One pass over the text without a copy of it: a cell is read where it lies, and only the
    // numbers of numeric columns are kept (a 200 MB file takes little more than its numbers).
    Lines lines(text);
    std::string_view line;
    std::vector<std::string_view> head;  // the first lines, for the delimiter
    {
        Lines ahead(text);
        while (head.size() < 10 && ahead.next(line)) head.push_back(line);
    }
    if (head.empty()) throw DataError(source + ": the file is empty");

    CsvTable table;
    table.delimiter = options.delimiter.value_or(detectDelimiter(head));
    std::vector<std::string_view> cells;
    lines.next(line);
    splitLine(line, table.delimiter, cells);
    const std::size_t width = cells.size();
    if (options.header) {
        table.hasHeader = *options.header;
    } else {
        table.hasHeader = std::any_of(cells.begin(), cells.end(), [](std::string_view s) {
            return !isMissing(s) && !number(s);
        });
    }
    for (std::size_t c = 0; c < width; ++c) {
        CsvColumn col;
        col.name = table.hasHeader && !cells[c].empty() ? std::string(cells[c]) : "column " + std::to_string(c + 1);
        table.columns.push_back(std::move(col));
    }
    std::vector<ColumnScan> scans(width);
    std::int64_t ahead = 0;  // lines skipped (blank) so far
    auto take = [&](std::size_t lineNumber) {
        const auto at = static_cast<std::int64_t>(lineNumber);
        if (table.rows == 0) table.firstDataLine = at;
        if (const std::int64_t skipped = at - (table.firstDataLine + table.rows); skipped != ahead) {
            ahead = skipped;
            table.lineShifts.emplace_back(table.rows + 1, ahead);
        }
        if (cells.size() != width) {
            throw DataError(where(source, lineNumber) + ": this row has " + std::to_string(cells.size()) +
                            " cells, the " + (table.hasHeader ? "header" : "first row") + " has " +
                            std::to_string(width));
        }
        ++table.rows;
        for (std::size_t c = 0; c < width; ++c) {
            const std::string_view s = cells[c];
            CsvColumn& col = table.columns[c];
            ColumnScan& scan = scans[c];
            if (c == 0 && scan.numeric == 0 && scan.firstWordLine == 0) col.texts.emplace_back(isMissing(s) ? std::string_view() : s);
            if (isMissing(s)) {
                col.values.push_back(NAN);
                col.missingRows.push_back(table.rows);
                continue;
            }
            ++scan.present;
            if (const auto v = number(s)) {
                ++scan.numeric;
                col.values.push_back(*v);
                continue;
            }
            col.values.push_back(NAN);
            if (looksLikeDate(s)) {
                ++scan.dates;
            } else if (scan.firstWordLine == 0) {
                scan.firstWordLine = lineNumber;
                scan.firstWord = printableExcerpt(s, 40);
            }
        }
    };
    if (!table.hasHeader) take(lines.number());
    while (lines.next(line)) {
        splitLine(line, table.delimiter, cells);
        take(lines.number());
        if (options.progress && table.rows % 65536 == 0 && !options.progress(lines.fraction())) {
            throw ReadCancelled();
        }
    }
    if (table.rows == 0) throw DataError(source + ": the file has a header but no data rows");

    for (std::size_t c = 0; c < width; ++c) {
        CsvColumn& col = table.columns[c];
        const ColumnScan& scan = scans[c];
        if (scan.present > 0 && scan.numeric == scan.present) {
            col.kind = CsvColumn::Kind::Numeric;
        } else if (scan.present > 0 && scan.numeric + scan.dates == scan.present && scan.dates > 0) {
            col.kind = CsvColumn::Kind::Date;
        } else if (scan.present > 0 && scan.numeric * 10 >= scan.present * 9 && scan.firstWordLine > 0) {
            // Mostly numbers with a few stray words: an error worth pointing at.
            std::string stray = where(source, scan.firstWordLine) + ": column '" + printableExcerpt(col.name, 40) +
                                "' holds numbers, but this row has \"" + scan.firstWord + "\"";
            if (!options.strayWordsAsMissing) throw DataError(stray);
            table.strayWords.push_back(std::move(stray));
            col.kind = CsvColumn::Kind::Numeric;
            // Its words are NaN like its missing cells: every such row is missing now.
            col.missingRows.clear();
            for (std::size_t r = 0; r < col.values.size(); ++r) {
                if (std::isnan(col.values[r])) col.missingRows.push_back(static_cast<std::int64_t>(r) + 1);
            }
        } else {
            col.kind = scan.present == 0 ? CsvColumn::Kind::Numeric : CsvColumn::Kind::Text;
        }
        if (col.kind != CsvColumn::Kind::Numeric) {
            std::vector<double>().swap(col.values);
            std::vector<std::int64_t>().swap(col.missingRows);
        }
        if (col.kind != CsvColumn::Kind::Date || col.texts.size() != static_cast<std::size_t>(table.rows)) {
            std::vector<std::string>().swap(col.texts);
        }
    }
    return table;
}

CsvTable readCsv(const std::filesystem::path& file, const CsvOptions& options) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw DataError(file.string() + ": cannot open the file");
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    std::string text;
    if (!ec && std::filesystem::is_regular_file(file, ec)) {
        // Read in one piece, without a second copy.
        text.resize(static_cast<std::size_t>(size));
        in.read(text.data(), static_cast<std::streamsize>(size));
        text.resize(static_cast<std::size_t>(in.gcount()));
    } else {
        std::ostringstream all;
        all << in.rdbuf();
        text = all.str();
    }
    return parseCsv(text, file.string(), options);
}

std::int64_t CsvTable::lineOf(std::int64_t row) const {
    const auto after = std::upper_bound(lineShifts.begin(), lineShifts.end(), row,
                                        [](std::int64_t r, const auto& shift) { return r < shift.first; });
    return firstDataLine + row - 1 + (after == lineShifts.begin() ? 0 : std::prev(after)->second);
}

std::string describeMissing(const CsvColumn& column, const std::function<std::string(std::int64_t)>& place) {
    const std::size_t n = column.missingRows.size();
    if (n == 0) return "no missing values in '" + column.name + "'";
    // "rows 5 and 17"; "lines 6 and 18"; "line 6 (1995-03-01) and line 18 (1996-05-01)".
    std::vector<std::string> places;
    bool bare = true;  // numbers only, which read as one list
    std::string noun = n == 1 ? "row " : "rows ";
    for (std::size_t i = 0; i < std::min<std::size_t>(n, 10); ++i) {
        places.push_back(place ? place(column.missingRows[i]) : std::to_string(column.missingRows[i]));
        bare = bare && (!place || (places.back().starts_with("line ") && places.back().find('(') == std::string::npos));
    }
    if (place && bare) {
        for (std::string& p : places) p.erase(0, 5);
        noun = n == 1 ? "line " : "lines ";
    } else if (place) {
        noun.clear();
    }
    std::string rows;
    for (std::size_t i = 0; i < places.size(); ++i) {
        if (i > 0) rows += (i + 1 == places.size() && n <= 10) ? " and " : ", ";
        rows += places[i];
    }
    if (n > 10) rows += ", ... (" + std::to_string(n - 10) + " more)";
    return std::to_string(n) + (n == 1 ? " missing value" : " missing values") + " in '" + column.name + "', at " + noun + rows;
}

std::string csvCell(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

std::string csvNumber(double value, int digits) {
    if (std::isnan(value)) return {};
    char buffer[32];
    const auto end = digits > 0 ? std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, digits)
                                : std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, end.ptr);
}

}  // namespace loom
