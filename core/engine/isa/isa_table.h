#pragma once

#include <cstdint>
#include <memory>

#include "engine/kernel.h"

namespace loom {
struct OptimizerConfig;
}

namespace loom::isa {

/// The hot numeric code compiled for one instruction-set level (x86-64-v2, -v3 with AVX2 and
/// FMA, -v4 with AVX-512): the layer kernels and the optimizer's element-wise update. The
/// portable build carries one table per level and picks the best the processor runs
/// (cpu_dispatch.h); a build for one processor (-march=native) carries a single table.
struct Table {
    const char* level;  ///< "x86-64-v3", or "this build's" for a single-table build
    std::unique_ptr<Kernel<float>> (*makeKernelF)(const KernelSetup&);
    std::unique_ptr<Kernel<double>> (*makeKernelD)(const KernelSetup&);
    /// One optimizer step on one parameter: w from gradient g, with the slots m and v, and
    /// vMax for AMSGrad (else null).
    void (*updateParameter)(const OptimizerConfig& config, long iteration, float* w, float* g,
                            float* m, float* v, float* vMax, std::int64_t n);
    /// Eigen's own thread count (products without BLAS), which each table keeps for itself.
    void (*setThreads)(int threads);
};

}  // namespace loom::isa
