#pragma once

#include <QObject>

namespace loom::ui {

/// Scrolling a panel with the mouse wheel scrolls the panel: a combo box or spin box under the
/// pointer changes its value only when it has the keyboard focus (click it first). Without
/// this, scrolling the Data or Training panel silently changed whichever setting passed under
/// the pointer. Installed once on the application; applies to widgets made later too.
class WheelGuard : public QObject {
    Q_OBJECT

public:
    explicit WheelGuard(QObject* parent);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
};

}  // namespace loom::ui
