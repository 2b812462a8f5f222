#include "shape/skip_connection.h"

#include <algorithm>
#include <map>

#include "graph/graph_algorithms.h"
#include "layers/layer_nodes.h"
#include "layers/layer_registry.h"

namespace loom {

namespace {

constexpr double kRow = 120.0;     ///< one row of the editor's column layout
constexpr double kColumn = 280.0;  ///< one column

std::string steps(const TensorShape& s) {
    return s.time().size == kNone ? std::string("None") : std::to_string(s.time().size);
}

/// Builds skip after skip into one edit, keeping track of where layers have moved.
class SkipBuilder {
public:
    SkipBuilder(const ModelGraph& graph, const Validation& validation, std::string_view kind)
        : m_graph(graph), m_validation(validation), m_kind(kind) {
        if (m_kind != "Add" && m_kind != "Concatenate") {
            throw EditError("a skip connection merges with Add or Concatenate");
        }
        for (const Node& n : graph.nodes()) m_position[n.id] = n.position;
    }

    void add(NodeId encoder, NodeId decoder) {
        const Node* enc = m_graph.node(encoder);
        const Node* dec = m_graph.node(decoder);
        if (!enc || !dec) throw EditError("Select two layers to join.");
        if (encoder == decoder) throw EditError("Select two different layers to join.");
        if (feeds(m_graph, decoder, encoder)) std::swap(enc, dec);  // given the other way
        const auto& encShape = m_validation.of(m_graph, enc->id).output;
        const auto& decShape = m_validation.of(m_graph, dec->id).output;
        if (!encShape || !decShape) {
            throw EditError("The shape of " + (encShape ? dec->name : enc->name) +
                            " is not known yet; fix the problems above it first.");
        }
        if (encShape->isSequence() != decShape->isSequence()) {
            const Node* vec = encShape->isVector() ? enc : dec;
            throw EditError(vec->name + " returns a vector, the other a sequence. A skip joins "
                            "like with like, step by step: choose a layer that returns "
                            "sequences, or set return_sequences=True on " + vec->name + ".");
        }
        if (encShape->isSequence() && encShape->time().size != decShape->time().size &&
            encShape->time().size != kNone && decShape->time().size != kNone) {
            throw EditError(enc->name + " returns " + steps(*encShape) + " steps and " +
                            dec->name + " " + steps(*decShape) +
                            "; a skip joins sequences of equal length.");
        }
        // Add needs equal widths: the narrower branch is projected to the wider one, as the
        // shape fix for a mismatched Add does.
        const std::int64_t encWidth = encShape->features().size;
        const std::int64_t decWidth = decShape->features().size;
        const bool add = m_kind == "Add" && encWidth != decWidth;
        const bool projectEncoder = add && encWidth < decWidth;
        const bool projectDecoder = add && decWidth < encWidth;
        const std::int64_t width = std::max(encWidth, decWidth);
        const std::string projectionKind = encShape->isSequence() ? "TimeDistributed" : "Dense";
        const auto projection = [&](Point at) {
            m_edit.ops.push_back(edit::AddNode{
                projectionKind, ParamMap{{"units", width}, {"activation", std::string("linear")}},
                at});
            return m_added++;
        };

        // Room below the decoder: everything it feeds moves down a row per new layer in line.
        const Point at = m_position[dec->id];
        const double rows = projectDecoder ? 2.0 : 1.0;
        for (NodeId n : downstreamOf(m_graph, dec->id)) m_position[n].y += rows * kRow;

        NodeRef decOut = dec->id;
        if (projectDecoder) {
            const int p = projection(Point{at.x, at.y + kRow});
            m_edit.ops.push_back(edit::Connect{dec->id, 0, NewNode{p}, 0});
            decOut = NewNode{p};
        }
        const Point mergeAt{at.x, at.y + rows * kRow};
        NodeRef encOut = enc->id;
        if (projectEncoder) {
            const Point from = m_position[enc->id];
            const int p = projection(Point{from.x + kColumn, (from.y + mergeAt.y) / 2.0});
            m_edit.ops.push_back(edit::Connect{enc->id, 0, NewNode{p}, 0});
            encOut = NewNode{p};
        }
        const int merge = m_added++;
        m_edit.ops.push_back(edit::AddNode{m_kind, {}, mergeAt});
        for (const Edge* e : m_graph.outputEdges(dec->id)) {
            if (e->from.port != 0) continue;  // its states, if it returns them, stay
            m_edit.ops.push_back(edit::RemoveEdge{e->id});
            m_edit.ops.push_back(edit::Connect{NewNode{merge}, 0, e->to.node, e->to.port});
        }
        m_edit.ops.push_back(edit::Connect{decOut, 0, NewNode{merge}, 0});
        m_edit.ops.push_back(edit::Connect{encOut, 0, NewNode{merge}, 1});
        m_pairs.push_back(enc->name + " -> " + dec->name);
    }

    Fix finish(std::string title) {
        for (const Node& n : m_graph.nodes()) {
            if (!(m_position[n.id] == n.position)) {
                m_edit.ops.push_back(edit::Move{n.id, m_position[n.id]});
            }
        }
        return {std::move(title), std::move(m_edit)};
    }

    const std::vector<std::string>& pairs() const { return m_pairs; }

private:
    const ModelGraph& m_graph;
    const Validation& m_validation;
    std::string m_kind;
    GraphEdit m_edit;
    int m_added = 0;
    std::map<NodeId, Point> m_position;
    std::vector<std::string> m_pairs;
};

bool recurrent(const Node& n) {
    const LayerSpec* spec = findLayer(n.kind);
    return spec && spec->hasReturnSequences();
}

/// The length of a layer's time axis in `validation`, kNone for a vector or an unknown shape.
std::int64_t lengthOf(const ModelGraph& graph, const Validation& validation, NodeId id) {
    const auto& shape = validation.of(graph, id).output;
    return shape && shape->isSequence() ? shape->time().size : kNone;
}

/// For a convolutional autoencoder (no RepeatVector): down the single chain from the Input,
/// each layer that shortens the time axis (pooling, a strided convolution) has its input
/// joined into the output of the layer that lengthens it back (up-sampling), deepest first.
Fix convolutionalSkips(const ModelGraph& graph, const Validation& validation, std::string_view mergeKind) {
    const Node* input = nullptr;
    for (const Node& n : graph.nodes()) {
        if (!n.isInput()) continue;
        if (input) throw EditError("The model has more than one Input; join layers one pair at a time.");
        input = &n;
    }
    if (!input) throw EditError("Symmetric skips need a model with an Input.");
    std::vector<const Node*> sources, ups;
    for (const Node* n = input;;) {
        const auto out = graph.outputEdges(n->id);
        if (out.size() != 1) break;
        const Node* next = graph.node(out.front()->to.node);
        if (!next) break;
        if (isMerge(*next)) {
            throw EditError("The decoder already has merge layers; add further skips one pair "
                            "at a time with Connect with Skip.");
        }
        const std::int64_t before = lengthOf(graph, validation, n->id), after = lengthOf(graph, validation, next->id);
        if (before != kNone && after != kNone && after < before) sources.push_back(n);
        if (before != kNone && after != kNone && after > before) ups.push_back(next);
        n = next;
    }
    const std::size_t pairs = std::min(sources.size(), ups.size());
    if (pairs == 0) {
        throw EditError("Symmetric skips need an autoencoder: an encoder that pools the sequence down (or "
                        "a RepeatVector after a recurrent encoder) and a decoder that up-samples it back. "
                        "This model has neither.");
    }
    SkipBuilder builder(graph, validation, mergeKind);
    for (std::size_t k = 0; k < pairs; ++k) builder.add(sources[sources.size() - 1 - k]->id, ups[k]->id);
    return builder.finish("Symmetric U-Net skips with " + std::string(mergeKind) + " (" + std::to_string(pairs) +
                          (pairs == 1 ? " pair)" : " pairs)"));
}

}  // namespace

Fix skipConnectionFix(const ModelGraph& graph, const Validation& validation, NodeId encoder,
                      NodeId decoder, std::string_view mergeKind) {
    SkipBuilder builder(graph, validation, mergeKind);
    builder.add(encoder, decoder);
    return builder.finish("Skip " + builder.pairs().front() + " with " + std::string(mergeKind));
}

Fix symmetricSkipsFix(const ModelGraph& graph, const Validation& validation,
                      std::string_view mergeKind) {
    const Node* repeat = nullptr;
    for (const Node& n : graph.nodes()) {
        if (n.kind != "RepeatVector") continue;
        if (repeat) {
            throw EditError("The model has more than one RepeatVector, so its encoder and "
                            "decoder are not clear; join layers one pair at a time.");
        }
        repeat = &n;
    }
    if (!repeat) return convolutionalSkips(graph, validation, mergeKind);
    // The encoder: up from the RepeatVector along single wires to the Input.
    std::vector<const Node*> encoder;
    for (const Node* n = repeat;;) {
        const auto in = graph.inputEdges(n->id);
        if (in.size() != 1) break;
        n = graph.node(in.front()->from.node);
        if (!n) break;
        if (recurrent(*n)) encoder.insert(encoder.begin(), n);
    }
    // The decoder: down from the RepeatVector while each layer feeds exactly one other.
    std::vector<const Node*> decoder;
    for (const Node* n = repeat;;) {
        const auto out = graph.outputEdges(n->id);
        if (out.size() != 1) break;
        n = graph.node(out.front()->to.node);
        if (!n) break;
        if (isMerge(*n)) {
            throw EditError("The decoder already has merge layers; add further skips one pair "
                            "at a time with Connect with Skip.");
        }
        if (recurrent(*n)) decoder.push_back(n);
    }
    // Encoder layers that return sequences, deepest first; the k-th joins the input of the
    // (k+1)-th decoder layer, i.e. sits after the k-th.
    std::vector<const Node*> sources;
    for (auto it = encoder.rbegin(); it != encoder.rend(); ++it) {
        if ((*it)->param<bool>("return_sequences")) sources.push_back(*it);
    }
    const std::size_t pairs = std::min(sources.size(), decoder.empty() ? 0 : decoder.size() - 1);
    if (pairs == 0) {
        throw EditError("No encoder layer returns sequences to mirror in the decoder: "
                        "symmetric skips need at least two recurrent layers on each side.");
    }
    SkipBuilder builder(graph, validation, mergeKind);
    for (std::size_t k = 0; k < pairs; ++k) builder.add(sources[k]->id, decoder[k]->id);
    return builder.finish("Symmetric U-Net skips with " + std::string(mergeKind) + " (" +
                          std::to_string(pairs) + (pairs == 1 ? " pair)" : " pairs)"));
}

}  // namespace loom
