// The layer kernels and the optimizer's update, compiled once per instruction-set level.
// CMake builds this file with -march=x86-64-v2, -v3 and -v4 and defines LAYERLOOM_ISA_ENTRY
// and LAYERLOOM_ISA_LEVEL for each; every symbol but the entry is then made local to its copy
// (cmake/LayerLoomIsa.cmake), so the copies never share an instantiation compiled for
// another processor.
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "engine/isa/isa_table.h"
#include "engine/isa/optimizer_update.h"
#include "layers/kinds.h"

#ifndef LAYERLOOM_ISA_ENTRY
#error "LAYERLOOM_ISA_ENTRY names this copy's table; CMake defines it"
#endif
#ifndef LAYERLOOM_ISA_LEVEL
#error "LAYERLOOM_ISA_LEVEL names this copy's instruction-set level; CMake defines it"
#endif

namespace loom {
namespace {

template <class S>
using Factory = std::unique_ptr<Kernel<S>> (*)(const KernelSetup&);

/// Each kind's kernel as its spec names it (`Spec::Kernel`); InputLayer only holds data.
template <class S, class Spec>
void addFactory(std::unordered_map<std::string_view, Factory<S>>& factories) {
    if constexpr (requires { typename Spec::template Kernel<S>; }) {
        factories.emplace(Spec{}.kind(), [](const KernelSetup& setup) -> std::unique_ptr<Kernel<S>> {
            return std::make_unique<typename Spec::template Kernel<S>>(setup);
        });
    }
}

template <class S>
std::unique_ptr<Kernel<S>> makeKernelHere(const KernelSetup& setup) {
    static const auto factories = [] {
        std::unordered_map<std::string_view, Factory<S>> map;
#define LAYERLOOM_ADD_FACTORY(Spec) addFactory<S, Spec>(map);
        LAYERLOOM_LAYER_KINDS(LAYERLOOM_ADD_FACTORY)
#undef LAYERLOOM_ADD_FACTORY
        return map;
    }();
    const auto it = factories.find(setup.node.kind);
    if (it == factories.end()) {
        throw std::invalid_argument("no numeric kernel for layer kind '" + setup.node.kind + "'");
    }
    return it->second(setup);
}

void setThreadsHere(int threads) { Eigen::setNbThreads(threads); }

}  // namespace
}  // namespace loom

extern "C" __attribute__((visibility("default"))) const loom::isa::Table* LAYERLOOM_ISA_ENTRY() {
    static const loom::isa::Table table{LAYERLOOM_ISA_LEVEL, &loom::makeKernelHere<float>,
                                        &loom::makeKernelHere<double>,
                                        &loom::isa::updateParameterImpl, &loom::setThreadsHere};
    return &table;
}
