#pragma once

#include <QUndoCommand>

#include "graph/model_graph.h"

namespace loom::ui {

class Document;

/// One undoable change to the model graph: it keeps the graph before and after (graphs are
/// small), so redo and undo are exact whatever the change was: a fix, a move, a parameter.
/// Consecutive moves of the same layers merge into one step.
class GraphCommand : public QUndoCommand {
public:
    enum Kind { Edit = -1, Move = 1 };

    GraphCommand(Document* document, ModelGraph before, ModelGraph after, const QString& text,
                 Kind kind = Edit, QUndoCommand* parent = nullptr);

    void redo() override;
    void undo() override;
    int id() const override { return m_kind; }
    /// Whether undoing or redoing it changes layers, their settings or wires (not only where
    /// cards stand or how they are grouped).
    bool changesStructure() const;
    bool mergeWith(const QUndoCommand* other) override;

private:
    Document* m_document;
    ModelGraph m_before;
    ModelGraph m_after;
    Kind m_kind;
};

}  // namespace loom::ui
