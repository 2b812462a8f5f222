#include "training/analysis_runner.h"

#include <memory>

#include "data/sample_catalogue.h"
#include "document/document.h"
#include "document/wording.h"
#include "train/session.h"
#include "train/warm_start.h"
#include "service/detection.h"
#include "service/forecasting.h"
#include "training/anomaly_view.h"
#include "training/forecast_view.h"
#include "training/sample_data.h"

namespace loom::ui {

AnalysisRunner::AnalysisRunner(Document* document, AnomalyView* anomalies, ForecastView* forecast, QObject* parent)
    : QObject(parent), m_document(document), m_anomalies(anomalies), m_forecast(forecast) {
    m_task.setNiceness(5);  // a long series leaves the window its core
    m_later.setSingleShot(true);
    m_later.setInterval(0);
    connect(&m_later, &QTimer::timeout, this, &AnalysisRunner::refresh);
    const auto later = [this] { m_later.start(); };
    connect(m_document, &Document::weightsChanged, this, later);
    // The run that made the weights joins the runs list just after them: its normaliser is
    // then known. Other changes to the list leave what is shown (and its threshold) alone.
    connect(m_document, &Document::runsChanged, this, [this, later] {
        if (m_withRun || m_document->project().weights.empty()) return;
        try {
            if (runOfProjectWeights(m_document->project())) later();
        } catch (const std::exception&) {
            // refresh() says what is wrong with the runs list
        }
    });
    // An edit that makes the weights no longer fit (or an undo that makes them fit again)
    // changes what the views can say; other edits leave what is shown alone.
    connect(m_document, &Document::changed, this, [this, later] {
        if (weightsStale() != m_stale) later();
    });
    connect(m_document, &Document::replaced, this, [this, later] {
        m_source.clear();
        m_horizon.reset();
        later();
    });
    connect(m_anomalies, &AnomalyView::seriesChosen, this, &AnalysisRunner::chooseSeries);
    connect(m_forecast, &ForecastView::seriesChosen, this, &AnalysisRunner::chooseSeries);
    connect(m_forecast, &ForecastView::horizonChosen, this, [this](int steps) {
        m_horizon = steps;
        refresh();
    });
    connect(&m_task, &BackgroundTask::progressed, this, [this](double fraction) {
        const QString text = tr("Working on %1… %2%").arg(m_shownName).arg(qRound(fraction * 100));
        if (m_forecasting) {
            m_forecast->setStatus(text);
        } else {
            m_anomalies->setStatus(text);
        }
    });
    connect(&m_task, &BackgroundTask::failed, this, [this](const QString& why) {
        noteBoth(tr("The series cannot be scored: %1").arg(why));
        emit done();
    });
    later();
}

void AnalysisRunner::chooseSeries(const QString& source) {
    m_source = source;
    refresh();
}

bool AnalysisRunner::weightsStale() const {
    const Project& project = m_document->project();
    if (project.weights.empty()) return false;
    try {
        return !matchWeights(project.graph, project.weights).all();
    } catch (const std::exception&) {
        return false;  // a model with problems: refresh() says what cannot run
    }
}

void AnalysisRunner::noteBoth(const QString& text) {
    m_task.cancel();
    m_anomalies->setNote(text);
    m_forecast->setNote(text);
}

void AnalysisRunner::refresh() {
    m_later.stop();
    m_stale = weightsStale();
    const Project& project = m_document->project();
    m_withRun = false;
    if (project.weights.empty()) {
        m_task.cancel();
        m_anomalies->setNote(tr("Train an autoencoder: the unusual stretches of the series show here, with a "
                                "threshold you can drag."));
        m_forecast->setNote(tr("Train a forecaster: its forecast and how it compares with naive forecasts show here."));
        return;
    }
    if (!m_document->structureLock().isEmpty()) {  // a run is going; its end brings new weights
        m_task.cancel();
        return;
    }
    // Weights trained for layers that have changed since answer nothing: say so in words.
    if (m_stale) {
        const WeightMatch match = matchWeights(project.graph, project.weights);
        noteBoth(tr("The model changed since its weights were trained: they do not fit %1. Train it again (F5) to "
                    "see its answers here.")
                     .arg(listed(match.fresh, 4)));
        return;
    }
    EvaluationRequest model;
    try {
        const std::optional<RunRecord> run = runOfProjectWeights(project);
        m_withRun = run.has_value();
        model = evaluationRequest(project, run ? &*run : nullptr);
        model.weights = project.weights;
        model.sampleFolder = sampleFolder();
    } catch (const std::exception& e) {
        noteBoth(tr("The project's training settings cannot be read: %1").arg(qText(e.what())));
        return;
    }
    // The answer the model gives is its task: the run's, else the project's, else its shapes'.
    ModelTask does;
    try {
        const auto [in, out] = trainingDims(project.graph, m_document->validation(), model.data.window);
        does = taskFor(model.data.task, !model.data.labelColumn.empty(), in, out);
    } catch (const std::exception& e) {
        noteBoth(tr("The model cannot run: %1").arg(qText(e.what())));
        return;
    }
    if (does.target == WindowSpec::Target::Classification) {
        noteBoth(tr("This model classifies its windows. Anomalies need an autoencoder, forecasts a forecaster: "
                    "choose the task in the Data panel."));
        return;
    }
    const bool reconstructs = does.target == WindowSpec::Target::Reconstruction;
    DataSpec series = m_source.isEmpty() ? DataSpec{} : seriesLike(model.data, m_source.toStdString());
    DataSpec shown = series.source.empty() ? model.data : series;
    chooseDefaultData(shown);
    const QString name = QString::fromStdString(sourceDisplayName(shown.source));
    m_shownName = name;
    m_forecasting = !reconstructs;
    if (reconstructs) {
        m_forecast->setNote(tr("This model reconstructs its input: it finds anomalies (see Anomalies) rather than "
                               "forecasting."));
        m_anomalies->setStatus(tr("Scoring %1…").arg(name));
        DetectionRequest request;
        request.model = std::move(model);
        request.scored = std::move(series);
        startAnswer<Detection>([request = std::move(request)](const auto& progress) { return detectAnomalies(request, progress); },
                               [this, name](std::shared_ptr<const Detection> answer) { m_anomalies->setDetection(std::move(answer), name); });
        return;
    }
    m_anomalies->setNote(tr("This model forecasts: its forecast and backtest are in Forecast. Anomalies need an "
                            "autoencoder, whose output has its input's shape."));
    m_forecast->setStatus(tr("Forecasting %1…").arg(name));
    ForecastRequest request;
    request.model = std::move(model);
    request.data = std::move(series);
    if (m_horizon) request.horizon = *m_horizon;
    startAnswer<ForecastOutcome>([request = std::move(request)](const auto& progress) { return forecastSeries(request, progress); },
                                 [this, name](std::shared_ptr<const ForecastOutcome> answer) { m_forecast->setOutcome(std::move(answer), name); });
}

template <class Answer, class Compute, class Show>
void AnalysisRunner::startAnswer(Compute compute, Show show) {
    m_task.start([this, compute = std::move(compute), show = std::move(show)](TaskContext& task) {
        const std::function<bool(double)> progress = [&task](double f) {
            task.progress(f);
            return !task.stopRequested();
        };
        auto answer = std::make_shared<const Answer>(compute(progress));
        task.post([this, answer, show] {
            show(answer);
            emit done();
        });
    });
}

}  // namespace loom::ui
