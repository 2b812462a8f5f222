#include "panels/summary_panel.h"

#include "canvas/canvas_style.h"
#include "document/document.h"
#include "report/summary.h"

namespace loom::ui {

SummaryPanel::SummaryPanel(Document* document, QWidget* parent)
    : QPlainTextEdit(parent), m_document(document) {
    setReadOnly(true);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(style::monoFont(9.0));
    connect(m_document, &Document::changed, this, &SummaryPanel::rebuild);
    rebuild();
}

void SummaryPanel::rebuild() {
    const ModelSummary s = summarize(m_document->graph(), m_document->validation(),
                                     m_document->displayName().toStdString());
    setPlainText(QString::fromStdString(formatSummary(s)));
}

}  // namespace loom::ui
