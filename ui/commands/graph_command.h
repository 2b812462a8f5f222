#pragma once

#include <QUndoCommand>

#include <optional>

#include <nlohmann/json.hpp>

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
    /// The project's training settings before the edit first made the model whole and it took
    /// the task its shapes suggest; undo puts them back with the graph.
    std::optional<nlohmann::json> m_beforeTask;
    bool m_done = false;
};

/// An undoable change of what the model is for (a fix that changes the task): the project's
/// training settings before and after.
class TaskCommand : public QUndoCommand {
public:
    TaskCommand(Document* document, nlohmann::json before, nlohmann::json after, const QString& text);
    void redo() override;
    void undo() override;

private:
    Document* m_document;
    nlohmann::json m_before;
    nlohmann::json m_after;
};

}  // namespace loom::ui
