#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/data_source.h"
#include "engine/named_tensor.h"
#include "engine/plan.h"
#include "graph/model_graph.h"
#include "shape/validator.h"
#include "train/run_folder.h"
#include "train/trainer.h"
#include "train/warm_start.h"

namespace loom {

/// The shapes (without the batch axis) of the samples and targets a model trains on, with a
/// free time axis (None) set to `window`, or, with `keepFree`, left None for samples already
/// cut to decide. Throws PlanError when it cannot train on a series: the graph has errors, it
/// has not exactly one Input and one output (see modelEnds), or a free time axis has no window.
std::pair<Dims, Dims> trainingDims(const ModelGraph& graph, const Validation& validation,
                                   std::int64_t window, bool keepFree = false);

/// A model's Inputs and outputs, in the order a compiled Plan takes and gives them, with their
/// shapes (None where an axis is free). Throws PlanError when the graph has errors.
ModelEnds modelEnds(const ModelGraph& graph, const Validation& validation);
/// What data a model with several Inputs or outputs trains on, in words.
std::string severalEndsText(const ModelEnds& ends);
/// `graph` with each Input's free axes (None) set to the lengths of its samples, one shape per
/// Input of `ends`, where the ranks agree (where they do not, the data's check says so).
ModelGraph withSampleLengths(ModelGraph graph, const ModelEnds& ends, const std::vector<Dims>& samples);

/// A model compiled for its data, and the data loaded for it.
struct PlanAndData {
    Plan<float> plan;
    PreparedData data;
};
/// Compiles a model, given the graph to compile (its free axes set) and the steps a free time
/// axis takes.
using PlanCompiler = std::function<Plan<float>(const ModelGraph&, std::int64_t steps)>;
/// Reads `spec`'s data (its source resolved) for `model` and compiles the model with `compile`:
/// samples already cut set each Input's free axes to their own lengths, a series is windowed
/// for the compiled Input and output (with the `fitted` normaliser, when given), and token ids
/// are checked against the layers that read them. A series feeds a model with several Inputs
/// or outputs (or a spec that groups its columns by layer) in column groups (column_groups.h).
/// Throws DataError or PlanError saying what does not fit.
PlanAndData planForData(const ModelGraph& model, const DataSpec& spec, const PlanCompiler& compile,
                        const Normalizer* fitted = nullptr, const std::function<bool(double)>& progress = {});

/// Where the weights a run starts from come from, which decides what becomes of weights that
/// fit none of the model's layers. Layers they do not fit start from Keras's initialisers
/// either way, and the session's notes say which.
enum class WeightsOrigin {
    /// Saved with the project, or a Keras model's own: the model may have been rebuilt since,
    /// so weights that fit no layer any more are set aside and every layer starts afresh.
    Model,
    /// Chosen for this run (the command line's --weights or --run): weights that fit no layer
    /// at all are the wrong file, and prepare() refuses them.
    Given,
};

/// Everything one training run needs, copied, so that it can run on another thread while the
/// user keeps editing the original. sessionSetup() (service/training_job.h) makes one from a
/// project's settings.
struct SessionSetup {
    ModelGraph graph;
    std::vector<NamedTensor> weights;  ///< start from these where they fit the layers
    WeightsOrigin weightsOrigin = WeightsOrigin::Model;
    /// What `weights` are, in words, for the run's record: "run 2", "weights.llw".
    std::string weightsFrom;
    TrainConfig config;
    /// As the project names it: prepare() reads a `sample:` series from `sampleFolder`
    /// (shippedSampleFolder() when not given).
    DataSpec data;
    std::optional<std::filesystem::path> sampleFolder;
    /// A run folder to continue (`train --resume`): its weights exactly, its optimizer's state,
    /// the normaliser it fitted; `weights` are not used.
    std::shared_ptr<const RunFolder> resume;
    /// How many samples the previews show outputs for (spread evenly over the samples); 0 for
    /// no previews at all.
    std::int64_t previewSamples = 512;
    /// At most this many attention scores per preview (Preview::attention), 16 MB, or one
    /// sample's where that is more.
    std::int64_t mostAttentionValues = std::int64_t{1} << 22;
    /// Threads for the products and steps: at most this many, 0 for every core. While other
    /// programs keep cores busy, a run takes fewer where that is faster (ThreadChooser), unless
    /// `fixedThreads` holds it to exactly this many.
    int threads = 0;
    bool fixedThreads = false;
};

/// The samples the previews show, as the model sees them and in the data's original units:
/// validation samples, or training samples when nothing validates.
struct PreviewSet {
    bool fromValidation = true;
    std::vector<std::int64_t> indexes;  ///< into the validation (or training) set
    std::int64_t setSize = 0;           ///< samples in that set
    Dims xDims, yDims;
    std::vector<float> inputs;   ///< original units, indexes.size() samples of xDims
    std::vector<float> targets;  ///< original units where the target is in the data's units
    bool targetsInDataUnits = true;  ///< false for class labels
    std::vector<std::string> features;
};

/// One MultiHeadAttention's attention scores (return_attention_scores) for some preview samples.
struct AttentionScores {
    std::string layer;                  ///< the layer's name
    Dims dims;                          ///< per sample: (heads, query steps, value steps)
    std::vector<std::int64_t> samples;  ///< which preview samples (into PreviewSet::indexes), ascending
    std::vector<float> values;          ///< samples.size() x dims, each query step's row summing to 1
};

/// The model's outputs for the preview samples after an epoch.
struct Preview {
    int epoch = 0;
    std::vector<float> outputs;  ///< same layout and units as PreviewSet::targets; probabilities for classifiers
    /// Per-sample loss of every preview sample in the model's units (mean squared error for
    /// regression, cross-entropy for classifiers), for ranking the worst first.
    std::vector<double> errors;
    /// The attention scores of the model's MultiHeadAttention layers that return them: of every
    /// preview sample, or of those with the largest errors where all would take more than
    /// SessionSetup::mostAttentionValues numbers.
    std::vector<AttentionScores> attention;
};

class SessionObserver : public TrainingObserver {
public:
    virtual void onPreview(const Preview&) {}
};

/// A training run from a snapshot: prepare() loads the data and compiles the model (both can
/// fail with a message for the user), run() trains and reports as it goes, weights() hands
/// back what it trained. Not copyable; run it on one thread at a time.
class TrainingSession {
public:
    explicit TrainingSession(SessionSetup setup);
    ~TrainingSession();

    /// Loads, checks and windows the data, compiles the model and starts it from the given
    /// weights where they fit (see WeightsOrigin), or from the run it resumes. Throws
    /// DataError or PlanError saying what does not fit.
    /// `progress` is told the fraction of a CSV file read now and then; returning false stops
    /// the reading with ReadCancelled.
    void prepare(const std::function<bool(double)>& progress = {});

    const SessionSetup& setup() const { return m_setup; }
    const PreparedData& data() const { return m_data; }
    const WeightMatch& weightMatch() const { return m_match; }
    /// Where a resumed run stands (after prepare()); nullptr for a new run.
    const TrainingState* resumeState() const { return m_state ? &*m_state : nullptr; }
    const PreviewSet& previewSet() const { return m_preview; }

    /// Trains; never throws for bad numbers or data (see train()). The observer is given
    /// checkpoints when it asks for them, and previews after every epoch unless there are none.
    TrainResult run(TrainingControl& control, SessionObserver* observer);
    /// The previews of the current weights (also sent to the observer after every epoch).
    Preview preview(int epoch);
    std::vector<NamedTensor> weights() const;
    /// The compiled model, holding the weights it starts from (after prepare()).
    const Plan<float>& plan() const { return *m_plan; }

private:
    /// What became of the starting weights, in the notes; refuses chosen weights that fit nothing.
    void noteWeights();
    void choosePreviews();
    /// How many preview samples' attention scores a preview keeps (mostAttentionValues).
    std::int64_t attentionKept(std::int64_t samples) const;
    /// Preview::attention, from the preview samples' errors; `computed` holds every sample's
    /// scores when the preview's own pass computed them.
    std::vector<AttentionScores> attentionScores(const std::vector<double>& errors, std::vector<std::vector<float>>* computed);

    SessionSetup m_setup;
    std::optional<Plan<float>> m_plan;
    PreparedData m_data;
    WeightMatch m_match;
    std::optional<TrainingState> m_state;
    PreviewSet m_preview;
    Normalizer m_targetUnits;  ///< the normaliser of the first output's columns, for its previews
    std::vector<float> m_previewX;  ///< the preview inputs in model units
    std::vector<std::vector<float>> m_previewMore;  ///< those of the model's other Inputs
    std::vector<float> m_previewY;
};

}  // namespace loom
