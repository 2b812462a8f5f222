#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/kernel.h"
#include "graph/model_graph.h"
#include "graph/param_value.h"

namespace loom {

/// A weight tensor's name (`lstm_1/kernel`, or `bidirectional/forward_lstm/kernel` for a
/// wrapper's), the layer it belongs to, and its shape.
struct NamedShape {
    std::string name;
    std::string layer;
    std::vector<std::int64_t> shape;
    bool operator==(const NamedShape&) const = default;
};

/// The weights a compiled plan of `graph` would hold, in the order of Plan::params(), without
/// allocating them; throws PlanError when the graph has errors.
std::vector<NamedShape> parameterShapes(const ModelGraph& graph);

/// The memory that training a graph takes, estimated before anything is allocated: the
/// parameters with their gradients and the optimizer's two moments, and a batch's activations
/// with their gradients and what recurrent layers keep of every step for the backward pass.
struct MemoryNeed {
    long double parameterBytes = 0;
    long double activationBytes = 0;
    long double total() const { return parameterBytes + activationBytes; }
};

/// Throws PlanError when the graph has errors. A free time axis (None) takes `steps`.
MemoryNeed trainingMemory(const ModelGraph& graph, int batch, std::int64_t steps = 0);
/// This machine's memory in bytes; 0 when it cannot be told.
std::uint64_t physicalMemory();
/// Bytes for people: "512 MB", "3.2 GB", "35,184 GB".
std::string byteText(long double bytes);
/// Why training `graph` with batches of `batch` cannot fit in this machine's memory, in words
/// with the numbers; empty when it fits (or the graph has errors, which validation reports).
std::string memoryProblem(const ModelGraph& graph, int batch, std::int64_t steps = 0);

/// A graph that cannot run: what is wrong, in words for the user.
class PlanError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A compiled model: kernels in topological order and buffers preallocated for batches of up to
/// `maxBatch` samples. Build once, run many times (ggml's "build, then run").
///
///   Plan<float> plan = Plan<float>::compile(graph, 32);
///   plan.initialize(seed);                     // or plan.loadWeights(tensors)
///   plan.forward({x}, batch, /*training=*/true, &rng);
///   plan.zeroGrad(); plan.backward({dLoss_dOutput});
///
/// Values are row-major: a batch of sequences is (batch * time) rows of features.
template <class S>
class Plan {
public:
    struct Param {
        NodeId node = 0;
        std::string layer;  ///< the layer's display name
        ParamShape shape;
        AlignedVector<S> value;
        AlignedVector<S> grad;
        Regularizer regularizer;  ///< the layer's kernel_regularizer, on its `kernel` only
        std::string fullName() const { return layer + "/" + shape.name; }
    };

    /// Throws PlanError when the graph has errors. A free time axis (None) takes `steps`.
    static Plan compile(const ModelGraph& graph, int maxBatch, std::int64_t steps = 0);

    Plan(Plan&&) noexcept;
    Plan& operator=(Plan&&) noexcept;
    ~Plan();

    int maxBatch() const { return m_maxBatch; }
    const std::vector<NodeId>& inputs() const { return m_inputs; }
    const std::vector<NodeId>& outputs() const { return m_outputs; }
    /// The output ports the model gives for looking at beside its outputs (Validation::viewOutputs:
    /// attention scores); forward fills them, backward ignores them.
    const std::vector<PortRef>& viewOutputs() const { return m_viewOutputs; }
    /// Shape of view output k without the batch axis.
    const Dims& viewDims(std::size_t k) const { return m_dims[m_viewSlots.at(k)]; }
    /// After forward or predict: view output k for the batch.
    const S* viewOutput(std::size_t k) const { return m_values[m_viewSlots.at(k)].data(); }
    /// Shape of a node's output without the batch axis.
    const Dims& dims(NodeId node) const;
    /// A node's name, as the graph had it when compiled.
    const std::string& name(NodeId node) const;
    /// Changing the parameters through this reference is seen by the next pass as long as it
    /// is taken again after each prediction (predict() may reuse what kernels derived from
    /// the values; every call here, forward(), initialize() and loadWeights() tell it not to).
    std::vector<Param>& params() {
        ++m_weightsVersion;
        return m_params;
    }
    const std::vector<Param>& params() const { return m_params; }

    /// Keras's initialisers, repeatable for a seed.
    void initialize(std::uint64_t seed);
    /// Takes weights by name (`lstm_1/kernel`); throws PlanError naming the layer and both
    /// shapes when one is missing or has another shape.
    void loadWeights(const std::vector<NamedTensor>& weights);
    std::vector<NamedTensor> exportWeights() const;

    /// Runs the model on `batch` samples; `inputs` follow inputs().
    void forward(std::span<const S* const> inputs, int batch, bool training = false,
                 std::mt19937_64* rng = nullptr);
    /// The same outputs as forward(inputs, batch) for a prediction, with nothing kept for a
    /// backward pass (recurrent layers keep only their current states); backward() after it
    /// throws PlanError.
    void predict(std::span<const S* const> inputs, int batch);
    const S* output(std::size_t k) const;
    /// After forward or predict: the step mask of output k (batch x steps, 1 where a step is real), or
    /// null when the output carries none. The loss counts the real steps only.
    const std::uint8_t* outputMask(std::size_t k) const;
    /// After backward: the gradient with respect to input k (for checks and saliency).
    const S* inputGrad(std::size_t k) const;
    void zeroGrad();
    /// Backpropagates the gradients of the loss with respect to the outputs of the last
    /// forward pass; parameter gradients accumulate into params()[i].grad.
    void backward(std::span<const S* const> dOutputs);

private:
    struct Step;
    Plan() = default;

    int m_maxBatch = 0;
    int m_batch = 0;
    bool m_training = false;
    bool m_keep = true;  ///< the last pass kept what backward reads
    std::uint64_t m_weightsVersion = 0;  ///< see KernelIO::weightsVersion
    std::mt19937_64* m_rng = nullptr;
    std::vector<NodeId> m_nodes;  ///< every node, in order of m_values
    std::unordered_map<NodeId, std::size_t> m_slots;  ///< node -> index into m_nodes
    std::vector<Dims> m_dims;
    std::vector<std::string> m_names;
    std::vector<AlignedVector<S>> m_values, m_grads;
    std::vector<std::vector<std::uint8_t>> m_masks;  ///< per slot: its step mask, or empty
    std::vector<Step> m_steps;
    std::vector<Param> m_params;
    std::vector<NodeId> m_inputs, m_outputs;
    std::vector<PortRef> m_viewOutputs;
    std::vector<std::size_t> m_viewSlots;

    std::size_t slot(NodeId node) const;
    KernelIO<S> io(const Step& step);
    void run(std::span<const S* const> inputs, int batch, bool training, std::mt19937_64* rng, bool keep);
    /// Makes a step's mask from its inputs' after its kernel ran (see MaskSource).
    void combineMasks(const Step& step);
};

extern template class Plan<float>;
extern template class Plan<double>;

}  // namespace loom
