#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include "graph/ids.h"

namespace loom::ui {

enum class Status { Ok, Warning, Error };

/// How a port looks while a wire is dragged: whether the wire may end there.
enum class PortState { Idle, Accept, Warn, Refuse };

/// What a node card shows, taken from the Document; the item keeps nothing else.
struct NodeCard {
    NodeId id = 0;
    QString name;
    QString kind;
    QString category;
    QStringList details;   ///< key parameters, one short line each
    QString outputShape;   ///< `(None, 32, 256)`, or `?` when it cannot be inferred
    int inputPorts = 0;
    QList<bool> wiredInputs;  ///< by port: whether a wire ends there (free ports are hollow)
    QStringList inputNames;   ///< by port: the argument it is ("query", "value"); empty when unnamed
    bool interchangeableInputs = false;  ///< the ports may be drawn in any order (Add)
    /// By output port, where the layer returns several tensors ("output", "h", "c"); empty
    /// for one output.
    QStringList outputNames;
    Status status = Status::Ok;
    QString problems;      ///< the diagnostics about this node, for the tooltip
    QString outputNote;    ///< what the tooltip adds about the output (what "masked" means)

    bool operator==(const NodeCard&) const = default;
};

}  // namespace loom::ui
