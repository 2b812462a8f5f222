#pragma once

#include <QString>
#include <QStringList>
#include <functional>

#include "graph/project_file.h"

namespace loom::ui {

class Document;

/// What exporting a training job did, for the user.
struct TrainingJobExport {
    QString summary;        ///< "Wrote the training job DIR: 216 training and 31 validation ..."
    QStringList warnings;   ///< where the job trains differently from LayerLoom
};

/// The document's part in a training job, copied on the window's thread so that the job can
/// be written on another.
struct TrainingJobRequest {
    Project project;    ///< named (the document's display name when the project has none)
    QString modelPath;  ///< the file the job's run folder names
    bool hasErrors = false;
};

TrainingJobRequest trainingJobRequest(const Document& document);

/// Writes the model as a PyTorch DistributedDataParallel training job into `dir`
/// (exportTrainingJob in the core): its trained weights where they fit, else new ones from the
/// training seed, the data chosen in the Data panel prepared as training would prepare it,
/// and the training settings. `progress` is told how much of the data is read; returning false
/// stops before anything is written (ReadCancelled). Throws std::exception with the reason
/// (data that does not fit, a folder holding other files).
TrainingJobExport exportTrainingJob(const TrainingJobRequest& request, const QString& dir,
                                    const std::function<bool(double)>& progress = {});

}  // namespace loom::ui
