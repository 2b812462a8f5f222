#pragma once

// What `layerloom-cli train` shows and keeps while it runs: the progress on the terminal and
// the run folder, rewritten as one after every epoch.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "train/run_folder.h"
#include "train/session.h"

namespace loom::cli {

/// Set by Ctrl+C and SIGTERM while train runs: the run stops after the current batch.
inline std::atomic<bool> g_interrupted{false};

/// Prints a progress line per batch (redrawn in place on a terminal) and a line per epoch;
/// turns Ctrl+C into a stop after the current batch.
class Progress : public TrainingObserver {
public:
    Progress(std::ostream& err, TrainingControl& control, bool quiet)
        : m_err(err), m_control(control), m_quiet(quiet), m_tty(::isatty(2) != 0) {}

    void onBatch(const BatchReport& r) override {
        if (g_interrupted.load()) m_control.requestStop();
        if (m_quiet || !m_tty) return;
        const int width = 24;
        const int filled = r.batches ? width * r.batch / r.batches : width;
        const double perBatch = r.elapsedSeconds / std::max(1, m_batchesSeen + 1);
        ++m_batchesSeen;
        const double left = perBatch * ((m_epochs - r.epoch) * r.batches + (r.batches - r.batch));
        m_err << "\r  epoch " << r.epoch << "/" << m_epochs << " [" << std::string(filled, '=')
              << std::string(width - filled, ' ') << "] " << r.batch << "/" << r.batches
              << "  loss " << std::setprecision(4) << r.loss << "  " << std::fixed
              << std::setprecision(0) << r.samplesPerSecond << " samples/s";
        if (r.threads < r.mostThreads) m_err << " on " << r.threads << " of " << r.mostThreads << " cores";
        m_err << "  ETA " << clock(left) << std::defaultfloat << "   " << std::flush;
    }

    void onEpoch(const EpochReport& r) override {
        if (m_quiet) return;
        if (m_tty) m_err << "\r" << std::string(120, ' ') << "\r";
        m_err << "epoch " << r.epoch << "/" << r.epochs << "  loss " << std::setprecision(6)
              << r.loss;
        if (r.accuracy >= 0) m_err << "  accuracy " << std::setprecision(4) << r.accuracy;
        // Keras's order: the training metrics, then the validation loss and metrics.
        for (const auto& [name, value] : r.metrics) {
            if (name.rfind("val_", 0) != 0) m_err << "  " << name << " " << std::setprecision(4) << value;
        }
        if (r.valLoss >= 0) m_err << "  val_loss " << std::setprecision(6) << r.valLoss;
        if (r.valAccuracy >= 0) m_err << "  val_accuracy " << std::setprecision(4) << r.valAccuracy;
        for (const auto& [name, value] : r.metrics) {
            if (name.rfind("val_", 0) == 0) m_err << "  " << name << " " << std::setprecision(4) << value;
        }
        m_err << "  lr " << std::setprecision(3) << r.learningRate << "  " << std::fixed
              << std::setprecision(1) << r.elapsedSeconds << "s" << std::defaultfloat << "\n";
    }

    void setEpochs(int epochs) { m_epochs = epochs; }

private:
    std::ostream& m_err;
    TrainingControl& m_control;
    bool m_quiet, m_tty;
    int m_epochs = 1, m_batchesSeen = 0;

    static std::string clock(double seconds) {
        const long s = std::lround(seconds);
        std::ostringstream o;
        o << s / 60 << ":" << std::setw(2) << std::setfill('0') << s % 60;
        return o.str();
    }
};


/// Keeps the run folder: a checkpoint at the start and after every finished epoch, each
/// replacing the last as one; passes progress on to the terminal.
class RunKeeper : public SessionObserver {
public:
    RunKeeper(Progress& progress, TrainingControl& control, const Plan<float>& plan,
              std::filesystem::path dir, RunRecord record)
        : m_progress(progress), m_control(control), m_plan(plan), m_dir(std::move(dir)),
          m_record(std::move(record)) {}

    void onBatch(const BatchReport& r) override {
        ++m_batch;
        if (m_batch % m_record.run.batchLossEvery == 0) m_record.run.batchLosses.push_back(static_cast<float>(r.loss));
        m_record.run.batchesPerEpoch = r.batches;
        m_progress.onBatch(r);
    }
    void onEpoch(const EpochReport& r) override { m_progress.onEpoch(r); }
    bool wantsCheckpoints() const override { return true; }
    void onCheckpoint(const TrainingState& state) override {
        if (!m_error.empty()) return;
        m_record.run.history = state.history;
        m_record.state = state;
        m_record.complete = false;
        m_record.run.outcome = "Epoch " + std::to_string(state.epochsDone) + " finished; the run goes on.";
        m_weights = m_plan.exportWeights();
        try {
            writeRunFolder(m_dir, m_record, m_weights, &m_plan);
            m_saved = true;
        } catch (const std::exception& e) {
            m_error = e.what();
            m_control.requestStop();
        }
    }

    /// Writes the folder as the run ended: the trained weights when it finished or stopped
    /// early; the last checkpoint, with the ending, when it was stopped or its numbers broke.
    void finish(const TrainResult& result, const std::string& message) {
        if (!m_error.empty() || !m_saved) return;
        m_record.complete = true;
        m_record.run.reason = result.reason;
        m_record.run.outcome = message;
        try {
            if (result.reason == StopReason::Finished || result.reason == StopReason::EarlyStopped) {
                m_record.run.history = result.history;
                // Early stopping put back the best epoch's weights: nothing to continue from.
                if (result.reason == StopReason::EarlyStopped) m_record.state.reset();
                writeRunFolder(m_dir, m_record, m_plan.exportWeights(), &m_plan);
            } else {
                writeRunFolder(m_dir, m_record, m_weights, &m_plan);
            }
        } catch (const std::exception& e) {
            m_error = e.what();
        }
    }

    const std::string& error() const { return m_error; }
    bool saved() const { return m_saved; }
    int epochsKept() const { return m_record.state ? m_record.state->epochsDone : 0; }

private:
    Progress& m_progress;
    TrainingControl& m_control;
    const Plan<float>& m_plan;
    std::filesystem::path m_dir;
    RunRecord m_record;
    std::vector<NamedTensor> m_weights;  ///< of the last checkpoint
    long m_batch = 0;
    bool m_saved = false;
    std::string m_error;
};

}  // namespace loom::cli
