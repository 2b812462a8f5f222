#include "panels/problems_panel.h"

#include <algorithm>

#include <QHeaderView>
#include <QStyle>

#include "document/document.h"

namespace loom::ui {

namespace {

constexpr int kNodeRole = Qt::UserRole + 1;
constexpr int kMessageRole = Qt::UserRole + 2;
constexpr int kDiagnosticRole = Qt::UserRole + 3;  ///< on fix rows: index of the diagnostic
constexpr int kFixRole = Qt::UserRole + 4;         ///< on fix rows: index of the fix

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
        if (item->data(0, kFixRole).isValid()) {
            const auto d = item->data(0, kDiagnosticRole).toULongLong();
            const auto f = item->data(0, kFixRole).toULongLong();
            // Applying rebuilds this list, so not while Qt is still handling the activation.
            QMetaObject::invokeMethod(this, [this, d, f] { applyFix(d, f); }, Qt::QueuedConnection);
            return;
        }
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
        for (std::size_t index = 0; index < validation.diagnostics.size(); ++index) {
            const Diagnostic& d = validation.diagnostics[index];
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
            for (std::size_t k = 0; k < d.fixes.size(); ++k) {
                auto* fix = new QTreeWidgetItem(item);
                // An arrow, not the check mark of "no problems": a fix is something to do.
                fix->setIcon(2, style()->standardIcon(QStyle::SP_ArrowForward));
                fix->setText(2, tr("Fix: %1").arg(QString::fromStdString(d.fixes[k].title)));
                fix->setToolTip(2, tr("Double-click or press Enter to apply this fix (Ctrl+Z undoes it)"));
                fix->setData(0, kNodeRole, QVariant::fromValue<NodeId>(d.node));
                fix->setData(0, kDiagnosticRole, QVariant::fromValue<qulonglong>(index));
                fix->setData(0, kFixRole, QVariant::fromValue<qulonglong>(k));
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
    // Long layer names ("time_distributed_1") show whole: the column grows to them (never
    // shrinks below what the user made it), up to a limit that leaves the messages room.
    const int wanted = std::clamp(sizeHintForColumn(0) + 8, 150, 280);
    if (columnWidth(0) < wanted) setColumnWidth(0, wanted);
    rewrap();
}

void ProblemsPanel::applyFix(std::size_t diagnostic, std::size_t fix) {
    const auto& diagnostics = m_document->validation().diagnostics;
    if (diagnostic >= diagnostics.size() || fix >= diagnostics[diagnostic].fixes.size()) return;
    const Fix& f = diagnostics[diagnostic].fixes[fix];
    try {
        m_document->applyFix(f);
    } catch (const EditError& e) {
        emit fixFailed(QString::fromStdString(e.what()));
    }
}

void ProblemsPanel::resizeEvent(QResizeEvent* event) {
    QTreeWidget::resizeEvent(event);
    // The Problem column stretches with the panel without a sectionResized signal.
    if (columnWidth(2) != m_wrapWidth) rewrap();
}

void ProblemsPanel::rewrap() {
    m_wrapWidth = columnWidth(2);
    const int width = std::max(200, m_wrapWidth - 12);
    const QFontMetrics metrics(font());
    for (int i = 0; i < topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = topLevelItem(i);
        const QString message = item->data(2, kMessageRole).toString();
        if (!message.isEmpty()) item->setText(2, wrapped(message, metrics, width));
    }
    scheduleDelayedItemsLayout();  // row heights follow the new line counts
}

}  // namespace loom::ui
