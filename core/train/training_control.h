#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace loom {

/// Stop, pause and resume for a training run, safe to use from another thread (the UI's).
/// The trainer looks at it before every batch, so a stop takes effect within one batch.
class TrainingControl {
public:
    void requestStop() {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
    }
    void pause() {
        std::lock_guard lock(m_mutex);
        m_paused = true;
    }
    void resume() {
        {
            std::lock_guard lock(m_mutex);
            m_paused = false;
        }
        m_wake.notify_all();
    }
    bool stopRequested() const { return m_stop.load(); }
    bool paused() const { return m_paused.load(); }

    /// Blocks while paused; returns false when a stop was requested.
    bool waitWhilePaused() {
        std::unique_lock lock(m_mutex);
        m_wake.wait(lock, [this] { return !m_paused.load() || m_stop.load(); });
        return !m_stop.load();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_paused{false};
};

}  // namespace loom
