#include "panels/palette_panel.h"

#include <QHeaderView>
#include <algorithm>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "document/wording.h"
#include "canvas/canvas_style.h"
#include "canvas/mime.h"
#include "document/user_blocks.h"
#include "layers/layer_registry.h"

namespace loom::ui {

namespace {

constexpr int kBlockRole = Qt::UserRole + 1;  ///< a saved block's file


/// A tree whose entries drag as layer kinds.
class PaletteTree : public QTreeWidget {
public:
    using QTreeWidget::QTreeWidget;

protected:
    QMimeData* mimeData(const QList<QTreeWidgetItem*>& items) const override {
        if (items.isEmpty()) return nullptr;
        const QString kind = items.front()->data(0, Qt::UserRole).toString();
        const QString block = items.front()->data(0, kBlockRole).toString();
        if (kind.isEmpty() && block.isEmpty()) return nullptr;
        auto* payload = new QMimeData;
        if (!block.isEmpty()) {
            payload->setData(kBlockMime, block.toUtf8());
        } else {
            payload->setData(kLayerKindMime, kind.toUtf8());
        }
        payload->setText(items.front()->text(0));
        return payload;
    }
    QStringList mimeTypes() const override { return {kLayerKindMime, kBlockMime}; }
};

}  // namespace

QString displayKind(const QString& kind) { return kind.toStdString() == kInputKind ? QString("Input") : kind; }

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

    // Groups in the order of their first kind in the registry, each with its kinds in order.
    QStringList groups;
    for (const LayerSpec* spec : allLayers()) {
        if (!groups.contains(qText(spec->category().name))) groups << qText(spec->category().name);
    }
    for (const QString& group : groups) {
        auto* header = new QTreeWidgetItem(m_tree, {group});
        header->setFlags(Qt::ItemIsEnabled);
        QFont bold = header->font(0);
        bold.setBold(true);
        header->setFont(0, bold);
        header->setForeground(0, style::categoryColor(group).lighter(130));
        for (const LayerSpec* spec : allLayers()) {
            if (qText(spec->category().name) != group) continue;
            const QString kind = qText(spec->kind());
            auto* item = new QTreeWidgetItem(header, {displayKind(kind)});
            item->setData(0, Qt::UserRole, kind);
            item->setToolTip(0, QString("<b>%1</b><br>%2<br><i>%3</i>")
                                    .arg(displayKind(kind), qText(spec->description()).toHtmlEscaped(),
                                         tr("Drag onto the canvas or onto a wire; "
                                            "double-click to add")));
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
        }
    }
    QFont bold = m_tree->font();
    bold.setBold(true);
    // The blocks LayerLoom ships, then the user's own.
    auto* shipped = new QTreeWidgetItem(m_tree, {tr("Blocks")});
    shipped->setFlags(Qt::ItemIsEnabled);
    shipped->setFont(0, bold);
    shipped->setForeground(0, style::categoryColor("Group").lighter(130));
    shipped->setToolTip(0, tr("Ready-made groups of layers"));
    for (const UserBlock& b : builtInBlocks()) {
        auto* item = new QTreeWidgetItem(shipped, {b.name});
        item->setData(0, kBlockRole, b.path);
        item->setToolTip(0, QString("<b>%1</b><br>%2<br><i>%3</i>")
                                .arg(b.name.toHtmlEscaped(), b.description.toHtmlEscaped(),
                                     tr("Double-click to add it after the selected layer, wired from it; "
                                        "or drag it onto the canvas")));
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
    }
    m_blocks = new QTreeWidgetItem(m_tree, {tr("My Blocks")});
    m_blocks->setFlags(Qt::ItemIsEnabled);
    m_blocks->setFont(0, bold);
    m_blocks->setForeground(0, style::categoryColor("Group").lighter(130));
    m_blocks->setToolTip(0, tr("Groups you saved (right-click a group: Save as Block)"));
    reloadBlocks();
    m_tree->expandAll();
    // Wide enough for the longest kind's name (GlobalAveragePooling1D) beside its indentation.
    int widest = 0;
    for (const LayerSpec* spec : allLayers()) {
        widest = std::max(widest, m_tree->fontMetrics().horizontalAdvance(displayKind(qText(spec->kind()))));
    }
    m_tree->setMinimumWidth(widest + 2 * m_tree->indentation() + m_tree->frameWidth() * 2 + 16);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_tree, &QWidget::customContextMenuRequested, this, [this](const QPoint& at) {
        QTreeWidgetItem* item = m_tree->itemAt(at);
        const QString block = item ? item->data(0, kBlockRole).toString() : QString();
        if (block.isEmpty() || block.startsWith(":/")) return;  // shipped blocks stay
        QMenu menu;
        menu.addAction(tr("Remove \"%1\" from My Blocks").arg(item->text(0)), this, [this, block] {
            UserBlocks::remove(block);
            reloadBlocks();
        });
        menu.exec(m_tree->viewport()->mapToGlobal(at));
    });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_search);
    layout->addWidget(m_tree);

    connect(m_search, &QLineEdit::textChanged, this, &PalettePanel::filter);
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        if (QTreeWidgetItem* item = m_tree->currentItem()) {
            const QString kind = item->data(0, Qt::UserRole).toString();
            const QString block = item->data(0, kBlockRole).toString();
            if (!kind.isEmpty()) emit addRequested(kind);
            if (!block.isEmpty()) emit blockRequested(block);
        }
    });
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        const QString kind = item->data(0, Qt::UserRole).toString();
        const QString block = item->data(0, kBlockRole).toString();
        if (!kind.isEmpty()) emit addRequested(kind);
        if (!block.isEmpty()) emit blockRequested(block);
    });
}

void PalettePanel::reloadBlocks() {
    qDeleteAll(m_blocks->takeChildren());
    for (const UserBlock& b : UserBlocks::list()) {
        auto* item = new QTreeWidgetItem(m_blocks, {b.name});
        item->setData(0, kBlockRole, b.path);
        item->setToolTip(0, tr("<b>%1</b><br>A block you saved. Double-click to add it after the selected "
                               "layer, wired from it, or drag it onto the canvas; right-click to remove it.")
                                .arg(b.name.toHtmlEscaped()));
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
    }
    m_blocks->setHidden(m_blocks->childCount() == 0);
    m_blocks->setExpanded(true);
}

void PalettePanel::filter(const QString& text) {
    // Enter adds the best match: a layer of that very name, else one whose name starts with
    // it, else the first that holds it anywhere ("add" is Add, not ZeroPadding1D).
    QTreeWidgetItem* first = nullptr;
    int firstRank = 3;
    const auto rank = [&text](const QString& name) {
        return name.compare(text, Qt::CaseInsensitive) == 0 ? 0 : name.startsWith(text, Qt::CaseInsensitive) ? 1 : 2;
    };
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
            if (match && (!first || rank(item->text(0)) < firstRank)) {
                first = item;
                firstRank = rank(item->text(0));
            }
            shown += match ? 1 : 0;
        }
        group->setHidden(shown == 0);
    }
    if (first) m_tree->setCurrentItem(first);
}

}  // namespace loom::ui
