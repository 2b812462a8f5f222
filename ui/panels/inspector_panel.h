#pragma once

#include <QWidget>

#include <string>

#include "graph/ids.h"
#include "graph/param_value.h"

class QFormLayout;
class QLabel;

namespace loom {
struct ParamSpec;
}

namespace loom::ui {

class Document;

/// Typed editors for the selected layer's name and parameters, built from the layer kind's
/// schema: spin boxes within the schema's ranges, combos of the valid choices, check boxes.
/// Every change is one undo step and re-validates at once.
class InspectorPanel : public QWidget {
    Q_OBJECT

public:
    explicit InspectorPanel(Document* document, QWidget* parent = nullptr);

    /// Shows the editors for `id`, or a hint when nothing (or several layers) is selected.
    void showLayer(NodeId id);
    NodeId layer() const { return m_layer; }

private:
    Document* m_document;
    NodeId m_layer = 0;
    QLabel* m_title;
    QLabel* m_hint;
    QWidget* m_form;
    QFormLayout* m_layout;

    void rebuild();
    QWidget* editorFor(const ParamSpec& spec);
    void setParam(const std::string& key, ParamValue value);
};

}  // namespace loom::ui
