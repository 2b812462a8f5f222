#include "training/sample_data.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QStandardPaths>

#include "data/shipped_files.h"
#include "train/config_json.h"

namespace loom::ui {

const QList<SampleSeries>& sampleSeries() {
    static const QList<SampleSeries> samples = {
        {"sunspots.csv", QObject::tr("Sunspots (yearly, 1700-2008)"), "SUNACTIVITY",
         QObject::tr("Yearly sunspot activity, 309 values. NOAA National Geophysical Data "
                     "Center; public domain.")},
        {"nile.csv", QObject::tr("Nile flow (yearly, 1871-1970)"), "volume",
         QObject::tr("Annual flow of the Nile at Aswan in 10^8 m^3, 100 values, with a change "
                     "point near 1898. Cobb (1978), Biometrika 65(2); public domain.")},
        {"elec_equip.csv", QObject::tr("Electrical equipment (monthly, 1995-2016)"),
         "STS.M.I7.W.TOVT.NS0016.4.000",
         QObject::tr("Monthly turnover index of euro-area electrical equipment manufacture, "
                     "257 values. Eurostat; public domain.")},
    };
    return samples;
}

DataSpec dataSpecOf(const nlohmann::json& training) {
    DataSpec spec;
    if (training.is_object() && training.contains("data")) spec = dataSpecFromJson(training["data"]);
    if (spec.source.empty()) {
        spec.source = (kSamplePrefix + sampleSeries().front().id).toStdString();
        spec.columns = {sampleSeries().front().column.toStdString()};
    }
    return spec;
}

QString resolveDataSource(const QString& source) {
    if (!source.startsWith(kSamplePrefix)) return source;
    QString name = source.mid(kSamplePrefix.size());
    // The file name, or the name alone (`sunspots`), as the command line takes it.
    std::vector<std::string> ids;
    for (const SampleSeries& s : sampleSeries()) ids.push_back(s.id.toStdString());
    if (const std::string file = matchSampleSeries(name.toStdString(), ids); !file.empty()) name = QString::fromStdString(file);
    QFile resource(":/data/" + name);
    if (name.contains('/') || !resource.open(QIODevice::ReadOnly)) return source;  // the core says it is missing
    const QByteArray bytes = resource.readAll();
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/samples";
    const QString path = dir + "/" + name;
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly) && existing.readAll() == bytes) return path;
    QDir().mkpath(dir);
    QSaveFile out(path);
    if (out.open(QIODevice::WriteOnly) && out.write(bytes) == bytes.size() && out.commit()) return path;
    return source;
}

}  // namespace loom::ui
