#pragma once

#include <QTreeWidget>

#include "graph/ids.h"

namespace loom::ui {

class Document;

/// Every diagnostic of the document, errors first, with the fixes the core proposes listed
/// under each. Activating a problem shows its layer; activating a fix applies it as one undo
/// step.
class ProblemsPanel : public QTreeWidget {
    Q_OBJECT

public:
    explicit ProblemsPanel(Document* document, QWidget* parent = nullptr);

signals:
    void layerActivated(loom::NodeId id);
    void fixFailed(const QString& reason);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    Document* m_document;
    int m_wrapWidth = 0;  ///< the Problem column's width the messages were last wrapped to
    void rebuild();
    void applyFix(std::size_t diagnostic, std::size_t fix);
    void rewrap();
};

}  // namespace loom::ui
