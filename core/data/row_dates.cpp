// The dates of a series' time column: read as spreadsheets write them, to find the steps a
// series of evenly spaced dates skips.
#include "data/row_dates.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>

namespace loom {

namespace {

/// The numbers and words of a date, in order: "Jan-1-1995 14:00" is Jan, 1, 1995, 14, 00.
struct Token {
    bool word = false;
    std::int64_t number = 0;
    std::size_t digits = 0;
    std::string_view text;
};

std::optional<std::vector<Token>> tokens(std::string_view s) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (std::isdigit(c)) {
            Token t;
            const std::size_t start = i;
            while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i - start < 9) {
                t.number = t.number * 10 + (s[i] - '0');
                ++i;
            }
            if (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;  // too long
            t.digits = i - start;
            out.push_back(t);
        } else if (std::isalpha(c) && !(c == 'T' && !out.empty() && !out.back().word)) {
            Token t;
            t.word = true;
            const std::size_t start = i;
            while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
            t.text = s.substr(start, i - start);
            out.push_back(t);
        } else if (c == '-' || c == '/' || c == '.' || c == ':' || c == ' ' || c == 'T' || c == ',') {
            ++i;
        } else {
            return std::nullopt;
        }
        if (out.size() > 8) return std::nullopt;
    }
    return out;
}

int monthNamed(std::string_view word) {
    static constexpr std::array<std::string_view, 12> names{"jan", "feb", "mar", "apr", "may", "jun",
                                                            "jul", "aug", "sep", "oct", "nov", "dec"};
    if (word.size() < 3) return 0;
    for (std::size_t m = 0; m < names.size(); ++m) {
        bool same = true;
        for (std::size_t k = 0; k < 3; ++k) same = same && std::tolower(static_cast<unsigned char>(word[k])) == names[m][k];
        if (same) return static_cast<int>(m) + 1;
    }
    return 0;
}

/// Months since year 0 of a date's seconds, for series spaced by months or years.
std::int64_t monthIndex(std::int64_t seconds) {
    const std::chrono::sys_days day{std::chrono::days{seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400}};
    const std::chrono::year_month_day ymd{day};
    return static_cast<std::int64_t>(static_cast<int>(ymd.year())) * 12 + static_cast<unsigned>(ymd.month()) - 1;
}

/// The weekday of a day (0 Sunday ... 6 Saturday).
int weekday(std::int64_t seconds) {
    const std::chrono::sys_days day{std::chrono::days{seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400}};
    return static_cast<int>(std::chrono::weekday{day}.c_encoding());
}

}  // namespace

std::optional<std::int64_t> dateSeconds(std::string_view text, bool dayFirst) {
    const auto t = tokens(text);
    if (!t || t->size() < 2) return std::nullopt;
    const std::vector<Token>& v = *t;
    std::int64_t year = 0, month = 0, day = 1;
    std::size_t next = 0;
    if (v[0].word) {  // Jan-1-1995
        if (v.size() < 3 || v[1].word || v[2].word) return std::nullopt;
        month = monthNamed(v[0].text);
        day = v[1].number;
        year = v[2].number;
        next = 3;
    } else if (v[0].digits == 4) {  // 2023-01-15, 2023-01
        if (v[1].word) return std::nullopt;
        year = v[0].number;
        month = v[1].number;
        next = 2;
        if (v.size() > 2 && !v[2].word && v[2].digits <= 2) {
            day = v[2].number;
            next = 3;
        }
    } else {  // 15/01/2023
        if (v.size() < 3 || v[1].word || v[2].word || v[2].digits != 4) return std::nullopt;
        day = dayFirst ? v[0].number : v[1].number;
        month = dayFirst ? v[1].number : v[0].number;
        year = v[2].number;
        next = 3;
    }
    std::int64_t hour = 0, minute = 0, second = 0;
    const std::size_t timeParts = v.size() - next;
    if (timeParts == 1 || timeParts > 4) return std::nullopt;
    for (std::size_t k = next; k < v.size(); ++k) {
        if (v[k].word) return std::nullopt;
    }
    if (timeParts >= 2) {
        hour = v[next].number;
        minute = v[next + 1].number;
        if (timeParts >= 3) second = v[next + 2].number;  // a fourth part is a fraction of a second
        if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    }
    const std::chrono::year_month_day ymd{std::chrono::year{static_cast<int>(year)}, std::chrono::month{static_cast<unsigned>(month)},
                                          std::chrono::day{static_cast<unsigned>(day)}};
    if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1 || year > 9999 || !ymd.ok()) return std::nullopt;
    const std::int64_t days = std::chrono::sys_days{ymd}.time_since_epoch().count();
    return days * 86400 + hour * 3600 + minute * 60 + second;
}

std::string skippedDatesNote(const std::vector<std::string>& texts) {
    if (texts.size() < 3) return {};
    std::vector<std::int64_t> at(texts.size());
    bool read = false;
    for (const bool dayFirst : {true, false}) {
        read = true;
        for (std::size_t i = 0; i < texts.size() && read; ++i) {
            const auto s = dateSeconds(texts[i], dayFirst);
            read = s.has_value();
            if (read) at[i] = *s;
        }
        if (read) break;
    }
    if (!read) return {};
    std::vector<std::int64_t> steps(texts.size() - 1);
    for (std::size_t i = 1; i < at.size(); ++i) {
        steps[i - 1] = at[i] - at[i - 1];
        if (steps[i - 1] <= 0) return {};
    }
    std::vector<std::int64_t> sorted = steps;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
    const std::int64_t typical = sorted[sorted.size() / 2];
    const std::int64_t day = 86400;
    // Months and years are of uneven length: such a series is counted in months.
    const bool monthly = typical >= 28 * day && typical <= 31 * day;
    const bool yearly = typical >= 365 * day && typical <= 366 * day;
    const std::int64_t monthsApart = yearly ? 12 : 1;

    // Business days: a daily series with no date on a Saturday or a Sunday counts weekdays.
    const auto weekend = [](std::int64_t seconds) { return weekday(seconds) == 0 || weekday(seconds) == 6; };
    const bool businessDays = typical == day && std::none_of(at.begin(), at.end(), weekend);
    const auto weekdaysBetween = [&](std::int64_t a, std::int64_t b) {  // strictly between two dates
        const std::int64_t days = (b - a) / day - 1;
        std::int64_t count = days / 7 * 5;
        for (std::int64_t d = a + (days / 7 * 7 + 1) * day; d < b; d += day) count += weekend(d) ? 0 : 1;
        return count;
    };

    std::int64_t skipped = 0;
    std::vector<std::string> places;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        std::int64_t missing = 0;
        if (monthly || yearly) {
            missing = (monthIndex(at[i + 1]) - monthIndex(at[i])) / monthsApart - 1;
        } else if (businessDays) {
            missing = weekdaysBetween(at[i], at[i + 1]);
        } else if (steps[i] * 2 > typical * 3) {
            missing = static_cast<std::int64_t>(std::llround(static_cast<double>(steps[i]) / static_cast<double>(typical))) - 1;
        }
        if (missing <= 0) continue;
        skipped += missing;
        if (places.size() < 4) places.push_back("from " + texts[i] + " to " + texts[i + 1]);
        else if (places.size() == 4) places.push_back("");
    }
    if (skipped == 0) return {};
    std::string where;
    const std::size_t listed = std::min<std::size_t>(places.size(), 4);
    for (std::size_t k = 0; k < listed; ++k) {
        where += k == 0 ? "" : (k + 1 == listed && places.size() <= 4) ? " and " : ", ";
        where += places[k];
    }
    if (places.size() > 4) where += ", and further on";
    return "The dates skip " + std::to_string(skipped) + (skipped == 1 ? " step: " : " steps: ") + where +
           ". A window across a skip joins steps that are not neighbours in time; add the missing rows with empty "
           "values to have them handled as gaps.";
}

}  // namespace loom
