#pragma once

#include <QWidget>

class QLineEdit;
class QTreeWidget;

namespace loom::ui {

/// The blocks users build models from, grouped (Inputs, Recurrent, Core, Merge,
/// Regularisation) and searchable. Drag an entry onto the canvas (or onto a wire, to splice it
/// in); double-click or Enter adds it in the middle of the view.
class PalettePanel : public QWidget {
    Q_OBJECT

public:
    explicit PalettePanel(QWidget* parent = nullptr);

    /// The search field, so that a shortcut can focus it.
    QLineEdit* searchField() const { return m_search; }
    QTreeWidget* tree() const { return m_tree; }

signals:
    void addRequested(const QString& kind);

private:
    QLineEdit* m_search;
    QTreeWidget* m_tree;
    void filter(const QString& text);
};

/// The name users know a kind by: "Input" for InputLayer, else the Keras class name.
QString displayKind(const QString& kind);

}  // namespace loom::ui
