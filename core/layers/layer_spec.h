#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "graph/model_graph.h"
#include "layers/weights.h"
#include "shape/diagnostic.h"
#include "shape/tensor_shape.h"

namespace loom {

class OnnxGraph;
struct NamedTensor;

/// The largest Input sizes LayerLoom accepts: far beyond any sequence model it trains, and
/// small enough that every product of sizes, batch and units stays exact.
inline constexpr std::int64_t kMaxSteps = std::int64_t{1} << 24;
inline constexpr std::int64_t kMaxFeatures = std::int64_t{1} << 20;

enum class ParamType { Bool, Int, Float, Choice, Regularization, Shape, Initialization };

/// One parameter of a layer kind. The inspector, the file format, validation and the exporters
/// all read this schema.
struct ParamSpec {
    std::string name;  ///< Keras's name: `units`, `return_sequences`, ...
    ParamType type = ParamType::Int;
    ParamValue defaultValue;
    std::string help;
    double minValue = 0.0;  ///< Int and Float: inclusive lower bound
    double maxValue = 0.0;  ///< Int and Float: upper bound; 0 means none
    bool maxExclusive = false;
    std::vector<std::string> choices;  ///< Choice: the valid values
    bool onCard = false;               ///< shown on the node card
    bool cardOnlyIfChanged = false;    ///< the card leaves it out at its default
    /// Int and Float whose lowest value stands for Keras's None: what the inspector shows for
    /// it ("None (no cap)").
    std::string noneText;
    /// Shape: any one axis may be None, the size that makes the values agree (Keras's -1 in
    /// Reshape's target_shape); otherwise only a sequence's time may be.
    bool anyFreeAxis = false;
    /// A keyword of the layer's call rather than of its constructor (MultiHeadAttention's
    /// use_causal_mask): left out of the Keras config and constructor (kerasCallOptions).
    bool callArgument = false;
};

/// A weight's initialiser as a parameter (`kernel_initializer`), with Keras's default for it.
ParamSpec initializerParam(const char* name, Initializer::Kind kind, const char* weight);

/// What an input port accepts.
enum class InputRank { Any, Sequence, Vector };

/// What a layer does with the step mask of a sequence (Keras's `_keras_mask`: which steps are
/// real and which are padding), as Keras 3 does:
///   Drop   its output carries no mask (Conv1D, pooling, Flatten: Keras drops it; a recurrent
///          layer without return_sequences and GlobalAveragePooling1D use it up)
///   Pass   its output carries its input's mask (Dense, Dropout, activations, normalizations,
///          a recurrent layer with return_sequences)
///   Make   it makes a mask of its own (Masking, Embedding with mask_zero)
///   Merge  its inputs' masks are combined (merges)
enum class MaskRule { Drop, Pass, Make, Merge };

/// One input of a layer as shape inference sees it.
struct LayerInput {
    const TensorShape* shape = nullptr;  ///< null when the producer has no known shape
    const Edge* edge = nullptr;
    const Node* producer = nullptr;
};

struct ShapeContext {
    const ModelGraph& graph;
    const Node& node;
    std::span<const LayerInput> inputs;  ///< ordered by port, all with known shapes
    std::vector<Diagnostic>& diagnostics;
};

/// The configuration dialects LayerLoom writes: tf.keras 2's (also the TF.js layers format's
/// and the .h5 file's) and Keras 3's (.keras files), which serializes every object with its
/// module and writes a dtype policy.
enum class KerasFormat { TfKeras2, Keras3 };

/// Who wrote a Keras model: defaults and a few semantics differ between them.
enum class KerasProducer {
    TfJs,    ///< TensorFlow.js: LSTM/GRU recurrent_activation hard_sigmoid, GRU reset_after false
    Keras2,  ///< tf.keras 2.x
    Keras3,  ///< Keras 3.x: hard_sigmoid is relu6(x + 3) / 6, not clip(0.2x + 0.5)
};

/// Where a layer's class comes from in Keras 3: Keras's own (module `keras.layers`, no
/// registered name, `layers.X` in code) or a package that registers it (keras_hub's
/// PositionEmbedding: its module, "keras_hub>PositionEmbedding", `keras_hub.layers.X` in code).
struct KerasOrigin {
    std::string_view module = "keras.layers";
    std::string_view registeredName;  ///< empty for Keras's own layers
    std::string_view package;         ///< the Python package code imports; empty for Keras
};

/// Where Keras keeps one weight of a layer: tf.keras 2's name below the layer's own
/// ("lstm_cell/kernel:0" in an .h5 file), and the object path below the layer whose numbered
/// `vars` hold it in a Keras 3 .keras file ("cell"; empty for the layer itself).
struct KerasWeightPlace {
    std::string h5Name;
    std::string keras3Owner;
};

/// What a layer adds to the exported PyTorch module: the constructor of its submodule (empty
/// when it has none) and the expression its forward pass computes.
struct PyTorchLayer {
    std::string module;
    std::string expression;
};

/// What a layer's ONNX operators start from (LayerSpec::onnx).
struct OnnxLayerInputs {
    std::span<const std::string> values;  ///< the ONNX values wired into its ports, by port
    std::span<const Dims> dims;           ///< their sizes without the batch axis (kNone: free)
    /// Its weights as weights() lists them (a shared layer's are its owner's), Keras's layouts.
    std::span<const NamedTensor* const> weights;
    /// Its output's sizes without the batch axis.
    const Dims* output = nullptr;
};

/// A palette group: its name and the colour of its cards' headers (0xRRGGBB, under white text,
/// on the light and the dark canvas alike). The palette lists groups in the order their first
/// kind has in the registry.
struct LayerCategory {
    std::string_view name;
    std::uint32_t color = 0;
};

namespace category {
inline constexpr LayerCategory kInputs{"Inputs", 0x3b8f5a};
inline constexpr LayerCategory kRecurrent{"Recurrent", 0x3a6ec4};
inline constexpr LayerCategory kCore{"Core", 0x7c55b8};
inline constexpr LayerCategory kMerge{"Merge", 0xc27a2c};
inline constexpr LayerCategory kNormalization{"Normalization", 0x2f8a7e};
inline constexpr LayerCategory kRegularisation{"Regularisation", 0x6b6f78};
inline constexpr LayerCategory kConvolution{"Convolution", 0xa0437a};
inline constexpr LayerCategory kPooling{"Pooling", 0x2c86a8};
inline constexpr LayerCategory kReshaping{"Reshaping", 0x8a6a36};
inline constexpr LayerCategory kAttention{"Attention", 0xb0413e};
}  // namespace category

/// A layer kind: everything LayerLoom knows about it. Parameter schema, palette group, ports,
/// shape rule with its explanations, weights with their initialisers (from which the parameter
/// count follows), and its numeric kernel, named in its header as
/// `template <class S> using Kernel = ...`. One file pair per kind in core/layers/, one line in
/// layers/kinds.h; docs/ARCHITECTURE.md says how to add one.
class LayerSpec {
public:
    virtual ~LayerSpec() = default;

    virtual std::string_view kind() const = 0;      ///< Keras class name: "LSTM"
    virtual std::string_view nameBase() const = 0;  ///< default display names: "lstm" -> lstm_1
    virtual LayerCategory category() const = 0;     ///< palette group and card colour
    virtual std::string_view description() const = 0;
    virtual const std::vector<ParamSpec>& params() const = 0;
    /// Whether a parameter of the schema means anything for this node; a wrapper's schema holds
    /// every wrapped kind's, and the inspector and the card show only those of the chosen one.
    virtual bool paramApplies(const Node&, std::string_view) const { return true; }

    virtual int minInputs() const { return 1; }
    /// -1: any number (merges grow a port as wires arrive).
    virtual int maxInputs() const { return 1; }
    /// The input ports this node shows and takes: maxInputs() unless its parameters decide (a
    /// recurrent layer takes its initial states in ports after its sequence's when asked to).
    virtual int inputPorts(const Node&) const { return maxInputs(); }
    /// An input port that may stay free while a later one is wired (MultiHeadAttention's key,
    /// which is the value when unwired).
    virtual bool inputPortOptional(const Node&, int) const { return false; }
    /// Ports the node's parameters ask to be wired beyond its first minInputs() (the attention
    /// mask that attention_mask asks for), each with the parameter that asks for it.
    virtual std::vector<std::pair<int, std::string>> requiredPorts(const Node&) const { return {}; }
    /// What to tell a user who wires more inputs than the node shows ports for: how to show
    /// more ("turn initial_state on ..."); empty when there is no way.
    virtual std::string morePortsHint(const Node&) const { return {}; }
    /// The names of the node's input ports for cards and messages, where they differ from the
    /// call's tensor names ("initial h"); empty: callTensorNames().
    virtual std::vector<std::string> inputPortNames(const Node&) const { return {}; }
    /// The names of the node's output ports after its first ("h", "c" for an LSTM that returns
    /// its states); empty for a layer with one output.
    virtual std::vector<std::string> moreOutputNames(const Node&) const { return {}; }
    /// The shapes of those ports, from the inputs' and the first output's shapes.
    virtual std::vector<TensorShape> moreOutputShapes(const ShapeContext&, const TensorShape&) const { return {}; }
    /// The Bool parameter that gives the node those ports ("return_state"); empty when none does.
    virtual std::string_view moreOutputsParam() const { return {}; }
    /// Whether output port `port` (1, 2, ...) is for looking at only: no layer reads it and no
    /// loss trains it; it leaves the model beside its outputs, for predict, the exports and the
    /// window's views (MultiHeadAttention's attention scores).
    virtual bool viewOnlyOutput(const Node&, int) const { return false; }
    /// Whether the order of the inputs changes nothing (Add, Multiply): the canvas may then draw
    /// the ports in the order the wires arrive from, so that no wire crosses another.
    virtual bool inputsInterchangeable() const { return false; }
    /// Whether Keras calls the layer on a list of its inputs (the merges) rather than on one.
    virtual bool takesList() const { return maxInputs() < 0; }
    virtual InputRank inputRank() const { return InputRank::Any; }
    /// A wrapper's inner layer kind, which cards and diagrams show beside its own
    /// ("TimeDistributed(Dense)"); empty for a layer that wraps none.
    virtual std::string wrapped(const Node&) const { return {}; }
    /// The length of the time axis this layer makes of one of `steps` steps (kNone stays kNone):
    /// the same length for most kinds; pooling floors it, up-sampling multiplies it. The fixes
    /// for a time mismatch try parameter changes with it.
    virtual std::int64_t timeAfter(const Node&, std::int64_t steps) const { return steps; }
    /// Whether return_sequences on this layer decides if its output is a sequence.
    virtual bool hasReturnSequences() const { return false; }
    /// Whether the output is a sequence exactly when the input is (Dense, Dropout, the
    /// normalizations): the fixes for a vector or sequence in the wrong place look through
    /// such layers for the recurrent layer that decided it.
    virtual bool keepsRank() const { return false; }
    /// Whether training uses the statistics of each batch (BatchNormalization): split over
    /// several processes, each normalises by its own share of the batch.
    virtual bool usesBatchStatistics() const { return false; }
    /// What the layer does with a step mask (see MaskRule): by default, the layers that keep
    /// their input's rank pass it on and the others drop it.
    virtual MaskRule maskRule(const Node&) const { return keepsRank() ? MaskRule::Pass : MaskRule::Drop; }
    /// Whether what the layer computes depends on its inputs' step masks (the recurrent layers
    /// skip padded steps, GlobalAveragePooling1D and BatchNormalization average the real ones,
    /// MultiHeadAttention never reads padding): such a layer uses a mask up rather than
    /// dropping it, and the PyTorch export cannot follow it.
    virtual bool readsStepMask(const Node&) const { return false; }

    /// The output shape for inputs of known shapes, or nullopt after reporting why not.
    virtual std::optional<TensorShape> inferShape(const ShapeContext& ctx) const = 0;
    /// The layer's weights for inputs of these shapes (without the batch axis), in the order
    /// its kernel reads them and Keras saves them. A free time axis (kNone) never changes them.
    virtual std::vector<ParamShape> weights(const Node& node, std::span<const Dims> inputs) const;
    /// Values per sample a kernel keeps for the backward pass beyond its output (a recurrent
    /// layer's gates and states of every step), for the memory estimate before training.
    virtual std::int64_t trainingCache(const Node& node, std::span<const Dims> inputs,
                                       const Dims& output) const;
    /// Why an output axis this node decided has its size, for messages: "its units=20".
    virtual std::string explainSize(const Node& node, const Dim& dim) const;

    /// Keras's "Param #": the sizes of weights() added up, non-trainable ones included (their
    /// part also in `frozen` when given); 0 while an axis they depend on is unknown.
    std::int64_t paramCount(const Node& node, std::span<const TensorShape> inputs, std::int64_t* frozen = nullptr) const;
    /// The names of weights(), which never depend on the input sizes.
    std::vector<std::string> weightNames(const Node& node) const;
    const ParamSpec* param(std::string_view name) const;

    /// The parameter that says how many token ids the layer reads (Embedding's input_dim), for
    /// a layer that reads the ids of an int32 Input; empty for a layer that computes with numbers.
    virtual std::string_view vocabularyParam() const { return {}; }

    // Keras: configurations, weights and code (layers/keras_config.h has the shared parts).
    virtual KerasOrigin kerasOrigin() const { return {}; }
    /// The keys of this layer's Keras config besides name, trainable and dtype, as `format`
    /// writes them: every option LayerLoom computes with, stated. By default the schema's
    /// parameters.
    virtual nlohmann::json kerasConfig(const Node& node, KerasFormat format,
                                       std::span<const Dims> inputs) const;
    /// Reads a Keras config of this kind that `producer` wrote into `params`, which hold the
    /// defaults; returns why LayerLoom cannot take it, or "". By default the schema's
    /// parameters.
    virtual std::string readKeras(const nlohmann::json& config, KerasProducer producer,
                                  ParamMap& params) const;
    virtual KerasWeightPlace kerasWeightPlace(const Node& node, const ParamShape& weight) const;
    /// The Keras Python expression that makes the layer: `layers.LSTM(units=8, ..., name="x")`
    /// from its arguments (`units=8, ...`, possibly empty) and its `name=...`.
    virtual std::string kerasPython(const Node& node, const std::string& args, const std::string& nameArg) const;
    /// The names of the call's tensor arguments by input port, for a layer whose call takes
    /// several by name (MultiHeadAttention: query, value, key); empty for the others, which
    /// take one tensor or a list. tf.keras 2 and TF.js write those after the first as keyword
    /// arguments of the call.
    virtual std::vector<std::string_view> callTensorNames() const { return {}; }
    /// The call's keyword arguments that are not tensors, as Keras records them in a model's
    /// config ({"use_causal_mask": true}); an empty object by default.
    virtual nlohmann::json kerasCallOptions(const Node& node) const;
    /// Reads a call's keyword arguments that are not tensors into `params`; returns why
    /// LayerLoom cannot take them, or "". By default they are ignored (training, mask).
    virtual std::string readKerasCall(const nlohmann::json& options, ParamMap& params) const;

    // PyTorch: the exported module computes what LayerLoom computes.
    /// The layer in the module: `self_` is its attribute ("self.lstm_1"), `args` the Python
    /// names of its inputs in port order.
    virtual PyTorchLayer pytorch(const Node& node, std::span<const Dims> inputs, const std::string& self_,
                                 std::span<const std::string> args) const = 0;
    /// The Python classes pytorch() refers to, each written once into the module's file.
    virtual std::vector<std::string_view> pytorchClasses() const { return {}; }
    // ONNX: the exported graph computes what LayerLoom computes, with standard operators.
    /// Adds the layer's operators to `graph`; returns the ONNX values of its output ports.
    virtual std::vector<std::string> onnx(const Node& node, OnnxGraph& graph, const OnnxLayerInputs& in) const = 0;
    /// What ONNX's standard operators cannot compute of this layer, in words; "" when they can.
    virtual std::string onnxLimitation(const Node&) const { return {}; }
    /// What TF.js (4.x) cannot load of this layer although Keras can, in words; "" when it can.
    virtual std::string tfjsLimitation(const Node&) const { return {}; }
    ParamMap defaults() const;
};

/// An invalid-param error on the node being inferred, saying `message`; fixes are the caller's.
Diagnostic paramDiagnostic(const ShapeContext& ctx, std::string message);

/// Reports strides and dilation_rate both above 1, which Keras's convolutions refuse, with a fix
/// for each; returns whether it did.
bool reportStridesWithDilation(const ShapeContext& ctx, std::int64_t strides, std::int64_t dilation);

/// Checks one value against its schema entry; returns the problem in words, or nullopt.
std::optional<std::string> checkParam(const ParamSpec& spec, const ParamValue& value);

}  // namespace loom
