#include "export/training_job_export.h"

#include <QDir>

#include "document/document.h"
#include "interop/pytorch_job.h"
#include "train/config_json.h"
#include "train/session.h"
#include "training/sample_data.h"

namespace loom::ui {

TrainingJobExport exportTrainingJob(const Document& document, const QString& dir) {
    if (document.validation().hasErrors()) {
        throw std::runtime_error("the model has problems; fix them first (see the Problems panel)");
    }
    const nlohmann::json& training = document.project().training;
    SessionSetup setup;
    setup.config = trainConfigFromJson(training);
    setup.data = dataSpecOf(training);
    // The run folder names the data as the project does (`sample:sunspots.csv` stays so).
    const DataSpec stored = setup.data;
    setup.data.source = resolveDataSource(QString::fromStdString(setup.data.source)).toStdString();
    setup.graph = document.graph();
    setup.weights = document.weights();
    // As training in the window prepares it: the same data, windows and starting weights.
    TrainingSession session(std::move(setup));
    session.prepare();

    Project project = document.project();
    if (project.name.empty()) project.name = document.displayName().toStdString();
    PytorchJobInput job;
    job.project = &project;
    job.plan = &session.plan();
    job.config = session.setup().config;
    job.dataSpec = stored;
    job.data = &session.data();
    job.modelPath = document.filePath().toStdString();
    const PytorchJobReport report = exportPytorchJob(job, dir.toStdString());

    TrainingJobExport result;
    const auto& data = session.data();
    const WeightMatch& match = session.weightMatch();
    const QString weights = document.weights().empty() || match.none()
                                ? QObject::tr("new weights (seed %1)").arg(job.config.seed)
                            : match.all() ? QObject::tr("the model's trained weights")
                                          : QObject::tr("trained weights where they fit, new ones elsewhere");
    result.summary = QObject::tr("Wrote the training job %1: %2 training and %3 validation samples, %4 epochs, "
                                 "batch %5, starting from %6.")
                         .arg(QDir::toNativeSeparators(dir))
                         .arg(data.train.size())
                         .arg(data.validation.size())
                         .arg(job.config.epochs)
                         .arg(job.config.batchSize)
                         .arg(weights);
    for (const std::string& w : report.warnings) result.warnings << QString::fromStdString(w);
    return result;
}

}  // namespace loom::ui
