#include "training/series_menu.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>

#include "data/sample_catalogue.h"

namespace loom::ui {

QMenu* seriesMenu(QWidget* parent, std::function<void(const QString& source)> chosen) {
    auto* menu = new QMenu(parent);
    menu->addAction(QObject::tr("The Training Series"), parent, [chosen] { chosen(QString()); });
    menu->addAction(QObject::tr("CSV File…"), parent, [parent, chosen] {
        const QString dir = QSettings().value("lastDirectory").toString();
        const QString file = QFileDialog::getOpenFileName(parent, QObject::tr("Choose a Series"), QFileInfo(dir).absolutePath(),
                                                          QObject::tr("CSV files (*.csv *.tsv *.txt);;All files (*)"));
        if (!file.isEmpty()) chosen(file);
    });
    menu->addSeparator();
    for (const SampleSeries& sample : sampleCatalogue()) {
        const QString source = QString::fromStdString(std::string(kSamplePrefix) + sample.file);
        menu->addAction(QObject::tr("Sample: %1").arg(QString::fromStdString(sample.title)), parent,
                        [chosen, source] { chosen(source); });
    }
    return menu;
}

}  // namespace loom::ui
