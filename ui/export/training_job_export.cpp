#include "export/training_job_export.h"

#include <QDir>
#include <QObject>

#include "data/csv_reader.h"
#include "document/document.h"
#include "service/training_job.h"
#include "training/sample_data.h"

namespace loom::ui {

TrainingJobRequest trainingJobRequest(const Document& document) {
    TrainingJobRequest r;
    r.project = document.project();
    if (r.project.name.empty()) r.project.name = document.displayName().toStdString();
    r.modelPath = document.filePath();
    r.hasErrors = document.validation().hasErrors();
    return r;
}

TrainingJobExport exportTrainingJob(const TrainingJobRequest& request, const QString& dir,
                                    const std::function<bool(double)>& progress) {
    if (request.hasErrors) {
        throw std::runtime_error("the model has problems; fix them first (see the Problems panel)");
    }
    const Project& project = request.project;
    // As training in the window prepares it: the same data, windows and starting weights.
    TrainingSession session(sessionSetup(project.graph, trainingSettings(project.training),
                                         {project.weights, WeightsOrigin::Model, project.weightsFrom}, sampleFolder()));
    session.prepare(progress);
    if (progress && !progress(1.0)) throw ReadCancelled();
    const PytorchJobReport report = exportTrainingJob(session, project, request.modelPath.toStdString(),
                                                      dir.toStdString());
    const TrainConfig& config = session.setup().config;

    TrainingJobExport result;
    const auto& data = session.data();
    const WeightMatch& match = session.weightMatch();
    const QString weights = project.weights.empty() || match.none()
                                ? QObject::tr("new weights (seed %1)").arg(config.seed)
                            : match.all() ? QObject::tr("the model's trained weights")
                                          : QObject::tr("trained weights where they fit, new ones elsewhere");
    result.summary = QObject::tr("Wrote the training job %1: %2 training and %3 validation samples, %4 epochs, "
                                 "batch %5, starting from %6.")
                         .arg(QDir::toNativeSeparators(dir))
                         .arg(data.train.size())
                         .arg(data.validation.size())
                         .arg(config.epochs)
                         .arg(config.batchSize)
                         .arg(weights);
    for (const std::string& w : report.warnings) result.warnings << QString::fromStdString(w);
    return result;
}

}  // namespace loom::ui
