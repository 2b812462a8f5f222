#include "train/session.h"

#include <Eigen/Core>
#include <algorithm>

#include "data/sample_catalogue.h"
#include "engine/isa/cpu_dispatch.h"
#include "engine/loss.h"
#include "engine/metrics.h"
#include "train/token_ids.h"

namespace loom {

namespace {

/// Undoes the data's normalisation on values laid out with `features` in the last axis.
/// The previews in the data's units, where the normalisation is the values' (not for class
/// labels or outputs of another width).
void toDataUnits(std::vector<float>& values, const Normalizer& n, std::int64_t features) {
    if (static_cast<std::int64_t>(n.shift.size()) == features) n.toDataUnits(values, features);
}

/// The inputs (or, with `targets`, the targets) of some samples, one after the other.
std::vector<float> pick(const Dataset& d, bool targets, const std::vector<std::int64_t>& indexes) {
    const std::int64_t size = targets ? d.ySize() : d.xSize();
    std::vector<float> out(static_cast<std::size_t>(size) * indexes.size());
    for (std::size_t k = 0; k < indexes.size(); ++k) {
        float* to = out.data() + static_cast<std::int64_t>(k) * size;
        if (targets) {
            d.copyY(indexes[k], to);
        } else {
            d.copyX(indexes[k], to);
        }
    }
    return out;
}

}  // namespace

std::pair<Dims, Dims> trainingDims(const ModelGraph& graph, const Validation& v, std::int64_t window, bool keepFree) {
    if (v.hasErrors()) throw PlanError("the model has problems; fix them first (see Problems)");
    std::vector<NodeId> inputs;
    for (const Node& n : graph.nodes()) {
        if (n.isInput()) inputs.push_back(n.id);
    }
    if (inputs.size() != 1 || v.outputs.size() != 1) {
        throw PlanError("training takes a model with one Input and one output; this one has " +
                        std::to_string(inputs.size()) + " and " + std::to_string(v.outputs.size()));
    }
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

TrainingSession::TrainingSession(SessionSetup setup) : m_setup(std::move(setup)) {}
TrainingSession::~TrainingSession() = default;

void TrainingSession::prepare(const std::function<bool(double)>& progress) {
    // The thread count holds for the calling thread's products: prepare's previews as well.
    if (m_setup.threads > 0) isa::setThreads(m_setup.threads);
    const TrainConfig& c = m_setup.config;
    DataSpec spec = m_setup.data;
    spec.source = resolveDataSource(spec.source, m_setup.sampleFolder);
    const RunFolder* resumed = m_setup.resume.get();
    std::int64_t steps = m_setup.data.window > 0 ? m_setup.data.window : 0;
    std::optional<PreparedData> cut = readCutSamples(spec, steps, progress);
    if (std::string problem = memoryProblem(m_setup.graph, c.batchSize, steps); !problem.empty()) {
        throw PlanError(problem);
    }
    m_plan.emplace(Plan<float>::compile(m_setup.graph, c.batchSize, steps));
    m_data = cut ? std::move(*cut)
                 : prepareData(spec, m_plan->dims(m_plan->inputs().at(0)), m_plan->dims(m_plan->outputs().at(0)),
                               resumed ? &resumed->record.normalizer : nullptr, progress,
                               tokenIdReader(m_setup.graph));
    checkTokenIds(m_setup.graph, m_data);
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
    p.features = m_data.columns;
    const std::int64_t n = source.size();
    p.setSize = n;
    const std::int64_t shown = std::min(n, std::max<std::int64_t>(1, m_setup.previewSamples));
    for (std::int64_t k = 0; k < shown; ++k) p.indexes.push_back(shown == n ? k : k * n / shown);
    m_previewX = pick(source, false, p.indexes);
    m_previewY = pick(source, true, p.indexes);
    p.inputs = m_previewX;
    toDataUnits(p.inputs, m_data.normalizer, p.xDims.back());
    p.targets = m_previewY;
    p.targetsInDataUnits = m_data.window.target != WindowSpec::Target::Classification;
    if (p.targetsInDataUnits) toDataUnits(p.targets, m_data.normalizer, p.yDims.back());
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
    std::vector<std::uint8_t> mask;
    const std::vector<float> raw = predict(*m_plan, m_previewX, &mask);
    const Dims& od = m_plan->dims(m_plan->outputs().at(0));
    const std::int64_t outSize = Dataset::product(od);
    const std::int64_t rows = od.size() == 2 ? od[0] : 1;
    const std::int64_t cols = od.back();
    const std::int64_t ySize = Dataset::product(m_preview.yDims);
    const Loss loss = m_setup.config.loss;
    AlignedVector<float> rowWeights;
    for (std::size_t k = 0; k < m_preview.indexes.size(); ++k) {
        // A masked output's error is over the sample's real steps, as its loss in training.
        rowWeights.clear();
        if (!mask.empty()) maskRowWeights(mask.data() + static_cast<std::int64_t>(k) * rows, rows, rowWeights);
        p.errors.push_back(computeLoss<float>(
            loss, raw.data() + k * outSize, m_previewY.data() + k * ySize, rows, cols, nullptr,
            {.fromLogits = m_setup.config.fromLogits, .rowWeights = rowWeights.empty() ? nullptr : rowWeights.data()}));
    }
    p.outputs = raw;
    // The window shows a classifier's probabilities, whether or not the model ends in logits.
    if (m_setup.config.fromLogits && isClassification(loss)) {
        logitsToProbabilities(loss, p.outputs.data(), static_cast<std::int64_t>(p.outputs.size()) / cols, cols);
    }
    if (m_preview.targetsInDataUnits) toDataUnits(p.outputs, m_data.normalizer, cols);
    return p;
}

std::vector<NamedTensor> TrainingSession::weights() const { return m_plan->exportWeights(); }

}  // namespace loom
