#include "training/saved_preview.h"

#include <atomic>
#include <thread>

namespace loom::ui {

struct SavedPreview::Job {
    std::atomic<bool> done = false;
    bool current = true;  ///< read and written on the window's thread only
    // Written by the worker before `done`, read by the window after it.
    PreviewSet samples;
    Preview preview;
    std::string error;
    std::jthread worker;  ///< last: joined before the results above are destroyed
};

SavedPreview::SavedPreview(QObject* parent) : QObject(parent) {
    m_poll.setInterval(30);
    connect(&m_poll, &QTimer::timeout, this, &SavedPreview::collect);
}

SavedPreview::~SavedPreview() = default;  // each Job's jthread asks its worker to stop, and joins

void SavedPreview::request(SessionSetup setup, int epoch) {
    cancel();
    auto job = std::make_shared<Job>();
    setup.threads = 1;  // a look at the data, not worth more than one core
    job->worker = std::jthread([j = job.get(), setup = std::move(setup), epoch](std::stop_token stop) mutable {
        try {
            TrainingSession session(std::move(setup));
            // A superseded request, or the window closing, stops a long read at once.
            session.prepare([&stop](double) { return !stop.stop_requested(); });
            j->samples = session.previewSet();
            j->preview = session.preview(epoch);
        } catch (const std::exception& e) {
            j->error = e.what();
        }
        j->done.store(true, std::memory_order_release);
    });
    m_jobs.push_back(std::move(job));
    m_poll.start();
}

void SavedPreview::cancel() {
    for (const auto& job : m_jobs) {
        job->current = false;
        job->worker.request_stop();
    }
}

void SavedPreview::collect() {
    std::vector<std::shared_ptr<Job>> finished;
    std::erase_if(m_jobs, [&](const std::shared_ptr<Job>& job) {
        if (!job->done.load(std::memory_order_acquire)) return false;
        finished.push_back(job);
        return true;
    });
    if (m_jobs.empty()) m_poll.stop();
    for (const auto& job : finished) {
        job->worker.join();
        if (!job->current) continue;
        if (job->error.empty()) {
            emit ready(job->samples, job->preview);
        } else {
            emit failed(QString::fromStdString(job->error));
        }
    }
}

}  // namespace loom::ui
