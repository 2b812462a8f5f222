// Whole-graph validation speed: the editor re-validates on every edit, so a 1,000-layer graph
// must validate well under 5 ms.
#include <benchmark/benchmark.h>

#include "bench_graphs.h"
#include "shape/validator.h"

namespace {

void BM_Validate(benchmark::State& state) {
    const loom::ModelGraph g = loom::bench::residualStack(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        loom::Validation v = loom::validate(g);
        benchmark::DoNotOptimize(v);
    }
    state.counters["layers"] = static_cast<double>(g.nodes().size());
    state.counters["wires"] = static_cast<double>(g.edges().size());
}
BENCHMARK(BM_Validate)->Arg(100)->Arg(1000)->Arg(5000)->Unit(benchmark::kMillisecond);

void BM_ValidateWithMismatch(benchmark::State& state) {
    // The same graph with one wrong width near the top: diagnostics and fixes are built too.
    loom::ModelGraph g = loom::bench::residualStack(static_cast<int>(state.range(0)));
    g.setParam(g.nodes()[1].id, "units", std::int64_t{20});
    for (auto _ : state) {
        loom::Validation v = loom::validate(g);
        benchmark::DoNotOptimize(v);
    }
}
BENCHMARK(BM_ValidateWithMismatch)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
