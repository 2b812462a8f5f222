// Training speed: samples per second for one optimizer step on the shipped LSTM autoencoders
// (forward, backward and Adam), and inference speed.
#include <benchmark/benchmark.h>

#include <random>

#include "engine/loss.h"
#include "engine/optimizer.h"
#include "engine/plan.h"
#include "graph/project_file.h"

namespace {

loom::Project example(const char* name) {
    return loom::loadProject(std::string(LAYERLOOM_EXAMPLES_DIR) + "/" + name);
}

void trainStep(benchmark::State& state, const char* file) {
    const int batch = static_cast<int>(state.range(0));
    const loom::Project p = example(file);
    loom::Plan<float> plan = loom::Plan<float>::compile(p.graph, batch);
    plan.initialize(1);
    const auto inSize = static_cast<std::size_t>(batch * 32);
    std::vector<float> x(inSize), grad(inSize);
    std::mt19937 rng(1);
    std::normal_distribution<float> n;
    for (float& v : x) v = n(rng);
    loom::Optimizer adam(*loom::OptimizerConfig::defaultsFor("adam"));
    for (auto _ : state) {
        const float* in[] = {x.data()};
        plan.forward(in, batch, true);
        loom::computeLoss<float>(loom::Loss::MeanSquaredError, plan.output(0), x.data(), batch * 32, 1,
                                 grad.data());
        plan.zeroGrad();
        const float* g[] = {grad.data()};
        plan.backward(g);
        adam.step(plan);
    }
    state.SetItemsProcessed(state.iterations() * batch);
}

void BM_TrainStepAutoencoder(benchmark::State& s) { trainStep(s, "lstm_autoencoder.loom"); }
void BM_TrainStepSkipAutoencoder(benchmark::State& s) { trainStep(s, "lstm_autoencoder_skips.loom"); }
BENCHMARK(BM_TrainStepAutoencoder)->Arg(32)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TrainStepSkipAutoencoder)->Arg(32)->Unit(benchmark::kMillisecond);

void BM_PredictAutoencoder(benchmark::State& state) {
    const loom::Project p = example("lstm_autoencoder.loom");
    loom::Plan<float> plan = loom::Plan<float>::compile(p.graph, 32);
    plan.initialize(1);
    std::vector<float> x(32 * 32, 0.5f);
    for (auto _ : state) {
        const float* in[] = {x.data()};
        plan.forward(in, 32);
        benchmark::DoNotOptimize(plan.output(0));
    }
    state.SetItemsProcessed(state.iterations() * 32);
}
BENCHMARK(BM_PredictAutoencoder)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
