// Inference speed of a model as `layerloom-cli predict` computes it (the plan's forward pass
// over a batch), for the side-by-side comparison with ONNX Runtime (onnx_side_by_side.sh):
//   layerloom_bench_predict MODEL BATCH THREADS [SECONDS]
// MODEL is any model file (.loom, .keras, .onnx ...); inputs are seeded normal numbers (token
// ids 0 and 1 for an int32 Input). Prints the median milliseconds per batch over runs of at
// least SECONDS (default 3) after a warm-up, and the samples per second that makes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "engine/isa/cpu_dispatch.h"
#include "engine/plan.h"
#include "interop/model_file.h"
#include "shape/validator.h"
#include "train/trainer.h"

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: layerloom_bench_predict MODEL BATCH THREADS [SECONDS]\n");
        return 64;
    }
    const int batch = std::atoi(argv[2]), threads = std::atoi(argv[3]);
    const double seconds = argc > 4 ? std::atof(argv[4]) : 3.0;
    try {
        loom::Project project = loom::openModelFile(argv[1]);
        loom::isa::setThreads(threads);
        loom::Plan<float> plan = loom::Plan<float>::compile(project.graph, batch, 32);
        if (project.weights.empty()) {
            plan.initialize(1);
        } else {
            plan.loadWeights(project.weights);
        }
        std::mt19937 rng(7);
        std::normal_distribution<float> normal;
        std::vector<std::vector<float>> inputs;
        std::vector<const float*> pointers;
        const loom::Validation v = loom::validate(project.graph);
        for (std::size_t k = 0; k < plan.inputs().size(); ++k) {
            std::int64_t per = 1;
            for (std::int64_t d : plan.dims(plan.inputs()[k])) per *= d;
            const loom::Node& in = *project.graph.node(v.inputs[k]);
            const auto dtype = in.params.find("dtype");
            const bool ids = dtype != in.params.end() && std::get_if<std::string>(&dtype->second) &&
                             std::get<std::string>(dtype->second) == "int32";
            std::vector<float> x(static_cast<std::size_t>(per * batch));
            for (float& value : x) value = ids ? static_cast<float>(rng() % 2) : normal(rng);
            inputs.push_back(std::move(x));
        }
        for (const auto& x : inputs) pointers.push_back(x.data());
        const auto once = [&] {
            const auto start = std::chrono::steady_clock::now();
            const auto y = loom::predictAll(plan, pointers, batch);
            const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
            if (y.empty()) std::abort();
            return took.count();
        };
        for (int k = 0; k < 3; ++k) once();  // warm-up
        std::vector<double> times;
        double total = 0.0;
        while (total < seconds * 1000.0 || times.size() < 5) {
            times.push_back(once());
            total += times.back();
        }
        std::sort(times.begin(), times.end());
        const double median = times[times.size() / 2];
        std::printf("%s batch %d threads %d: %.4f ms per batch (median of %zu), %.1f samples/s\n", argv[1], batch, threads,
                    median, times.size(), 1000.0 * batch / median);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "layerloom_bench_predict: %s: %s\n", argv[1], e.what());
        return 1;
    }
    return 0;
}
