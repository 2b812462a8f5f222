#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <optional>

#include "document/document.h"

class QMenu;
class QWidget;

namespace loom::ui {

class Autosaver;

/// The File menu's commands on the document as a whole: New, Open (a project, a Keras model,
/// a template, a recent file), Save, Save As, the question about unsaved changes and the
/// restoring of work a crash left behind. Each says in a dialog what went wrong and keeps the
/// current document when it cannot be done.
class FileActions : public QObject {
    Q_OBJECT

public:
    /// `window` parents the dialogs; `readyToLeave` is asked before the document is replaced
    /// or the window closed (a run in progress may say no).
    FileActions(QWidget* window, Document* document, Autosaver* autosaver,
                std::function<bool()> readyToLeave, QObject* parent);

    /// Adds New, Open..., Open Recent, New from Template, Save and Save As to the File menu.
    void addTo(QMenu* file);

    /// Starts a new model holding one Input layer, after offering to save unsaved changes.
    bool newModel();
    /// File > New from Template: the gallery, then the chosen template as a new model.
    bool newFromTemplate();
    /// Opens a project file, a Keras model or a built-in example (a `:/` resource path). Shows
    /// what is wrong and keeps the current document when the file cannot be read; returns
    /// whether it opened.
    bool openPath(const QString& path);
    void openFileDialog();
    /// Opens the most recent model that still exists; false when none does or it cannot be read.
    bool openMostRecent();
    /// Saves to the document's file, or asks for one; returns whether it was saved.
    bool save();
    bool saveAs();
    /// Asks whether to save unsaved changes; false when the user cancels.
    bool maybeSave();
    /// Offers to restore unsaved work a crash left behind; returns whether one was restored.
    bool offerRecovery();

    /// Reads a project or Keras model file on a worker thread, with a progress dialog whose
    /// Cancel stops the reading; nothing when cancelled. Throws ProjectError.
    std::optional<OpenedModel> readWithProgress(const QString& path);
    /// The folder file dialogs start in: the last one used, else the user's documents.
    QString startDirectory() const;

signals:
    /// Another model is in the document (new, opened or restored); `start` names the start of
    /// its undo history ("Opened model.loom").
    void replaced(const QString& start);
    /// The document was saved under a (perhaps new) name.
    void saved();
    /// A note for the status bar, shown for `timeout` ms.
    void message(const QString& text, int timeout);

private:
    QWidget* m_window;
    Document* m_document;
    Autosaver* m_autosaver;
    std::function<bool()> m_readyToLeave;
    QMenu* m_recentMenu = nullptr;

    bool saveTo(const QString& path);
    void rememberRecent(const QString& path);
    void fillRecentMenu();
};

}  // namespace loom::ui
