#include "window/wheel_guard.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QEvent>

namespace loom::ui {

namespace {

bool guarded(QObject* o) { return qobject_cast<QComboBox*>(o) || qobject_cast<QAbstractSpinBox*>(o); }

}  // namespace

WheelGuard::WheelGuard(QObject* parent) : QObject(parent) { qApp->installEventFilter(this); }

bool WheelGuard::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Polish && guarded(watched)) {
        // The wheel no longer gives them focus: only a click or Tab does.
        static_cast<QWidget*>(watched)->setFocusPolicy(Qt::StrongFocus);
    } else if (event->type() == QEvent::Wheel && guarded(watched) && !static_cast<QWidget*>(watched)->hasFocus()) {
        // Not handled here: Qt passes an ignored wheel event on to the parent, the panel.
        event->ignore();
        return true;
    }
    return QObject::eventFilter(watched, event);
}

}  // namespace loom::ui
