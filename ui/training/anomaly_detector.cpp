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
    // The run that made the weights joins the runs list just after them: its normaliser is
    // then known. Other changes to the list leave what is shown (and its threshold) alone.
    connect(m_document, &Document::runsChanged, this, [this, later] {
        if (m_scoredWithRun || m_document->project().weights.empty()) return;
        try {
            if (runOfProjectWeights(m_document->project())) later();
        } catch (const std::exception&) {
            // refresh() says what is wrong with the runs list when it next scores
        }
    });
    connect(m_document, &Document::replaced, this, [this, later] {
        m_file.clear();
        later();
    });
    connect(m_view, &AnomalyView::seriesChosen, this, &AnomalyDetector::scoreSeries);
    connect(&m_task, &BackgroundTask::progressed, this, [this](double fraction) {
        m_view->setStatus(tr("Scoring %1… %2%").arg(m_shownName).arg(qRound(fraction * 100)));
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
    m_scoredWithRun = false;
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
    try {
        const std::optional<RunRecord> run = runOfProjectWeights(project);
        m_scoredWithRun = run.has_value();
        request.model = evaluationRequest(project, run ? &*run : nullptr);
        request.model.weights = project.weights;
        request.model.sampleFolder = sampleFolder();
        if (!m_file.isEmpty()) request.scored = seriesLike(request.model.data, m_file.toStdString());
    } catch (const std::exception& e) {
        m_task.cancel();
        m_view->setNote(tr("The project's training settings cannot be read: %1").arg(qText(e.what())));
        return;
    }
    try {
        // Only a model that gives back its input's shape is scored.
        checkReconstructs(Plan<float>::compile(project.graph, 1, request.model.data.window));
    } catch (const DataError& e) {
        m_task.cancel();
        m_view->setNote(tr("Anomalies are found with an autoencoder, a model whose output has its input's shape; "
                           "%1.").arg(qText(e.what())));
        return;
    } catch (const std::exception& e) {
        m_task.cancel();
        m_view->setNote(tr("The model cannot run: %1").arg(qText(e.what())));
        return;
    }
    DataSpec shown = request.scored.source.empty() ? request.model.data : request.scored;
    chooseDefaultData(shown);
    QString name = QString::fromStdString(shown.source);
    if (name.startsWith(QString::fromUtf8(kSamplePrefix.data(), static_cast<qsizetype>(kSamplePrefix.size())))) {
        name = name.mid(static_cast<qsizetype>(kSamplePrefix.size()));
    }
    name = QFileInfo(name).fileName();
    m_shownName = name;
    m_view->setStatus(tr("Scoring %1…").arg(name));
    m_task.start([this, request = std::move(request), name](TaskContext& task) {
        auto detection = std::make_shared<const Detection>(detectAnomalies(request, [&task](double f) {
            task.progress(f);
            return !task.stopRequested();
        }));
        task.post([this, detection, name] {
            m_view->setDetection(detection, name);
            emit done();
        });
    });
}

}  // namespace loom::ui
