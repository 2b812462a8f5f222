// layerloom-bench: full training steps (forward, loss, backward, Adam update) on the example
// models, in samples/s, achieved GFLOP/s and peak memory, beside the machine's float32 GEMM
// peak as Eigen reaches it. A step counts 3x the forward matrix-product FLOPs; an LSTM layer's
// forward is 2*B*T*(in+u)*4u, a GRU's 2*B*T*(in+u)*3u, a Dense's 2*rows*in*units, a Conv1D's
// 2*B*T_out*kernel_size*in*filters.
#include <sys/resource.h>

#include <Eigen/Core>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/isa/cpu_dispatch.h"
#include "engine/kernels/attention_kernel.h"
#include "engine/loss.h"
#include "engine/optimizer.h"
#include "engine/plan.h"
#include "graph/project_file.h"
#include "shape/validator.h"

namespace {

using Clock = std::chrono::steady_clock;

double forwardFlops(const loom::ModelGraph& g, int batch) {
    const loom::Validation v = loom::validate(g);
    double flops = 0;
    for (const loom::Node& n : g.nodes()) {
        const auto inputs = g.inputEdges(n.id);
        if (inputs.empty()) continue;
        const auto& in = v.of(g, inputs[0]->from.node).output->dims;
        const double steps = in.size() == 2 ? static_cast<double>(in[0].size) : 1.0;
        const double features = static_cast<double>(in.back().size);
        if (n.kind == "LSTM" || n.kind == "GRU") {
            const double u = static_cast<double>(n.param<std::int64_t>("units"));
            flops += 2.0 * batch * steps * (features + u) * (n.kind == "LSTM" ? 4 : 3) * u;
        } else if (n.kind == "Dense" || n.kind == "TimeDistributed") {
            flops += 2.0 * batch * steps * features * static_cast<double>(n.param<std::int64_t>("units"));
        } else if (n.kind == "MultiHeadAttention") {
            // The three projections, the scores Q K^T and their mix P V, the output projection.
            const double heads = static_cast<double>(n.param<std::int64_t>("num_heads"));
            const double key = static_cast<double>(n.param<std::int64_t>("key_dim"));
            const double value = static_cast<double>(loom::attentionValueDim(n));
            const double out = static_cast<double>(v.of(g, n.id).output->dims.back().size);
            flops += 2.0 * batch * steps * features * heads * (2 * key + value);
            flops += 2.0 * batch * heads * steps * steps * (key + value);
            flops += 2.0 * batch * steps * heads * value * out;
        } else if (n.kind == "Conv1D") {
            const double outSteps = static_cast<double>(v.of(g, n.id).output->dims[0].size);
            flops += 2.0 * batch * outSteps * static_cast<double>(n.param<std::int64_t>("kernel_size")) * features *
                     static_cast<double>(n.param<std::int64_t>("filters"));
        }
    }
    return flops;
}

double gemmPeak() {
    const int n = 1024;
    Eigen::MatrixXf a = Eigen::MatrixXf::Random(n, n), b = Eigen::MatrixXf::Random(n, n), c(n, n);
    c.noalias() = a * b;  // warm up
    const int reps = 8;
    const auto start = Clock::now();
    for (int i = 0; i < reps; ++i) c.noalias() = a * b;
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    return 2.0 * n * n * n * reps / s / 1e9 + 0.0 * c(0, 0);
}

long peakMemoryMiB() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

void run(const char* label, const std::string& file, int batch, int steps, loom::Loss loss) {
    const loom::Project p = loom::loadProject(file);
    loom::Plan<float> plan = loom::Plan<float>::compile(p.graph, batch);
    plan.initialize(1);
    const loom::Dims in = plan.dims(plan.inputs()[0]);
    const loom::Dims out = plan.dims(plan.outputs()[0]);
    const std::int64_t inSize = batch * in[0] * in.back();
    const std::int64_t rows = batch * (out.size() == 2 ? out[0] : 1);
    const std::int64_t cols = out.back();
    std::mt19937 rng(1);
    std::normal_distribution<float> normal;
    std::vector<float> x(static_cast<std::size_t>(inSize));
    for (float& v : x) v = normal(rng);
    std::vector<float> target(static_cast<std::size_t>(rows * loom::targetColumns(loss, cols)));
    for (std::size_t i = 0; i < target.size(); ++i) {
        target[i] = loss == loom::Loss::SparseCategoricalCrossentropy ? static_cast<float>(i % cols)
                                                                      : x[i % x.size()];
    }
    std::vector<float> grad(static_cast<std::size_t>(rows * cols));
    loom::Optimizer adam(*loom::OptimizerConfig::defaultsFor("adam"));
    auto step = [&] {
        const float* inputs[] = {x.data()};
        plan.forward(inputs, batch, true);
        loom::computeLoss<float>(loss, plan.output(0), target.data(), rows, cols, grad.data());
        plan.zeroGrad();
        const float* grads[] = {grad.data()};
        plan.backward(grads);
        adam.step(plan);
    };
    step();  // warm up: first-touch allocations
    const auto start = Clock::now();
    for (int i = 0; i < steps; ++i) step();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count() / steps;
    const double gflops = 3.0 * forwardFlops(p.graph, batch) / seconds / 1e9;
    std::printf("%-34s batch %3d  %8.1f samples/s  %7.1f GFLOP/s  %8.2f ms/step  peak %ld MiB\n",
                label, batch, batch / seconds, gflops, seconds * 1e3, peakMemoryMiB());
}

}  // namespace

int main(int argc, char** argv) {
    int steps = 5;
    std::string only = "abcdef";  // the models to run, by their letters
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--steps") == 0 && i + 1 < argc) {
            steps = std::max(1, std::atoi(argv[++i]));
        } else if (std::strcmp(argv[i], "--isa") == 0 && i + 1 < argc) {
            // The kernels of a lower instruction-set level, to compare levels on one machine.
            if (!loom::isa::select(argv[++i])) {
                std::fprintf(stderr, "layerloom-bench: level %s is not built in or not supported here\n", argv[i]);
                return 2;
            }
        } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else {
            std::fprintf(stderr, "usage: layerloom-bench [--steps N] [--isa x86-64-v2|v3|v4] [--only LETTERS]\n");
            return 2;
        }
    }
    const std::string dir = LAYERLOOM_EXAMPLES_DIR;
    std::printf("Eigen %d.%d.%d, %d threads, float32 GEMM peak (1024^3): %.1f GFLOP/s\n",
                EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION, Eigen::nbThreads(),
                gemmPeak());
    std::printf("kernels: %s\n", loom::isa::active().level);
    std::printf("mean of %d training steps (forward, loss, backward, Adam) after one warm-up\n", steps);
    const auto wanted = [&](char letter) { return only.find(letter) != std::string::npos; };
    if (wanted('a')) run("(a) chain autoencoder, selu", dir + "/lstm_autoencoder.loom", 32, steps, loom::Loss::MeanSquaredError);
    if (wanted('b')) run("(b) U-Net skip autoencoder", dir + "/lstm_autoencoder_skips.loom", 32, steps, loom::Loss::MeanSquaredError);
    if (wanted('c')) {
        run("(c) residual LSTM classifier", dir + "/residual_lstm_classifier.loom", 32, steps,
            loom::Loss::SparseCategoricalCrossentropy);
    }
    // A step of the small convolutional U-Net takes well under a millisecond: many more steps.
    if (wanted('d')) {
        run("(d) 1-D conv U-Net", dir + "/conv1d_unet.loom", 32, 100 * steps, loom::Loss::MeanSquaredError);
        run("(d) 1-D conv U-Net", dir + "/conv1d_unet.loom", 256, 20 * steps, loom::Loss::MeanSquaredError);
    }
    // The seed chain autoencoder with Keras's default GRU (reset_after) in place of each LSTM.
    if (wanted('e')) {
        run("(e) chain autoencoder, GRU", std::string(LAYERLOOM_BENCH_MODELS_DIR) + "/gru_autoencoder.loom", 32, steps,
            loom::Loss::MeanSquaredError);
    }
    // keras.io's Transformer classifier: 4 blocks of 4 heads of key_dim 256 over 500 steps.
    if (wanted('f')) {
        run("(f) Transformer classifier", dir + "/keras_timeseries_transformer_classification.loom", 32, steps,
            loom::Loss::SparseCategoricalCrossentropy);
    }
    return 0;
}
