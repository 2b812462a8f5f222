#include "train/session.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "data/column_groups.h"
#include "data/sample_catalogue.h"
#include "engine/isa/cpu_dispatch.h"
#include "engine/loss.h"
#include "engine/metrics.h"
#include "io/message_text.h"
#include "train/error_order.h"
#include "train/token_ids.h"

namespace loom {

namespace {

/// Undoes the data's normalisation on values laid out with `features` in the last axis.
/// The previews in the data's units, where the normalisation is the values' (not for class
/// labels or outputs of another width).
void toDataUnits(std::vector<float>& values, const Normalizer& n, std::int64_t features) {
    if (static_cast<std::int64_t>(n.shift.size()) == features) n.toDataUnits(values, features);
}

/// The normaliser of the series' columns an end takes (every column when `columns` is empty).
Normalizer ofColumns(const Normalizer& n, const std::vector<std::int64_t>& columns) {
    if (columns.empty() || n.kind == Normalizer::Kind::None) return n;
    Normalizer out{n.kind, {}, {}};
    for (std::int64_t c : columns) {
        out.shift.push_back(n.shift.at(static_cast<std::size_t>(c)));
        out.scale.push_back(n.scale.at(static_cast<std::size_t>(c)));
    }
    return out;
}

/// Input `part` (or, with `targets`, target `part`) of some samples, one after the other.
std::vector<float> pick(const Dataset& d, bool targets, const std::vector<std::int64_t>& indexes, std::size_t part = 0) {
    const std::int64_t size = Dataset::product(targets ? d.targetDims(part) : d.inputDims(part));
    std::vector<float> out(static_cast<std::size_t>(size) * indexes.size());
    for (std::size_t k = 0; k < indexes.size(); ++k) {
        float* to = out.data() + static_cast<std::int64_t>(k) * size;
        if (targets) {
            d.copyTarget(part, indexes[k], to);
        } else {
            d.copyInput(part, indexes[k], to);
        }
    }
    return out;
}

}  // namespace

ModelGraph withSampleLengths(ModelGraph graph, const ModelEnds& ends, const std::vector<Dims>& samples) {
    for (std::size_t k = 0; k < ends.inputs.size() && k < samples.size(); ++k) {
        const Node* input = graph.nodeByName(ends.inputs[k]);
        if (!input) continue;
        Dims shape = input->param<Dims>("shape");
        const Dims& given = samples[k];
        if (shape.size() != given.size()) continue;
        for (std::size_t a = 0; a < shape.size(); ++a) {
            if (shape[a] == kNone) shape[a] = given[a];
        }
        graph.setParam(input->id, "shape", shape);
    }
    return graph;
}

ModelEnds modelEnds(const ModelGraph& graph, const Validation& v) {
    if (v.hasErrors()) throw PlanError("the model has problems; fix them first (see Problems)");
    ModelEnds ends;
    const auto dimsOf = [&](NodeId id) {
        const auto& shape = v.of(graph, id).output;
        if (!shape) throw PlanError("the model's shapes are not known yet");
        return shape->sizes();
    };
    // In the order Plan::compile takes them: as the graph lists them.
    for (NodeId id : v.inputs) {
        ends.inputs.push_back(graph.node(id)->name);
        ends.inputDims.push_back(dimsOf(id));
    }
    for (NodeId id : v.outputs) {
        ends.outputs.push_back(graph.node(id)->name);
        ends.outputDims.push_back(dimsOf(id));
    }
    return ends;
}

std::string severalEndsText(const ModelEnds& ends) {
    // The layers by name where there are several, so that a layer left hanging is seen.
    const auto count = [](const std::vector<std::string>& names, const char* one, const char* many) {
        std::string text = counted(names.size(), one, many);
        if (names.size() < 2) return text;
        for (std::size_t k = 0; k < names.size(); ++k) text += (k ? ", " : " (") + names[k];
        return text + ")";
    };
    return "this model has " + count(ends.inputs, "Input", "Inputs") + " and " + count(ends.outputs, "output", "outputs") +
           ": it trains on an .npz archive with an array for each, named after the layer (or x, x_1, ... and y, y_1, ...), "
           "or on a series' columns chosen for each";
}

std::pair<Dims, Dims> trainingDims(const ModelGraph& graph, const Validation& v, std::int64_t window, bool keepFree) {
    if (v.hasErrors()) throw PlanError("the model has problems; fix them first (see Problems)");
    std::vector<NodeId> inputs;
    for (const Node& n : graph.nodes()) {
        if (n.isInput()) inputs.push_back(n.id);
    }
    if (inputs.empty() || v.outputs.empty()) {
        throw PlanError("training takes a model with an Input and an output; this one has " +
                        std::to_string(inputs.size()) + " and " + std::to_string(v.outputs.size()));
    }
    if (inputs.size() != 1 || v.outputs.size() != 1) throw PlanError(severalEndsText(modelEnds(graph, v)));
    auto concrete = [&](NodeId id) {
        const auto& shape = v.of(graph, id).output;
        if (!shape) throw PlanError("the model's shapes are not known yet");
        Dims d = shape->sizes();
        for (std::int64_t& x : d) {
            if (x != kNone || (keepFree && window < 1)) continue;
            if (window < 1) throw PlanError("the Input's time axis is free (None): set a window length");
            x = window;
        }
        return d;
    };
    return {concrete(inputs.front()), concrete(v.outputs.front())};
}

PlanAndData planForData(const ModelGraph& model, const DataSpec& spec, const PlanCompiler& compile,
                        const Normalizer* fitted, const std::function<bool(double)>& progress) {
    std::int64_t steps = spec.window > 0 ? spec.window : 0;
    ModelEnds ends;
    try {
        ends = modelEnds(model, validate(model));
    } catch (const PlanError&) {
        // The model's problems are compile's to report, below.
    }
    std::optional<PreparedData> cut = readCutSamples(spec, steps, progress, ends);
    if (!cut && takesColumnGroups(spec, ends)) {
        // A series whose columns are grouped by layer: windows of the compiled length for every end.
        Plan<float> plan = compile(model, steps);
        ModelEnds compiled;
        for (NodeId id : plan.inputs()) {
            compiled.inputs.push_back(plan.name(id));
            compiled.inputDims.push_back(plan.dims(id));
        }
        for (NodeId id : plan.outputs()) {
            compiled.outputs.push_back(plan.name(id));
            compiled.outputDims.push_back(plan.dims(id));
        }
        PreparedData data = prepareGroupedData(spec, compiled, fitted, progress);
        return {std::move(plan), std::move(data)};
    }
    // Each Input's free axes take its own samples' lengths (an encoder's and a decoder's differ).
    std::vector<Dims> samples;
    if (cut) {
        for (std::size_t k = 0; k < cut->train.inputCount(); ++k) samples.push_back(cut->train.inputDims(k));
    }
    const ModelGraph graph = cut && ends.several() ? withSampleLengths(model, ends, samples) : model;
    Plan<float> plan = compile(graph, steps);
    PreparedData data = cut ? std::move(*cut)
                            : prepareData(spec, plan.dims(plan.inputs().at(0)), plan.dims(plan.outputs().at(0)), fitted,
                                          progress, tokenIdReader(model));
    checkTokenIds(model, data, ends);
    return {std::move(plan), std::move(data)};
}

TrainingSession::TrainingSession(SessionSetup setup) : m_setup(std::move(setup)) {}
TrainingSession::~TrainingSession() = default;

void TrainingSession::prepare(const std::function<bool(double)>& progress) {
    // The thread count holds for the calling thread's products: prepare's previews as well.
    if (m_setup.threads > 0) isa::setThreads(m_setup.threads);
    const TrainConfig& c = m_setup.config;
    DataSpec spec = m_setup.data;
    spec.source = resolveDataSource(spec.source, m_setup.sampleFolder);
    const RunFolder* resumed = m_setup.resume.get();
    PlanAndData loaded = planForData(
        m_setup.graph, spec,
        [&](const ModelGraph& graph, std::int64_t steps) {
            if (std::string problem = memoryProblem(graph, c.batchSize, steps); !problem.empty()) throw PlanError(problem);
            return Plan<float>::compile(graph, c.batchSize, steps);
        },
        resumed ? &resumed->record.normalizer : nullptr, progress);
    m_plan.emplace(std::move(loaded.plan));
    m_data = std::move(loaded.data);
    // The run records the task it trained for, whether the project said it or the shapes did.
    if (!m_setup.data.task) m_setup.data.task = m_data.task;
    if (resumed) {
        try {
            m_plan->loadWeights(resumed->weights);
            m_state = takeState(*resumed, *m_plan);
        } catch (const std::exception& e) {
            throw PlanError("the run folder does not fit the model: " + std::string(e.what()));
        }
        m_match = matchWeights(m_setup.graph, resumed->weights);
    } else {
        m_match = warmStart(*m_plan, m_setup.graph, m_setup.weights, c.seed);
        noteWeights();
    }
    if (m_setup.previewSamples > 0) choosePreviews();
}

void TrainingSession::noteWeights() {
    const std::vector<NamedTensor>& given = m_setup.weights;
    if (given.empty() || m_match.all()) return;
    const bool chosen = m_setup.weightsOrigin == WeightsOrigin::Given;
    std::string why;
    for (const std::string& reason : m_match.reasons) why += (why.empty() ? "" : "; ") + reason;
    if (m_match.none()) {
        // Weights chosen for this run that fit nothing are the wrong file; the model's own
        // are from before it was rebuilt.
        if (chosen) {
            throw PlanError("the given weights fit none of the model's layers" +
                            (m_match.reasons.empty() ? std::string() : ": " + m_match.reasons.front()));
        }
        m_data.notes.push_back("the model's saved weights fit none of its layers any more; every layer "
                               "starts afresh (" + why + ")");
        return;
    }
    m_data.notes.push_back(std::to_string(m_match.kept.size()) + " layers start from the " +
                           (chosen ? "given" : "model's saved") + " weights, " +
                           std::to_string(m_match.fresh.size()) + " afresh (" + why + ")");
}

void TrainingSession::choosePreviews() {
    const Dataset& source = m_data.validation.size() > 0 ? m_data.validation : m_data.train;
    PreviewSet& p = m_preview;
    p.fromValidation = m_data.validation.size() > 0;
    p.xDims = source.xDims;
    p.yDims = source.yDims;
    p.features = namesOf(source.yColumns.empty() ? source.xColumns : source.yColumns, m_data.columns);
    const std::int64_t n = source.size();
    p.setSize = n;
    const std::int64_t shown = std::min(n, std::max<std::int64_t>(1, m_setup.previewSamples));
    for (std::int64_t k = 0; k < shown; ++k) p.indexes.push_back(shown == n ? k : k * n / shown);
    m_previewX = pick(source, false, p.indexes);
    m_previewY = pick(source, true, p.indexes);
    // A model's other Inputs are fed too; the previews show its first Input and output.
    m_previewMore.clear();
    for (std::size_t k = 1; k < source.inputCount(); ++k) m_previewMore.push_back(pick(source, false, p.indexes, k));
    p.inputs = m_previewX;
    toDataUnits(p.inputs, ofColumns(m_data.normalizer, source.xColumns), p.xDims.back());
    p.targets = m_previewY;
    // Class labels: windows labelled by a column, or a label per sample that comes with the
    // samples (the synthetic samples, .npy pairs) for a model that classifies them.
    const OutputLoss first = m_setup.config.lossOf(m_plan->name(m_plan->outputs().at(0)), m_plan->outputs().size());
    // Several independent yes/no labels (binary cross-entropy over k > 1) are no one class.
    const bool multiLabel = first.loss == Loss::BinaryCrossentropy && !p.yDims.empty() && p.yDims.back() > 1;
    const bool labelled = isClassification(first.loss) && p.yDims.size() == 1 && !multiLabel;
    p.targetsInDataUnits = m_data.window.target != WindowSpec::Target::Classification && !labelled;
    m_targetUnits = ofColumns(m_data.normalizer, source.yColumns);
    if (p.targetsInDataUnits) toDataUnits(p.targets, m_targetUnits, p.yDims.back());
}

TrainResult TrainingSession::run(TrainingControl& control, SessionObserver* observer) {
    if (m_setup.threads > 0) isa::setThreads(m_setup.threads);
    // Previews go out after every epoch, from the training thread, between two epochs.
    struct WithPreviews : TrainingObserver {
        TrainingSession& session;
        SessionObserver* next;
        WithPreviews(TrainingSession& s, SessionObserver* o) : session(s), next(o) {}
        void onBatch(const BatchReport& r) override {
            if (next) next->onBatch(r);
        }
        void onEpoch(const EpochReport& r) override {
            if (!next) return;
            next->onEpoch(r);
            if (session.m_setup.previewSamples > 0) next->onPreview(session.preview(r.epoch));
        }
        void onHold() override {
            if (next) next->onHold();
        }
        bool wantsCheckpoints() const override { return next && next->wantsCheckpoints(); }
        void onCheckpoint(const TrainingState& state) override { next->onCheckpoint(state); }
    } relay(*this, observer);
    return train(*m_plan, m_data.train, m_data.validation.size() > 0 ? &m_data.validation : nullptr,
                 m_setup.config, &control, &relay, resumeState(),
                 m_setup.fixedThreads ? ThreadUse::Fixed : ThreadUse::Adaptive);
}

Preview TrainingSession::preview(int epoch) {
    Preview p;
    p.epoch = epoch;
    std::vector<const float*> inputs{m_previewX.data()};
    for (const std::vector<float>& more : m_previewMore) inputs.push_back(more.data());
    std::vector<std::vector<std::uint8_t>> masks;
    const auto samples = static_cast<std::int64_t>(m_preview.indexes.size());
    // Every sample's attention scores in the same pass where they fit (see attentionScores).
    const bool allScores = !m_plan->viewOutputs().empty() && attentionKept(samples) == samples;
    std::vector<std::vector<float>> views;
    std::vector<float> raw = std::move(predictAll(*m_plan, inputs, samples, &masks, allScores ? &views : nullptr).front());
    const std::vector<std::uint8_t>& mask = masks.front();
    const Dims& od = m_plan->dims(m_plan->outputs().at(0));
    const std::int64_t outSize = Dataset::product(od);
    const std::int64_t rows = od.size() == 2 ? od[0] : 1;
    const std::int64_t cols = od.back();
    const std::int64_t ySize = Dataset::product(m_preview.yDims);
    const OutputLoss shown = m_setup.config.lossOf(m_plan->name(m_plan->outputs().at(0)), m_plan->outputs().size());
    const Loss loss = shown.loss;
    AlignedVector<float> rowWeights;
    for (std::size_t k = 0; k < m_preview.indexes.size(); ++k) {
        // A masked output's error is over the sample's real steps, as its loss in training.
        rowWeights.clear();
        if (!mask.empty()) maskRowWeights(mask.data() + static_cast<std::int64_t>(k) * rows, rows, rowWeights);
        p.errors.push_back(computeLoss<float>(
            loss, raw.data() + k * outSize, m_previewY.data() + k * ySize, rows, cols, nullptr,
            {.fromLogits = shown.fromLogits, .rowWeights = rowWeights.empty() ? nullptr : rowWeights.data()}));
    }
    p.outputs = raw;
    // The window shows a classifier's probabilities, whether or not the model ends in logits.
    if (shown.fromLogits && isClassification(loss)) {
        logitsToProbabilities(loss, p.outputs.data(), static_cast<std::int64_t>(p.outputs.size()) / cols, cols);
    }
    if (m_preview.targetsInDataUnits) toDataUnits(p.outputs, m_targetUnits, cols);
    if (!m_plan->viewOutputs().empty()) p.attention = attentionScores(p.errors, allScores ? &views : nullptr);
    return p;
}

std::int64_t TrainingSession::attentionKept(std::int64_t samples) const {
    if (samples == 0) return 0;
    std::int64_t perSample = 0;
    for (std::size_t k = 0; k < m_plan->viewOutputs().size(); ++k) perSample += Dataset::product(m_plan->viewDims(k));
    // One sample's at least, however large.
    return std::clamp<std::int64_t>(m_setup.mostAttentionValues / std::max<std::int64_t>(perSample, 1), 1, samples);
}

std::vector<AttentionScores> TrainingSession::attentionScores(const std::vector<double>& errors,
                                                              std::vector<std::vector<float>>* computed) {
    Plan<float>& plan = *m_plan;
    const auto samples = static_cast<std::int64_t>(errors.size());
    if (samples == 0) return {};
    std::vector<std::int64_t> chosen(static_cast<std::size_t>(samples));
    std::iota(chosen.begin(), chosen.end(), std::int64_t{0});
    std::vector<AttentionScores> out;
    if (computed) {
        for (std::size_t k = 0; k < computed->size(); ++k) {
            out.push_back({plan.name(plan.viewOutputs()[k].node), plan.viewDims(k), chosen, std::move((*computed)[k])});
        }
        return out;
    }
    // Where not all fit, those of the largest errors: the samples looked at. A diverged run's
    // NaN errors count as the largest.
    const auto larger = [&](std::int64_t a, std::int64_t b) {
        return worseError(errors[static_cast<std::size_t>(a)], errors[static_cast<std::size_t>(b)]);
    };
    std::stable_sort(chosen.begin(), chosen.end(), larger);
    chosen.resize(static_cast<std::size_t>(attentionKept(samples)));
    std::sort(chosen.begin(), chosen.end());
    // The chosen samples of every Input, one after another.
    std::vector<std::vector<float>> gathered;
    gathered.reserve(plan.inputs().size());
    std::vector<const float*> inputs;
    for (std::size_t k = 0; k < plan.inputs().size(); ++k) {
        const std::vector<float>& all = k == 0 ? m_previewX : m_previewMore.at(k - 1);
        const std::int64_t size = Dataset::product(plan.dims(plan.inputs()[k]));
        std::vector<float>& in = gathered.emplace_back();
        in.reserve(static_cast<std::size_t>(size) * chosen.size());
        for (std::int64_t s : chosen) in.insert(in.end(), all.begin() + s * size, all.begin() + (s + 1) * size);
        inputs.push_back(in.data());
    }
    std::vector<std::vector<float>> views;
    predictAll(plan, inputs, static_cast<std::int64_t>(chosen.size()), nullptr, &views);
    for (std::size_t k = 0; k < views.size(); ++k) {
        out.push_back({plan.name(plan.viewOutputs()[k].node), plan.viewDims(k), chosen, std::move(views[k])});
    }
    return out;
}

std::vector<NamedTensor> TrainingSession::weights() const { return m_plan->exportWeights(); }

}  // namespace loom
