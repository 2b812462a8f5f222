#pragma once

#include <QObject>
#include <QPointer>
#include <QTimer>

#include "train/run_history.h"
#include "train/session.h"

class QAction;
class QDockWidget;
class QMainWindow;
class QMenu;

namespace loom::ui {

class AnalysisRunner;
class AnomalyView;
class ForecastView;
class DataPanel;
class Document;
class GradientChart;
class LossChart;
class ReconstructionView;
class RunsPanel;
class SavedPreview;
class TrainingController;
class TrainingPanel;

/// Everything about training in the main window: the Data, Training, Loss, Reconstruction,
/// Gradients, Runs, Anomalies and Forecast docks, the Training menu and the worker controller. MainWindow creates
/// it once, shows the lock the controller puts on the layers, and asks it before closing.
class TrainingWorkspace : public QObject {
    Q_OBJECT

public:
    TrainingWorkspace(QMainWindow* window, Document* document, QMenu* viewMenu);

    TrainingController* controller() const { return m_controller; }
    DataPanel* dataPanel() const { return m_data; }
    TrainingPanel* trainingPanel() const { return m_panel; }
    LossChart* lossChart() const { return m_loss; }
    ReconstructionView* reconstruction() const { return m_reconstruction; }
    GradientChart* gradients() const { return m_gradients; }
    RunsPanel* runs() const { return m_runs; }
    AnomalyView* anomalies() const { return m_anomalies; }
    ForecastView* forecast() const { return m_forecast; }
    AnalysisRunner* analysis() const { return m_analysis; }
    QAction* startAction() const { return m_start; }
    QAction* pauseAction() const { return m_pause; }
    QAction* stopAction() const { return m_stop; }
    QAction* resetWeightsAction() const { return m_reset; }
    QAction* importRunAction() const { return m_importRun; }

    /// Before the document is closed or replaced: when a run is going, asks whether to stop it
    /// (its weights go into the document); false when the user keeps it running.
    bool settleBeforeClose();

    void start();
    void togglePause();
    void stop();
    void resetWeights();

signals:
    void message(const QString& text, int timeoutMs);

private:
    QMainWindow* m_window;
    Document* m_document;
    TrainingController* m_controller;
    DataPanel* m_data;
    TrainingPanel* m_panel;
    LossChart* m_loss;
    ReconstructionView* m_reconstruction;
    GradientChart* m_gradients;
    RunsPanel* m_runs;
    AnomalyView* m_anomalies;
    ForecastView* m_forecast;
    AnalysisRunner* m_analysis;
    SavedPreview* m_savedPreview;
    QDockWidget* m_lossDock = nullptr;
    QAction* m_start;
    QAction* m_pause;
    QAction* m_stop;
    QAction* m_reset;
    QAction* m_importRun = nullptr;
    /// Whether the charts follow this session's run; false while they show a saved one.
    bool m_liveShown = false;
    /// Start was asked for while the data was being read: it starts once the reading is done.
    bool m_startWhenRead = false;
    QTimer m_chartTimer;  ///< redraws the live views at most every 200 ms
    bool m_epochsChanged = false;
    bool m_previewChanged = false;
    Preview m_preview;  ///< the latest, shown at the next redraw
    /// The data choice the outputs in Reconstruction were computed on; null when none show.
    nlohmann::json m_shownData;
    /// Reconstruction says the model changed since its weights were trained (they no longer fit).
    bool m_weightsStale = false;

    nlohmann::json dataChoice() const;

    /// Gives the bottom docks a third of the window when the canvas has less than half left
    /// (Qt's dock layout may hand a tab group a larger height of its own accord when another
    /// tab comes up); the user may still drag them larger.
    void keepCanvasRoom();
    QPointer<QWidget> m_canvas;  ///< the window's central widget, watched for its height
    bool eventFilter(QObject* watched, QEvent* event) override;
    QDockWidget* dock(const QString& title, const QString& name, QWidget* content, Qt::DockWidgetArea area);
    void refreshActions();
    /// Loss and Gradients show the project's latest run while this session has none of its own.
    void showLatestRun();
    /// The run of the highest number, or null.
    const TrainingRun* latestRun() const;
    /// After an edit: Reconstruction says when the trained weights stop fitting the model,
    /// and shows the latest run's outputs again when an undo makes them fit.
    void followWeightsFit();
    /// Reconstruction shows what the saved weights make of `run`'s data (computed aside).
    void showSavedPreview(const TrainingRun& run);
    /// Brings the live views up to date: all of them, or only those on screen.
    void redrawLive(bool everything);
};

}  // namespace loom::ui
