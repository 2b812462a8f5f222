// The layer kernels and the optimizer's update, compiled once per instruction-set level.
// CMake builds this file with -march=x86-64-v2, -v3 and -v4 and defines LAYERLOOM_ISA_ENTRY
// and LAYERLOOM_ISA_LEVEL for each; every symbol but the entry is then made local to its copy
// (cmake/LayerLoomIsa.cmake), so the copies never share an instantiation compiled for
// another processor.
#include <stdexcept>

#include "engine/isa/isa_table.h"
#include "engine/isa/optimizer_update.h"
#include "engine/kernels/dense_kernel.h"
#include "engine/kernels/gru_kernel.h"
#include "engine/kernels/lstm_kernel.h"
#include "engine/kernels/shape_kernels.h"

#ifndef LAYERLOOM_ISA_ENTRY
#error "LAYERLOOM_ISA_ENTRY names this copy's table; CMake defines it"
#endif
#ifndef LAYERLOOM_ISA_LEVEL
#error "LAYERLOOM_ISA_LEVEL names this copy's instruction-set level; CMake defines it"
#endif

namespace loom {
namespace {

template <class S>
std::unique_ptr<Kernel<S>> makeKernelHere(const KernelSetup& setup) {
    const std::string& kind = setup.node.kind;
    // One line per layer kind that computes something (InputLayer only holds data).
    if (kind == "LSTM") return std::make_unique<LstmKernel<S>>(setup);
    if (kind == "GRU") return std::make_unique<GruKernel<S>>(setup);
    if (kind == "Dense" || kind == "TimeDistributed") return std::make_unique<DenseKernel<S>>(setup);
    if (kind == "RepeatVector") return std::make_unique<RepeatVectorKernel<S>>(setup);
    if (kind == "Add") return std::make_unique<AddKernel<S>>(setup);
    if (kind == "Concatenate") return std::make_unique<ConcatenateKernel<S>>(setup);
    if (kind == "Dropout") return std::make_unique<DropoutKernel<S>>(setup);
    throw std::invalid_argument("no numeric kernel for layer kind '" + kind + "'");
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
