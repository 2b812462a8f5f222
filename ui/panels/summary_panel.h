#pragma once

#include <QPlainTextEdit>

namespace loom::ui {

class Document;

/// The Keras `model.summary()` table of the document, kept current.
class SummaryPanel : public QPlainTextEdit {
    Q_OBJECT

public:
    explicit SummaryPanel(Document* document, QWidget* parent = nullptr);

private:
    Document* m_document;
    void rebuild();
};

}  // namespace loom::ui
