// The CSV reader and what training does with a series: columns, gaps, normalisation, windows.
// The first byte picks the options (how gaps are handled, the window, a label column), the
// rest is the file.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "data/data_preview.h"
#include "data/data_source.h"
#include "data/row_dates.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    if (size == 0) return 0;
    const std::uint8_t options = data[0];
    const auto folder = loom::fuzz::scratchFolder();
    const auto file = folder / "series.csv";
    loom::fuzz::writeFile(file, std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
    loom::DataSpec spec;
    spec.source = file.string();
    spec.missing = static_cast<loom::MissingPolicy>(options % 3);
    spec.normalize = static_cast<loom::Normalizer::Kind>((options / 3) % 3);
    spec.window = 1 + (options / 9) % 4;
    spec.validationSplit = (options & 0x80) ? 0.25 : 0.0;
    const loom::Dims in{spec.window, 1}, out{spec.window, 1};
    loom::fuzz::expectCleanRefusal(all, [&] { (void)loom::prepareData(spec, in, out); });
    // The Data panel's reading: stray words as gaps, the dates' skips.
    loom::fuzz::expectCleanRefusal(all, [&] { (void)loom::previewData(spec, std::make_pair(in, out), "", {}); });
    (void)loom::dateSeconds(all.substr(1, 64), (options & 1) != 0);
    if (options & 0x40) {
        spec.labelColumn = "label";
        loom::fuzz::expectCleanRefusal(all, [&] { (void)loom::prepareData(spec, in, loom::Dims{3}); });
    }
    return 0;
}
