#include "training/training_controller.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <QThread>
#include <algorithm>
#include <chrono>
#include <functional>

#include "data/csv_reader.h"
#include "document/document.h"
#include "service/training_job.h"
#include "training/sample_data.h"

namespace loom::ui {

namespace {

using Clock = std::chrono::steady_clock;

QString clockText(double seconds) {
    const auto s = static_cast<long long>(seconds + 0.5);
    if (s >= 3600) return QString("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar('0')).arg(s % 60, 2, 10, QChar('0'));
    return QString("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

}  // namespace

/// Lives on the worker thread: collects reports and posts them to the window's thread
/// (BackgroundTask). It never touches the controller's state directly.
struct TrainingController::Worker : SessionObserver {
    TaskContext& task;
    TrainingController* owner;  ///< reached only from what is posted, on the window's thread
    TrainingSession* session = nullptr;
    std::vector<BatchReport> pending;
    Clock::time_point lastPost = Clock::now();
    int epoch = 0;                        ///< the last finished epoch
    std::vector<NamedTensor> lastGood;    ///< the weights after that epoch

    Worker(TaskContext& t, TrainingController* o) : task(t), owner(o) {}

    void post(std::function<void(TrainingController*)> f) {
        task.post([o = owner, f = std::move(f)] { f(o); });
    }

    void flush() {
        if (pending.empty()) return;
        post([batch = std::move(pending)](TrainingController* o) mutable { o->onBatches(std::move(batch)); });
        pending.clear();
        lastPost = Clock::now();
    }

    void onBatch(const BatchReport& r) override {
        pending.push_back(r);
        if (Clock::now() - lastPost >= std::chrono::milliseconds(50)) flush();
    }

    void onHold() override { flush(); }

    void onEpoch(const EpochReport& r) override {
        flush();
        epoch = r.epoch;
        lastGood = session->weights();
        post([r, weights = lastGood](TrainingController* o) mutable { o->onEpoch(r, std::move(weights)); });
    }

    void onPreview(const Preview& p) override {
        post([p](TrainingController* o) { emit o->previewArrived(p); });
    }
};

TrainingController::TrainingController(Document* document, QObject* parent)
    : QObject(parent), m_document(document) {
    // A slightly nicer thread (and the matrix-product threads it starts, which inherit it), so
    // that the window's thread wins its contests for a core. Only slightly: the nice value also
    // weighs the run against other programs of the same session, and at nice 10 two busy ones
    // (a build started from the same terminal) left it no batch in 20 s; at 3 it keeps 55 of
    // 76 samples/s and the window's longest event-loop delay stays as at 10 (bench/README.md,
    // "The window's share").
    m_task.setNiceness(3);
}

TrainingController::~TrainingController() { stopAndWait(); }

void TrainingController::setState(State s) {
    if (s == m_state) return;
    m_state = s;
    emit stateChanged(s);
}

bool TrainingController::start(QString* why) {
    if (busy()) {
        *why = tr("A training run is already going.");
        return false;
    }
    if (m_document->validation().hasErrors()) {
        *why = tr("The model has problems; fix them first (see the Problems panel).");
        return false;
    }
    SessionSetup setup;
    try {
        const Project& project = m_document->project();
        setup = sessionSetup(project.graph, trainingSettings(project.training),
                             {project.weights, WeightsOrigin::Model, project.weightsFrom}, sampleFolder());
    } catch (const std::exception& e) {
        *why = tr("The training settings are not valid: %1").arg(QString::fromStdString(e.what()));
        return false;
    }
    m_epochs = setup.config.epochs;
    // Every core, as the command line trains (fewer while other programs keep cores busy, see
    // ThreadChooser): the worker and its product threads run niced (see the constructor), so the window's
    // thread, which needs a core only now and then, still gets one at once.
    setup.threads = std::max(1, QThread::idealThreadCount());

    m_run = TrainingRun{};
    const int number = m_document->nextRunNumber();
    const std::string started = QDateTime::currentDateTime().toString(Qt::ISODate).toStdString();
    m_previewSet = PreviewSet{};
    m_notes.clear();
    m_match = WeightMatch{};
    m_progressText = tr("Preparing the data and the weights…");
    m_progressToolTip.clear();
    m_permille = 0;

    auto session = std::make_shared<TrainingSession>(std::move(setup));
    m_control = std::make_shared<TrainingControl>();
    m_document->setStructureLocked(
        tr("Training is running: stop it to change layers or wires (cards can still be moved)."));
    setState(State::Preparing);
    emit progressChanged();

    auto control = m_control;
    m_task.start([this, session, control, number, started](TaskContext& task) {
        // Going away (or stopAndWait) stops the run after its batch, or its reading.
        const std::stop_callback stopping(task.stopToken(), [&control] { control->requestStop(); });
        Worker worker(task, this);
        worker.session = session.get();
        TrainResult result;
        std::vector<NamedTensor> weights;
        QString error;
        bool ready = false;
        try {
            // A large file takes seconds to read: say how far it is, and stop when asked.
            int shown = -1;
            session->prepare([&worker, &shown, control](double fraction) {
                if (const int percent = static_cast<int>(fraction * 100.0); percent != shown) {
                    shown = percent;
                    worker.post([fraction](TrainingController* o) { o->onReading(fraction); });
                }
                return !control->stopRequested();
            });
            ready = true;
            worker.post([set = session->previewSet(), notes = session->data().notes,
                         match = session->weightMatch(),
                         run = beginRun(*session, number, started)](TrainingController* o) {
                o->m_run = run;
                o->m_previewSet = set;
                o->m_notes = notes;
                o->m_match = match;
                if (o->m_state != State::Stopping) {
                    o->setState(o->m_control->paused() ? State::Paused : State::Running);
                }
                if (o->m_state == State::Running) {
                    o->m_progressText = tr("Starting the first epoch…");
                    o->m_permille = 0;
                    emit o->progressChanged();
                }
                emit o->prepared();
            });
            worker.onPreview(session->preview(0));
            result = session->run(*control, &worker);
            worker.flush();
            weights = session->weights();
        } catch (const ReadCancelled&) {
            result.reason = StopReason::Cancelled;
            result.message = tr("Stopped while reading the data; nothing was trained.").toStdString();
        } catch (const std::bad_alloc&) {
            error = ready ? tr("Out of memory at epoch %1. The weights of the last finished epoch are kept.")
                                .arg(worker.epoch + 1)
                          : tr("Out of memory while preparing the data and the model. A smaller "
                               "batch size, window or model helps.");
            weights = std::move(worker.lastGood);
        } catch (const std::exception& e) {
            error = ready ? tr("Training failed at epoch %1: %2. The weights of the last finished epoch are kept.")
                                .arg(worker.epoch + 1)
                                .arg(QString::fromStdString(e.what()))
                          : tr("Cannot train: %1").arg(QString::fromStdString(e.what()));
            weights = std::move(worker.lastGood);
        }
        worker.post([result = std::move(result), weights = std::move(weights), error](TrainingController* o) mutable {
            o->onFinished(std::move(result), std::move(weights), error);
        });
    });
    return true;
}

void TrainingController::forget() {
    if (busy()) return;
    m_run = TrainingRun{};
    m_previewSet = PreviewSet{};
    m_notes.clear();
    m_match = WeightMatch{};
    m_epochWeights.clear();
    m_progressText.clear();
    m_progressToolTip.clear();
    m_permille = 0;
    emit progressChanged();
}

void TrainingController::pause() {
    if (m_state != State::Running && m_state != State::Preparing) return;
    m_control->pause();
    if (m_state == State::Running) setState(State::Paused);
    m_progressText = tr("Paused · %1").arg(m_progressText.section(" · ", 0, 1));
    m_progressToolTip.clear();
    emit progressChanged();
}

void TrainingController::resume() {
    if (m_state != State::Paused) return;
    m_control->resume();
    setState(State::Running);
}

void TrainingController::stop() {
    if (!busy() || m_state == State::Stopping) return;
    const bool reading = m_state == State::Preparing;
    m_control->requestStop();
    setState(State::Stopping);
    m_progressText = reading ? tr("Stopping…") : tr("Stopping after this batch…");
    m_progressToolTip.clear();
    emit progressChanged();
}

void TrainingController::stopAndWait() {
    if (!m_task.running()) return;
    m_control->requestStop();
    m_task.stopAndWait(false);  // the finished run's reports no longer apply
    if (m_document) m_document->setStructureLocked(QString());
    m_state = State::Idle;
}

void TrainingController::finishNow() {
    if (!m_task.running()) return;
    m_control->requestStop();
    // The worker's last words (its reports and the finish) are taken in now.
    m_task.stopAndWait(true);
}

QString TrainingController::progressLine(const BatchReport& r, int epochs) {
    const double done = (r.epoch - 1) * r.batches + r.batch;
    const double total = static_cast<double>(epochs) * r.batches;
    const double left = done > 0 ? r.elapsedSeconds / done * (total - done) : 0.0;
    const QString speed = QLocale().toString(qRound64(r.samplesPerSecond));
    return tr("Epoch %1/%2 · batch %3/%4 · %5 · ETA %6")
        .arg(r.epoch)
        .arg(epochs)
        .arg(r.batch)
        .arg(r.batches)
        .arg(r.threads < r.mostThreads
                 ? tr("%1 samples/s on %2 of %3 cores").arg(speed).arg(r.threads).arg(r.mostThreads)
                 : tr("%1 samples/s").arg(speed))
        .arg(clockText(left));
}

void TrainingController::onBatches(std::vector<BatchReport> reports) {
    if (reports.empty()) return;
    const int first = static_cast<int>(m_run.batchLosses.size());
    for (const BatchReport& r : reports) m_run.batchLosses.push_back(static_cast<float>(r.loss));
    const BatchReport& r = reports.back();
    m_run.batchesPerEpoch = r.batches;
    const int epochs = m_epochs;
    const double done = (r.epoch - 1) * r.batches + r.batch;
    const double total = static_cast<double>(epochs) * r.batches;
    m_permille = static_cast<int>(1000.0 * done / total);
    if (m_state == State::Running) {
        m_progressText = progressLine(r, epochs);
        m_progressToolTip =
            r.threads < r.mostThreads
                ? tr("Other programs keep some of this computer's %1 cores busy, and training "
                     "on %2 of them is faster while they do. LayerLoom tries every core again "
                     "from time to time.")
                      .arg(r.mostThreads)
                      .arg(r.threads)
                : QString();
    }
    emit batchesArrived(first);
    emit progressChanged();
}

void TrainingController::onReading(double fraction) {
    if (m_state != State::Preparing) return;
    m_permille = std::clamp(static_cast<int>(fraction * 1000.0), 0, 1000);
    m_progressText = tr("Reading the data… %1%").arg(static_cast<int>(fraction * 100.0));
    emit progressChanged();
}

void TrainingController::onEpoch(EpochReport report, std::vector<NamedTensor> weights) {
    m_run.history.push_back(report);
    m_epochWeights = std::move(weights);
    emit epochEnded(report);
    emit checkpointed();
}

std::optional<Project> TrainingController::takeCheckpoint() {
    if (m_run.history.empty()) return m_document->project();
    if (m_epochWeights.empty()) return std::nullopt;  // this epoch's was taken
    Project p = withoutWeights(m_document->project());
    p.weights = std::move(m_epochWeights);
    m_epochWeights.clear();
    TrainingRun run = m_run;
    run.reason = StopReason::Cancelled;
    run.outcome = tr("Interrupted after epoch %1 of %2; the weights are those of epoch %1.")
                      .arg(run.history.size())
                      .arg(m_epochs)
                      .toStdString();
    p.runs.push_back(runToJson(run));
    return p;
}

void TrainingController::onFinished(TrainResult result, std::vector<NamedTensor> weights, QString error) {
    const bool prepared = !m_previewSet.indexes.empty();
    const bool ok = error.isEmpty() && result.reason != StopReason::NonFinite &&
                    result.reason != StopReason::InvalidData;
    const QString message = error.isEmpty() ? QString::fromStdString(result.message) : error;
    m_document->setStructureLocked(QString());
    m_epochWeights.clear();
    if (prepared && result.reason != StopReason::InvalidData) {
        if (!weights.empty()) m_document->setWeights(std::move(weights), runWeightsText(m_run.number));
        m_run.reason = error.isEmpty() ? result.reason : StopReason::NonFinite;
        m_run.outcome = message.toStdString();
        nlohmann::json runs = m_document->project().runs;
        runs.push_back(runToJson(m_run));
        m_document->setRuns(std::move(runs));
    }
    m_progressText = message;
    m_progressToolTip.clear();
    if (ok) m_permille = result.reason == StopReason::Finished ? 1000 : m_permille;
    setState(State::Idle);
    emit progressChanged();
    emit finished(ok, message);
}

}  // namespace loom::ui
