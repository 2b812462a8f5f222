#pragma once

#include <Eigen/Core>
#include <algorithm>

namespace loom {

/// Runs f(first, count) over `rows` rows split into one chunk per thread, for element-wise work
/// whose rows are independent (a recurrent step's gate math, forward and backward). Work too
/// small to pay for a hand-over, under about 8k values, runs on this thread as one chunk. Each
/// value is computed as it would be in one pass, so the results do not depend on the threads.
template <class F>
void inRowChunks(Eigen::Index rows, Eigen::Index valuesPerRow, int threads, F&& f) {
    const Eigen::Index chunks =
        rows * valuesPerRow >= (Eigen::Index{1} << 13) ? std::clamp<Eigen::Index>(threads, 1, rows) : 1;
    if (chunks == 1) {
        f(Eigen::Index{0}, rows);
        return;
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(static_cast<int>(chunks))
#endif
    for (Eigen::Index c = 0; c < chunks; ++c) {
        const Eigen::Index first = rows * c / chunks, last = rows * (c + 1) / chunks;
        f(first, last - first);
    }
}

}  // namespace loom
