#include "window/training_workspace.h"

#include <QApplication>

#include <QAction>
#include <QDockWidget>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>

#include "document/document.h"
#include "document/wording.h"
#include "service/training_job.h"
#include "train/config_json.h"
#include "training/analysis_runner.h"
#include "training/anomaly_view.h"
#include "training/data_panel.h"
#include "training/forecast_view.h"
#include "training/gradient_chart.h"
#include "training/loss_chart.h"
#include "training/reconstruction_view.h"
#include "training/runs_panel.h"
#include "training/sample_data.h"
#include "training/saved_preview.h"
#include "training/training_controller.h"
#include "training/training_panel.h"

namespace loom::ui {

TrainingWorkspace::TrainingWorkspace(QMainWindow* window, Document* document, QMenu* viewMenu)
    : QObject(window),
      m_window(window),
      m_document(document),
      m_controller(new TrainingController(document, this)),
      m_data(new DataPanel(document)),
      m_panel(new TrainingPanel(document, m_controller, m_data)),
      m_loss(new LossChart),
      m_reconstruction(new ReconstructionView),
      m_gradients(new GradientChart),
      m_runs(new RunsPanel(document)),
      m_anomalies(new AnomalyView),
      m_forecast(new ForecastView),
      m_analysis(new AnalysisRunner(document, m_anomalies, m_forecast, this)),
      m_savedPreview(new SavedPreview(this)) {
    auto scrolled = [](QWidget* w) {
        auto* area = new QScrollArea;
        area->setWidget(w);
        area->setWidgetResizable(true);
        area->setFrameShape(QFrame::NoFrame);
        return area;
    };
    QDockWidget* dataDock = dock(tr("Data"), "dataDock", scrolled(m_data), Qt::RightDockWidgetArea);
    QDockWidget* trainingDock = dock(tr("Training"), "trainingDock", scrolled(m_panel), Qt::RightDockWidgetArea);
    m_lossDock = dock(tr("Loss"), "lossDock", m_loss, Qt::BottomDockWidgetArea);
    QDockWidget* reconstructionDock = dock(tr("Reconstruction"), "reconstructionDock", m_reconstruction, Qt::BottomDockWidgetArea);
    QDockWidget* gradientDock = dock(tr("Gradients"), "gradientDock", m_gradients, Qt::BottomDockWidgetArea);
    QDockWidget* runsDock = dock(tr("Runs"), "runsDock", m_runs, Qt::BottomDockWidgetArea);
    QDockWidget* anomaliesDock = dock(tr("Anomalies"), "anomaliesDock", m_anomalies, Qt::BottomDockWidgetArea);
    QDockWidget* forecastDock = dock(tr("Forecast"), "forecastDock", m_forecast, Qt::BottomDockWidgetArea);
    // Beside the editor's own docks: Data and Training with the Inspector, the plots with
    // Problems and Summary.
    if (auto* inspector = m_window->findChild<QDockWidget*>("inspectorDock")) {
        m_window->tabifyDockWidget(inspector, dataDock);
        m_window->tabifyDockWidget(dataDock, trainingDock);
        inspector->raise();
    }
    if (auto* problems = m_window->findChild<QDockWidget*>("problemsDock")) {
        for (QDockWidget* d : {m_lossDock, reconstructionDock, gradientDock, runsDock, anomaliesDock, forecastDock}) {
            m_window->tabifyDockWidget(problems, d);
        }
        problems->raise();
    }
    for (QDockWidget* d : {dataDock, trainingDock, m_lossDock, reconstructionDock, gradientDock, runsDock, anomaliesDock,
                           forecastDock}) {
        viewMenu->addAction(d->toggleViewAction());
    }
    for (QDockWidget* d : {m_lossDock, reconstructionDock, gradientDock}) {
        connect(d, &QDockWidget::visibilityChanged, this, [this](bool visible) {
            if (visible) redrawLive(false);  // catch up on what came while it was hidden
        });
    }
    // Qt's dock layout may hand a tab group a larger height of its own accord (seen on a
    // 720-pixel window when another tab came up: the plots took 318 pixels of it); the canvas
    // keeps more than half of the window unless the user drags the plots larger.
    m_canvas = m_window->centralWidget();
    if (m_canvas) m_canvas->installEventFilter(this);

    QMenu* menu = new QMenu(tr("&Training"), m_window);
    m_window->menuBar()->insertMenu(m_window->menuBar()->actions().constLast(), menu);
    m_start = menu->addAction(tr("&Start Training"), this, &TrainingWorkspace::start);
    m_start->setShortcut(QKeySequence(Qt::Key_F5));
    m_start->setStatusTip(tr("Train the model on the data chosen in the Data panel"));
    m_pause = menu->addAction(tr("&Pause"), this, &TrainingWorkspace::togglePause);
    m_pause->setShortcut(QKeySequence(Qt::Key_F6));
    m_stop = menu->addAction(tr("S&top"), this, &TrainingWorkspace::stop);
    m_stop->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    m_stop->setStatusTip(tr("Stop after the current batch and keep what was trained"));
    menu->addSeparator();
    m_reset = menu->addAction(tr("&Reset Weights..."), this, &TrainingWorkspace::resetWeights);
    m_reset->setStatusTip(tr("Forget the trained weights: the next run starts from new random ones"));
    m_importRun = menu->addAction(tr("&Import Run..."), m_runs, &RunsPanel::importRunDialog);
    m_importRun->setStatusTip(tr("Add a run folder written by layerloom-cli train or a PyTorch training "
                                 "job to the Runs list, with its curves, settings and weights"));
    menu->addSeparator();
    for (QDockWidget* d : {dataDock, trainingDock}) {
        menu->addAction(tr("Show %1 Panel").arg(d->windowTitle()), this, [d] {
            d->show();
            d->raise();
        });
    }

    connect(m_panel, &TrainingPanel::startRequested, this, &TrainingWorkspace::start);
    connect(m_panel, &TrainingPanel::pauseRequested, this, &TrainingWorkspace::togglePause);
    connect(m_panel, &TrainingPanel::stopRequested, this, &TrainingWorkspace::stop);
    connect(m_controller, &TrainingController::stateChanged, this, &TrainingWorkspace::refreshActions);
    connect(m_document, &Document::changed, this, &TrainingWorkspace::refreshActions);
    connect(m_document, &Document::weightsChanged, this, &TrainingWorkspace::refreshActions);
    connect(m_data, &DataPanel::statusChanged, this, &TrainingWorkspace::refreshActions);
    connect(m_data, &DataPanel::statusChanged, this, [this] {
        if (!m_startWhenRead || m_data->busy()) return;
        m_startWhenRead = false;
        start();  // says why not when the data that was read does not fit
    });
    // Another project drops a start asked for on the one before.
    connect(m_document, &Document::replaced, this, [this] { m_startWhenRead = false; });

    // Live views redraw together, at most every 200 ms however fast the epochs come, so that
    // a small model training at hundreds of epochs a second cannot keep the window busy.
    m_chartTimer.setSingleShot(true);
    m_chartTimer.setInterval(200);
    connect(&m_chartTimer, &QTimer::timeout, this, [this] { redrawLive(false); });
    auto later = [this] {
        if (!m_chartTimer.isActive()) m_chartTimer.start();
    };
    connect(m_controller, &TrainingController::batchesArrived, this, later);
    connect(m_controller, &TrainingController::epochEnded, this, [this, later] {
        m_epochsChanged = true;
        later();
    });
    connect(m_savedPreview, &SavedPreview::ready, this, [this](const PreviewSet& samples, const Preview& preview) {
        if (m_controller->busy() || !m_controller->run().history.empty()) return;
        m_reconstruction->setSamples(samples);
        m_reconstruction->setPreview(preview);
    });
    connect(m_savedPreview, &SavedPreview::failed, this, [this](const QString& why) {
        m_reconstruction->setNote(tr("The saved weights' output cannot be shown: %1 Train the model, or choose "
                                     "the data in the Data panel.").arg(why));
    });
    connect(m_document, &Document::weightsChanged, this, [this] {
        if (m_document->weights().empty() && !m_controller->busy()) {
            m_savedPreview->cancel();
            m_reconstruction->clear();
        }
    });
    connect(m_controller, &TrainingController::prepared, this, [this] {
        m_savedPreview->cancel();
        m_shownData = dataChoice();
        m_reconstruction->setSamples(m_controller->previewSet());
        for (const std::string& note : m_controller->dataNotes()) emit message(QString::fromStdString(note), 6000);
    });
    connect(m_controller, &TrainingController::previewArrived, this, [this, later](const Preview& p) {
        m_preview = p;
        m_previewChanged = true;
        later();
    });
    connect(m_controller, &TrainingController::progressChanged, this, [this] {
        if (m_controller->busy()) emit message(m_controller->progressText(), 0);
    });
    connect(m_controller, &TrainingController::finished, this, [this](bool ok, const QString& text) {
        m_epochsChanged = true;
        redrawLive(true);
        emit message(ok ? text : tr("Training failed: %1").arg(text), ok ? 10000 : 0);
    });
    connect(m_runs, &RunsPanel::overlaysChanged, m_loss, &LossChart::setOverlays);
    connect(m_runs, &RunsPanel::runSelected, this, [this](const TrainingRun& run) {
        if (m_controller->busy()) return;  // the live run keeps the charts
        m_liveShown = false;
        m_loss->setRun(run);
        m_gradients->setRun(run);
    });
    connect(m_runs, &RunsPanel::hint, this, [this](const QString& text) { emit message(text, 8000); });
    // Another project in the document: nothing of the one before stays on show (its run, its
    // previews, its progress line), before its runs are shown below.
    connect(m_document, &Document::replaced, this, [this] {
        m_controller->forget();
        m_chartTimer.stop();
        m_liveShown = false;
        m_epochsChanged = m_previewChanged = false;
        m_preview = Preview{};
        m_savedPreview->cancel();
        m_reconstruction->clear();
        m_shownData = nullptr;
        m_weightsStale = false;
    });
    connect(m_document, &Document::weightsChanged, this, [this] { m_weightsStale = false; });
    // Other data chosen: the outputs on show were computed on the data before.
    connect(m_document, &Document::trainingChanged, this, [this] {
        if (m_controller->busy() || m_shownData.is_null() || dataChoice() == m_shownData) return;
        m_savedPreview->cancel();
        m_reconstruction->setNote(tr("The data changed since these outputs were computed. Train the model to "
                                     "see what it makes of the new data."));
        m_shownData = nullptr;
    });
    connect(m_document, &Document::changed, this, &TrainingWorkspace::followWeightsFit);
    // A project opened with runs shows its latest one in Loss and Gradients, as after training
    // (the Runs panel has reloaded by now: it was connected first).
    connect(m_document, &Document::runsChanged, this, &TrainingWorkspace::showLatestRun);
    showLatestRun();
    refreshActions();
}

bool TrainingWorkspace::eventFilter(QObject* watched, QEvent* event) {
    // Not while a mouse button is down: the user may drag the plots as large as they like.
    if (event->type() == QEvent::Resize && watched == m_canvas && QApplication::mouseButtons() == Qt::NoButton) {
        QTimer::singleShot(0, this, &TrainingWorkspace::keepCanvasRoom);
    }
    return QObject::eventFilter(watched, event);
}

void TrainingWorkspace::keepCanvasRoom() {
    QWidget* canvas = m_canvas;
    if (!canvas || canvas->height() * 2 >= m_window->height() || QApplication::mouseButtons() != Qt::NoButton) return;
    // resizeDocks does not always move a tab group that Qt sized itself; a minimum on the
    // canvas for one layout does, and is lifted again so the user may drag the plots larger.
    canvas->setMinimumHeight(m_window->height() / 2 + 1);
    QTimer::singleShot(0, this, [canvas = m_canvas] {
        if (canvas) canvas->setMinimumHeight(0);
    });
}

QDockWidget* TrainingWorkspace::dock(const QString& title, const QString& name, QWidget* content,
                                     Qt::DockWidgetArea area) {
    auto* d = new QDockWidget(title, m_window);
    d->setObjectName(name);
    d->setWidget(content);
    m_window->addDockWidget(area, d);
    return d;
}

void TrainingWorkspace::redrawLive(bool everything) {
    m_chartTimer.stop();
    if (!m_liveShown) return;  // the charts show a saved run, until training starts
    // Views in a hidden dock tab wait until the run ends or they are shown.
    if (everything || m_loss->isVisible()) m_loss->setRun(m_controller->run());
    if (m_epochsChanged && (everything || m_gradients->isVisible())) {
        m_gradients->setRun(m_controller->run());
        m_epochsChanged = false;
    }
    if (m_previewChanged && (everything || m_reconstruction->isVisible())) {
        m_reconstruction->setPreview(m_preview);
        m_previewChanged = false;
    }
}

void TrainingWorkspace::showLatestRun() {
    if (m_controller->busy() || !m_controller->run().history.empty()) return;  // this session's run stays
    const TrainingRun* latest = latestRun();
    m_liveShown = false;
    if (latest) {
        m_loss->setRun(*latest);
        m_gradients->setRun(*latest);
        showSavedPreview(*latest);
    } else {
        m_loss->setRun(TrainingRun{});
        m_gradients->setRun(TrainingRun{});
        m_savedPreview->cancel();
        m_reconstruction->clear();
    }
}

const TrainingRun* TrainingWorkspace::latestRun() const {
    const TrainingRun* latest = nullptr;
    for (const TrainingRun& run : m_runs->runs()) {
        if (!latest || run.number > latest->number) latest = &run;
    }
    return latest;
}

void TrainingWorkspace::followWeightsFit() {
    if (m_controller->busy() || m_document->weights().empty()) return;
    WeightMatch match;
    try {
        match = matchWeights(m_document->graph(), m_document->weights());
    } catch (const std::exception&) {
        return;  // a model with problems: Problems says what
    }
    if (!match.all() && !m_weightsStale) {
        m_weightsStale = true;
        m_savedPreview->cancel();
        m_reconstruction->setNote(tr("The model changed since these outputs were computed: the trained weights do "
                                     "not fit %1. Train the model to see what it makes of the data now.")
                                      .arg(listed(match.fresh, 4)));
        m_shownData = nullptr;
    } else if (match.all() && m_weightsStale) {
        m_weightsStale = false;
        if (const TrainingRun* latest = latestRun()) {
            showSavedPreview(*latest);
        } else {
            m_reconstruction->clear();
        }
    }
}

void TrainingWorkspace::showSavedPreview(const TrainingRun& run) {
    m_savedPreview->cancel();
    const auto nothing = [this] { m_reconstruction->clear(); };
    // Only weights that fit every layer show what the run learnt; new layers would be random.
    if (m_document->weights().empty() || m_document->validation().hasErrors() || run.history.empty()) return nothing();
    SessionSetup setup;
    try {
        if (!matchWeights(m_document->graph(), m_document->weights()).all()) return nothing();
        setup = sessionSetup(m_document->graph(), trainingSettings(run.training),
                             {m_document->weights(), WeightsOrigin::Model, m_document->project().weightsFrom},
                             sampleFolder());
    } catch (const std::exception&) {
        return nothing();
    }
    m_reconstruction->setNote(tr("Computing the saved weights' output for run %1...").arg(run.number));
    m_shownData = dataChoice();
    m_savedPreview->request(std::move(setup), static_cast<int>(run.history.size()));
}

nlohmann::json TrainingWorkspace::dataChoice() const {
    const nlohmann::json& t = m_document->project().training;
    return t.is_object() ? t.value("data", nlohmann::json::object()) : nlohmann::json::object();
}

void TrainingWorkspace::refreshActions() {
    using State = TrainingController::State;
    const State s = m_controller->state();
    const QString why = m_panel->blocker();
    // While the data is read, F5 is taken at its word: the run starts once the reading is done.
    const bool reading = m_data->busy() && m_panel->modelBlocker().isEmpty();
    m_start->setEnabled(why.isEmpty() || reading);
    m_start->setStatusTip(why.isEmpty() ? tr("Train the model on the chosen data")
                          : reading     ? tr("Train the model once the data is read")
                                        : why);
    m_pause->setEnabled(s == State::Running || s == State::Paused || s == State::Preparing);
    m_pause->setText(s == State::Paused ? tr("&Resume") : tr("&Pause"));
    m_stop->setEnabled(s != State::Idle && s != State::Stopping);
    m_reset->setEnabled(s == State::Idle && !m_document->weights().empty());
    m_importRun->setEnabled(s == State::Idle);
    m_runs->importButton()->setEnabled(s == State::Idle);
}

void TrainingWorkspace::start() {
    if (m_data->busy() && m_panel->modelBlocker().isEmpty()) {
        // F5 right after opening a project or choosing data: it starts once the data is read.
        m_startWhenRead = true;
        emit message(tr("Training starts once the data is read…"), 8000);
        return;
    }
    QString why = m_panel->blocker();
    if (why.isEmpty() && m_controller->start(&why)) {
        m_liveShown = true;
        m_loss->setOverlays({});
        m_loss->setRun(m_controller->run());
        m_gradients->setRun(m_controller->run());
        m_lossDock->show();
        m_lossDock->raise();
        // Room for the curves: a third of the window, which leaves the canvas more than half of
        // it on a 720-pixel screen too (two fifths left it a few pixels short there).
        if (m_lossDock->height() < m_window->height() / 3) {
            m_window->resizeDocks({m_lossDock}, {m_window->height() / 3 + 1}, Qt::Vertical);
        }
        return;
    }
    emit message(tr("Cannot start training: %1").arg(why), 8000);
}

void TrainingWorkspace::togglePause() {
    if (m_controller->state() == TrainingController::State::Paused) {
        m_controller->resume();
    } else {
        m_controller->pause();
    }
}

void TrainingWorkspace::stop() { m_controller->stop(); }

void TrainingWorkspace::resetWeights() {
    if (m_document->weights().empty() || m_controller->busy()) return;
    const auto answer = QMessageBox::question(
        m_window, tr("Reset Weights"),
        tr("Forget the trained weights? The next training starts from new random weights.\n\n"
           "The project file keeps the old ones until you save."),
        QMessageBox::Reset | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Reset) return;
    m_document->setWeights({});
    emit message(tr("Weights reset: the next run starts from Keras's initialisers"), 8000);
}

bool TrainingWorkspace::settleBeforeClose() {
    if (!m_controller->busy()) return true;
    const auto answer = QMessageBox::question(
        m_window, tr("Training is running"),
        tr("Stop the training run? What it trained so far stays with the model."),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes);
    if (answer != QMessageBox::Yes) return false;
    m_controller->finishNow();
    return true;
}

}  // namespace loom::ui
