#include "engine/isa/cpu_dispatch.h"

#include <Eigen/Core>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <type_traits>
#ifdef _OPENMP
#include <omp.h>
#endif

// The tables CMake built in: one per level in the portable x86-64 build, else this build's own.
#ifdef LAYERLOOM_ISA_DISPATCH
extern "C" const loom::isa::Table* layerloom_isa_table_v2();
extern "C" const loom::isa::Table* layerloom_isa_table_v3();
extern "C" const loom::isa::Table* layerloom_isa_table_v4();
#else
extern "C" const loom::isa::Table* layerloom_isa_table_build();
#endif

namespace loom::isa {
namespace {

struct Candidate {
    const Table* table;
    bool supported;
};

std::vector<Candidate> candidates() {
#ifdef LAYERLOOM_ISA_DISPATCH
    // The levels' definitions (x86-64 psABI), feature by feature so that clang reads them too;
    // libgcc's answers include whether the operating system saves the wider registers.
    __builtin_cpu_init();
    const bool v2 = __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("popcnt") &&
                    __builtin_cpu_supports("ssse3");
    const bool v3 = v2 && __builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2") &&
                    __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") &&
                    __builtin_cpu_supports("bmi2");
    const bool v4 = v3 && __builtin_cpu_supports("avx512f") &&
                    __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512cd") &&
                    __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    // The v2 table is the build's baseline: a processor without it does not start the program.
    return {{layerloom_isa_table_v2(), true},
            {layerloom_isa_table_v3(), v3},
            {layerloom_isa_table_v4(), v4}};
#else
    return {{layerloom_isa_table_build(), true}};
#endif
}

bool sameLevel(std::string_view asked, std::string_view level) {
    return asked == level || (asked.size() == 2 && level.ends_with(std::string("-") + std::string(asked)));
}

const Table* best() {
    const auto all = candidates();
    const Table* chosen = all.front().table;
    for (const Candidate& c : all) {
        if (c.supported) chosen = c.table;
    }
    if (const char* asked = std::getenv("LAYERLOOM_ISA"); asked && *asked) {
        bool found = false;
        for (const Candidate& c : all) {
            if (sameLevel(asked, c.table->level) && c.supported) {
                chosen = c.table;
                found = true;
            }
        }
        if (!found) {
            std::cerr << "LayerLoom: LAYERLOOM_ISA=" << asked
                      << " is not built in or not supported by this processor; using "
                      << chosen->level << "\n";
        }
    }
    return chosen;
}

std::atomic<const Table*>& current() {
    static std::atomic<const Table*> table{best()};
    return table;
}

}  // namespace

const Table& active() { return *current().load(std::memory_order_acquire); }

std::vector<std::string> supportedLevels() {
    std::vector<std::string> levels;
    for (const Candidate& c : candidates()) {
        if (c.supported) levels.emplace_back(c.table->level);
    }
    return levels;
}

void setThreads(int threads) {
#ifdef _OPENMP
    omp_set_num_threads(threads);
#endif
    Eigen::setNbThreads(threads);
    active().setThreads(threads);
}

bool select(std::string_view level) {
    for (const Candidate& c : candidates()) {
        if (c.supported && sameLevel(level, c.table->level)) {
            c.table->setThreads(Eigen::nbThreads());
            current().store(c.table, std::memory_order_release);
            return true;
        }
    }
    return false;
}

}  // namespace loom::isa

namespace loom {

template <class S>
std::unique_ptr<Kernel<S>> makeKernel(const KernelSetup& setup) {
    if constexpr (std::is_same_v<S, float>) {
        return isa::active().makeKernelF(setup);
    } else {
        return isa::active().makeKernelD(setup);
    }
}

template std::unique_ptr<Kernel<float>> makeKernel<float>(const KernelSetup&);
template std::unique_ptr<Kernel<double>> makeKernel<double>(const KernelSetup&);

}  // namespace loom
