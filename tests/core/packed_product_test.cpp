// The recurrent kernels' packed product (engine/kernels/packed_product.h) against Eigen's, at
// the shapes that exercise every part of it: full and partial register blocks of rows, a last
// panel narrower than the others, strided operands as a step of a (batch * time) matrix has
// them, assignment and accumulation, one thread and several. The layer kernels that use it are
// checked at every instruction-set level by the fixture, gradient and isa tests.
#include <gtest/gtest.h>

#include <tuple>

#include "engine/kernels/packed_product.h"

namespace loom {
namespace {

template <class S>
void expectProductsMatch(double tolerance) {
    for (const auto& [m, k, n] : {std::tuple{32, 512, 96}, {1, 3, 1}, {5, 7, 50}, {7, 20, 80},
                                   {13, 64, 200}, {32, 1, 2048}, {9, 100, 7}}) {
        for (int threads : {1, 2}) {
            // A and C are steps of larger matrices: rows lda and ldc apart.
            const Eigen::Index lda = k + 3, ldc = n + 5;
            Mat<S> aStore = Mat<S>::Random(m, lda), cStore = Mat<S>::Random(m, ldc);
            const Mat<S> b = Mat<S>::Random(k, n);
            const Mat<S> a = aStore.leftCols(k), before = cStore.leftCols(n), past = cStore.rightCols(ldc - n);
            PackedRhs<S> packed;
            packed.pack(b);
            ASSERT_EQ(packed.rows(), k);
            ASSERT_EQ(packed.cols(), n);

            packed.multiply(aStore.data(), lda, m, cStore.data(), ldc, true, threads);
            const Mat<S> added = before + a * b;
            EXPECT_LE((cStore.leftCols(n) - added).cwiseAbs().maxCoeff(), tolerance * k)
                << m << "x" << k << "x" << n << ", " << threads << " threads";
            packed.multiply(aStore.data(), lda, m, cStore.data(), ldc, false, threads);
            EXPECT_LE((cStore.leftCols(n) - a * b).cwiseAbs().maxCoeff(), tolerance * k);
            EXPECT_EQ(cStore.rightCols(ldc - n), past) << "columns past n were written";
        }
    }
}

TEST(PackedProduct, MatchesEigensProductInFloat) { expectProductsMatch<float>(1e-6); }

TEST(PackedProduct, MatchesEigensProductInDouble) { expectProductsMatch<double>(1e-14); }

// A transposed operand, as the backward pass packs the recurrent kernel, and a repack of a
// different shape into the same storage.
TEST(PackedProduct, PacksATransposeAndRepacks) {
    const Mat<double> w = Mat<double>::Random(24, 96);
    const Mat<double> dz = Mat<double>::Random(6, 96);
    PackedRhs<double> packed;
    packed.pack(w);
    packed.pack(w.transpose());
    Mat<double> out(6, 24);
    packed.multiply(dz.data(), 96, 6, out.data(), 24, false, 1);
    EXPECT_LE((out - dz * w.transpose()).cwiseAbs().maxCoeff(), 1e-12);
}

}  // namespace
}  // namespace loom
