// The recurrent kernels' packed product (engine/kernels/packed_product.h) against Eigen's, at
// the shapes that exercise every part of it: full and partial register blocks of rows, a last
// panel narrower than the others, strided operands as a step of a (batch * time) matrix has
// them, assignment and accumulation, one thread and several. The layer kernels that use it are
// checked at every instruction-set level by the fixture, gradient and isa tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "engine/isa/cpu_dispatch.h"
#include "engine/kernels/packed_product.h"
#include "engine/kernels/row_chunks.h"
#include "engine/loss.h"
#include "engine/optimizer.h"
#include "engine/plan.h"
#include "test_graphs.h"

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

/// Three Adam steps of LSTM, GRU (both reset modes) and SimpleRNN layers wide enough for their
/// step products and gate math to be split between threads: small ones by samples, large ones
/// (a kernel past half of this machine's per-core cache) by the kernel's columns and the batch's
/// rows at every step; returns the weights after them, and the outputs and gradients of one
/// more pass on other inputs.
std::vector<float> trainThreeSteps(int threads) {
    isa::setThreads(threads);
    ModelGraph g;
    const NodeId in = test::input(g, {12, 8});
    const NodeId a = test::lstm(g, 96, true, in);
    const NodeId b = test::add(g, "GRU", {{"units", std::int64_t{80}}, {"return_sequences", true}}, {a});
    const NodeId c = test::add(g, "GRU", {{"units", std::int64_t{72}}, {"return_sequences", true}, {"reset_after", false}},
                               {b});
    const NodeId d = test::add(g, "SimpleRNN", {{"units", std::int64_t{160}}, {"return_sequences", true}}, {c});
    // Recurrent kernels too large for a core's cache: each step split by columns and rows.
    const NodeId e = test::add(g, "GRU", {{"units", std::int64_t{384}}, {"return_sequences", true}}, {d});
    const NodeId f = test::add(g, "GRU", {{"units", std::int64_t{352}}, {"return_sequences", true}, {"reset_after", false}},
                               {e});
    test::lstm(g, 400, true, f);
    const int batch = 32;
    Plan<float> plan = Plan<float>::compile(g, batch);
    plan.initialize(7);
    std::vector<float> x(static_cast<std::size_t>(batch * 12 * 8));
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i)));
    const std::int64_t rows = batch * 12, cols = 400;
    const std::vector<float> target(static_cast<std::size_t>(rows * cols), 0.25f);
    std::vector<float> grad(target.size());
    Optimizer adam(*OptimizerConfig::defaultsFor("adam"));
    const auto pass = [&](const std::vector<float>& inputs) {
        const float* values[] = {inputs.data()};
        plan.forward(values, batch, true);
        computeLoss<float>(Loss::MeanSquaredError, plan.output(0), target.data(), rows, cols, grad.data());
        plan.zeroGrad();
        const float* grads[] = {grad.data()};
        plan.backward(grads);
    };
    for (int step = 0; step < 3; ++step) {
        pass(x);
        adam.step(plan);
    }
    std::vector<float> result;
    for (const NamedTensor& t : plan.exportWeights()) result.insert(result.end(), t.values.begin(), t.values.end());
    // Then one pass on other inputs, whose outputs and gradients are kept too: a value a thread
    // failed to compute would still hold the last pass's, which Adam's few small steps would
    // barely change, but other inputs would.
    std::vector<float> other(x.size());
    for (std::size_t i = 0; i < other.size(); ++i) other[i] = static_cast<float>(std::cos(0.91 * static_cast<double>(i)));
    pass(other);
    result.insert(result.end(), plan.output(0), plan.output(0) + rows * cols);
    for (const auto& p : plan.params()) result.insert(result.end(), p.grad.begin(), p.grad.end());
    return result;
}

// The recurrent kernels' own threads (their step products, gate math and Adam's update) compute
// every value as one thread would; only the general products' may differ in the last bits.
TEST(PackedProduct, TrainingOnTwoThreadsMatchesOneThread) {
    const int before = kernelThreads();
    const std::vector<float> one = trainThreeSteps(1);
    const std::vector<float> two = trainThreeSteps(2);
    isa::setThreads(before);
    ASSERT_EQ(one.size(), two.size());
    // Counted so that a NaN on one side is a difference too (it compares false).
    std::size_t differing = 0, first = one.size();
    for (std::size_t i = 0; i < one.size(); ++i) {
        if (!(std::abs(double{one[i]} - double{two[i]}) <= 1e-6)) {
            if (differing++ == 0) first = i;
        }
    }
    EXPECT_EQ(differing, 0u) << "of " << one.size() << " values; the first, #" << first << ": "
                             << (first < one.size() ? one[first] : 0.f) << " on one thread, "
                             << (first < two.size() ? two[first] : 0.f) << " on two";
}

}  // namespace
}  // namespace loom
