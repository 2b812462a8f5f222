#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/task.h"
#include "graph/graph_edit.h"
#include "graph/ids.h"

namespace loom {

enum class Severity { Error, Warning };

/// Stable diagnostic codes: tools, tests and the file format refer to them by name.
enum class DiagCode {
    MergeShapeMismatch,   ///< Add of tensors whose feature sizes differ
    MergeTimeMismatch,    ///< merge of sequences with different lengths
    MergeBroadcastVector, ///< Add of a vector and a sequence: Keras repeats the vector silently
    MergeBroadcastSize1,  ///< Add where a size-1 axis is stretched silently
    MergeTooFewInputs,    ///< a merge with fewer than two inputs
    ConcatSequenceVector, ///< Concatenate of a sequence and a vector
    ConcatAxisMismatch,   ///< Concatenate whose non-joined axes differ
    NeedsSequence,        ///< a vector fed to a layer that reads sequences
    NeedsVector,          ///< a sequence fed to a layer that reads vectors
    Cycle,                ///< wires that loop back
    DanglingInput,        ///< a required input port without a wire
    PortOccupied,         ///< two wires into one input port
    NoInput,              ///< the graph has no Input layer
    NoOutput,             ///< no layer's output leaves the graph
    ExtraOutput,          ///< a second layer whose output leaves the graph (training takes one)
    UnboundedActivation,  ///< an LSTM or GRU whose activation nothing bounds (state can grow)
    Unreachable,          ///< a layer no Input feeds
    UnusedInput,          ///< an Input whose output goes nowhere
    DuplicateName,        ///< two layers with one name
    InvalidParam,         ///< a parameter outside its valid range or of the wrong type
    UnknownKind,          ///< a layer kind LayerLoom does not know
    ModelTooLarge,        ///< training would need more memory than the machine has
    WindowTooLong,        ///< a convolution or pooling window longer than its input
    ReshapeSize,          ///< a Reshape whose target holds another number of values, or a free length reshaped
    TaskMismatch,         ///< the model's output does not do the project's task (reconstruct, forecast, classify)
    TokenIds,             ///< token ids (an int32 Input) fed to a layer other than Embedding
    MaskDropped,          ///< a step mask reaches a layer that drops it (Conv1D, pooling, reshaping)
    AttentionSteps,       ///< an attention's key and value of different lengths
    BackwardsOrder,       ///< a go_backwards sequence merged with one in input order, or passed on with its input's mask
    PositionsOnly,        ///< a PositionEmbedding whose input's values go nowhere else
    SharedWeights,        ///< a call of a shared layer whose inputs do not fit the layer's weights
};

/// `merge-shape-mismatch`, ...: the stable text form of a code.
std::string_view codeName(DiagCode code);
std::string_view severityName(Severity severity);

/// A one-step repair a UI can offer as a button: applying `edit` is one undo step. A fix with
/// a `task` changes what the project's model is for instead of its layers (its edit is empty).
struct Fix {
    std::string title;
    GraphEdit edit;
    std::optional<ModelTask> task;
};

/// A user mistake, as a value. `port` is the input port concerned, if any.
struct Diagnostic {
    DiagCode code = DiagCode::InvalidParam;
    Severity severity = Severity::Error;
    NodeId node = 0;
    std::optional<int> port;
    std::string message;
    std::vector<Fix> fixes;
    /// Further nodes the problem involves (the other nodes of a cycle, the other duplicate).
    std::vector<NodeId> related;
};

}  // namespace loom
