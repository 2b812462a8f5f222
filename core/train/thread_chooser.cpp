#include "train/thread_chooser.h"

#include <algorithm>

namespace loom {

namespace {

double median(std::vector<double> values) {
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

double best(const std::vector<double>& values) { return *std::min_element(values.begin(), values.end()); }

}  // namespace

ThreadChooser::ThreadChooser(int most, Settings settings)
    : m_settings(settings), m_chosen(std::max(1, most)), m_warmUp(std::max(0, settings.warmUpBatches)),
      m_recheck(settings.firstRecheck) {
    for (int n = m_chosen; n >= 1; n /= 2) m_counts.push_back(n);
    m_settings.batchesPerTrial = std::max(1, m_settings.batchesPerTrial);
    m_settings.driftBatches = std::max(1, m_settings.driftBatches);
    if (m_counts.size() > 1) {
        startTrial();
    } else {
        m_warmUp = 0;
    }
}

void ThreadChooser::measured(double seconds, int samples) {
    if (m_counts.size() < 2 || samples < 1 || !(seconds > 0.0)) return;
    const double perSample = seconds / samples;
    if (m_warmUp > 0) {
        --m_warmUp;
        return;
    }
    if (m_trying) {
        (m_lowerTurn ? m_lowerTimes : m_upperTimes).push_back(perSample);
        nextTurn();
        return;
    }
    m_sinceTrial += seconds;
    m_recent.push_back(perSample);
    if (static_cast<int>(m_recent.size()) > m_settings.driftBatches) m_recent.erase(m_recent.begin());
    bool drifted = false;
    if (static_cast<int>(m_recent.size()) == m_settings.driftBatches && m_sinceTrial >= m_settings.driftAfter) {
        const double now = median(m_recent);
        drifted = now > m_reference * m_settings.drift || now * m_settings.drift < m_reference;
    }
    if (drifted) {
        m_recheck = m_settings.firstRecheck;
        startTrial();
    } else if (m_sinceTrial >= m_recheck) {
        startTrial();
    }
}

void ThreadChooser::startTrial() {
    m_trying = true;
    m_upper = 0;
    m_lowerTurn = false;
    m_upperTimes.clear();
    m_lowerTimes.clear();
    m_recent.clear();
    m_sinceTrial = 0.0;
}

void ThreadChooser::nextTurn() {
    const std::size_t enough = static_cast<std::size_t>(m_settings.batchesPerTrial);
    if (!m_upperTimes.empty() && !m_lowerTimes.empty()) {
        // Even its best batch far slower: out, whatever its other batches would say.
        const auto out = [&](const std::vector<double>& mine, const std::vector<double>& other) {
            const double factor = mine.size() >= 2 ? m_settings.leave : m_settings.leaveAtOnce;
            return best(mine) > factor * best(other);
        };
        if (out(m_upperTimes, m_lowerTimes)) return endDuel(true);
        if (out(m_lowerTimes, m_upperTimes)) return endDuel(false);
    }
    if (m_upperTimes.size() >= enough && m_lowerTimes.size() >= enough) {
        // Fewer threads only when clearly faster, so that noise does not move a run off the
        // count that suits an idle machine.
        return endDuel(median(m_lowerTimes) < m_settings.clearlyFaster * median(m_upperTimes));
    }
    m_lowerTurn = m_upperTimes.size() >= enough || (m_lowerTimes.size() < enough && !m_lowerTurn);
}

void ThreadChooser::endDuel(bool lowerWins) {
    if (lowerWins && m_upper + 2 < m_counts.size()) {
        // The winner goes on against the next count down, with the batches it has.
        ++m_upper;
        m_upperTimes = std::move(m_lowerTimes);
        m_lowerTimes.clear();
        m_lowerTurn = true;
        return;
    }
    const int before = m_chosen;
    m_chosen = m_counts[lowerWins ? m_upper + 1 : m_upper];
    m_reference = median(lowerWins ? m_lowerTimes : m_upperTimes);
    m_trying = false;
    m_recheck = m_chosen == before ? std::min(m_recheck * 2.0, m_settings.lastRecheck) : m_settings.firstRecheck;
}

}  // namespace loom
