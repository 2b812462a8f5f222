#include "panels/palette_panel.h"

#include <QHeaderView>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMimeData>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "canvas/canvas_style.h"
#include "canvas/mime.h"
#include "layers/layer_registry.h"

namespace loom::ui {

namespace {

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<int>(s.size())); }

/// A tree whose entries drag as layer kinds.
class PaletteTree : public QTreeWidget {
public:
    using QTreeWidget::QTreeWidget;

protected:
    QMimeData* mimeData(const QList<QTreeWidgetItem*>& items) const override {
        const QString kind = items.isEmpty() ? QString() : items.front()->data(0, Qt::UserRole).toString();
        if (kind.isEmpty()) return nullptr;
        auto* payload = new QMimeData;
        payload->setData(kLayerKindMime, kind.toUtf8());
        payload->setText(kind);
        return payload;
    }
    QStringList mimeTypes() const override { return {kLayerKindMime}; }
};

}  // namespace

QString displayKind(const QString& kind) { return kind == "InputLayer" ? QString("Input") : kind; }

PalettePanel::PalettePanel(QWidget* parent)
    : QWidget(parent), m_search(new QLineEdit(this)), m_tree(new PaletteTree(this)) {
    m_search->setPlaceholderText(tr("Search layers"));
    m_search->setClearButtonEnabled(true);
    m_search->setToolTip(tr("Type to filter; Enter adds the first match"));
    m_tree->setHeaderHidden(true);
    m_tree->setRootIsDecorated(false);
    m_tree->setDragEnabled(true);
    m_tree->setDragDropMode(QAbstractItemView::DragOnly);
    m_tree->setIndentation(10);
    m_tree->setObjectName("palette");

    // Groups in a fixed order, each with its kinds in registry order.
    const QStringList groups{"Inputs", "Recurrent", "Core", "Merge", "Regularisation"};
    for (const QString& group : groups) {
        auto* header = new QTreeWidgetItem(m_tree, {group});
        header->setFlags(Qt::ItemIsEnabled);
        QFont bold = header->font(0);
        bold.setBold(true);
        header->setFont(0, bold);
        header->setForeground(0, style::categoryColor(group).lighter(130));
        for (const LayerSpec* spec : allLayers()) {
            if (qs(spec->category()) != group) continue;
            const QString kind = qs(spec->kind());
            auto* item = new QTreeWidgetItem(header, {displayKind(kind)});
            item->setData(0, Qt::UserRole, kind);
            item->setToolTip(0, QString("<b>%1</b><br>%2<br><i>%3</i>")
                                    .arg(displayKind(kind), qs(spec->description()).toHtmlEscaped(),
                                         tr("Drag onto the canvas or onto a wire; "
                                            "double-click to add")));
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
        }
    }
    m_tree->expandAll();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_search);
    layout->addWidget(m_tree);

    connect(m_search, &QLineEdit::textChanged, this, &PalettePanel::filter);
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        if (QTreeWidgetItem* item = m_tree->currentItem()) {
            const QString kind = item->data(0, Qt::UserRole).toString();
            if (!kind.isEmpty()) emit addRequested(kind);
        }
    });
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        const QString kind = item->data(0, Qt::UserRole).toString();
        if (!kind.isEmpty()) emit addRequested(kind);
    });
}

void PalettePanel::filter(const QString& text) {
    QTreeWidgetItem* first = nullptr;
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g) {
        QTreeWidgetItem* group = m_tree->topLevelItem(g);
        int shown = 0;
        for (int i = 0; i < group->childCount(); ++i) {
            QTreeWidgetItem* item = group->child(i);
            const QString kind = item->data(0, Qt::UserRole).toString();
            const bool match = text.isEmpty() || item->text(0).contains(text, Qt::CaseInsensitive) ||
                               kind.contains(text, Qt::CaseInsensitive) ||
                               group->text(0).contains(text, Qt::CaseInsensitive);
            item->setHidden(!match);
            if (match && !first) first = item;
            shown += match ? 1 : 0;
        }
        group->setHidden(shown == 0);
    }
    if (first) m_tree->setCurrentItem(first);
}

}  // namespace loom::ui
