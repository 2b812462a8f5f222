// Known anomaly windows (analysis/labels.h): a CSV of start,end or JSON lists of [start, end]
// pairs, matched to a series' times, then compared with flagged intervals. The first byte
// picks the series' time column: dates written as text, a numeric index, or none (row
// numbers); the rest is the file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "analysis/labels.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const auto folder = loom::fuzz::scratchFolder();
    const auto file = folder / "labels.txt";
    loom::fuzz::writeFile(file, all.substr(1));
    constexpr std::int64_t steps = 48;
    loom::RowIndex index;
    switch (data[0] % 3) {
        case 0:
            index.name = "time";
            for (int h = 0; h < steps; ++h) {
                index.texts.push_back("2026-01-0" + std::to_string(1 + h / 24) + " " + (h % 24 < 10 ? "0" : "") +
                                      std::to_string(h % 24) + ":00");
            }
            break;
        case 1:
            index.name = "year";
            for (int t = 0; t < steps; ++t) index.values.push_back(1900 + 2 * t);
            break;
        default:
            break;
    }
    loom::fuzz::expectCleanRefusal(all, [&] {
        const auto windows = loom::readLabelWindows(file, "series.csv", index, steps);
        for (const loom::LabelWindow& w : windows) {
            if (w.start < 0 || w.end >= steps || w.end < w.start) loom::fuzz::finding("a window outside the series", "");
        }
        const loom::LabelAgreement a = loom::agreement({{3, 5, 1.0, 1.0, -1}, {20, 30, 1.0, 1.0, -1}}, windows);
        if (a.found > a.windows || a.trueAlarms > a.intervals) loom::fuzz::finding("counts beyond their totals", "");
    });
    return 0;
}
