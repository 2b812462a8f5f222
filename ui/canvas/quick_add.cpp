#include "canvas/quick_add.h"

#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

#include "document/wording.h"
#include "layers/layer_registry.h"
#include "panels/palette_panel.h"

namespace loom::ui {

QuickAdd::QuickAdd(const QString& context, QWidget* parent)
    : QFrame(parent, Qt::Popup), m_search(new QLineEdit(this)), m_list(new QListWidget(this)) {
    setAttribute(Qt::WA_DeleteOnClose);
    setFrameShape(QFrame::StyledPanel);
    setObjectName("quickAdd");
    auto* title = new QLabel(context.isEmpty() ? tr("Add a layer") : tr("Add a layer %1").arg(context),
                             this);
    title->setStyleSheet("font-weight: bold;");
    m_search->setPlaceholderText(tr("Type a layer kind"));
    for (const LayerSpec* spec : allLayers()) {
        const QString kind = qText(spec->kind());
        auto* item = new QListWidgetItem(QString("%1   \u2014 %2").arg(displayKind(kind), qText(spec->category().name)),
                                         m_list);
        item->setData(Qt::UserRole, kind);
        item->setToolTip(qText(spec->description()));
    }
    m_list->setCurrentRow(0);
    m_list->setMinimumHeight(m_list->sizeHintForRow(0) * 8);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(title);
    layout->addWidget(m_search);
    layout->addWidget(m_list);
    resize(280, sizeHint().height());

    m_search->installEventFilter(this);
    connect(m_search, &QLineEdit::textChanged, this, &QuickAdd::filter);
    connect(m_list, &QListWidget::itemActivated, this, &QuickAdd::accept);
    m_search->setFocus();
}

void QuickAdd::filter(const QString& text) {
    QListWidgetItem* first = nullptr;
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem* item = m_list->item(i);
        const bool match = text.isEmpty() || item->text().contains(text, Qt::CaseInsensitive);
        item->setHidden(!match);
        // Kinds that start with the text come first in the choice.
        if (match && (!first || (!first->text().startsWith(text, Qt::CaseInsensitive) &&
                                 item->text().startsWith(text, Qt::CaseInsensitive)))) {
            first = item;
        }
    }
    m_list->setCurrentItem(first);
}

bool QuickAdd::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        switch (key->key()) {
            case Qt::Key_Up:
            case Qt::Key_Down:
            case Qt::Key_PageUp:
            case Qt::Key_PageDown: {
                // Move through the visible entries while typing.
                const int step = key->key() == Qt::Key_Up || key->key() == Qt::Key_PageUp ? -1 : 1;
                int row = m_list->currentRow();
                for (int i = row + step; i >= 0 && i < m_list->count(); i += step) {
                    if (!m_list->item(i)->isHidden()) {
                        m_list->setCurrentRow(i);
                        break;
                    }
                }
                return true;
            }
            case Qt::Key_Return:
            case Qt::Key_Enter:
                accept();
                return true;
            case Qt::Key_Escape:
                close();
                return true;
            default: break;
        }
    }
    return QFrame::eventFilter(watched, event);
}

void QuickAdd::accept() {
    QListWidgetItem* item = m_list->currentItem();
    if (!item || item->isHidden()) return;
    const QString kind = item->data(Qt::UserRole).toString();
    close();
    emit chosen(kind);
}

}  // namespace loom::ui
