#pragma once

#include <QString>
#include <QStringList>

namespace loom::ui {

class Document;

/// What exporting a training job did, for the user.
struct TrainingJobExport {
    QString summary;        ///< "Wrote the training job DIR: 216 training and 31 validation ..."
    QStringList warnings;   ///< where the job trains differently from LayerLoom
};

/// Writes the document's model as a PyTorch DistributedDataParallel training job into `dir`
/// (exportPytorchJob): its trained weights where they fit, else new ones from the training
/// seed, the data chosen in the Data panel prepared as training would prepare it, and the
/// training settings. Throws std::exception with the reason (no data chosen, data that does
/// not fit, a folder holding other files).
TrainingJobExport exportTrainingJob(const Document& document, const QString& dir);

}  // namespace loom::ui
