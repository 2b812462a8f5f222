#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "graph/model_graph.h"
#include "layers/weights.h"

namespace loom {

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
    /// Output ports 1, 2, ... of a layer that returns several tensors (LayerSpec::moreOutputNames),
    /// and their gradients in backward (null where nothing reads the port).
    std::vector<S*> moreOut;
    std::vector<const S*> dMoreOut;
    std::vector<S*> params;
    std::vector<S*> dParams;
    bool training = false;
    /// A backward pass may follow (Plan::forward): kernels keep what it reads. Off for a
    /// prediction (Plan::predict), where recurrent kernels take their lean path.
    bool keep = true;
    /// Changes whenever the parameters may have changed since the last pass: a kernel may
    /// reuse what it derived from them (packed copies) while it stays the same.
    std::uint64_t weightsVersion = 0;
    std::mt19937_64* rng = nullptr;
    /// The step mask of input 0 (batch x steps, 1 for a real step, 0 for padding), or null
    /// when it carries none (see shape/masks.h). Recurrent layers skip the padding, and
    /// GlobalAveragePooling1D averages the real steps only.
    const std::uint8_t* inMask = nullptr;
    /// The step mask of every input, in port order (null where one carries none): for layers
    /// that read the masks of several inputs (MultiHeadAttention).
    std::vector<const std::uint8_t*> inMasks;
    /// Where a layer that makes a mask (Masking, Embedding with mask_zero) writes it; null
    /// when nothing reads it.
    std::uint8_t* outMask = nullptr;
};

/// The numerics of one layer: forward, and backward from the state the last forward kept.
/// Kernels own their per-batch state and never change their parameters, whose shapes their
/// layer kind declares (LayerSpec::weights), in that order.
template <class S>
class Kernel {
public:
    virtual ~Kernel() = default;
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
