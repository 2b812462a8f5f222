#include "tasks/background_task.h"

#include <mutex>
#include <thread>

#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace loom::ui {

struct TaskContext::Mailbox {
    std::mutex mutex;
    std::vector<std::function<void()>> items;
    double fraction = -1.0;  ///< the newest progress not delivered yet, or -1
    bool ended = false;      ///< the work has returned; nothing more comes
};

struct BackgroundTask::Run {
    std::shared_ptr<TaskContext::Mailbox> box = std::make_shared<TaskContext::Mailbox>();
    std::jthread thread;  ///< joined once `ended` is seen, or on going away
};

TaskContext::TaskContext(std::shared_ptr<Mailbox> box, std::stop_token stop)
    : m_box(std::move(box)), m_stop(std::move(stop)) {}

void TaskContext::progress(double fraction) {
    std::lock_guard lock(m_box->mutex);
    m_box->fraction = fraction;
}

void TaskContext::post(std::function<void()> deliver) {
    std::lock_guard lock(m_box->mutex);
    m_box->items.push_back(std::move(deliver));
}

BackgroundTask::BackgroundTask(QObject* parent) : QObject(parent) {
    m_poll.setInterval(20);
    connect(&m_poll, &QTimer::timeout, this, &BackgroundTask::collect);
}

BackgroundTask::~BackgroundTask() {
    for (const auto& run : m_retired) run->thread.request_stop();
    if (m_current) m_current->thread.request_stop();
    // Each Run's jthread joins as it goes; what the work reported is dropped with it.
}

void BackgroundTask::start(std::function<void(TaskContext&)> work) {
    cancel();
    auto run = std::make_shared<Run>();
    // The work's thread reaches this object only through what it posts, which runs here, on
    // the window's thread, while this object lives.
    run->thread = std::jthread([this, box = run->box, work = std::move(work), niceness = m_niceness](std::stop_token stop) {
#ifdef __linux__
        if (niceness != 0) setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), niceness);
#endif
        TaskContext context(box, stop);
        try {
            work(context);
        } catch (const std::exception& e) {
            // Readers stopped on request throw; that is no failure.
            if (!stop.stop_requested()) {
                context.post([this, message = QString::fromStdString(e.what())] { emit failed(message); });
            }
        }
        std::lock_guard lock(box->mutex);
        box->ended = true;
    });
    m_current = std::move(run);
    m_poll.start();
}

void BackgroundTask::cancel() {
    if (!m_current) return;
    m_current->thread.request_stop();
    m_retired.push_back(std::move(m_current));
    m_current.reset();
}

void BackgroundTask::stopAndWait(bool deliverReports) {
    if (!m_current) return;
    const std::shared_ptr<Run> run = m_current;
    run->thread.request_stop();
    run->thread.join();
    if (deliverReports) {
        deliver(run);
    } else {
        m_current.reset();
    }
}

bool BackgroundTask::deliver(std::shared_ptr<Run> run) {  // a copy: a report may reset m_current
    std::vector<std::function<void()>> items;
    double fraction = -1.0;
    bool ended = false;
    {
        std::lock_guard lock(run->box->mutex);
        items.swap(run->box->items);
        std::swap(fraction, run->box->fraction);
        ended = run->box->ended;
    }
    if (fraction >= 0.0) emit progressed(fraction);
    for (auto& item : items) {
        if (m_current != run) return false;  // a report started newer work, or cancelled this
        item();
    }
    if (m_current != run) return false;
    if (ended) {
        if (run->thread.joinable()) run->thread.join();
        m_current.reset();
        emit finished();
    }
    return true;
}

void BackgroundTask::collect() {
    std::erase_if(m_retired, [](const std::shared_ptr<Run>& run) {
        std::lock_guard lock(run->box->mutex);
        return run->box->ended;  // its jthread joins as the Run goes (it has returned)
    });
    if (m_current) deliver(m_current);
    if (!m_current && m_retired.empty()) m_poll.stop();
}

}  // namespace loom::ui
