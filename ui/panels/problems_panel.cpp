#include "panels/problems_panel.h"

#include <QHeaderView>
#include <QStyle>

#include "document/document.h"

namespace loom::ui {

namespace {
constexpr int kNodeRole = Qt::UserRole + 1;
}

ProblemsPanel::ProblemsPanel(Document* document, QWidget* parent)
    : QTreeWidget(parent), m_document(document) {
    setColumnCount(3);
    setHeaderLabels({tr("Layer"), tr("Code"), tr("Problem")});
    setRootIsDecorated(true);
    setWordWrap(true);
    setUniformRowHeights(false);
    setAlternatingRowColors(true);
    header()->setStretchLastSection(true);
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
            item->setText(2, QString::fromStdString(d.message));
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
}

}  // namespace loom::ui
