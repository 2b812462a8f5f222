#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
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
    /// Whether the run is held at a batch boundary by a pause now: everything it reported
    /// before has been reported, and nothing more comes until resume() or a stop.
    bool holding() const { return m_holding.load(); }

    /// Blocks while paused; returns false when a stop was requested. `beforeHolding` runs
    /// once before the run is held (holding() turns true), outside the lock: the last reports
    /// go out there.
    bool waitWhilePaused(const std::function<void()>& beforeHolding = {}) {
        if (!m_paused.load()) return !m_stop.load();  // the usual case, without the lock
        std::unique_lock lock(m_mutex);
        bool told = !beforeHolding;
        while (m_paused.load() && !m_stop.load()) {
            if (!told) {
                lock.unlock();
                beforeHolding();
                lock.lock();
                told = true;
                continue;
            }
            m_holding = true;
            m_wake.wait(lock);
        }
        m_holding = false;
        return !m_stop.load();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_paused{false};
    std::atomic<bool> m_holding{false};
};

}  // namespace loom
