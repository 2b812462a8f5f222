#pragma once

#include <cstddef>
#include <vector>

namespace loom {

/// Chooses how many threads each training batch runs on, by timing the batches.
///
/// A batch hands work between its threads dozens of times (every recurrent step forks and
/// joins), so it needs all of them on a core at once. When another program keeps a core busy,
/// each hand-over waits for the scheduler to give the descheduled thread its turn, and two
/// threads can be several times slower than one: measured on 2 cores with one busy, 114
/// against 186 samples/s on the chain autoencoder, 1.6 s against 0.1 s for a tiny model.
/// Which count is fastest changes while a run trains, as other programs start and stop, and
/// cannot be known beforehand; so the chooser tries them.
///
/// A run starts with one untimed batch (it allocates) on the second count, as cheap as any
/// whether cores are busy or not. A trial then pits each count against the next lower one,
/// batch about. A count whose batch takes 3 times the other's best is out at once, so that a
/// busy core costs one slow batch; one whose best of two takes 1.5 times the other's is out
/// next (a single batch of a few milliseconds is often late); else, after three batches each,
/// the lower count wins only when its median is clearly faster. A winning lower count goes on
/// against the next one down. The run keeps the winner, and tries again from the top when the
/// batches' speed drifts away from what the trial measured, and after a while in any case,
/// since a machine that was busy may have become idle.
///
/// LayerLoom's own kernels compute each value the same way on any number of threads, and so do
/// OpenBLAS's products with its AVX-512 kernels, but not with its AVX2 ones (measured: the last
/// bits differ between one thread and two): there a run whose count changed differs from one
/// that kept it in the last bits. ThreadUse::Fixed keeps the count.
class ThreadChooser {
public:
    struct Settings {
        int warmUpBatches = 1;        ///< untimed at the start of a run, on the second count
        int batchesPerTrial = 3;      ///< per count, unless it is out sooner
        double leave = 1.5;           ///< out when its best of two batches is this much slower
        double leaveAtOnce = 3.0;     ///< or its one batch this much (a busy core's cost)
        double clearlyFaster = 0.95;  ///< fewer threads win below this share of the time
        double drift = 1.4;           ///< the median of the last batches off by this factor ...
        int driftBatches = 5;         ///< ... (this many) ...
        double driftAfter = 2.0;      ///< ... with this many seconds of batches since the last
                                      ///< trial: try again (a trial costs a batch on the count
                                      ///< that lost, which beside a busy core is many batches' time)
        double firstRecheck = 20.0;   ///< seconds of batches until the next trial ...
        double lastRecheck = 160.0;   ///< ... doubling up to this while the choice holds
    };

    explicit ThreadChooser(int most) : ThreadChooser(most, Settings{}) {}
    ThreadChooser(int most, Settings settings);

    /// The thread count for the next batch.
    int threads() const {
        return m_warmUp > 0 || (m_trying && m_lowerTurn) ? m_counts[m_upper + 1] : m_trying ? m_counts[m_upper] : m_chosen;
    }

    /// The count the last trial chose, which the run keeps between trials: every count at the
    /// start. Unlike threads(), it does not flip between the counts of a trial, so it is the
    /// one to show the user.
    int chosen() const { return m_chosen; }

    /// Reports the batch just run on threads(): its time and its samples.
    void measured(double seconds, int samples);

private:
    void startTrial();
    void nextTurn();
    void endDuel(bool lowerWins);

    Settings m_settings;
    std::vector<int> m_counts;  ///< most, most/2, ..., 1
    int m_chosen;
    int m_warmUp;
    bool m_trying = false;
    std::size_t m_upper = 0;    ///< the duel is m_counts[m_upper] against m_counts[m_upper + 1]
    bool m_lowerTurn = false;
    std::vector<double> m_upperTimes, m_lowerTimes;  ///< seconds per sample
    double m_reference = 0.0;   ///< the chosen count's seconds per sample
    std::vector<double> m_recent;  ///< the last batches' seconds per sample since the trial
    double m_sinceTrial = 0.0;
    double m_recheck;
};

}  // namespace loom
