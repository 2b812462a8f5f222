#include "shape/validator.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "engine/named_tensor.h"
#include "graph/graph_algorithms.h"
#include "layers/input.h"
#include "layers/layer_nodes.h"
#include "layers/layer_registry.h"
#include "shape/explain.h"
#include "shape/masks.h"
#include "shape/fixes.h"

namespace loom {

bool Validation::hasErrors() const { return count(Severity::Error) > 0; }

const TensorShape* Validation::shapeAt(const ModelGraph& graph, PortRef from) const {
    if (!graph.node(from.node)) return nullptr;
    const NodeReport& r = nodes[graph.indexOf(from.node)];
    if (from.port == 0) return r.output ? &*r.output : nullptr;
    const auto k = static_cast<std::size_t>(from.port - 1);
    return from.port > 0 && k < r.moreOutputs.size() ? &r.moreOutputs[k] : nullptr;
}

std::size_t Validation::count(Severity severity) const {
    return static_cast<std::size_t>(std::count_if(
        diagnostics.begin(), diagnostics.end(),
        [severity](const Diagnostic& d) { return d.severity == severity; }));
}

namespace {

std::string num(std::int64_t v) { return v == kNone ? "None" : std::to_string(v); }

class Validator {
public:
    explicit Validator(const ModelGraph& graph) : m_graph(graph) { collectWires(); }

    /// Starts from a finished validation of `graph`, to try out single nodes with other inputs.
    Validator(const ModelGraph& graph, const Validation& done) : m_graph(graph) {
        collectWires();
        checkKindsAndParams();  // which nodes can infer at all
        m_result.diagnostics.clear();
        m_result.nodes = done.nodes;
    }

    Validation run() {
        GraphAnalysis analysis = analyzeGraph(m_graph);
        m_result.order = analysis.order;
        checkKindsAndParams();
        checkNames();
        checkCycles(analysis);
        std::vector<bool> dangling = checkPorts();
        for (NodeId id : analysis.order) {
            const std::size_t i = m_graph.indexOf(id);
            if (m_usable[i] && !analysis.inCycle[i]) infer(i);
        }
        checkWholeGraph(analysis, dangling);
        checkMasks();
        checkSharedLayers();

        for (const Diagnostic& d : m_result.diagnostics) {
            if (!m_graph.node(d.node)) continue;
            NodeReport& r = m_result.nodes[m_graph.indexOf(d.node)];
            (d.severity == Severity::Error ? r.hasError : r.hasWarning) = true;
        }
        for (const NodeReport& r : m_result.nodes) m_result.totalParams += r.params;
        return std::move(m_result);
    }

    /// A call of a shared layer: the layer it shares must have weights of its own and its kind,
    /// and the call's inputs must fit those weights. Its parameters count once, at the layer.
    void checkSharedLayers() {
        for (const Node& call : m_graph.nodes()) {
            if (!call.shares) continue;
            NodeReport& r = m_result.nodes[m_graph.indexOf(call.id)];
            r.params = 0;
            r.frozenParams = 0;
            const Node* owner = m_graph.node(call.shares);
            Diagnostic d;
            d.code = DiagCode::SharedWeights;
            d.severity = Severity::Error;
            d.node = call.id;
            GraphEdit own;
            own.ops.push_back(edit::Share{call.id, 0});
            if (const std::string why = m_graph.whyCannotLend(call.id, call.shares, true); !why.empty()) {
                d.message = call.name + " shares the weights of " +
                            (owner ? owner->name + ", which " + why : std::string("a layer that is gone")) +
                            ". A shared layer is a layer of the same kind with weights of its own.";
                d.fixes.push_back({"Give " + call.name + " weights of its own", std::move(own)});
                m_result.diagnostics.push_back(std::move(d));
                continue;
            }
            const LayerSpec* spec = m_specs[m_graph.indexOf(call.id)];
            const NodeReport& o = m_result.nodes[m_graph.indexOf(owner->id)];
            if (!spec || !r.output || !o.output) continue;
            // The wires the port rules kept, each with a known shape; else nothing to compare.
            bool known = true;
            const auto inputsOf = [&](NodeId id) {
                std::vector<Dims> dims;
                for (const Edge* e : m_incoming[m_graph.indexOf(id)]) {
                    const TensorShape* shape = shapeOf(e->from);
                    if (!shape) known = false;
                    else dims.push_back(shape->sizes());
                }
                return dims;
            };
            const std::vector<Dims> callInputs = inputsOf(call.id), ownerInputs = inputsOf(owner->id);
            if (!known || callInputs.empty() || ownerInputs.empty()) continue;
            const auto firstInput = [&](NodeId id) { return shapeOf(m_incoming[m_graph.indexOf(id)].front()->from)->str(); };
            const auto mine = spec->weights(call, callInputs), theirs = spec->weights(*owner, ownerInputs);
            for (std::size_t k = 0; k < mine.size() && k < theirs.size(); ++k) {
                if (mine[k].shape == theirs[k].shape) continue;
                d.related = {owner->id};
                d.port = 0;
                d.message = call.name + " calls " + owner->name + " again with its weights, but its input does not fit them: " +
                            owner->name + "/" + theirs[k].name + " is " + tensorShapeText(theirs[k].shape) + " for " + owner->name +
                            "'s input " + firstInput(owner->id) + ", and " + call.name + "'s input " +
                            firstInput(call.id) + " would need " + tensorShapeText(mine[k].shape) +
                            ". A shared layer's weights fit inputs of one width: wire in one like " + owner->name +
                            "'s, or give " + call.name + " weights of its own.";
                d.fixes.push_back({"Give " + call.name + " weights of its own", std::move(own)});
                m_result.diagnostics.push_back(std::move(d));
                break;
            }
        }
    }

    /// Marks the outputs that carry a step mask, and warns where a layer drops one that it does
    /// not use up: its padded steps become ordinary values for every layer after it.
    void checkMasks() {
        const auto masks = stepMasks(m_graph, m_result.order);
        for (const auto& [id, source] : masks) {
            NodeReport& r = m_result.nodes[m_graph.indexOf(id)];
            r.masked = r.output && r.output->isSequence();
        }
        for (NodeId id : m_result.order) {
            const Node& node = *m_graph.node(id);
            warnBackwardsOrder(node, masks.contains(id));
            if (node.isInput() || masks.contains(id)) continue;
            if (const LayerSpec* spec = m_specs[m_graph.indexOf(id)]; !spec || spec->readsStepMask(node)) continue;
            for (const Edge* e : m_graph.inputEdges(id)) {
                const Node* from = m_graph.node(e->from.node);
                if (!from || e->from.port != 0 || !m_result.nodes[m_graph.indexOf(from->id)].masked) continue;
                Diagnostic d;
                d.code = DiagCode::MaskDropped;
                d.severity = Severity::Warning;
                d.node = id;
                d.port = e->to.port;
                d.related = {from->id};
                d.message = node.name + " (" + node.kind + ") does not take the step mask that " + from->name +
                            " carries, and drops it, as Keras does: the padded steps reach it as ordinary values, "
                            "and no layer after it skips them. Where later layers should skip the padding, read "
                            "the sequence before " + node.name + " with a layer that takes the mask (LSTM, GRU, "
                            "SimpleRNN, Bidirectional, GlobalAveragePooling1D).";
                m_result.diagnostics.push_back(std::move(d));
                break;
            }
        }
    }

    /// A recurrent layer that reads backwards returns its sequence in reading order (its first
    /// step is the input's last). A merge that joins it with a sequence in the input's order
    /// lines up step t with step T-1-t; and as Keras's, it passes its input's mask on
    /// unreversed, so the layers after it skip other steps than the padded ones.
    void warnBackwardsOrder(const Node& node, bool masked) {
        if (!node.param<bool>("go_backwards") || !node.param<bool>("return_sequences")) return;
        const Node* merge = nullptr;
        for (const Edge* e : m_graph.outputEdges(node.id)) {
            const Node* reader = m_graph.node(e->to.node);
            if (reader && isMerge(*reader)) merge = reader;
        }
        if (!merge && !masked) return;
        Diagnostic d;
        d.code = DiagCode::BackwardsOrder;
        d.severity = Severity::Warning;
        d.node = node.id;
        d.message = node.name + " reads its sequence backwards (go_backwards) and returns it in that order: its first "
                    "step is the reading of the input's last.";
        if (merge) {
            d.related.push_back(merge->id);
            d.message += " " + merge->name + " joins it step by step with what it reads beside it, so a sequence in "
                         "the input's order meets it reversed. Bidirectional reverses its backward reading again "
                         "before joining the two.";
        }
        if (masked) {
            d.message += " It also passes on the step mask of its input unreversed, as Keras does: the layers after it "
                         "skip the steps where the input was padded, which in its reversed output are other steps.";
        }
        d.fixes.push_back(setParamFix(node, "go_backwards", false, "Read forwards (go_backwards off)"));
        d.fixes.push_back(setParamFix(node, "return_sequences", false, "Return the last step only"));
        m_result.diagnostics.push_back(std::move(d));
    }

    /// The problems node `i` would report if `inputs` (by port, one per port) were its wires,
    /// given the shapes of the finished validation. Leaves the validator as it was.
    std::vector<Diagnostic> tryInputs(std::size_t i, std::vector<const Edge*> inputs) {
        if (!m_usable[i]) return {};
        std::swap(m_incoming[i], inputs);
        const auto output = m_result.nodes[i].output;
        const auto moreOutputs = m_result.nodes[i].moreOutputs;
        const std::int64_t params = m_result.nodes[i].params;
        m_result.diagnostics.clear();
        infer(i);
        std::swap(m_incoming[i], inputs);
        m_result.nodes[i].output = output;
        m_result.nodes[i].moreOutputs = moreOutputs;
        m_result.nodes[i].params = params;
        return std::exchange(m_result.diagnostics, {});
    }

    const std::vector<const Edge*>& incoming(std::size_t i) const { return m_incoming[i]; }
    const LayerSpec* spec(std::size_t i) const { return m_specs[i]; }

private:
    const ModelGraph& m_graph;
    Validation m_result;
    std::vector<const LayerSpec*> m_specs;
    std::vector<bool> m_usable;  ///< kind known and parameters valid
    std::vector<std::vector<const Edge*>> m_incoming;
    std::vector<std::size_t> m_outgoing;

    void collectWires() {
        const auto& nodes = m_graph.nodes();
        m_result.nodes.resize(nodes.size());
        m_specs.resize(nodes.size());
        m_usable.assign(nodes.size(), true);
        m_incoming.resize(nodes.size());
        m_outgoing.assign(nodes.size(), 0);
        for (const Edge& e : m_graph.edges()) {
            if (!m_graph.node(e.from.node) || !m_graph.node(e.to.node)) continue;
            m_incoming[m_graph.indexOf(e.to.node)].push_back(&e);
            ++m_outgoing[m_graph.indexOf(e.from.node)];
        }
        for (auto& list : m_incoming) {
            std::stable_sort(list.begin(), list.end(), [](const Edge* a, const Edge* b) {
                return a->to.port < b->to.port;
            });
        }
    }

    Diagnostic& report(DiagCode code, Severity severity, NodeId node, std::string message) {
        Diagnostic d;
        d.code = code;
        d.severity = severity;
        d.node = node;
        d.message = std::move(message);
        m_result.diagnostics.push_back(std::move(d));
        return m_result.diagnostics.back();
    }

    const TensorShape* shapeOf(NodeId id) const { return m_result.shapeAt(m_graph, {id, 0}); }
    const TensorShape* shapeOf(PortRef from) const { return m_result.shapeAt(m_graph, from); }

    void checkKindsAndParams() {
        const auto& nodes = m_graph.nodes();
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            const Node& n = nodes[i];
            m_specs[i] = findLayer(n.kind);
            if (!m_specs[i]) {
                m_usable[i] = false;
                report(DiagCode::UnknownKind, Severity::Error, n.id,
                       n.name + " is of kind '" + n.kind + "', which LayerLoom does not know.");
                continue;
            }
            for (const ParamSpec& p : m_specs[i]->params()) {
                auto it = n.params.find(p.name);
                const ParamValue& value = it == n.params.end() ? p.defaultValue : it->second;
                // Token ids may come in sequences of any length, (None,): one id per step.
                const bool freeIds = p.name == "shape" && holdsTokenIds(n) && value == ParamValue{Dims{kNone}};
                if (auto problem = freeIds ? std::nullopt : checkParam(p, value)) {
                    m_usable[i] = false;
                    Diagnostic& d = report(DiagCode::InvalidParam, Severity::Error, n.id,
                                           nodeLabel(n) + ": " + p.name + " " + *problem +
                                               " (it is " + formatParam(value) + ").");
                    d.fixes.push_back(setParamFix(n, p.name, p.defaultValue,
                                                  "Reset " + p.name + " to " +
                                                      formatParam(p.defaultValue)));
                }
            }
        }
    }

    void checkNames() {
        std::unordered_map<std::string_view, const Node*> seen;
        for (const Node& n : m_graph.nodes()) {
            auto [it, first] = seen.emplace(n.name, &n);
            if (first) continue;
            Diagnostic& d = report(DiagCode::DuplicateName, Severity::Error, n.id,
                                   "Two layers are named '" + n.name + "' (" + it->second->kind +
                                       " and " + n.kind +
                                       "). Names identify layers in code, weights and summaries, "
                                       "so each must be unique.");
            d.related.push_back(it->second->id);
            const LayerSpec* spec = findLayer(n.kind);
            const std::string fresh = m_graph.uniqueName(spec ? spec->nameBase() : "layer");
            GraphEdit e;
            e.ops.push_back(edit::Rename{n.id, fresh});
            d.fixes.push_back({"Rename to " + fresh, std::move(e)});
        }
    }

    void checkCycles(const GraphAnalysis& analysis) {
        for (const auto& cycle : analysis.cycles) {
            std::string path;
            for (NodeId id : cycle) path += m_graph.node(id)->name + " -> ";
            path += m_graph.node(cycle.front())->name;
            Diagnostic& d = report(DiagCode::Cycle, Severity::Error, cycle.front(),
                                   "These layers form a cycle: " + path +
                                       ". Data must flow one way, from the Input to the output; "
                                       "remove one of these wires.");
            d.related.assign(cycle.begin() + 1, cycle.end());
            // Offer to cut the wire that closes the loop.
            for (const Edge* e : m_incoming[m_graph.indexOf(cycle.front())]) {
                if (e->from.node == cycle.back()) {
                    GraphEdit cut;
                    cut.ops.push_back(edit::RemoveEdge{e->id});
                    d.fixes.push_back({"Remove the wire " + m_graph.node(cycle.back())->name +
                                           " -> " + m_graph.node(cycle.front())->name,
                                       std::move(cut)});
                    break;
                }
            }
        }
    }

    /// Whether the output port a wire leaves exists and may be read; reports the wire when not (a
    /// recurrent layer's state port wired while return_state is off, attention scores wired on).
    bool fromPortExists(const Edge& e) {
        if (e.from.port == 0) return true;
        const Node* from = m_graph.node(e.from.node);
        const LayerSpec* spec = from ? m_specs[m_graph.indexOf(from->id)] : nullptr;
        if (!spec) return true;  // its own problem is reported
        const std::vector<std::string> more = spec->moreOutputNames(*from);
        const Node& to = *m_graph.node(e.to.node);
        const auto port = static_cast<std::size_t>(e.from.port);
        if (port <= more.size() && !spec->viewOnlyOutput(*from, e.from.port)) return true;
        // Whether the parameter that gives the layer more outputs (return_state) would give it that port.
        const std::string param(spec->moreOutputsParam());
        Node returning = *from;
        if (!param.empty()) returning.params[param] = true;
        const std::vector<std::string> names = param.empty() ? more : spec->moreOutputNames(returning);
        if (port <= names.size() && spec->viewOnlyOutput(returning, e.from.port)) {
            Diagnostic& d = report(DiagCode::DanglingInput, Severity::Error, to.id,
                                   nodeLabel(to) + " reads " + from->name + "'s " + names[port - 1] +
                                       " output, which is for looking at only: it leaves the model beside its "
                                       "outputs, and no layer reads it.");
            d.port = e.to.port;
            GraphEdit rewire;
            rewire.ops.push_back(edit::RemoveEdge{e.id});
            rewire.ops.push_back(edit::Connect{from->id, 0, to.id, e.to.port});
            d.fixes.push_back({"Wire " + to.name + " from " + from->name + "'s output instead", std::move(rewire)});
            return false;
        }
        const bool wouldReturn = !param.empty() && !from->param<bool>(param) && port <= names.size();
        const bool states = param == "return_state";
        const std::string what = port <= names.size()
                                     ? from->name + (states ? "'s state " : "'s ") + names[port - 1]
                                     : "output port " + std::to_string(port) + " of " + from->name;
        Diagnostic& d = report(DiagCode::DanglingInput, Severity::Error, to.id,
                               nodeLabel(to) + " reads " + what + ", but " + from->name + " returns " +
                                   (more.empty() ? std::string("one output") : states ? "no such state" : "no such output") +
                                   (wouldReturn ? (states ? ": its states come" : ": it comes") + std::string(" out only with ") +
                                                      param + " on."
                                                : std::string(".")));
        d.port = e.to.port;
        if (wouldReturn) {
            d.fixes.push_back(setParamFix(*from, param, true, "Turn on " + param + " on " + from->name));
        }
        GraphEdit cut;
        cut.ops.push_back(edit::RemoveEdge{e.id});
        d.fixes.push_back({"Remove the wire from " + from->name, std::move(cut)});
        return false;
    }

    /// Reports ports with two wires and required ports with none; returns which nodes lack an
    /// input.
    std::vector<bool> checkPorts() {
        const auto& nodes = m_graph.nodes();
        std::vector<bool> dangling(nodes.size(), false);
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            const LayerSpec* spec = m_specs[i];
            if (!spec) continue;
            dangling[i] = !keepFittingWires(i, *spec) || !checkPortsWired(i, *spec);
        }
        return dangling;
    }

    static bool wiredInto(const std::vector<const Edge*>& in, int port) {
        return std::any_of(in.begin(), in.end(), [port](const Edge* e) { return e->to.port == port; });
    }

    /// Keeps, of node i's incoming wires, those its ports take: a wire beyond its ports or into
    /// a port already taken is a problem with the fix of removing it. False when a wire comes
    /// from an output port its source does not have.
    bool keepFittingWires(std::size_t i, const LayerSpec& spec) {
        const Node& n = m_graph.nodes()[i];
        auto& in = m_incoming[i];
        std::vector<const Edge*> kept;
        bool fromMissingPort = false;
        const int ports = spec.maxInputs() < 0 ? -1 : spec.inputPorts(n);
        for (const Edge* e : in) {
            if (!fromPortExists(*e)) {
                fromMissingPort = true;
                continue;
            }
            const bool beyond = ports >= 0 && e->to.port >= ports;
            const bool taken = !kept.empty() && kept.back()->to.port == e->to.port;
            if (!beyond && !taken) {
                kept.push_back(e);
                continue;
            }
            const Node* from = m_graph.node(e->from.node);
            Diagnostic& d = report(
                DiagCode::PortOccupied, Severity::Error, n.id,
                beyond ? nodeLabel(n) + " takes " +
                             (ports == 0   ? std::string("no input")
                              : ports == 1 ? std::string("one input")
                                           : std::to_string(ports) + " inputs") +
                             ", but " + from->name + " is also wired into it." +
                             (spec.maxInputs() > ports ? std::string(" ").append(spec.morePortsHint(n)) : std::string())
                       : nodeLabel(n) + " gets two wires into one input: from " +
                             m_graph.node(kept.back()->from.node)->name + " and from " +
                             from->name + ". An input port takes one wire.");
            d.port = e->to.port;
            GraphEdit cut;
            cut.ops.push_back(edit::RemoveEdge{e->id});
            d.fixes.push_back({"Remove the wire from " + from->name, std::move(cut)});
        }
        if (fromMissingPort) return false;
        in = std::move(kept);
        return true;
    }

    /// Whether every port node i needs is wired: a named argument before a wired one (a free
    /// port there is a missing argument), a port a parameter asks for, and enough inputs.
    bool checkPortsWired(std::size_t i, const LayerSpec& spec) {
        const Node& n = m_graph.nodes()[i];
        const auto& in = m_incoming[i];
        // A layer whose inputs are named arguments (MultiHeadAttention's query, value, key), or
        // that takes its starting states in ports of their own, reads each from its own port.
        std::vector<std::string> named = spec.inputPortNames(n);
        const bool everyPort = !named.empty();  // named by the node: each one is needed
        if (named.empty()) {
            for (std::string_view name : spec.callTensorNames()) named.emplace_back(name);
        }
        const auto argument = [&](int port) {
            return static_cast<std::size_t>(port) < named.size() ? named[static_cast<std::size_t>(port)] : std::string("input");
        };
        bool wired = true;
        for (int port = 0; !named.empty() && !in.empty() && port < in.back()->to.port; ++port) {
            if (wiredInto(in, port) || spec.inputPortOptional(n, port)) continue;
            report(DiagCode::DanglingInput, Severity::Error, n.id,
                   nodeLabel(n) + " has nothing wired into its " + argument(port) + " port, while a later "
                   "port is wired. Connect the layer whose output is its " + argument(port) + ".").port = port;
            wired = false;
        }
        if (!wired) return false;
        // Ports a parameter asks for (attention_mask's) need their wire.
        for (const auto& [port, param] : spec.requiredPorts(n)) {
            if (wiredInto(in, port)) continue;
            wired = false;
            std::string message = nodeLabel(n);
            message.append(" has nothing wired into its ").append(argument(port)).append(" port, which ").append(param);
            message.append(" asks for. Connect the layer whose output is its ").append(argument(port));
            message.append(", or turn ").append(param).append(" off.");
            Diagnostic& d = report(DiagCode::DanglingInput, Severity::Error, n.id, std::move(message));
            d.port = port;
            std::string title = "Turn ";
            title.append(param).append(" off");
            d.fixes.push_back(setParamFix(n, param, false, std::move(title)));
        }
        if (!wired) return false;
        const int have = static_cast<int>(in.size());
        if (have >= (everyPort ? static_cast<int>(named.size()) : spec.minInputs())) return true;
        const bool merge = spec.takesList();
        report(merge ? DiagCode::MergeTooFewInputs : DiagCode::DanglingInput, Severity::Error, n.id,
               merge ? nodeLabel(n) + " has " + std::to_string(have) + (have == 1 ? " input" : " inputs") +
                           "; a merge needs at least two branches to join."
               : static_cast<std::size_t>(have) < named.size()
                   ? nodeLabel(n) + " has nothing wired into its " + argument(have) +
                         " port. Connect the layer whose output is its " + argument(have) + "."
                   : nodeLabel(n) + " has nothing wired into its input. Connect the layer "
                                    "whose output it should read.").port = have;
        return false;
    }

    /// The number of steps that turns a vector from `producer` back into a sequence: the length
    /// the recurrent layer that collapsed it read, else the first sequence Input's length.
    std::int64_t stepsFor(NodeId producer) const {
        if (const Node* rnn = recurrentSource(m_graph, producer)) {
            for (const Edge* e : m_incoming[m_graph.indexOf(rnn->id)]) {
                const TensorShape* s = shapeOf(e->from);
                if (s && s->isSequence()) return s->time().size;
            }
        }
        for (const Node& n : m_graph.nodes()) {
            if (!n.isInput()) continue;
            const Dims& dims = n.param<Dims>("shape");
            if (dims.size() == 2) return dims.front();
        }
        return kNone;
    }

    void infer(std::size_t i) {
        const Node& node = m_graph.nodes()[i];
        const LayerSpec& spec = *m_specs[i];
        const auto& edges = m_incoming[i];
        if (static_cast<int>(edges.size()) < spec.minInputs()) return;

        std::vector<TensorShape> shapes;  // owned copies, adjusted where a rank is wrong
        shapes.reserve(edges.size());
        for (const Edge* e : edges) {
            const TensorShape* s = shapeOf(e->from);
            if (!s) return;  // an upstream problem, already reported there
            shapes.push_back(*s);
        }
        std::vector<LayerInput> inputs;
        inputs.reserve(edges.size());
        for (std::size_t k = 0; k < edges.size(); ++k) {
            inputs.push_back({&shapes[k], edges[k], m_graph.node(edges[k]->from.node)});
        }
        bool ids = false;
        for (const LayerInput& in : inputs) ids = checkTokenIds(node, in) || ids;
        if (ids) return;  // its shape would be a guess: the fix decides it
        // Ports named by the node (a recurrent layer's starting states) have rules of their own.
        const bool ownPorts = !spec.inputPortNames(node).empty();
        for (std::size_t k = 0; k < inputs.size(); ++k) {
            if (ownPorts && inputs[k].edge->to.port > 0) continue;
            checkRank(node, spec, inputs[k], shapes[k]);
        }

        ShapeContext ctx{m_graph, node, inputs, m_result.diagnostics};
        NodeReport& r = m_result.nodes[i];
        r.output = spec.inferShape(ctx);
        r.moreOutputs = r.output ? spec.moreOutputShapes(ctx, *r.output) : std::vector<TensorShape>{};
        if (!shapes.empty()) r.params = spec.paramCount(node, shapes, &r.frozenParams);
        if (!shapes.empty()) checkIdentityInitializers(node, spec, shapes);
    }

    /// Keras's identity initialiser makes matrices only, and orthogonal needs at least two axes:
    /// on a weight of another rank (a Conv1D's kernel, a bias) Keras refuses them, and so does
    /// LayerLoom, naming the weight.
    static bool shapeless(const Initializer& init, std::size_t rank) {
        return (init.kind == Initializer::Kind::Identity && rank != 2) || (init.kind == Initializer::Kind::Orthogonal && rank < 2);
    }

    void checkIdentityInitializers(const Node& node, const LayerSpec& spec, std::span<const TensorShape> shapes) {
        const bool any = std::any_of(node.params.begin(), node.params.end(), [](const auto& entry) {
            const auto* init = std::get_if<Initializer>(&entry.second);
            return init && (init->kind == Initializer::Kind::Identity || init->kind == Initializer::Kind::Orthogonal);
        });
        if (!any) return;
        std::vector<Dims> sizes;
        for (const TensorShape& s : shapes) {
            sizes.push_back(s.sizes());
            for (std::int64_t& d : sizes.back()) d = d == kNone ? 1 : d;
        }
        for (const ParamShape& w : spec.weights(node, sizes)) {
            if (!shapeless(w.init, w.shape.size())) continue;
            const std::string base = w.name.substr(w.name.rfind('/') + 1);
            const std::string param = base == "recurrent_kernel" ? "recurrent_initializer" : base + "_initializer";
            Diagnostic& d = report(DiagCode::InvalidParam, Severity::Error, node.id,
                                   nodeLabel(node) + ": " + param + " " + initializerName(w.init.kind) +
                                       (w.init.kind == Initializer::Kind::Identity ? " makes matrices only" : " needs two axes or more") +
                                       ", but the " + w.name +
                                       " is " + formatParam(ParamValue{Dims(w.shape.begin(), w.shape.end())}) +
                                       " (Keras refuses it too).");
            for (const ParamSpec& p : spec.params()) {
                if (p.name == param) d.fixes.push_back(setParamFix(node, p.name, p.defaultValue, "Reset " + p.name + " to " + formatParam(p.defaultValue)));
            }
        }
    }

    /// Reports token ids fed to a layer that computes with numbers: only an Embedding reads them.
    bool checkTokenIds(const Node& node, const LayerInput& in) {
        const LayerSpec* spec = findLayer(node.kind);
        if ((spec && !spec->vocabularyParam().empty()) || !holdsTokenIds(*in.producer)) return false;
        const Node& producer = *in.producer;
        Diagnostic& d = report(DiagCode::TokenIds, Severity::Error, node.id,
                               nodeLabel(node) + " computes with numbers, but " + producer.name +
                                   " holds token ids (dtype int32), which only an Embedding reads. Put an "
                                   "Embedding between them to turn each id into a vector, or make " +
                                   producer.name + " float32 if its values are measurements.");
        d.port = in.edge->to.port;
        d.related.push_back(producer.id);
        d.fixes.push_back(embeddingFix(m_graph, *in.edge));
        d.fixes.push_back(setParamFix(producer, "dtype", std::string("float32"), "Make " + producer.name + " float32"));
        return true;
    }

    /// Reports a vector where a sequence is needed, or the reverse, then lets inference go on
    /// with the shape the fix would give, so that later problems show too.
    void checkRank(const Node& node, const LayerSpec& spec, const LayerInput& in,
                   TensorShape& shape) {
        const Node& producer = *in.producer;
        if (spec.inputRank() == InputRank::Sequence && shape.isVector()) {
            const std::int64_t steps = stepsFor(producer.id);
            // A state is a vector whatever return_sequences says.
            const Node* rnn = in.edge->from.port == 0 ? recurrentSource(m_graph, producer.id) : nullptr;
            std::string msg = nodeLabel(node) + " reads sequences (None, time, features), but " +
                              describeInput(in) + " is a vector.";
            if (rnn && !rnn->param<bool>("return_sequences")) {
                msg += " " + rnn->name +
                       " has return_sequences=False, so it passes only its last step.";
            }
            const std::string repeat = "repeat the vector over " + (steps == kNone ? std::string("the steps it needs") : num(steps) + " steps") +
                                       " with RepeatVector (the usual bridge from an encoder to a decoder)";
            if (rnn) {
                msg += " Either let " + rnn->name + " return its whole sequence, or " + repeat + ".";
            } else {
                // A pooling, Flatten or Dense of a vector: no switch gives the sequence back.
                msg += " Either wire " + node.name + " to a layer before " + producer.name +
                       " that still gives a sequence, or " + repeat + ".";
            }
            Diagnostic& d = report(DiagCode::NeedsSequence, Severity::Error, node.id, msg);
            d.port = in.edge->to.port;
            d.related.push_back(producer.id);
            if (rnn && !rnn->param<bool>("return_sequences")) {
                d.fixes.push_back(returnSequencesFix(*rnn, true));
            }
            if (steps != kNone) d.fixes.push_back(repeatVectorFix(m_graph, *in.edge, steps));
            shape.dims.insert(shape.dims.begin(), Dim{steps, producer.id});
        } else if (spec.inputRank() == InputRank::Vector && shape.isSequence()) {
            const Node* rnn = recurrentSource(m_graph, producer.id);
            std::string msg = nodeLabel(node) + " reads vectors (None, features), but " +
                              describeInput(in) + " is a sequence of " +
                              num(shape.time().size) + " steps.";
            if (rnn && rnn->param<bool>("return_sequences")) {
                msg += " Set return_sequences=False on " + rnn->name +
                       " so that it passes only its last step.";
            }
            Diagnostic& d = report(DiagCode::NeedsVector, Severity::Error, node.id, msg);
            d.port = in.edge->to.port;
            d.related.push_back(producer.id);
            if (rnn && rnn->param<bool>("return_sequences")) {
                d.fixes.push_back(returnSequencesFix(*rnn, false));
                // Its sequence may be wanted elsewhere (a skip): a bottleneck of the same kind
                // and width between it and this layer reads the sequence and passes its last step.
                const LayerSpec* kind = findLayer(rnn->kind);
                if (in.edge->from.node == rnn->id && kind && kind->param("units")) {
                    const std::int64_t units = rnn->param<std::int64_t>("units");
                    d.fixes.push_back({"Insert a bottleneck " + rnn->kind + "(units=" + num(units) + ") before " + node.name +
                                           " that passes only its last step; " + rnn->name + " keeps its sequence",
                                       spliceInto(m_graph, *in.edge, rnn->kind,
                                                  ParamMap{{"units", units}, {"return_sequences", false}})});
                }
            }
            shape.dims.erase(shape.dims.begin());
        }
    }

    /// A model with several outputs is often what a layer left hanging makes: the output at the
    /// end of the longest path is taken for the main one; each other one is reported, so that a
    /// leftover is seen before training asks for its targets.
    void reportExtraOutputs(const GraphAnalysis& analysis) {
        std::vector<std::size_t> depth(m_graph.nodes().size(), 0), rank(m_graph.nodes().size(), 0);
        for (std::size_t r = 0; r < analysis.order.size(); ++r) {
            const NodeId id = analysis.order[r];
            const std::size_t i = m_graph.indexOf(id);
            rank[i] = r;
            for (const Edge* e : m_graph.inputEdges(id)) depth[i] = std::max(depth[i], depth[m_graph.indexOf(e->from.node)] + 1);
        }
        const auto deeper = [&](NodeId a, NodeId b) {
            const std::size_t i = m_graph.indexOf(a), j = m_graph.indexOf(b);
            return depth[i] != depth[j] ? depth[i] > depth[j] : rank[i] > rank[j];
        };
        NodeId main = m_result.outputs.front();
        for (NodeId id : m_result.outputs) {
            if (deeper(id, main)) main = id;
        }
        const std::string mainName = m_graph.node(main)->name;
        const std::string count = std::to_string(m_result.outputs.size());
        for (NodeId id : m_result.outputs) {
            if (id == main) continue;
            const Node& n = *m_graph.node(id);
            Diagnostic& d = report(DiagCode::ExtraOutput, Severity::Warning, id,
                                   nodeLabel(n) + " feeds no other layer, so its output leaves the model beside " + mainName +
                                       "'s: the model has " + count + " outputs, and training needs a target for each (an .npz "
                                       "archive with an array per output, or a series' columns chosen for each). If " + n.name +
                                       " is left over, wire it into the chain or delete it.");
            d.fixes = extraOutputFixes(m_graph, n);
            d.related.push_back(main);
        }
    }

    void checkWholeGraph(const GraphAnalysis& analysis, const std::vector<bool>& dangling) {
        const auto& nodes = m_graph.nodes();
        bool anyInput = false;
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            const Node& n = nodes[i];
            const bool isInput = n.isInput();
            anyInput = anyInput || isInput;
            if (m_outgoing[i] == 0 && !isInput && m_specs[i]) m_result.outputs.push_back(n.id);
            if (!isInput && m_specs[i]) {
                const int more = static_cast<int>(m_specs[i]->moreOutputNames(n).size());
                for (int port = 1; port <= more; ++port) {
                    if (m_specs[i]->viewOnlyOutput(n, port)) m_result.viewOutputs.push_back(PortRef{n.id, port});
                }
            }
            if (isInput) m_result.inputs.push_back(n.id);
            if (isInput && m_outgoing[i] == 0 && nodes.size() > 1) {
                report(DiagCode::UnusedInput, Severity::Warning, n.id,
                       nodeLabel(n) + " is not wired to any layer, so its data goes nowhere.");
            }
            if (!isInput && !analysis.reachable[i] && !analysis.inCycle[i] && !dangling[i] &&
                m_specs[i]) {
                report(DiagCode::Unreachable, Severity::Warning, n.id,
                       nodeLabel(n) + " is not fed by any Input layer, so no data reaches it. "
                                      "Check the wires upstream.");
            }
        }
        if (!anyInput) {
            report(DiagCode::NoInput, Severity::Error, 0,
                   nodes.empty() ? std::string("The model is empty. Start with an Input layer.")
                                 : "The model has no Input layer, so no data can enter it. Add "
                                   "an Input with the shape of one sample, e.g. (32, 1).");
        }
        if (m_result.outputs.size() > 1 && analysis.cycles.empty()) reportExtraOutputs(analysis);
        if (!nodes.empty() && m_result.outputs.empty() && analysis.cycles.empty()) {
            const bool onlyInputs = std::all_of(nodes.begin(), nodes.end(), [](const Node& n) { return n.isInput(); });
            report(DiagCode::NoOutput, Severity::Error, 0,
                   onlyInputs ? "The model has only its Input so far. Add a layer after it (press Tab, or drag one "
                                "from the Layers panel): the last layer's output is the model's output."
                              : "The model has no output: every layer's result feeds another layer. Add a layer "
                                "whose output ends the model.");
        }
    }
};

}  // namespace

Validation validate(const ModelGraph& graph) { return Validator(graph).run(); }

// --- Trying out a wire ------------------------------------------------------------------------

struct ConnectionProbe::State {
    Validator validator;
    NodeId ancestorsOf = 0;  ///< the node `ancestors` was computed for
    std::unordered_set<NodeId> ancestors;
};

std::string viewOutputName(const ModelGraph& graph, PortRef port) {
    const Node& n = *graph.node(port.node);
    const std::vector<std::string> names = findLayer(n.kind)->moreOutputNames(n);
    const auto k = static_cast<std::size_t>(port.port);
    const std::string name = n.name + "_" + (k >= 1 && k <= names.size() ? names[k - 1] : std::to_string(port.port));
    // A layer of that name keeps it: the scores then go by the port's number.
    return graph.nodeByName(name) ? n.name + ":" + std::to_string(port.port) : name;
}

ConnectionProbe::ConnectionProbe(const ModelGraph& graph, const Validation& validation)
    : m_graph(graph), m_state(std::make_unique<State>(State{Validator(graph, validation), 0, {}})) {}

ConnectionProbe::~ConnectionProbe() = default;

ConnectionVerdict ConnectionProbe::check(NodeId from, NodeId to, int port, int fromPort) const {
    const Node* source = m_graph.node(from);
    const Node* target = m_graph.node(to);
    if (!source || !target || port < 0 || fromPort < 0) return {ConnectionVerdict::Impossible, "That layer is gone."};
    if (fromPort > 0) {
        const LayerSpec* sourceSpec = m_state->validator.spec(m_graph.indexOf(from));
        if (!sourceSpec || static_cast<std::size_t>(fromPort) > sourceSpec->moreOutputNames(*source).size()) {
            return {ConnectionVerdict::Impossible, source->name + " has no output port " + std::to_string(fromPort) + "."};
        }
        if (sourceSpec->viewOnlyOutput(*source, fromPort)) {
            return {ConnectionVerdict::Impossible,
                    source->name + "'s " + sourceSpec->moreOutputNames(*source)[static_cast<std::size_t>(fromPort - 1)] +
                        " output is for looking at only: it leaves the model beside its outputs, and no layer reads it."};
        }
    }
    const std::size_t ti = m_graph.indexOf(to);
    const LayerSpec* spec = m_state->validator.spec(ti);
    if (from == to) return {ConnectionVerdict::Impossible, target->name + " cannot read its own output."};
    if (spec && spec->maxInputs() == 0) {
        return {ConnectionVerdict::Impossible, target->name + " is an Input: data enters the model there, so "
                                              "nothing can be wired into it."};
    }
    if (spec && spec->maxInputs() > 0 && port >= spec->inputPorts(*target)) {
        return {ConnectionVerdict::Impossible, target->name + " has no input port " + std::to_string(port) + "."};
    }
    if (m_state->ancestorsOf != from) {
        // Everything upstream of `from`: wiring into one of them would close a loop.
        m_state->ancestorsOf = from;
        m_state->ancestors.clear();
        std::vector<NodeId> frontier{from};
        while (!frontier.empty()) {
            const NodeId n = frontier.back();
            frontier.pop_back();
            for (const Edge* e : m_state->validator.incoming(m_graph.indexOf(n))) {
                if (m_state->ancestors.insert(e->from.node).second) frontier.push_back(e->from.node);
            }
        }
    }
    if (m_state->ancestors.count(to)) {
        return {ConnectionVerdict::Impossible, "This wire would close a loop: " + target->name +
                                  " already feeds " + source->name +
                                  ". Data must flow one way, from the Input to the output."};
    }

    // The node's wires with this one in place of whatever holds the port now.
    const std::vector<const Edge*>& current = m_state->validator.incoming(ti);
    std::vector<const Edge*> inputs;
    const Edge* replaced = nullptr;
    for (const Edge* e : current) {
        if (e->to.port == port) {
            replaced = e;
            continue;
        }
        inputs.push_back(e);
    }
    if (replaced && replaced->from == PortRef{from, fromPort}) {
        return {ConnectionVerdict::Impossible, source->name + " is already wired into this port."};
    }
    const Edge wire{0, {from, fromPort}, {to, port}};
    inputs.insert(std::upper_bound(inputs.begin(), inputs.end(), port,
                                   [](int p, const Edge* e) { return p < e->to.port; }),
                  &wire);

    const std::vector<Diagnostic> before = m_state->validator.tryInputs(ti, current);
    const std::vector<Diagnostic> after = m_state->validator.tryInputs(ti, std::move(inputs));
    const auto isNew = [&before](const Diagnostic& d) {
        return std::none_of(before.begin(), before.end(), [&d](const Diagnostic& b) {
            return b.code == d.code && b.message == d.message;
        });
    };
    ConnectionVerdict verdict{ConnectionVerdict::Fits, {}};
    for (const Diagnostic& d : after) {
        if (d.severity == Severity::Error && isNew(d)) {
            verdict = {ConnectionVerdict::BreaksShapeRule, d.message};
            break;
        }
        if (d.severity == Severity::Warning && isNew(d) && verdict.kind == ConnectionVerdict::Fits) {
            verdict = {ConnectionVerdict::FitsWithWarning, d.message};
        }
    }
    if (replaced) {
        const Node* old = m_graph.node(replaced->from.node);
        const std::string note = "Replaces the wire from " + (old ? old->name : "?") + ".";
        verdict.reason = verdict.reason.empty() ? note : note + " " + verdict.reason;
    }
    return verdict;
}

}  // namespace loom
