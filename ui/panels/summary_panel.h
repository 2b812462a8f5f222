#pragma once

#include <QPlainTextEdit>
#include <QTimer>

namespace loom::ui {

class Document;

/// The Keras `model.summary()` table of the document, kept current while it is visible: it
/// follows edits a moment later, and a hidden or tabbed-away panel catches up when shown, so
/// that editing large models stays fluid.
class SummaryPanel : public QPlainTextEdit {
    Q_OBJECT

public:
    explicit SummaryPanel(Document* document, QWidget* parent = nullptr);

protected:
    void showEvent(QShowEvent* event) override;

private:
    Document* m_document;
    bool m_stale = true;
    QTimer m_timer;
    void rebuild();
    void documentChanged();
};

}  // namespace loom::ui
