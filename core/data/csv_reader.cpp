#include "data/csv_reader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace loom {

namespace {

std::string trim(std::string s) {
    auto notSpace = [](unsigned char c) { return !std::isspace(c); };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
    s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return s;
}

/// Splits one line, honouring double quotes.
std::vector<std::string> splitLine(const std::string& line, char delimiter) {
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (char c : line) {
        if (c == '"') {
            quoted = !quoted;
            cell += c;
        } else if (c == delimiter && !quoted) {
            cells.push_back(trim(cell));
            cell.clear();
        } else {
            cell += c;
        }
    }
    cells.push_back(trim(cell));
    return cells;
}

bool isMissing(const std::string& s) {
    std::string l;
    for (char c : s) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return l.empty() || l == "na" || l == "nan" || l == "null" || l == "none" || l == "?" ||
           l == "n/a" || l == "-";
}

std::optional<double> number(const std::string& s) {
    double v = 0;
    const char* begin = s.data();
    const char* end = s.data() + s.size();
    if (begin != end && *begin == '+') ++begin;
    auto [ptr, ec] = std::from_chars(begin, end, v);
    if (ec != std::errc() || ptr != end || !std::isfinite(v)) return std::nullopt;
    return v;
}

/// Dates and times as spreadsheets write them: 2001-01-31, 31/01/2001, Jan-1-1995, 12:30.
bool looksLikeDate(const std::string& s) {
    int digits = 0, letters = 0, separators = 0;
    for (char c : s) {
        if (std::isdigit(static_cast<unsigned char>(c))) ++digits;
        else if (std::isalpha(static_cast<unsigned char>(c))) ++letters;
        else if (c == '-' || c == '/' || c == ':' || c == '.' || c == ' ' || c == 'T') ++separators;
        else return false;
    }
    return digits >= 2 && separators >= 1 && letters <= 9;
}

char detectDelimiter(const std::vector<std::string>& lines) {
    const std::array<char, 4> candidates = {',', ';', '\t', '|'};
    char best = ',';
    std::size_t bestCount = 0;
    for (char d : candidates) {
        // The delimiter splits the first lines into the same number (> 1) of cells.
        const std::size_t cells = splitLine(lines.front(), d).size();
        if (cells < 2) continue;
        bool consistent = true;
        for (std::size_t i = 1; i < std::min<std::size_t>(lines.size(), 10); ++i) {
            consistent = consistent && splitLine(lines[i], d).size() == cells;
        }
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
    std::string choices;
    for (const std::string& n : numericColumnNames()) choices += (choices.empty() ? "" : ", ") + ("'" + n + "'");
    if (!c) {
        throw DataError("there is no column '" + key + "'; numeric columns: " +
                        (choices.empty() ? "none" : choices));
    }
    if (c->kind != CsvColumn::Kind::Numeric) {
        throw DataError("column '" + c->name + "' holds " +
                        (c->kind == CsvColumn::Kind::Date ? "dates" : "text") +
                        ", not numbers; numeric columns: " + (choices.empty() ? "none" : choices));
    }
    return *c;
}

CsvTable parseCsv(const std::string& text, const std::string& source, const CsvOptions& options) {
    std::vector<std::string> lines;
    std::vector<std::size_t> lineNumbers;
    {
        std::istringstream in(text);
        std::string line;
        std::size_t number = 0;
        while (std::getline(in, line)) {
            ++number;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line = line.substr(3);  // BOM
            if (trim(line).empty()) continue;
            lines.push_back(line);
            lineNumbers.push_back(number);
        }
    }
    if (lines.empty()) throw DataError(source + ": the file is empty");

    CsvTable table;
    table.delimiter = options.delimiter.value_or(detectDelimiter(lines));
    std::vector<std::vector<std::string>> rows;
    for (const std::string& l : lines) rows.push_back(splitLine(l, table.delimiter));
    const std::size_t width = rows.front().size();

    if (options.header) {
        table.hasHeader = *options.header;
    } else {
        table.hasHeader = std::any_of(rows.front().begin(), rows.front().end(), [](const std::string& s) {
            return !isMissing(s) && !number(s);
        });
    }
    const std::size_t first = table.hasHeader ? 1 : 0;
    for (std::size_t c = 0; c < width; ++c) {
        CsvColumn col;
        col.name = table.hasHeader && !rows.front()[c].empty() ? rows.front()[c]
                                                              : "column " + std::to_string(c + 1);
        table.columns.push_back(std::move(col));
    }
    for (std::size_t r = first; r < rows.size(); ++r) {
        if (rows[r].size() != width) {
            throw DataError(where(source, lineNumbers[r]) + ": this row has " +
                            std::to_string(rows[r].size()) + " cells, the " +
                            (table.hasHeader ? "header" : "first row") + " has " +
                            std::to_string(width));
        }
    }
    table.rows = static_cast<std::int64_t>(rows.size() - first);
    if (table.rows == 0) throw DataError(source + ": the file has a header but no data rows");

    for (std::size_t c = 0; c < width; ++c) {
        CsvColumn& col = table.columns[c];
        std::size_t numeric = 0, dates = 0, present = 0;
        for (std::size_t r = first; r < rows.size(); ++r) {
            const std::string& s = rows[r][c];
            if (isMissing(s)) continue;
            ++present;
            if (number(s)) ++numeric;
            else if (looksLikeDate(s)) ++dates;
        }
        if (present > 0 && numeric == present) {
            col.kind = CsvColumn::Kind::Numeric;
        } else if (present > 0 && numeric + dates == present && dates > 0) {
            col.kind = CsvColumn::Kind::Date;
        } else if (present > 0 && numeric * 10 >= present * 9) {
            // Mostly numbers with a few stray words: an error worth pointing at.
            for (std::size_t r = first; r < rows.size(); ++r) {
                const std::string& s = rows[r][c];
                if (!isMissing(s) && !number(s)) {
                    throw DataError(where(source, lineNumbers[r]) + ": column '" + col.name +
                                    "' holds numbers, but this row has \"" + s + "\"");
                }
            }
        } else {
            col.kind = present == 0 ? CsvColumn::Kind::Numeric : CsvColumn::Kind::Text;
        }
        if (col.kind != CsvColumn::Kind::Numeric) continue;
        col.values.reserve(static_cast<std::size_t>(table.rows));
        for (std::size_t r = first; r < rows.size(); ++r) {
            const std::string& s = rows[r][c];
            if (isMissing(s)) {
                col.values.push_back(NAN);
                col.missingRows.push_back(static_cast<std::int64_t>(r - first + 1));
            } else {
                col.values.push_back(*number(s));
            }
        }
    }
    return table;
}

CsvTable readCsv(const std::filesystem::path& file, const CsvOptions& options) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw DataError(file.string() + ": cannot open the file");
    std::ostringstream text;
    text << in.rdbuf();
    return parseCsv(text.str(), file.string(), options);
}

std::string describeMissing(const CsvColumn& column) {
    const std::size_t n = column.missingRows.size();
    if (n == 0) return "no missing values in '" + column.name + "'";
    std::string rows;
    for (std::size_t i = 0; i < std::min<std::size_t>(n, 10); ++i) {
        if (i > 0) rows += (i + 1 == std::min<std::size_t>(n, 10) && n <= 10) ? " and " : ", ";
        rows += std::to_string(column.missingRows[i]);
    }
    if (n > 10) rows += ", ... (" + std::to_string(n - 10) + " more)";
    return std::to_string(n) + (n == 1 ? " missing value" : " missing values") + " in '" +
           column.name + "', at " + (n == 1 ? "row " : "rows ") + rows;
}

}  // namespace loom
