#pragma once

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QApplication>
#include <QMessageBox>
#include <QFileDialog>
#include <QLineEdit>
#include <QTimer>
#include <QtTest>

#include "canvas/canvas_view.h"
#include "canvas/graph_scene.h"
#include "canvas/node_item.h"
#include "document/document.h"
#include "window/main_window.h"

namespace loom::ui::test {

/// Delivers every event waiting (layouts, resizes, shows, zero-time timers) until none is
/// left: what a window does after a change before it is drawn again. No clock is involved.
inline void settle() {
    for (int round = 0; round < 8; ++round) {
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents(QEventLoop::AllEvents);
    }
}

/// A double-click as the platform delivers it: a click, then the double-click press.
inline void doubleClick(QWidget* widget, QPoint at) {
    QTest::mouseClick(widget, Qt::LeftButton, Qt::NoModifier, at);
    QTest::mouseDClick(widget, Qt::LeftButton, Qt::NoModifier, at);
}

/// A left-button drag on a widget, as a hand does it: press, several moves, release.
inline void dragMouse(QWidget* widget, QPoint from, QPoint to,
                      Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
    QTest::mousePress(widget, Qt::LeftButton, modifiers, from);
    for (int step = 1; step <= 6; ++step) {
        const QPoint at = from + (to - from) * step / 6;
        QMouseEvent move(QEvent::MouseMove, at, widget->mapToGlobal(at), Qt::NoButton,
                         Qt::LeftButton, modifiers);
        QApplication::sendEvent(widget, &move);
    }
    QTest::mouseRelease(widget, Qt::LeftButton, modifiers, to);
}

/// The card of the layer called `name`, or null.
inline NodeItem* itemNamed(MainWindow& w, const char* name) {
    const Node* n = w.document()->graph().nodeByName(name);
    return n ? w.scene()->nodeItem(n->id) : nullptr;
}

/// Opens a model in a shown window of a fixed size, at 100% zoom.
inline void openShown(MainWindow& w, const QString& path) {
    QVERIFY(w.openPath(path));
    w.resize(1400, 1000);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.canvas()->actualSize();
}

/// Shows a project made in the test in a shown window of a fixed size, at 100% zoom.
inline void showProject(MainWindow& w, const Project& project) {
    w.document()->setProject(project, QString());
    w.resize(1400, 1000);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.canvas()->actualSize();
}

/// The layers whose cards overlap the card of `name` on the canvas.
inline QStringList cardsOverlapping(MainWindow& w, const char* name) {
    // The cards themselves, without the margin their ports and badges stick out into.
    const auto card = [](NodeItem* item) { return item->sceneBoundingRect().adjusted(18, 18, -18, -18); };
    const QRectF mine = card(itemNamed(w, name));
    QStringList names;
    for (const Node& n : w.document()->graph().nodes()) {
        NodeItem* other = w.scene()->nodeItem(n.id);
        if (n.name != name && other && other->isVisible() && card(other).intersects(mine)) names << QString::fromStdString(n.name);
    }
    return names;
}

/// Calls `act` with the modal dialog of type D once one is up and `ready` says it is: work may
/// come first (a file read on a worker thread while the window waits), so it looks every 50 ms,
/// for up to 2 minutes (the sanitizer builds on a loaded machine are that slow).
template <typename D, typename F, typename R>
void whenDialogShows(F act, R ready, int triesLeft = 2400) {
    QTimer::singleShot(50, [act, ready, triesLeft] {
        if (auto* dialog = qobject_cast<D*>(QApplication::activeModalWidget());
            dialog && dialog->isVisible() && ready(dialog)) {
            act(dialog);
        } else if (triesLeft > 0) {
            whenDialogShows<D>(act, ready, triesLeft - 1);
        }
    });
}
template <typename D, typename F>
void whenDialogShows(F act) {
    whenDialogShows<D>(act, [](D*) { return true; });
}

/// Answers the next message box with `button`, remembering its text in `text` if given.
inline void answerNextDialog(QMessageBox::StandardButton button, QString* text = nullptr) {
    whenDialogShows<QMessageBox>([button, text](QMessageBox* box) {
        if (text) *text = box->text();
        if (QAbstractButton* b = box->button(button)) {
            b->click();
        } else {
            box->close();
        }
    });
}

/// Answers the next file dialog with `name` (a path, or a name in the dialog's folder) and
/// accepts it as its default button would; `answered` says whether a file dialog came.
/// The name goes into the dialog's own name field and the dialog's accept() runs its own checks,
/// but nothing waits on the dialog's asynchronous parts (the folder listing, the completer's
/// popup, the button's enabling), which on a loaded machine could swallow a typed Return.
inline void answerNextFileDialog(const QString& name, bool* answered) {
    // A dialog whose fields are not there yet is looked at again, not given up on.
    const auto fields = [](QFileDialog* dialog) {
        return dialog->findChild<QLineEdit*>("fileNameEdit") && dialog->findChild<QAbstractItemView*>("listView");
    };
    whenDialogShows<QFileDialog>([name, answered](QFileDialog* dialog) {
        auto* field = dialog->findChild<QLineEdit*>("fileNameEdit");
        auto* list = dialog->findChild<QAbstractItemView*>("listView");
        *answered = true;
        list->clearSelection();  // a selected entry would win over the typed name
        field->setText(name);
        list->clearSelection();  // the name field selects what matches it; the name is enough
        static_cast<QDialog*>(dialog)->accept();  // QFileDialog's own accept, as its button calls it
    }, fields);
}

}  // namespace loom::ui::test
