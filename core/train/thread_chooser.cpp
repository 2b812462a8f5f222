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
    : m_settings(settings), m_chosen(std::max(1, most)), m_warmUp(settings.warmUpBatches), m_recheck(settings.firstRecheck) {
    for (int n = m_chosen; n >= 1; n /= 2) m_counts.push_back(n);
    m_settings.batchesPerTrial = std::max(1, m_settings.batchesPerTrial);
}

void ThreadChooser::measured(double seconds, int samples) {
    if (m_counts.size() < 2 || samples < 1 || !(seconds > 0.0)) return;
    const double perSample = seconds / samples;
    if (m_warmUp > 0) {
        if (--m_warmUp == 0) startTrial();
        return;
    }
    if (m_trying >= 0) {
        m_times.push_back(perSample);
        if (static_cast<int>(m_times.size()) < m_settings.batchesPerTrial) return;
        const double time = median(m_times);
        m_times.clear();
        const double best = m_medians.empty() ? time : *std::min_element(m_medians.begin(), m_medians.end());
        m_medians.push_back(time);
        // Going further down only helps while each halving helped.
        const bool last = static_cast<std::size_t>(m_trying) + 1 == m_counts.size();
        if (last || time > best) {
            endTrial();
        } else {
            ++m_trying;
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
    m_trying = 0;
    m_times.clear();
    m_medians.clear();
    m_drifting = 0;
    m_sinceTrial = 0.0;
}

void ThreadChooser::endTrial() {
    // The most threads unless fewer are clearly faster: a count tried later must beat it by
    // a margin, so that noise does not move a run off the count that suits an idle machine.
    std::size_t pick = 0;
    for (std::size_t k = 1; k < m_medians.size(); ++k) {
        if (m_medians[k] < m_medians[pick] * m_settings.clearlyFaster) pick = k;
    }
    const int before = m_chosen;
    m_chosen = m_counts[pick];
    m_reference = m_medians[pick];
    m_trying = -1;
    m_recheck = m_chosen == before ? std::min(m_recheck * 2.0, m_settings.lastRecheck) : m_settings.firstRecheck;
}

}  // namespace loom
