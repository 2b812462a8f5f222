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
/// It starts on `most` threads and times a few batches on each count from `most` down, halving,
/// until a count is slower than the best so far; a count whose first batch is already far
/// slower is left at once. It keeps the fastest (fewer threads only when clearly faster). It
/// tries again, the chosen count first, when the batches' speed drifts away from what it
/// measured, and after a while in any case, since a machine that was busy may have become idle.
///
/// LayerLoom's own kernels compute each value the same way on any number of threads, and so do
/// OpenBLAS's products on some processors (its AVX-512 kernels) but not on all (its AVX2 ones
/// sum in other blocks on one thread than on several): there a run whose count changed differs
/// from one that kept it in the last bits. ThreadUse::Fixed keeps the count.
class ThreadChooser {
public:
    struct Settings {
        int batchesPerTrial = 3;      ///< timed per count; their median counts (the first
                                      ///< batch of a run, which allocates, is one of them)
        double leave = 1.5;           ///< a count whose batch takes this much more than the
                                      ///< best so far is left after that batch
        double clearlyFaster = 0.95;  ///< fewer threads win below this share of the time
        double drift = 1.4;           ///< speed off by this factor ...
        int driftBatches = 3;         ///< ... for this many batches in a row: try again
        double firstRecheck = 20.0;   ///< seconds of batches until the next trial ...
        double lastRecheck = 160.0;   ///< ... doubling up to this while the choice holds
    };

    explicit ThreadChooser(int most) : ThreadChooser(most, Settings{}) {}
    ThreadChooser(int most, Settings settings);

    /// The thread count for the next batch.
    int threads() const { return m_trying ? m_order[m_position] : m_chosen; }

    /// Reports the batch just run on threads(): its time and its samples.
    void measured(double seconds, int samples);

private:
    void startTrial();
    void nextCount(double time);
    void endTrial();

    struct Tried {
        int threads;
        double time;  ///< seconds per sample
    };

    Settings m_settings;
    std::vector<int> m_counts;  ///< most, most/2, ..., 1
    int m_chosen;
    bool m_trying = false;
    std::vector<int> m_order;   ///< the counts of the current trial, in the order tried
    std::size_t m_position = 0;
    std::vector<double> m_times;  ///< the current count's seconds per sample
    std::vector<Tried> m_tried;   ///< this trial's counts and times
    double m_reference = 0.0;   ///< the chosen count's seconds per sample
    int m_drifting = 0;
    double m_sinceTrial = 0.0;
    double m_recheck;
};

}  // namespace loom
