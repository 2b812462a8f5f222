#pragma once

#include <QString>
#include <QList>
#include <nlohmann/json.hpp>

#include "data/data_source.h"

namespace loom::ui {

/// A public-domain series that ships with LayerLoom, for trying models on real data.
struct SampleSeries {
    QString id;        ///< file name, as stored in a project: `sample:sunspots.csv`
    QString title;     ///< "Sunspots (yearly, 1700-2008)"
    QString column;    ///< the value column
    QString about;     ///< what it is and where it comes from
};

const QList<SampleSeries>& sampleSeries();

/// The prefix of data sources that name a built-in sample.
inline const QString kSamplePrefix = QStringLiteral("sample:");

/// The project's data choice, with the first sample series when none is chosen yet, so that a
/// new model can train at once. Throws std::runtime_error for a broken setting.
DataSpec dataSpecOf(const nlohmann::json& training);

/// A file path the core can read for `source`: built-in samples are copied out of the
/// application once (into its data folder); anything else is returned as it is.
QString resolveDataSource(const QString& source);

}  // namespace loom::ui
