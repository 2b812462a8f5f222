#include "commands/graph_command.h"

#include "document/document.h"

namespace loom::ui {

GraphCommand::GraphCommand(Document* document, ModelGraph before, ModelGraph after,
                           const QString& text, Kind kind, QUndoCommand* parent)
    : QUndoCommand(text, parent),
      m_document(document),
      m_before(std::move(before)),
      m_after(std::move(after)),
      m_kind(kind) {}

void GraphCommand::redo() {
    const nlohmann::json training = m_document->project().training;
    const bool adopted = m_document->setGraph(m_after);
    if (!m_done && adopted) m_beforeTask = training;
    m_done = true;
}

void GraphCommand::undo() {
    if (m_beforeTask) m_document->restoreTraining(*m_beforeTask);
    m_document->setGraph(m_before);
}

TaskCommand::TaskCommand(Document* document, nlohmann::json before, nlohmann::json after, const QString& text)
    : QUndoCommand(text), m_document(document), m_before(std::move(before)), m_after(std::move(after)) {}

void TaskCommand::redo() { m_document->setTraining(m_after); }
void TaskCommand::undo() { m_document->setTraining(m_before); }

bool GraphCommand::mergeWith(const QUndoCommand* other) {
    const auto* next = static_cast<const GraphCommand*>(other);
    if (m_kind != Move || next->m_kind != Move || next->text() != text()) return false;
    m_after = next->m_after;
    return true;
}

bool GraphCommand::changesStructure() const {
    if (m_before.nodes().size() != m_after.nodes().size() || m_before.edges() != m_after.edges()) return true;
    for (std::size_t i = 0; i < m_before.nodes().size(); ++i) {
        const Node& a = m_before.nodes()[i];
        const Node& b = m_after.nodes()[i];
        if (a.id != b.id || a.kind != b.kind || a.name != b.name || a.params != b.params || a.shares != b.shares) return true;
    }
    return false;
}

}  // namespace loom::ui
