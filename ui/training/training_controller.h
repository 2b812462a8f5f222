#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <memory>
#include <optional>

#include "graph/project_file.h"
#include "tasks/background_task.h"
#include "train/run_history.h"
#include "train/session.h"
#include "train/training_control.h"

namespace loom::ui {

class Document;

/// Runs training on a worker thread and keeps the UI informed.
///
/// start() takes a snapshot of the document's graph, weights and settings; the worker (a
/// BackgroundTask) prepares the data and trains a copy. Its batch losses are bundled at most
/// every 50 ms, so a fast model cannot flood the event loop. While it runs, the document's
/// layers are locked. When it ends, for whatever reason, the trained
/// weights go back into the document and the run joins the document's runs list.
class TrainingController : public QObject {
    Q_OBJECT

public:
    enum class State { Idle, Preparing, Running, Paused, Stopping };

    explicit TrainingController(Document* document, QObject* parent = nullptr);
    ~TrainingController() override;

    State state() const { return m_state; }
    bool busy() const { return m_state != State::Idle; }

    /// Starts a run on the document as it is now; returns false with `why` set when it cannot
    /// (the model has errors, no data is chosen, a run is going).
    bool start(QString* why);
    void pause();
    void resume();
    /// Asks the worker to stop after the current batch; finished() follows.
    void stop();
    /// Stops, waits for the worker and takes in its result at once (the weights go into the
    /// document, the run into the runs list), as before closing the document.
    void finishNow();

    /// Whether a paused run is held at a batch boundary: its reports so far are all posted.
    bool holding() const { return m_control && m_control->holding(); }
    /// Takes in the worker's reports waiting now (they are otherwise taken every 20 ms).
    void collectReports() { m_task.collectNow(); }

    /// Forgets the last run (not while one goes): another project took the document's place.
    void forget();

    /// The run in progress (or the last one): settings, history so far.
    const TrainingRun& run() const { return m_run; }
    /// The preview samples of the run in progress; valid after prepared().
    const PreviewSet& previewSet() const { return m_previewSet; }
    const std::vector<std::string>& dataNotes() const { return m_notes; }
    const WeightMatch& weightMatch() const { return m_match; }
    /// Progress text: "Epoch 3/20 · batch 12/40 · 1,234 samples/s · ETA 0:42".
    QString progressText() const { return m_progressText; }
    /// What the progress text does not say in full (why a run trains on fewer cores), or empty.
    QString progressToolTip() const { return m_progressToolTip; }
    /// The progress text of a batch report, for a run of `epochs` epochs: "... samples/s on 1
    /// of 2 cores ..." while other programs keep cores busy.
    static QString progressLine(const BatchReport& r, int epochs);
    /// 0..1000 over the whole run.
    int progressPermille() const { return m_permille; }
    /// The document as it would be if the run ended now: the weights of the last finished
    /// epoch and the run so far in the runs list; the document itself before the first epoch.
    /// The epoch's weights move into it, so that the window's thread copies no weights (for a
    /// large model, tens of milliseconds an epoch); nullopt once they are taken, until the
    /// next epoch's arrive.
    std::optional<Project> takeCheckpoint();

signals:
    void stateChanged(loom::ui::TrainingController::State state);
    /// The data is ready and training begins.
    void prepared();
    /// New batch losses were appended to run().batchLosses, from index `first`.
    void batchesArrived(int first);
    void progressChanged();
    /// run().history gained an epoch.
    void epochEnded(const loom::EpochReport& report);
    void previewArrived(const loom::Preview& preview);
    /// An epoch finished: takeCheckpoint() holds its weights (for the recovery copy).
    void checkpointed();
    /// The run ended; `ok` is false for errors (bad data, NaN, out of memory), whose message
    /// says what and at which epoch.
    void finished(bool ok, const QString& message);

private:
    struct Worker;
    /// Guarded: the window may delete the document before this controller, with a run going.
    QPointer<Document> m_document;
    State m_state = State::Idle;
    std::shared_ptr<TrainingControl> m_control;
    BackgroundTask m_task;  ///< the run going; reports of older runs are dropped
    TrainingRun m_run;
    PreviewSet m_previewSet;
    std::vector<std::string> m_notes;
    WeightMatch m_match;
    QString m_progressText;
    QString m_progressToolTip;
    int m_permille = 0;
    int m_epochs = 1;
    std::vector<NamedTensor> m_epochWeights;  ///< of the last finished epoch, until taken

    void setState(State s);
    /// Stops and waits for the worker, dropping its last reports (the window is going).
    void stopAndWait();
    void onBatches(std::vector<BatchReport> reports);
    /// While the worker reads a CSV file: the fraction read.
    void onReading(double fraction);
    void onEpoch(EpochReport report, std::vector<NamedTensor> weights);
    void onFinished(TrainResult result, std::vector<NamedTensor> weights, QString error);
};

}  // namespace loom::ui
