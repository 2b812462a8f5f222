#pragma once

#include <QMenu>
#include <QString>
#include <functional>

namespace loom::ui {

/// The menu that chooses the series a trained model is applied to: the training series (an
/// empty source), a CSV file the user picks, or a sample series of the catalogue (`sample:...`).
QMenu* seriesMenu(QWidget* parent, std::function<void(const QString& source)> chosen);

}  // namespace loom::ui
