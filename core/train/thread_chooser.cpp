#include "train/thread_chooser.h"

#include <algorithm>

namespace loom {

namespace {

double median(std::vector<double> values) {
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

}  // namespace

ThreadChooser::ThreadChooser(int most, Settings settings)
    : m_settings(settings), m_chosen(std::max(1, most)), m_recheck(settings.firstRecheck) {
    for (int n = m_chosen; n >= 1; n /= 2) m_counts.push_back(n);
    m_settings.batchesPerTrial = std::max(1, m_settings.batchesPerTrial);
    if (m_counts.size() > 1) startTrial();
}

void ThreadChooser::measured(double seconds, int samples) {
    if (m_counts.size() < 2 || samples < 1 || !(seconds > 0.0)) return;
    const double perSample = seconds / samples;
    if (m_trying) {
        m_times.push_back(perSample);
        double best = 0.0;
        for (const Tried& t : m_tried) best = best > 0.0 ? std::min(best, t.time) : t.time;
        if (best > 0.0 && perSample > best * m_settings.leave) {
            nextCount(perSample);
        } else if (static_cast<int>(m_times.size()) >= m_settings.batchesPerTrial) {
            nextCount(median(m_times));
        }
        return;
    }
    m_sinceTrial += seconds;
    const bool off = perSample > m_reference * m_settings.drift || perSample * m_settings.drift < m_reference;
    m_drifting = off ? m_drifting + 1 : 0;
    if (m_drifting >= m_settings.driftBatches) {
        m_recheck = m_settings.firstRecheck;
        startTrial();
    } else if (m_sinceTrial >= m_recheck) {
        startTrial();
    }
}

void ThreadChooser::startTrial() {
    // The chosen count first (its speed now is what the others must beat), then the rest from
    // the most down.
    m_order = {m_chosen};
    for (int n : m_counts) {
        if (n != m_chosen) m_order.push_back(n);
    }
    m_trying = true;
    m_position = 0;
    m_times.clear();
    m_tried.clear();
    m_drifting = 0;
    m_sinceTrial = 0.0;
}

void ThreadChooser::nextCount(double time) {
    const int threads = m_order[m_position];
    const auto best = std::min_element(m_tried.begin(), m_tried.end(),
                                       [](const Tried& a, const Tried& b) { return a.time < b.time; });
    // Going further down only helps while each halving below the best helped.
    const bool stop = best != m_tried.end() && time > best->time && threads < best->threads;
    m_tried.push_back({threads, time});
    m_times.clear();
    if (stop || ++m_position == m_order.size()) endTrial();
}

void ThreadChooser::endTrial() {
    // The most threads unless fewer are clearly faster, so that noise does not move a run off
    // the count that suits an idle machine.
    std::sort(m_tried.begin(), m_tried.end(), [](const Tried& a, const Tried& b) { return a.threads > b.threads; });
    Tried pick = m_tried.front();
    for (const Tried& t : m_tried) {
        if (t.time < pick.time * m_settings.clearlyFaster) pick = t;
    }
    const int before = m_chosen;
    m_chosen = pick.threads;
    m_reference = pick.time;
    m_trying = false;
    m_recheck = m_chosen == before ? std::min(m_recheck * 2.0, m_settings.lastRecheck) : m_settings.firstRecheck;
}

}  // namespace loom
