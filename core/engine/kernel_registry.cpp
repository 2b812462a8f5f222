#include <stdexcept>

#include "engine/kernel.h"
#include "engine/kernels/dense_kernel.h"
#include "engine/kernels/gru_kernel.h"
#include "engine/kernels/lstm_kernel.h"
#include "engine/kernels/shape_kernels.h"

namespace loom {

template <class S>
std::unique_ptr<Kernel<S>> makeKernel(const KernelSetup& setup) {
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

template std::unique_ptr<Kernel<float>> makeKernel<float>(const KernelSetup&);
template std::unique_ptr<Kernel<double>> makeKernel<double>(const KernelSetup&);

}  // namespace loom
