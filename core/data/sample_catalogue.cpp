#include "data/sample_catalogue.h"

#include "data/csv_reader.h"
#include "data/shipped_files.h"
#include "io/message_text.h"

namespace loom {

namespace fs = std::filesystem;

const std::vector<SampleSeries>& sampleCatalogue() {
    static const std::vector<SampleSeries> samples = {
        {"sunspots.csv", "Sunspots (yearly, 1700-2008)", "SUNACTIVITY",
         "Yearly sunspot activity, 309 values. NOAA National Geophysical Data Center; public domain."},
        {"nile.csv", "Nile flow (yearly, 1871-1970)", "volume",
         "Annual flow of the Nile at Aswan in 10^8 m^3, 100 values, with a change point near 1898. "
         "Cobb (1978), Biometrika 65(2); public domain."},
        {"elec_equip.csv", "Electrical equipment (monthly, 1995-2016)", "STS.M.I7.W.TOVT.NS0016.4.000",
         "Monthly turnover index of euro-area electrical equipment manufacture, 257 values. "
         "Eurostat; public domain."},
    };
    return samples;
}

bool isSampleSource(std::string_view source) { return source.starts_with(kSamplePrefix); }

const SampleSeries* findSample(std::string_view source) {
    if (!isSampleSource(source)) return nullptr;
    const std::string_view name = source.substr(kSamplePrefix.size());
    for (const SampleSeries& s : sampleCatalogue()) {
        if (name == s.file || std::string(name) + ".csv" == s.file) return &s;
    }
    return nullptr;
}

void chooseDefaultData(DataSpec& spec) {
    if (!spec.source.empty()) return;
    const SampleSeries& first = sampleCatalogue().front();
    spec.source = std::string(kSamplePrefix) + first.file;
    spec.columns = {first.column};
}

std::optional<fs::path> shippedSampleFolder() {
    const auto dir = shippedFilesDirectory();
    if (!dir) return std::nullopt;
    return *dir / "data";
}

std::string resolveDataSource(const std::string& source, const std::optional<fs::path>& folder) {
    if (!isSampleSource(source)) return source;
    const SampleSeries* sample = findSample(source);
    if (!sample) {
        std::string list;
        for (const SampleSeries& s : sampleCatalogue()) list += (list.empty() ? "" : ", ") + s.file;
        throw DataError("there is no sample series '" +
                        printableExcerpt(source.substr(kSamplePrefix.size()), 60) +
                        "'; LayerLoom ships " + list);
    }
    const std::optional<fs::path> dir = folder ? folder : shippedSampleFolder();
    if (!dir) {
        throw DataError("cannot find the sample series that ship with LayerLoom (" +
                        shippedFilesSearchText() + "); set LAYERLOOM_DATA_DIR to the folder holding data/");
    }
    return (*dir / sample->file).string();
}

}  // namespace loom
