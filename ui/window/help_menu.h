#pragma once

#include <QDialog>
#include <QObject>
#include <QPointer>
#include <QTextBrowser>
#include <QTreeWidget>

#include "window/getting_started.h"

class QMenu;

namespace loom::ui {

class MainWindow;

/// The Help menu: Getting Started (a guided tour whose steps act on the window), Keyboard
/// Shortcuts (read from the window's own actions, so it never goes stale), the User Guide
/// (docs/USER_GUIDE.md, compiled in with its pictures) and About.
class HelpMenu : public QObject {
    Q_OBJECT

public:
    HelpMenu(MainWindow* window, QMenu* menu);

    void showGettingStarted();
    void showShortcuts();
    void showUserGuide();

    GettingStarted* gettingStarted() const { return m_tour; }
    QTreeWidget* shortcutList() const { return m_shortcutList; }
    QTextBrowser* guide() const { return m_guide; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    /// Puts the tour beside the window where the screen has room, else in the canvas's corner.
    void placeTour();

    MainWindow* m_window;
    QPointer<GettingStarted> m_tour;
    QPointer<QDialog> m_shortcuts;
    QPointer<QTreeWidget> m_shortcutList;
    QPointer<QDialog> m_guideDialog;
    QPointer<QTextBrowser> m_guide;
};

}  // namespace loom::ui
