#pragma once

#include <QWidget>

class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace loom::ui {

/// The blocks users build models from, grouped (Inputs, Recurrent, Core, Merge,
/// Regularisation, and My Blocks: groups the user saved) and searchable. Drag an entry onto the
/// canvas (a layer also onto a wire, to splice it in); double-click or Enter adds it.
class PalettePanel : public QWidget {
    Q_OBJECT

public:
    explicit PalettePanel(QWidget* parent = nullptr);

    /// The search field, so that a shortcut can focus it.
    QLineEdit* searchField() const { return m_search; }
    QTreeWidget* tree() const { return m_tree; }

    /// Re-reads the saved blocks (My Blocks) from disk.
    void reloadBlocks();

signals:
    void addRequested(const QString& kind);
    /// A saved block was double-clicked: its file.
    void blockRequested(const QString& path);

private:
    QLineEdit* m_search;
    QTreeWidget* m_tree;
    QTreeWidgetItem* m_blocks = nullptr;
    void filter(const QString& text);
};

/// The name users know a kind by: "Input" for InputLayer, else the Keras class name.
QString displayKind(const QString& kind);

}  // namespace loom::ui
