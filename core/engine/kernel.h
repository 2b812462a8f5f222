#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "graph/model_graph.h"

namespace loom {

/// How a parameter starts: Keras's defaults.
enum class Init { GlorotUniform, Orthogonal, Zeros, LstmBias };

struct ParamShape {
    std::string name;  ///< Keras's: `kernel`, `recurrent_kernel`, `bias`
    std::vector<std::int64_t> shape;
    Init init = Init::Zeros;
    std::int64_t size() const {
        std::int64_t n = 1;
        for (std::int64_t d : shape) n *= d;
        return n;
    }
};

/// What a kernel is built for: the node and the concrete shapes (without the batch axis) of its
/// inputs and output.
struct KernelSetup {
    const Node& node;
    std::vector<Dims> inputs;
    Dims output;
};

/// Pointers a kernel reads and writes for one batch. Gradients are accumulated (+=), so that a
/// tensor feeding several layers collects all of their contributions.
template <class S>
struct KernelIO {
    int batch = 0;
    std::vector<const S*> in;
    std::vector<S*> dIn;  ///< null where no gradient is wanted (an Input's)
    S* out = nullptr;
    const S* dOut = nullptr;
    std::vector<S*> params;
    std::vector<S*> dParams;
    bool training = false;
    std::mt19937_64* rng = nullptr;
};

/// The numerics of one layer: forward, and backward from the state the last forward kept.
/// Kernels own their per-batch state and never change their parameters.
template <class S>
class Kernel {
public:
    virtual ~Kernel() = default;
    virtual std::vector<ParamShape> params() const { return {}; }
    virtual void forward(KernelIO<S>& io) = 0;
    virtual void backward(KernelIO<S>& io) = 0;
};

/// Builds the kernel for a node's kind; throws std::invalid_argument for a kind without one.
template <class S>
std::unique_ptr<Kernel<S>> makeKernel(const KernelSetup& setup);

inline std::int64_t rowsOf(int batch, const Dims& dims) {
    return dims.size() == 2 ? batch * dims[0] : batch;
}

}  // namespace loom
