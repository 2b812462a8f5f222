#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>

#include "engine/tensor.h"

namespace loom {

/// C = A B or C += A B for a short A (one row per sample of a batch) and a B that stays the same
/// over many products: a recurrent kernel times each step's hidden state. A general matrix
/// product repacks B on every call, and for 32 rows against a 512 x 2048 kernel that packing
/// costs about as much as the arithmetic; here B is packed once, per forward or backward pass
/// (and kept from one prediction to the next while the weights stay), into column panels a few
/// SIMD registers wide. Each product then streams the panels with A's values broadcast, and
/// the threads take whole panels.
///
/// The register block fits the level this file is compiled for (engine/isa): 8 rows by 3
/// vectors with AVX-512's 32 registers, 6 rows by 2 vectors with 16. Sums run over k in order,
/// as fused multiply-adds where the level has them, each slice of kDepth rows of k summed in
/// registers and added into C.
template <class S>
class PackedRhs {
    using Packet = typename Eigen::internal::packet_traits<S>::type;
    static constexpr int kLanes = Eigen::internal::unpacket_traits<Packet>::size;
#ifdef __AVX512F__
    static constexpr int kVectors = 3, kRows = 8;
#else
    static constexpr int kVectors = 2, kRows = 6;
#endif
    static constexpr int kWidth = kVectors * kLanes;  ///< columns of one panel
    /// Panel rows per slice: 128 rows of a panel take 24 KiB (AVX-512 floats) or less of a 32
    /// or 48 KiB first-level cache.
    static constexpr Eigen::Index kDepth = 128;

public:
    /// Packs B (k x n); the columns past n in the last panel are zero.
    template <class Derived>
    void pack(const Eigen::MatrixBase<Derived>& b) {
        m_k = b.rows();
        m_n = b.cols();
        const Eigen::Index panels = panelCount();
        m_panels.resize(static_cast<std::size_t>(panels * m_k * kWidth));
        if (m_n % kWidth != 0) {
            StridedMap<S>(m_panels.data() + (panels - 1) * m_k * kWidth, m_k, kWidth, Eigen::OuterStride<>(kWidth))
                .setZero();
        }
        for (Eigen::Index p = 0; p < panels; ++p) {
            const Eigen::Index first = p * kWidth, width = std::min<Eigen::Index>(kWidth, m_n - first);
            StridedMap<S>(m_panels.data() + p * m_k * kWidth, m_k, width, Eigen::OuterStride<>(kWidth)) =
                b.middleCols(first, width);
        }
    }

    Eigen::Index rows() const { return m_k; }
    std::size_t bytes() const { return m_panels.size() * sizeof(S); }
    Eigen::Index cols() const { return m_n; }

    /// C (m x n, rows ldc apart) = A B, or += A B when `add`; A is m x k, rows lda apart.
    /// `threads` share the panels; products too small to pay for a hand-over run on this thread.
    void multiply(const S* a, Eigen::Index lda, Eigen::Index m, S* c, Eigen::Index ldc, bool add,
                  int threads) const {
        const Eigen::Index panels = panelCount();
        const bool parallel = threads > 1 && panels > 1 && m * m_k * m_n >= (Eigen::Index{1} << 18);
        (void)parallel;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(std::max(threads, 1)) if (parallel)
#endif
        for (Eigen::Index p = 0; p < panels; ++p) {
            const Eigen::Index first = p * kWidth, width = std::min<Eigen::Index>(kWidth, m_n - first);
            // A slice of the panel at a time, small enough to stay in the core's first-level
            // cache while every row block runs through it; the slices' sums add up in C.
            for (Eigen::Index k0 = 0; k0 == 0 || k0 < m_k; k0 += kDepth) {  // once when k is 0: C = 0
                const Eigen::Index depth = std::min<Eigen::Index>(kDepth, m_k - k0);
                const S* panel = m_panels.data() + (p * m_k + k0) * kWidth;
                const bool sum = add || k0 > 0;
                Eigen::Index r = 0;
                for (; r + kRows <= m; r += kRows) {
                    block<kRows>(a + r * lda + k0, lda, panel, depth, c + r * ldc + first, ldc, width, sum);
                }
                tail<kRows - 1>(m - r, a + r * lda + k0, lda, panel, depth, c + r * ldc + first, ldc, width, sum);
            }
        }
    }

private:
    Eigen::Index panelCount() const { return (m_n + kWidth - 1) / kWidth; }

    /// The rows left after the full blocks, fewer than kRows.
    template <int R>
    void tail(Eigen::Index rows, const S* a, Eigen::Index lda, const S* panel, Eigen::Index depth, S* c,
              Eigen::Index ldc, Eigen::Index width, bool add) const {
        if constexpr (R > 0) {
            if (rows == R) {
                block<R>(a, lda, panel, depth, c, ldc, width, add);
            } else {
                tail<R - 1>(rows, a, lda, panel, depth, c, ldc, width, add);
            }
        }
    }

    /// R rows of C times `depth` rows of one panel, kept in registers over them.
    template <int R>
    void block(const S* a, Eigen::Index lda, const S* panel, Eigen::Index depth, S* c, Eigen::Index ldc,
               Eigen::Index width, bool add) const {
        using namespace Eigen::internal;
        Packet acc[R][kVectors];
        for (int i = 0; i < R; ++i) {
            for (int v = 0; v < kVectors; ++v) acc[i][v] = pset1<Packet>(S(0));
        }
        for (Eigen::Index k = 0; k < depth; ++k) {
            const S* b = panel + k * kWidth;
            Packet bv[kVectors];
            for (int v = 0; v < kVectors; ++v) bv[v] = pload<Packet>(b + v * kLanes);
            for (int i = 0; i < R; ++i) {
                const Packet av = pset1<Packet>(a[i * lda + k]);
                for (int v = 0; v < kVectors; ++v) acc[i][v] = pmadd(av, bv[v], acc[i][v]);
            }
        }
        if (width == kWidth) {
            for (int i = 0; i < R; ++i) {
                S* row = c + i * ldc;
                for (int v = 0; v < kVectors; ++v) {
                    const Packet sum = add ? padd(ploadu<Packet>(row + v * kLanes), acc[i][v]) : acc[i][v];
                    pstoreu(row + v * kLanes, sum);
                }
            }
            return;
        }
        // The last panel: only its first `width` columns are C's.
        alignas(64) S spill[kWidth];
        for (int i = 0; i < R; ++i) {
            for (int v = 0; v < kVectors; ++v) pstore(spill + v * kLanes, acc[i][v]);
            S* row = c + i * ldc;
            for (Eigen::Index j = 0; j < width; ++j) row[j] = add ? row[j] + spill[j] : spill[j];
        }
    }

    Eigen::Index m_k = 0, m_n = 0;
    AlignedVector<S> m_panels;
};

}  // namespace loom
