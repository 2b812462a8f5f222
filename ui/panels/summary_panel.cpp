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
    m_timer.setSingleShot(true);
    m_timer.setInterval(60);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (m_stale && isVisible()) rebuild();
    });
    connect(m_document, &Document::changed, this, &SummaryPanel::documentChanged);
}

void SummaryPanel::documentChanged() {
    m_stale = true;
    // Shortly after the last change, so that a burst of edits (or one edit of a large model)
    // does not wait for the table.
    if (isVisible()) m_timer.start();
}

void SummaryPanel::showEvent(QShowEvent* event) {
    if (m_stale) rebuild();
    QPlainTextEdit::showEvent(event);
}

void SummaryPanel::rebuild() {
    m_stale = false;
    const ModelSummary s = summarize(m_document->graph(), m_document->validation(),
                                     m_document->displayName().toStdString());
    setPlainText(QString::fromStdString(formatSummary(s)));
}

}  // namespace loom::ui
