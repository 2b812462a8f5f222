#pragma once

#include <QFrame>

class QLabel;
class QLineEdit;
class QListWidget;

namespace loom::ui {

/// The quick-add box (Tab or double-click on the canvas): a search field over every layer kind
/// at the cursor. Typing filters, Up/Down choose, Enter adds, Escape closes.
class QuickAdd : public QFrame {
    Q_OBJECT

public:
    /// `context` says where the layer goes, e.g. "after lstm_1".
    QuickAdd(const QString& context, QWidget* parent);

    QLineEdit* searchField() const { return m_search; }
    QListWidget* list() const { return m_list; }

signals:
    void chosen(const QString& kind);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QLineEdit* m_search;
    QListWidget* m_list;
    void filter(const QString& text);
    void accept();
};

}  // namespace loom::ui
