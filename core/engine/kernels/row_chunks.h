#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstddef>

#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace loom {

/// The threads a kernel's own parallel work may use: OpenMP's count for the calling thread,
/// which a training session sets for its own thread (isa::setThreads) and OpenBLAS reads the
/// same way. Eigen's count is one for the whole program, and a second session (a preview of a
/// saved run, say) would change it under a running one.
inline int kernelThreads() {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/// Sets what kernelThreads() returns on the calling thread, for its next products and steps
/// (the trainer's choice per batch, see ThreadChooser).
inline void setKernelThreads(int threads) {
#ifdef _OPENMP
    omp_set_num_threads(std::max(threads, 1));
#else
    (void)threads;
#endif
}

/// The cache one core keeps for itself (the L2 on current x86 processors), as the C library
/// reports it; 512 KiB where it does not say.
inline std::size_t coreCacheBytes() {
    static const std::size_t bytes = [] {
#ifdef _SC_LEVEL2_CACHE_SIZE
        const long reported = sysconf(_SC_LEVEL2_CACHE_SIZE);
#else
        const long reported = 0;
#endif
        return reported > 0 ? static_cast<std::size_t>(reported) : std::size_t{512} << 10;
    }();
    return bytes;
}

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
