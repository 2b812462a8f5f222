#include "training/anomaly_detector.h"

#include <QFileInfo>
#include <QSettings>
#include <memory>

#include "document/document.h"
#include "data/sample_catalogue.h"
#include "document/wording.h"
#include "engine/plan.h"
#include "service/detection.h"
#include "training/anomaly_view.h"
#include "training/sample_data.h"

namespace loom::ui {

AnomalyDetector::AnomalyDetector(Document* document, AnomalyView* view, QObject* parent)
    : QObject(parent), m_document(document), m_view(view) {
    m_task.setNiceness(5);  // scoring a long series leaves the window its core
    m_later.setSingleShot(true);
    m_later.setInterval(0);
    connect(&m_later, &QTimer::timeout, this, &AnomalyDetector::refresh);
    const auto later = [this] { m_later.start(); };
    connect(m_document, &Document::weightsChanged, this, later);
    connect(m_document, &Document::runsChanged, this, later);
    connect(m_document, &Document::replaced, this, [this, later] {
        m_file.clear();
        later();
    });
    connect(m_view, &AnomalyView::seriesChosen, this, &AnomalyDetector::scoreSeries);
    connect(&m_task, &BackgroundTask::progressed, this, [this](double fraction) {
        m_view->setStatus(tr("Scoring %1… %2%").arg(QFileInfo(m_file).fileName().isEmpty() ? tr("the training series")
                                                                                          : QFileInfo(m_file).fileName())
                              .arg(qRound(fraction * 100)));
    });
    connect(&m_task, &BackgroundTask::failed, this, [this](const QString& why) {
        m_view->setNote(tr("The series cannot be scored: %1").arg(why));
        emit done();
    });
    later();
}

void AnomalyDetector::scoreSeries(const QString& file) {
    m_file = file;
    refresh();
}

void AnomalyDetector::refresh() {
    m_later.stop();
    const Project& project = m_document->project();
    if (project.weights.empty()) {
        m_task.cancel();
        m_view->setNote(tr("Train the model: an autoencoder's unusual stretches of the series show here, with a "
                           "threshold you can drag."));
        return;
    }
    if (!m_document->structureLock().isEmpty()) {  // a run is going; its end brings new weights
        m_task.cancel();
        return;
    }
    DetectionRequest request;
    QString source;
    try {
        const std::optional<RunRecord> run = runOfProjectWeights(project);
        request.model = evaluationRequest(project, run ? &*run : nullptr);
        request.model.weights = project.weights;
        request.model.sampleFolder = sampleFolder();
        // Only a model that gives back its input's shape is scored.
        const Plan<float> probe = Plan<float>::compile(project.graph, 1, request.model.data.window);
        checkReconstructs(probe);
        if (!m_file.isEmpty()) {
            request.scored = request.model.data;
            request.scored.source = m_file.toStdString();
        }
        source = m_file.isEmpty() ? QString::fromStdString(request.model.data.source) : m_file;
        // A sample of the catalogue is read with its own column.
        if (const SampleSeries* sample = findSample(request.scored.source)) request.scored.columns = {sample->column};
    } catch (const std::exception& e) {
        m_task.cancel();
        m_view->setNote(tr("Anomalies are found with an autoencoder, a model whose output is its input's shape; "
                           "this one cannot score the series: %1").arg(qText(e.what())));
        return;
    }
    if (source.startsWith("sample:")) source = source.mid(7);
    m_view->setStatus(tr("Scoring %1…").arg(QFileInfo(source).fileName()));
    m_task.start([this, request = std::move(request), source](TaskContext& task) {
        auto detection = std::make_shared<const Detection>(detectAnomalies(request, [&task](double f) {
            task.progress(f);
            return !task.stopRequested();
        }));
        task.post([this, detection, source] {
            m_view->setDetection(detection, QFileInfo(source).fileName());
            emit done();
        });
    });
}

}  // namespace loom::ui
