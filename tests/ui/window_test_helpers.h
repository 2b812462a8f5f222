#pragma once

#include <QAbstractButton>
#include <QApplication>
#include <QMessageBox>
#include <QTimer>

#include "canvas/graph_scene.h"
#include "canvas/node_item.h"
#include "document/document.h"
#include "window/main_window.h"

namespace loom::ui::test {

/// The card of the layer called `name`, or null.
inline NodeItem* itemNamed(MainWindow& w, const char* name) {
    const Node* n = w.document()->graph().nodeByName(name);
    return n ? w.scene()->nodeItem(n->id) : nullptr;
}

/// Answers the next message box with `button`, remembering its text in `text` if given.
inline void answerNextDialog(QMessageBox::StandardButton button, QString* text = nullptr) {
    QTimer::singleShot(50, [button, text] {
        if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
            if (text) *text = box->text();
            if (QAbstractButton* b = box->button(button)) {
                b->click();
            } else {
                box->close();
            }
        }
    });
}

}  // namespace loom::ui::test
