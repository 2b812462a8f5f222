#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/model_graph.h"
#include "shape/diagnostic.h"
#include "shape/tensor_shape.h"

namespace loom {

/// The largest Input sizes LayerLoom accepts: far beyond any sequence model it trains, and
/// small enough that every product of sizes, batch and units stays exact.
inline constexpr std::int64_t kMaxSteps = std::int64_t{1} << 24;
inline constexpr std::int64_t kMaxFeatures = std::int64_t{1} << 20;

enum class ParamType { Bool, Int, Float, Choice, Regularization, Shape };

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
};

/// What an input port accepts.
enum class InputRank { Any, Sequence, Vector };

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

/// A layer kind: parameter schema, ports, shape rule and parameter count. One file pair per kind
/// in core/layers/, registered in layer_registry.cpp.
class LayerSpec {
public:
    virtual ~LayerSpec() = default;

    virtual std::string_view kind() const = 0;      ///< Keras class name: "LSTM"
    virtual std::string_view nameBase() const = 0;  ///< default display names: "lstm" -> lstm_1
    virtual std::string_view category() const = 0;  ///< palette group: "Recurrent", "Core", ...
    virtual std::string_view description() const = 0;
    virtual const std::vector<ParamSpec>& params() const = 0;

    virtual int minInputs() const { return 1; }
    /// -1: any number (merges grow a port as wires arrive).
    virtual int maxInputs() const { return 1; }
    virtual InputRank inputRank() const { return InputRank::Any; }
    /// Whether return_sequences on this layer decides if its output is a sequence.
    virtual bool hasReturnSequences() const { return false; }

    /// The output shape for inputs of known shapes, or nullopt after reporting why not.
    virtual std::optional<TensorShape> inferShape(const ShapeContext& ctx) const = 0;
    /// Trainable parameters, Keras's count, given the first input's shape.
    virtual std::int64_t paramCount(const Node& node, const TensorShape& input) const;
    /// Why an output axis this node decided has its size, for messages: "its units=20".
    virtual std::string explainSize(const Node& node, const Dim& dim) const;

    const ParamSpec* param(std::string_view name) const;
    ParamMap defaults() const;
};

/// Checks one value against its schema entry; returns the problem in words, or nullopt.
std::optional<std::string> checkParam(const ParamSpec& spec, const ParamValue& value);

}  // namespace loom
