#include "training/sample_data.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QStandardPaths>

#include "data/csv_reader.h"
#include "data/sample_catalogue.h"

namespace loom::ui {

namespace {

/// Copies the compiled-in series into the application's data folder (once; a copy that
/// differs is replaced). Empty when a copy cannot be made.
QString copiedSamples() {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/samples";
    if (!QDir().mkpath(dir)) return {};
    for (const SampleSeries& s : sampleCatalogue()) {
        const QString name = QString::fromStdString(s.file);
        QFile resource(":/data/" + name);
        if (!resource.open(QIODevice::ReadOnly)) return {};
        const QByteArray bytes = resource.readAll();
        QFile existing(dir + "/" + name);
        if (existing.open(QIODevice::ReadOnly) && existing.readAll() == bytes) continue;
        QSaveFile out(dir + "/" + name);
        if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size() || !out.commit()) return {};
    }
    return dir;
}

}  // namespace

std::optional<std::filesystem::path> sampleFolder() {
    // Looked for (and copied, where it must be) once per run of the program.
    static const std::optional<std::filesystem::path> folder = []() -> std::optional<std::filesystem::path> {
        if (auto shipped = shippedSampleFolder()) {
            std::error_code ec;
            if (std::filesystem::is_directory(*shipped, ec)) return shipped;
        }
        const QString copied = copiedSamples();
        if (copied.isEmpty()) return std::nullopt;
        return std::filesystem::path(copied.toStdString());
    }();
    return folder;
}

std::string readableSource(const std::string& source) {
    try {
        return resolveDataSource(source, sampleFolder());
    } catch (const DataError&) {
        return source;
    }
}

}  // namespace loom::ui
