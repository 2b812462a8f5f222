#include "engine/plan.h"

#include <Eigen/QR>
#include <algorithm>
#include <map>
#include <set>
#include <cmath>
#include <iomanip>
#include <sstream>

#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "io/message_text.h"
#include "layers/layer_registry.h"
#include "shape/masks.h"
#include "shape/validator.h"

namespace loom {
namespace {

/// While alive, the matrix products of the calling thread run on that thread alone. The
/// orthogonal initialiser's QR is a long chain of small matrix-vector products: threads only
/// add hand-overs, and when other programs keep the cores busy each hand-over waits for a
/// time slice (a 4.6-million-parameter model took 30 s to initialise instead of 1 s).
class SerialProducts {
public:
#ifdef _OPENMP
    SerialProducts() : m_before(omp_get_max_threads()) { omp_set_num_threads(1); }
    ~SerialProducts() { omp_set_num_threads(m_before); }

private:
    int m_before;
#endif
};

}  // namespace

template <class S>
struct Plan<S>::Step {
    std::size_t node;  ///< slot of the node this step computes
    std::unique_ptr<Kernel<S>> kernel;
    std::vector<std::size_t> inputs;  ///< slots of its operands
    std::vector<std::size_t> moreOuts;  ///< slots of its output ports after the first (a recurrent layer's states)
    std::vector<std::size_t> params;  ///< indexes into m_params
    MaskSource mask = MaskSource::None;  ///< how its output's step mask is made
};

template <class S>
Plan<S>::Plan(Plan&&) noexcept = default;
template <class S>
Plan<S>& Plan<S>::operator=(Plan&&) noexcept = default;
template <class S>
Plan<S>::~Plan() = default;

namespace {

std::int64_t product(const Dims& d) {
    std::int64_t n = 1;
    for (std::int64_t v : d) n *= v;
    return n;
}

/// The graph with every free time axis set to `steps`, and its validation; throws PlanError
/// when it cannot run.
std::pair<ModelGraph, Validation> runnable(const ModelGraph& source, std::int64_t steps) {
    ModelGraph graph = source;
    for (const Node& n : source.nodes()) {
        if (!n.isInput()) continue;
        Dims shape = n.param<Dims>("shape");
        for (std::int64_t& d : shape) {
            if (d != kNone) continue;
            if (steps < 1) {
                throw PlanError(n.name + " has a free time axis (None); give the sequence "
                                         "length of the data to run the model");
            }
            d = steps;
        }
        graph.setParam(n.id, "shape", shape);
    }
    const Validation v = validate(graph);
    for (const Diagnostic& d : v.diagnostics) {
        if (d.severity == Severity::Error) throw PlanError("the model has errors: " + d.message);
    }
    return {std::move(graph), v};
}

/// The output sizes of the producers of a node's inputs, in port order.
std::vector<Dims> inputSizes(const ModelGraph& graph, const Validation& v, NodeId id) {
    std::vector<Dims> inputs;
    for (const Edge* e : graph.inputEdges(id)) inputs.push_back(v.shapeAt(graph, e->from)->sizes());
    return inputs;
}

/// Bytes of float32 values of `dims` for `batch` samples, without overflow.
long double bytesOf(const Dims& dims, long double batch) {
    long double n = batch * sizeof(float);
    for (std::int64_t d : dims) n *= static_cast<long double>(d);
    return n;
}

/// What a plan of `graph` allocates (the values and gradients of every parameter and every
/// layer's output) and what training adds (the moments, the recurrent layers' per-step caches).
MemoryNeed memoryOf(const ModelGraph& graph, const Validation& v, int batch, bool training) {
    MemoryNeed need;
    const long double b = batch;
    for (NodeId id : v.order) {
        const Node& node = *graph.node(id);
        const Dims dims = v.of(graph, id).output->sizes();
        need.activationBytes += 2 * bytesOf(dims, b);
        // Output ports after the first: values, and gradients unless they are for looking at.
        const std::vector<TensorShape>& more = v.of(graph, id).moreOutputs;
        for (std::size_t k = 0; k < more.size(); ++k) {
            const bool viewOnly = std::find(v.viewOutputs.begin(), v.viewOutputs.end(), PortRef{id, static_cast<int>(k + 1)}) !=
                                  v.viewOutputs.end();
            need.activationBytes += (viewOnly ? 1 : 2) * bytesOf(more[k].sizes(), b);
        }
        need.parameterBytes += (training ? 4.0L : 2.0L) * sizeof(float) *
                               static_cast<long double>(v.of(graph, id).params);
        const LayerSpec* spec = findLayer(node.kind);
        if (training && spec && !graph.inputEdges(id).empty()) {
            const auto kept = spec->trainingCache(node, inputSizes(graph, v, id), dims);
            need.activationBytes += bytesOf({kept}, b);
        }
    }
    return need;
}

std::string tooLarge(const MemoryNeed& need, int batch, const char* doing) {
    const std::uint64_t have = physicalMemory();
    if (have == 0 || need.total() <= static_cast<long double>(have)) return {};
    return std::string(doing) + " this model with batches of " + std::to_string(batch) + " needs about " +
           byteText(need.total()) + " (" + byteText(need.parameterBytes) + " for the parameters, " +
           byteText(need.activationBytes) + " for the activations), more than this machine's " +
           byteText(static_cast<long double>(have)) +
           "; fewer units or features, shorter sequences or smaller batches bring it down";
}

}  // namespace

MemoryNeed trainingMemory(const ModelGraph& source, int batch, std::int64_t steps) {
    const auto [graph, v] = runnable(source, steps < 1 ? 1 : steps);
    return memoryOf(graph, v, std::max(1, batch), true);
}

std::uint64_t physicalMemory() {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long size = ::sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || size <= 0) return 0;
    return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(size);
}

std::string byteText(long double bytes) {
    const char* units[] = {"bytes", "KB", "MB", "GB"};
    int u = 0;
    while (u < 3 && bytes >= 1000.0L) {
        bytes /= 1000.0L;
        ++u;
    }
    std::ostringstream text;
    if (u == 3 && bytes >= 1000.0L) {
        text << groupedNumber(static_cast<std::uint64_t>(std::min(bytes, 9.0e15L))) << " GB";
    } else {
        text << std::setprecision(bytes < 10 && u > 0 ? 2 : 3) << static_cast<double>(bytes) << " " << units[u];
    }
    return text.str();
}

std::string memoryProblem(const ModelGraph& graph, int batch, std::int64_t steps) {
    try {
        return tooLarge(trainingMemory(graph, batch, steps), std::max(1, batch), "Training");
    } catch (const PlanError&) {
        return {};
    }
}

template <class S>
Plan<S> Plan<S>::compile(const ModelGraph& source, int maxBatch, std::int64_t steps) {
    if (maxBatch < 1) throw PlanError("the batch size must be at least 1");
    const auto [graph, v] = runnable(source, steps);
    // Refused before anything is allocated, with the numbers, rather than std::bad_alloc.
    if (std::string problem = tooLarge(memoryOf(graph, v, maxBatch, false), maxBatch, "Running");
        !problem.empty()) {
        throw PlanError(problem);
    }

    Plan plan;
    plan.m_maxBatch = maxBatch;
    plan.m_nodes = v.order;
    for (std::size_t i = 0; i < v.order.size(); ++i) plan.m_slots.emplace(v.order[i], i);
    const auto masks = stepMasks(graph, v.order);
    for (NodeId id : v.order) {
        const Dims dims = v.of(graph, id).output->sizes();
        plan.m_dims.push_back(dims);
        plan.m_names.push_back(graph.node(id)->name);
        plan.m_values.emplace_back(static_cast<std::size_t>(maxBatch * product(dims)), S(0));
        plan.m_grads.emplace_back(static_cast<std::size_t>(maxBatch * product(dims)), S(0));
        const bool masked = masks.contains(id) && dims.size() == 2;
        plan.m_masks.emplace_back(masked ? static_cast<std::size_t>(maxBatch * dims[0]) : 0, std::uint8_t{1});
    }
    // Output ports after the first (a recurrent layer's states) have slots of their own, after
    // the layers'; they carry no step mask.
    // A port for looking at only (attention scores) takes no gradient.
    std::map<PortRef, std::size_t> portSlots;
    for (NodeId id : v.order) {
        const std::vector<TensorShape>& more = v.of(graph, id).moreOutputs;
        const Node& node = *graph.node(id);
        for (std::size_t k = 0; k < more.size(); ++k) {
            const Dims dims = more[k].sizes();
            const bool viewOnly = findLayer(node.kind)->viewOnlyOutput(node, static_cast<int>(k + 1));
            portSlots.emplace(PortRef{id, static_cast<int>(k + 1)}, plan.m_values.size());
            plan.m_dims.push_back(dims);
            plan.m_names.push_back(node.name + ":" + std::to_string(k + 1));
            plan.m_values.emplace_back(static_cast<std::size_t>(maxBatch * product(dims)), S(0));
            plan.m_grads.emplace_back(viewOnly ? std::size_t{0} : static_cast<std::size_t>(maxBatch * product(dims)), S(0));
            plan.m_masks.emplace_back();
        }
    }
    std::map<NodeId, std::vector<std::size_t>> sharedParams;  // a layer's weights, by the layer
    for (NodeId id : v.order) {
        const Node& node = *graph.node(id);
        if (node.isInput()) continue;
        Step step;
        step.node = plan.slot(id);
        std::vector<Dims> inputs;
        for (const Edge* e : graph.inputEdges(id)) {
            step.inputs.push_back(e->from.port == 0 ? plan.slot(e->from.node) : portSlots.at(e->from));
            inputs.push_back(plan.m_dims[step.inputs.back()]);
        }
        for (std::size_t k = 0; k < v.of(graph, id).moreOutputs.size(); ++k) {
            step.moreOuts.push_back(portSlots.at(PortRef{id, static_cast<int>(k + 1)}));
        }
        step.kernel = makeKernel<S>(KernelSetup{node, inputs, plan.m_dims[step.node]});
        if (!plan.m_masks[step.node].empty()) step.mask = masks.at(id);
        // Every call of a shared layer reads and adds to the same weights, held once under the
        // layer's name, made at whichever call comes first.
        const NodeId owner = graph.weightsOwner(id);
        if (const auto made = sharedParams.find(owner); made != sharedParams.end()) {
            step.params = made->second;
            plan.m_steps.push_back(std::move(step));
            continue;
        }
        const Node& holder = *graph.node(owner);
        for (ParamShape& p : findLayer(node.kind)->weights(node, inputs)) {
            const auto size = static_cast<std::size_t>(p.size());
            step.params.push_back(plan.m_params.size());
            Regularizer reg;
            // kernel_regularizer weighs on every input kernel: `kernel`, or a wrapper's
            // `forward_lstm/kernel`, never a recurrent_kernel.
            if (p.name == "kernel" || p.name.ends_with("/kernel")) reg = node.param<Regularizer>("kernel_regularizer");
            if (p.name == "embeddings") reg = node.param<Regularizer>("embeddings_regularizer");
            plan.m_params.push_back(Param{owner, holder.name, std::move(p), AlignedVector<S>(size),
                                          AlignedVector<S>(size), reg});
        }
        sharedParams.emplace(owner, step.params);
        plan.m_steps.push_back(std::move(step));
    }
    plan.m_inputs = v.inputs;
    plan.m_outputs = v.outputs;
    plan.m_viewOutputs = v.viewOutputs;
    for (const PortRef& port : v.viewOutputs) plan.m_viewSlots.push_back(portSlots.at(port));
    return plan;
}

std::vector<NamedShape> parameterShapes(const ModelGraph& source) {
    // Weight shapes never depend on the sequence length.
    const auto [graph, v] = runnable(source, 1);
    std::vector<NamedShape> out;
    std::set<NodeId> owners;  // a shared layer's weights once, where Plan makes them: at its first call
    for (NodeId id : v.order) {
        const Node& node = *graph.node(id);
        if (node.isInput() || !owners.insert(graph.weightsOwner(id)).second) continue;
        const std::string& layer = graph.node(graph.weightsOwner(id))->name;
        for (const ParamShape& p : findLayer(node.kind)->weights(node, inputSizes(graph, v, id))) {
            out.push_back({layer + "/" + p.name, layer, p.shape});
        }
    }
    return out;
}

template <class S>
std::size_t Plan<S>::slot(NodeId node) const {
    auto it = m_slots.find(node);
    if (it == m_slots.end()) throw PlanError("unknown layer id " + std::to_string(node));
    return it->second;
}

template <class S>
const Dims& Plan<S>::dims(NodeId node) const {
    return m_dims[slot(node)];
}

template <class S>
const std::string& Plan<S>::name(NodeId node) const {
    return m_names[slot(node)];
}

namespace {

/// Fills `values` from `draw`, in order.
template <class V, class Draw>
void fill(V& values, Draw draw) {
    for (auto& x : values) x = static_cast<std::remove_reference_t<decltype(x)>>(draw());
}

/// Draws of a normal distribution, redrawn while more than 2 standard deviations from the
/// mean, as Keras's TruncatedNormal.
auto truncatedNormal(double mean, double stddev, std::mt19937_64& rng) {
    return [mean, stddev, &rng, dist = std::normal_distribution<double>(0.0, 1.0)]() mutable {
        double z = dist(rng);
        while (std::abs(z) > 2.0) z = dist(rng);
        return mean + stddev * z;
    };
}

}  // namespace

template <class S>
void Plan<S>::initialize(std::uint64_t seed) {
    ++m_weightsVersion;
    [[maybe_unused]] const SerialProducts serial;  // empty without OpenMP
    std::mt19937_64 rng(seed);
    for (Param& p : m_params) {
        std::fill(p.value.begin(), p.value.end(), S(0));
        // Keras sees any weight as (everything but the last axis, the last axis) where it
        // needs a matrix.
        const std::int64_t cols = p.shape.shape.empty() ? 1 : p.shape.shape.back();
        const std::int64_t rows = cols > 0 ? p.shape.size() / cols : 0;
        const Initializer& init = p.shape.init;
        const Fans fans = fansOf(p.shape.shape);
        // Keras's VarianceScaling: the variance scale / n, with n the fan in, or the mean of
        // both fans (Glorot); normal ones draw from a normal truncated at 2 standard
        // deviations, whose spread 0.8796... makes up for the cut tails.
        const auto varianceScaling = [&](double scale, bool fanAvg, bool normal) {
            const double n = std::max(1.0, fanAvg ? (fans.in + fans.out) / 2.0 : fans.in);
            if (normal) return fill(p.value, truncatedNormal(0.0, std::sqrt(scale / n) / 0.87962566103423978, rng));
            const double limit = std::sqrt(3.0 * scale / n);
            std::uniform_real_distribution<double> dist(-limit, limit);
            return fill(p.value, [&] { return dist(rng); });
        };
        switch (init.kind) {
            case Init::Zeros: break;
            case Init::Ones: std::fill(p.value.begin(), p.value.end(), S(1)); break;
            case Init::Constant: std::fill(p.value.begin(), p.value.end(), static_cast<S>(init.a)); break;
            case Init::RandomUniform: {
                std::uniform_real_distribution<double> dist(init.a, init.b);
                fill(p.value, [&] { return dist(rng); });
                break;
            }
            case Init::RandomNormal: {
                std::normal_distribution<double> dist(init.a, init.b);
                fill(p.value, [&] { return dist(rng); });
                break;
            }
            case Init::TruncatedNormal: fill(p.value, truncatedNormal(init.a, init.b, rng)); break;
            case Init::GlorotUniform: varianceScaling(1.0, true, false); break;
            case Init::GlorotNormal: varianceScaling(1.0, true, true); break;
            case Init::HeUniform: varianceScaling(2.0, false, false); break;
            case Init::HeNormal: varianceScaling(2.0, false, true); break;
            case Init::LecunUniform: varianceScaling(1.0, false, false); break;
            case Init::LecunNormal: varianceScaling(1.0, false, true); break;
            case Init::Identity: {
                // Keras takes matrices only; a weight of another rank is refused when the
                // layer's parameters are checked (see the layer's weight check).
                for (std::int64_t i = 0; i < std::min(rows, cols); ++i) p.value[static_cast<std::size_t>(i * cols + i)] = static_cast<S>(init.a);
                break;
            }
            case Init::Orthogonal: {
                // Keras: QR of a normal matrix, signs fixed by R's diagonal; the taller side
                // first; times the gain.
                const bool wide = rows < cols;
                const Eigen::Index r = wide ? cols : rows, c = wide ? rows : cols;
                std::normal_distribution<double> dist(0.0, 1.0);
                Eigen::MatrixXd a(r, c);
                for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = dist(rng);
                Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
                Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(r, c);
                const Eigen::MatrixXd rr = qr.matrixQR().topRows(c).template triangularView<Eigen::Upper>();
                for (Eigen::Index j = 0; j < c; ++j) {
                    if (rr(j, j) < 0) q.col(j) *= -1.0;
                }
                if (wide) q.transposeInPlace();
                MatMap<S>(p.value.data(), rows, cols) = (init.a * q).cast<S>();
                break;
            }
        }
        if (p.shape.forgetGateOnes) {
            const std::int64_t u = p.shape.size() / 4;
            std::fill(p.value.begin() + u, p.value.begin() + 2 * u, S(1));
        }
    }
}

template <class S>
void Plan<S>::loadWeights(const std::vector<NamedTensor>& weights) {
    ++m_weightsVersion;
    for (Param& p : m_params) {
        const std::string name = p.fullName();
        auto it = std::find_if(weights.begin(), weights.end(),
                               [&](const NamedTensor& t) { return t.name == name; });
        if (it == weights.end()) throw PlanError("no weights for " + name);
        if (it->shape != p.shape.shape) {
            throw PlanError("the weights for " + name + " have shape " + tensorShapeText(it->shape) +
                            ", but layer " + p.layer + " needs " + tensorShapeText(p.shape.shape));
        }
        std::transform(it->values.begin(), it->values.end(), p.value.begin(),
                       [](float x) { return static_cast<S>(x); });
    }
}

template <class S>
std::vector<NamedTensor> Plan<S>::exportWeights() const {
    std::vector<NamedTensor> out;
    for (const Param& p : m_params) {
        NamedTensor t{p.fullName(), p.shape.shape, {}};
        t.values.reserve(p.value.size());
        for (S x : p.value) t.values.push_back(static_cast<float>(x));
        out.push_back(std::move(t));
    }
    return out;
}

template <class S>
KernelIO<S> Plan<S>::io(const Step& step) {
    KernelIO<S> io;
    io.batch = m_batch;
    io.training = m_training;
    io.keep = m_keep;
    io.weightsVersion = m_weightsVersion;
    io.rng = m_rng;
    for (std::size_t in : step.inputs) {
        io.in.push_back(m_values[in].data());
        io.dIn.push_back(m_grads[in].data());
        io.inMasks.push_back(m_masks[in].empty() ? nullptr : m_masks[in].data());
    }
    io.out = m_values[step.node].data();
    io.dOut = m_grads[step.node].data();
    for (std::size_t s : step.moreOuts) {
        io.moreOut.push_back(m_values[s].data());
        io.dMoreOut.push_back(m_grads[s].data());
    }
    if (!step.inputs.empty() && !m_masks[step.inputs.front()].empty()) io.inMask = m_masks[step.inputs.front()].data();
    if (step.mask == MaskSource::Own) io.outMask = m_masks[step.node].data();
    for (std::size_t p : step.params) {
        io.params.push_back(m_params[p].value.data());
        io.dParams.push_back(m_params[p].grad.data());
    }
    return io;
}

template <class S>
void Plan<S>::forward(std::span<const S* const> inputs, int batch, bool training,
                      std::mt19937_64* rng) {
    run(inputs, batch, training, rng, true);
}

template <class S>
void Plan<S>::predict(std::span<const S* const> inputs, int batch) {
    run(inputs, batch, false, nullptr, false);
}

template <class S>
void Plan<S>::run(std::span<const S* const> inputs, int batch, bool training, std::mt19937_64* rng,
                  bool keep) {
    if (batch < 1 || batch > m_maxBatch) {
        throw PlanError("batch of " + std::to_string(batch) + " samples; this plan takes 1 to " +
                        std::to_string(m_maxBatch));
    }
    if (inputs.size() != m_inputs.size()) throw PlanError("wrong number of model inputs");
    m_batch = batch;
    m_training = training;
    m_keep = keep;
    if (keep) ++m_weightsVersion;  // an optimizer step may follow, through a held params()
    m_rng = rng;
    for (std::size_t k = 0; k < m_inputs.size(); ++k) {
        const std::size_t s = slot(m_inputs[k]);
        std::copy_n(inputs[k], batch * product(m_dims[s]), m_values[s].begin());
    }
    for (Step& step : m_steps) {
        KernelIO<S> args = io(step);
        step.kernel->forward(args);
        combineMasks(step);
    }
}

template <class S>
void Plan<S>::combineMasks(const Step& step) {
    if (step.mask == MaskSource::None || step.mask == MaskSource::Own) return;
    std::vector<std::uint8_t>& out = m_masks[step.node];
    const auto steps = static_cast<std::size_t>(m_dims[step.node][0]);
    const std::size_t n = static_cast<std::size_t>(m_batch) * steps;
    const auto maskOf = [&](std::size_t k) -> const std::vector<std::uint8_t>& { return m_masks[step.inputs[k]]; };
    switch (step.mask) {
        case MaskSource::Copy:
            if (maskOf(0).empty()) {
                std::fill_n(out.begin(), n, std::uint8_t{1});
            } else {
                std::copy_n(maskOf(0).begin(), n, out.begin());
            }
            break;
        case MaskSource::All:
        case MaskSource::Any: {
            const bool all = step.mask == MaskSource::All;
            std::fill_n(out.begin(), n, std::uint8_t{all});
            for (std::size_t k = 0; k < step.inputs.size(); ++k) {
                // All: an input without a mask says nothing; Any: it makes every step real.
                if (maskOf(k).empty()) {
                    if (!all) std::fill_n(out.begin(), n, std::uint8_t{1});
                    continue;
                }
                for (std::size_t i = 0; i < n; ++i) out[i] = all ? (out[i] & maskOf(k)[i]) : (out[i] | maskOf(k)[i]);
            }
            break;
        }
        case MaskSource::Joined: {
            // Each sample's steps: input 0's, then input 1's, ...
            for (std::size_t b = 0; b < static_cast<std::size_t>(m_batch); ++b) {
                std::size_t at = b * steps;
                for (std::size_t k = 0; k < step.inputs.size(); ++k) {
                    const auto len = static_cast<std::size_t>(m_dims[step.inputs[k]][0]);
                    if (maskOf(k).empty()) {
                        std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(at), len, std::uint8_t{1});
                    } else {
                        std::copy_n(maskOf(k).begin() + static_cast<std::ptrdiff_t>(b * len), len,
                                    out.begin() + static_cast<std::ptrdiff_t>(at));
                    }
                    at += len;
                }
            }
            break;
        }
        case MaskSource::None:
        case MaskSource::Own: break;
    }
}

template <class S>
const std::uint8_t* Plan<S>::outputMask(std::size_t k) const {
    const auto& mask = m_masks[slot(m_outputs.at(k))];
    return mask.empty() ? nullptr : mask.data();
}

template <class S>
const S* Plan<S>::output(std::size_t k) const {
    return m_values[slot(m_outputs.at(k))].data();
}

template <class S>
const S* Plan<S>::inputGrad(std::size_t k) const {
    return m_grads[slot(m_inputs.at(k))].data();
}

template <class S>
void Plan<S>::zeroGrad() {
    for (Param& p : m_params) std::fill(p.grad.begin(), p.grad.end(), S(0));
}

template <class S>
void Plan<S>::backward(std::span<const S* const> dOutputs) {
    if (dOutputs.size() != m_outputs.size()) throw PlanError("wrong number of output gradients");
    if (!m_keep) throw PlanError("backward needs a forward pass; the last pass was a prediction, which keeps nothing for it");
    for (auto& g : m_grads) std::fill(g.begin(), g.end(), S(0));
    for (std::size_t k = 0; k < m_outputs.size(); ++k) {
        const std::size_t s = slot(m_outputs[k]);
        std::copy_n(dOutputs[k], m_batch * product(m_dims[s]), m_grads[s].begin());
    }
    for (auto it = m_steps.rbegin(); it != m_steps.rend(); ++it) {
        KernelIO<S> args = io(*it);
        it->kernel->backward(args);
    }
}

template class Plan<float>;
template class Plan<double>;

}  // namespace loom
