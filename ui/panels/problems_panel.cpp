#include "panels/problems_panel.h"

#include <QHeaderView>
#include <QStyle>

#include "document/document.h"

namespace loom::ui {

namespace {

constexpr int kNodeRole = Qt::UserRole + 1;
constexpr int kMessageRole = Qt::UserRole + 2;

/// Breaks `text` into lines no wider than `width` pixels, at spaces.
QString wrapped(const QString& text, const QFontMetrics& metrics, int width) {
    QStringList lines;
    QString line;
    for (const QString& word : text.split(' ', Qt::SkipEmptyParts)) {
        const QString candidate = line.isEmpty() ? word : line + ' ' + word;
        if (!line.isEmpty() && metrics.horizontalAdvance(candidate) > width) {
            lines << line;
            line = word;
        } else {
            line = candidate;
        }
    }
    if (!line.isEmpty()) lines << line;
    return lines.join('\n');
}

}  // namespace

ProblemsPanel::ProblemsPanel(Document* document, QWidget* parent)
    : QTreeWidget(parent), m_document(document) {
    setColumnCount(3);
    setHeaderLabels({tr("Layer"), tr("Code"), tr("Problem")});
    setRootIsDecorated(true);
    setWordWrap(true);
    setUniformRowHeights(false);
    setAlternatingRowColors(true);
    setTextElideMode(Qt::ElideNone);
    header()->setStretchLastSection(true);
    // Messages wrap to the width of their column, again whenever it changes.
    connect(header(), &QHeaderView::sectionResized, this, [this](int column) {
        if (column == 2) rewrap();
    });
    setColumnWidth(0, 150);
    setColumnWidth(1, 170);
    connect(m_document, &Document::changed, this, &ProblemsPanel::rebuild);
    connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        const NodeId id = item->data(0, kNodeRole).value<NodeId>();
        if (id != 0) emit layerActivated(id);
    });
    rebuild();
}

void ProblemsPanel::rebuild() {
    clear();
    const ModelGraph& graph = m_document->graph();
    const Validation& validation = m_document->validation();
    const QIcon errorIcon = style()->standardIcon(QStyle::SP_MessageBoxCritical);
    const QIcon warningIcon = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    for (Severity severity : {Severity::Error, Severity::Warning}) {
        for (const Diagnostic& d : validation.diagnostics) {
            if (d.severity != severity) continue;
            const Node* node = graph.node(d.node);
            auto* item = new QTreeWidgetItem(this);
            item->setIcon(0, severity == Severity::Error ? errorIcon : warningIcon);
            item->setText(0, node ? QString::fromStdString(node->name) : tr("(model)"));
            item->setText(1, QString::fromUtf8(codeName(d.code).data(),
                                               static_cast<int>(codeName(d.code).size())));
            item->setData(2, kMessageRole, QString::fromStdString(d.message));
            item->setToolTip(2, QString::fromStdString(d.message));
            item->setData(0, kNodeRole, QVariant::fromValue<NodeId>(d.node));
            for (const Fix& f : d.fixes) {
                auto* fix = new QTreeWidgetItem(item);
                fix->setText(2, tr("Possible fix: %1").arg(QString::fromStdString(f.title)));
                fix->setData(0, kNodeRole, QVariant::fromValue<NodeId>(d.node));
            }
            item->setExpanded(true);
        }
    }
    if (topLevelItemCount() == 0) {
        auto* ok = new QTreeWidgetItem(this);
        ok->setIcon(0, style()->standardIcon(QStyle::SP_DialogApplyButton));
        ok->setText(0, tr("No problems"));
        ok->setText(2, tr("Every shape fits."));
    }
    rewrap();
}

void ProblemsPanel::rewrap() {
    const int width = std::max(200, columnWidth(2) - 12);
    const QFontMetrics metrics(font());
    for (int i = 0; i < topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = topLevelItem(i);
        const QString message = item->data(2, kMessageRole).toString();
        if (!message.isEmpty()) item->setText(2, wrapped(message, metrics, width));
    }
    scheduleDelayedItemsLayout();  // row heights follow the new line counts
}

}  // namespace loom::ui
