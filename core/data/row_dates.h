#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loom {

/// The seconds since 1970-01-01 (UTC, no time zones) of a date as spreadsheets write it:
/// 2023-01-15, 2023/01/15, 2023-01, Jan-1-1995, 15/01/2023 or 15.01.2023 (the day first unless
/// `dayFirst` is false: 01/15/2023), each with a time after it or not (14:00, 14:00:30,
/// 2023-01-15T14:00). Nothing when the text is not such a date.
std::optional<std::int64_t> dateSeconds(std::string_view text, bool dayFirst = true);

/// Where a series' dates, evenly spaced otherwise, skip steps (a day missing from daily data,
/// a month from monthly data; a series of business days counts weekdays only), said for the
/// Data panel: "the dates skip 4 steps: from 2023-02-09 to 2023-02-13 and from ...". Empty
/// when they skip none, or are not dates in one of dateSeconds' forms, or do not rise.
std::string skippedDatesNote(const std::vector<std::string>& texts);

}  // namespace loom
