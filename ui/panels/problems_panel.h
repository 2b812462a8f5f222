#pragma once

#include <QTreeWidget>

#include "graph/ids.h"

namespace loom::ui {

class Document;

/// Every diagnostic of the document, errors first, with the fixes the core proposes listed
/// under each. Activating a row asks for its layer to be shown.
class ProblemsPanel : public QTreeWidget {
    Q_OBJECT

public:
    explicit ProblemsPanel(Document* document, QWidget* parent = nullptr);

signals:
    void layerActivated(loom::NodeId id);

private:
    Document* m_document;
    void rebuild();
    void rewrap();
};

}  // namespace loom::ui
