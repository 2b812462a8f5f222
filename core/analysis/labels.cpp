#include "analysis/labels.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "io/json_input.h"
#include "io/message_text.h"

namespace loom {

namespace {

/// Label files are small: a few windows per series.
constexpr std::uintmax_t kMaxLabelBytes = 16u << 20;

std::string readAll(const std::filesystem::path& file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) throw DataError(file.string() + ": cannot open the file");
    if (size > kMaxLabelBytes) {
        throw DataError(file.string() + ": " + groupedNumber(size) + " bytes is too large for a list of labelled windows");
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) throw DataError(file.string() + ": cannot open the file");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '"' || s.front() == '\'')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '"' || s.back() == '\'' || s.back() == '\r')) s.remove_suffix(1);
    return std::string(s);
}

std::optional<double> number(const std::string& s) {
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

/// A time found among the series' rows, or why not: a time the series does not hold, or one
/// before its first row or after its last.
struct RowMatch {
    std::optional<std::int64_t> row;
    bool before = false, after = false;  ///< outside the series, on that side
};

/// Finds a time among the series' rows: the row written so, else (times in order) the first
/// row at or after it for a start, the last at or before it for an end.
class TimeMatcher {
public:
    TimeMatcher(const RowIndex& index, std::int64_t steps) : m_index(index), m_steps(steps) {
        m_sorted = std::is_sorted(index.texts.begin(), index.texts.end());
        m_rows.reserve(index.texts.size());
        for (std::size_t i = index.texts.size(); i-- > 0;) m_rows[index.texts[i]] = static_cast<std::int64_t>(i);
    }

    RowMatch row(std::string text, bool start) const {
        if (!m_index.texts.empty()) {
            for (int attempt = 0; attempt < 2; ++attempt) {
                if (const auto exact = m_rows.find(text); exact != m_rows.end()) return {exact->second};
                // "2014-02-19 10:50:00.000000" is the row "2014-02-19 10:50:00".
                const auto dot = text.find_last_of('.');
                if (dot == std::string::npos || text.find_first_not_of('0', dot + 1) != std::string::npos) break;
                text.erase(dot);
            }
            // A time in another form ("5 Jan") is not placed by comparing texts: only one
            // written as the column writes them (same length, digits where it has digits).
            if (!m_sorted || !likeTheColumn(text)) return {};
            return bound(m_index.texts, text, start);
        }
        const std::optional<double> v = number(text);
        if (!v) return {};
        if (!m_index.values.empty()) return bound(m_index.values, *v, start);
        if (*v != std::floor(*v)) return {};
        if (*v > static_cast<double>(m_steps)) return start ? RowMatch{{}, false, true} : RowMatch{m_steps - 1};
        if (*v < 1) return start ? RowMatch{0} : RowMatch{{}, true, false};
        return {static_cast<std::int64_t>(*v) - 1};
    }

private:
    const RowIndex& m_index;
    std::int64_t m_steps;
    bool m_sorted = false;
    std::unordered_map<std::string, std::int64_t> m_rows;  ///< each time's first row

    bool likeTheColumn(const std::string& text) const {
        const std::string& model = m_index.texts.front();
        if (text.size() != model.size()) return false;
        for (std::size_t i = 0; i < text.size(); ++i) {
            const bool digit = text[i] >= '0' && text[i] <= '9', modelDigit = model[i] >= '0' && model[i] <= '9';
            if (digit != modelDigit || (!digit && text[i] != model[i])) return false;
        }
        return true;
    }

    /// A start after the last row, or an end before the first, is outside the series; a
    /// window reaching over its ends is cut to them.
    template <class T>
    static RowMatch bound(const std::vector<T>& rows, const T& value, bool start) {
        if (start) {
            const auto at = std::lower_bound(rows.begin(), rows.end(), value);
            if (at == rows.end()) return {{}, false, true};
            return {at - rows.begin()};
        }
        const auto after = std::upper_bound(rows.begin(), rows.end(), value);
        if (after == rows.begin()) return {{}, true, false};
        return {(after - rows.begin()) - 1};
    }
};

}  // namespace

std::vector<LabelWindow> readLabelWindows(const std::filesystem::path& file, const std::string& seriesFile,
                                          const RowIndex& index, std::int64_t steps, std::int64_t* outside) {
    const std::string text = readAll(file);
    const std::string name = file.string();
    const TimeMatcher matcher(index, steps);
    std::vector<LabelWindow> windows;
    std::int64_t left = 0;  // windows wholly before or after the series
    const auto take = [&](const std::string& startText, const std::string& endText, const std::string& where) {
        const RowMatch start = matcher.row(startText, true);
        const RowMatch end = matcher.row(endText, false);
        const bool elsewhere = (start.after && (end.row || end.after)) || (end.before && (start.row || start.before));
        if (elsewhere) {
            ++left;
            return;
        }
        if (!start.row || !end.row) {
            const std::string& bad = start.row ? endText : startText;
            throw DataError(name + ": " + where + ": '" + printableExcerpt(bad, 40) + "' is not " +
                            (index.empty() ? "a row number of the series (1 to " + std::to_string(steps) + ")"
                                           : "a time in the series' '" + index.name + "' column"));
        }
        if (*end.row < *start.row) throw DataError(name + ": " + where + ": the window ends before it starts");
        windows.push_back({*start.row, *end.row});
    };

    // Windows outside the series are another stretch's: left out and counted, unless no
    // window is left, when the file is most likely another series'.
    const auto finish = [&] {
        if (windows.empty() && left > 0) {
            throw DataError(name + ": none of its " + std::to_string(left) + " windows lies within the series (" +
                            (index.empty() ? "rows 1 to " + std::to_string(steps)
                                           : index.label(0) + " to " + index.label(steps - 1)) + ")");
        }
        if (outside) *outside = left;
        return windows;
    };
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && (text[first] == '[' || text[first] == '{')) {
        nlohmann::json doc;
        try {
            doc = parseJsonInput(text);
        } catch (const JsonInputError& e) {
            throw DataError(name + ": " + e.what());
        }
        if (doc.is_object()) {
            // Keyed by data file ("realKnownCause/machine_temperature.csv"): the one that ends in
            // the series' file name.
            const nlohmann::json* chosen = nullptr;
            std::string keys;
            for (auto it = doc.begin(); it != doc.end(); ++it) {
                const std::string key = it.key();
                if (!seriesFile.empty() && (key == seriesFile || key.ends_with("/" + seriesFile))) chosen = &it.value();
                if (keys.size() < 200) keys += (keys.empty() ? "" : ", ") + printableExcerpt(key, 60);
            }
            if (!chosen) {
                throw DataError(name + ": no labels for '" + printableExcerpt(seriesFile, 60) + "'; the file has labels for " +
                                (keys.empty() ? std::string("nothing") : keys));
            }
            doc = *chosen;
        }
        if (!doc.is_array()) throw DataError(name + ": expected a list of [start, end] pairs");
        for (std::size_t i = 0; i < doc.size(); ++i) {
            const nlohmann::json& pair = doc[i];
            const std::string where = "window " + std::to_string(i + 1);
            if (!pair.is_array() || pair.size() != 2) throw DataError(name + ": " + where + ": expected [start, end]");
            const auto textOf = [](const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
            take(textOf(pair[0]), textOf(pair[1]), where);
        }
        return finish();
    }

    std::istringstream lines(text);
    std::string line;
    std::int64_t lineNumber = 0;
    while (std::getline(lines, line)) {
        ++lineNumber;
        if (trimmed(line).empty()) continue;
        const auto comma = line.find(',');
        if (comma == std::string::npos) throw DataError(name + ":" + std::to_string(lineNumber) + ": expected start,end");
        const std::string start = trimmed(std::string_view(line).substr(0, comma));
        std::string_view rest = std::string_view(line).substr(comma + 1);
        const std::string end = trimmed(rest.substr(0, rest.find(',')));
        // A header row: words where the first window would be.
        if (windows.empty() && lineNumber == 1 && !matcher.row(start, true).row && !number(start)) {
            const bool header = start == "start" || start.find_first_of("0123456789") == std::string::npos;
            if (header) continue;
        }
        take(start, end, "line " + std::to_string(lineNumber));
    }
    return finish();
}

namespace {

/// How many of `spans` overlap some span of `others` (sorted by start): the others that start
/// by a span's end overlap it when the furthest of their ends reaches its start.
template <class A, class B>
std::int64_t overlapping(const std::vector<A>& spans, const std::vector<B>& others) {
    std::vector<std::int64_t> reach(others.size());  // the furthest end of others[0..k]
    for (std::size_t k = 0; k < others.size(); ++k) reach[k] = std::max(others[k].end, k > 0 ? reach[k - 1] : others[k].end);
    std::int64_t count = 0;
    for (const A& span : spans) {
        const auto after = std::upper_bound(others.begin(), others.end(), span.end,
                                            [](std::int64_t end, const B& other) { return end < other.start; });
        if (after != others.begin() && reach[static_cast<std::size_t>(after - others.begin()) - 1] >= span.start) ++count;
    }
    return count;
}

}  // namespace

LabelAgreement agreement(const std::vector<AnomalyInterval>& intervals, const std::vector<LabelWindow>& windows) {
    LabelAgreement a;
    a.windows = static_cast<std::int64_t>(windows.size());
    a.intervals = static_cast<std::int64_t>(intervals.size());
    std::vector<AnomalyInterval> flagged = intervals;
    std::vector<LabelWindow> known = windows;
    std::sort(flagged.begin(), flagged.end(), [](const auto& x, const auto& y) { return x.start < y.start; });
    std::sort(known.begin(), known.end(), [](const auto& x, const auto& y) { return x.start < y.start; });
    a.found = overlapping(windows, flagged);
    a.trueAlarms = overlapping(intervals, known);
    a.precision = a.intervals == 0 ? 1.0 : static_cast<double>(a.trueAlarms) / static_cast<double>(a.intervals);
    a.recall = a.windows == 0 ? 0.0 : static_cast<double>(a.found) / static_cast<double>(a.windows);
    a.f1 = a.precision + a.recall > 0 ? 2 * a.precision * a.recall / (a.precision + a.recall) : 0.0;
    // The known windows as disjoint stretches, then each flagged interval's steps inside them.
    std::vector<LabelWindow> merged;
    for (const LabelWindow& w : known) {
        if (!merged.empty() && w.start <= merged.back().end + 1) {
            merged.back().end = std::max(merged.back().end, w.end);
        } else {
            merged.push_back(w);
        }
    }
    std::size_t k = 0;
    for (const AnomalyInterval& i : flagged) {
        a.flaggedSteps += i.end - i.start + 1;
        while (k < merged.size() && merged[k].end < i.start) ++k;
        for (std::size_t j = k; j < merged.size() && merged[j].start <= i.end; ++j) {
            a.flaggedInWindows += std::min(i.end, merged[j].end) - std::max(i.start, merged[j].start) + 1;
        }
    }
    return a;
}

}  // namespace loom
