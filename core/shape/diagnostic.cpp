#include "shape/diagnostic.h"

namespace loom {

std::string_view codeName(DiagCode code) {
    switch (code) {
        case DiagCode::MergeShapeMismatch: return "merge-shape-mismatch";
        case DiagCode::MergeTimeMismatch: return "merge-time-mismatch";
        case DiagCode::MergeBroadcastVector: return "merge-broadcast-vector";
        case DiagCode::MergeBroadcastSize1: return "merge-broadcast-size1";
        case DiagCode::MergeTooFewInputs: return "merge-too-few-inputs";
        case DiagCode::ConcatSequenceVector: return "concat-sequence-vector";
        case DiagCode::ConcatAxisMismatch: return "concat-axis-mismatch";
        case DiagCode::NeedsSequence: return "needs-sequence";
        case DiagCode::NeedsVector: return "needs-vector";
        case DiagCode::Cycle: return "cycle";
        case DiagCode::DanglingInput: return "dangling-input";
        case DiagCode::PortOccupied: return "port-occupied";
        case DiagCode::NoInput: return "no-input";
        case DiagCode::NoOutput: return "no-output";
        case DiagCode::UnboundedActivation: return "unbounded-activation";
        case DiagCode::Unreachable: return "unreachable";
        case DiagCode::UnusedInput: return "unused-input";
        case DiagCode::ExtraOutput: return "extra-output";
        case DiagCode::DuplicateName: return "duplicate-name";
        case DiagCode::InvalidParam: return "invalid-param";
        case DiagCode::UnknownKind: return "unknown-kind";
        case DiagCode::ModelTooLarge: return "model-too-large";
        case DiagCode::WindowTooLong: return "window-too-long";
        case DiagCode::ReshapeSize: return "reshape-size";
        case DiagCode::TaskMismatch: return "task-mismatch";
        case DiagCode::TokenIds: return "token-ids";
        case DiagCode::MaskDropped: return "mask-dropped";
        case DiagCode::AttentionSteps: return "attention-steps";
        case DiagCode::BackwardsOrder: return "backwards-order";
        case DiagCode::PositionsOnly: return "positions-only";
        case DiagCode::SharedWeights: return "shared-weights";
    }
    return "unknown";
}

std::string_view severityName(Severity severity) {
    return severity == Severity::Error ? "error" : "warning";
}

}  // namespace loom
