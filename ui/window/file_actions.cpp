#include "window/file_actions.h"

#include <QAbstractButton>
#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QRegularExpression>
#include <QSettings>

#include <memory>

#include "document/autosave.h"
#include "document/examples.h"
#include "document/start_folder.h"
#include "document/wording.h"
#include "interop/model_file.h"
#include "io/isolated.h"
#include "layers/layer_nodes.h"
#include "tasks/modal_task.h"
#include "window/template_gallery.h"

namespace loom::ui {

FileActions::FileActions(QWidget* window, Document* document, Autosaver* autosaver,
                         std::function<bool()> readyToLeave, QObject* parent)
    : QObject(parent),
      m_window(window),
      m_document(document),
      m_autosaver(autosaver),
      m_readyToLeave(std::move(readyToLeave)) {}

void FileActions::addTo(QMenu* file) {
    QAction* newAction = file->addAction(tr("&New"), this, &FileActions::newModel);
    newAction->setObjectName("newAction");
    newAction->setShortcut(QKeySequence::New);
    newAction->setStatusTip(tr("Start a new model with one Input layer"));
    QAction* open = file->addAction(tr("&Open..."), this, &FileActions::openFileDialog);
    open->setShortcut(QKeySequence::Open);
    open->setStatusTip(tr("Open a LayerLoom project (.loom), a Keras model (.keras, .h5, or a TF.js model.json) or an "
                          "ONNX model (.onnx)"));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &FileActions::fillRecentMenu);
    QAction* fromTemplate = file->addAction(tr("New from &Template..."), this, &FileActions::newFromTemplate);
    fromTemplate->setObjectName("newFromTemplateAction");
    fromTemplate->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    fromTemplate->setStatusTip(tr("Start from a ready-made model: keras.io's examples and LayerLoom's own"));
    file->addSeparator();
    QAction* saveAction = file->addAction(tr("&Save"), this, &FileActions::save);
    saveAction->setShortcut(QKeySequence::Save);
    QAction* saveAsAction = file->addAction(tr("Save &As..."), this, &FileActions::saveAs);
    // Not every desktop binds Save As (QKeySequence::SaveAs is empty outside GNOME and KDE).
    QList<QKeySequence> saveAsKeys = QKeySequence::keyBindings(QKeySequence::SaveAs);
    if (!saveAsKeys.contains(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S))) saveAsKeys << QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S);
    saveAsAction->setShortcuts(saveAsKeys);
}

bool FileActions::newFromTemplate() {
    TemplateGallery gallery(m_window);
    if (gallery.exec() != QDialog::Accepted || gallery.chosen().isEmpty()) return false;
    return openPath(gallery.chosen());
}

bool FileActions::newModel() {
    if (!maybeSave()) return false;
    Project project;
    addLayer(project.graph, kInputKind, {0.0, 0.0});
    m_document->setProject(std::move(project), QString());
    m_autosaver->clear();
    emit replaced(tr("New model"));
    emit message(tr("New model: press Tab or drag layers from the Layers panel"), 8000);
    return true;
}

std::optional<OpenedModel> FileActions::readWithProgress(const QString& path) {
    // Read on a worker thread while the window stays live: a large Keras file takes a while
    // (it is read in a helper process), and the user may give up on it.
    std::optional<OpenedModel> opened;
    const bool read = runWithProgress(m_window, tr("Open"), tr("Reading %1...").arg(QFileInfo(path).fileName()),
                                      [&opened, path](TaskContext& task) {
        try {
            auto model = std::make_shared<OpenedModel>(readModelFile(path, task.stopToken()));
            task.post([&opened, model] { opened = std::move(*model); });
        } catch (const Cancelled&) {
        }
    });
    if (!read) return std::nullopt;
    return opened;
}

bool FileActions::openPath(const QString& path) {
    if (!maybeSave()) return false;
    try {
        if (path.startsWith(":/")) {
            m_document->load(path);
        } else {
            std::optional<OpenedModel> opened = readWithProgress(path);
            if (!opened) {
                emit message(tr("Opening %1 was cancelled; nothing was changed.").arg(QFileInfo(path).fileName()), 8000);
                return false;
            }
            m_document->adopt(std::move(*opened));
        }
    } catch (const ProjectError& e) {
        QMessageBox::warning(m_window, tr("Cannot open the model"),
                             tr("LayerLoom could not read this file. Nothing was changed.\n\n%1")
                                 .arg(QString::fromStdString(e.what())));
        return false;
    }
    m_autosaver->clear();  // the previous document's changes were saved or discarded
    if (!path.startsWith(":/") && isImportedModelFile(path.toStdString())) {
        QString text = tr("Imported %1 (%2) with its trained weights; File > Save keeps them in a project.")
                           .arg(QFileInfo(path).fileName(),
                                counted(static_cast<qsizetype>(m_document->graph().nodes().size()), "layer"));
        for (const QString& note : m_document->importNotes()) text += " " + note.left(1).toUpper() + note.mid(1) + ".";
        emit message(text, 20000);
    }
    if (!path.startsWith(":/")) {
        QSettings().setValue("lastDirectory", path);
        rememberRecent(path);
    }
    emit replaced(path.startsWith(":/") ? tr("Opened the example") : tr("Opened %1").arg(QFileInfo(path).fileName()));
    return true;
}

void FileActions::openFileDialog() {
    const QString last = QSettings().value("lastDirectory").toString();
    const QString start = last.isEmpty() ? startDirectory() : last;
    const QString path = QFileDialog::getOpenFileName(
        m_window, tr("Open Model"), start,
        tr("Models (*.loom *.keras *.h5 *.hdf5 *.json *.onnx);;LayerLoom projects (*.loom);;"
           "Keras models (*.keras *.h5 *.hdf5);;Keras/TF.js models (*.json);;ONNX models (*.onnx);;All files (*)"));
    if (!path.isEmpty()) openPath(path);
}

bool FileActions::save() {
    return m_document->filePath().isEmpty() ? saveAs() : saveTo(m_document->filePath());
}

QString FileActions::startDirectory() const {
    // Where the last file was opened, saved or exported; else the user's documents.
    const QString last = QSettings().value("lastDirectory").toString();
    return startFolder(last.isEmpty() ? QString() : QFileInfo(last).absolutePath());
}

bool FileActions::saveAs() {
    QString start = m_document->filePath();
    if (start.isEmpty()) {
        // The model's name, without what no desktop's file names take (a template's colon).
        QString name = m_document->displayName();
        static const QRegularExpression unsafe(QStringLiteral("[\\\\/:*?\"<>|]+"));
        name.replace(unsafe, QStringLiteral(" -")).replace(QStringLiteral("  "), QStringLiteral(" "));
        start = startDirectory() + "/" + name.trimmed() + ".loom";
    }
    QString path = QFileDialog::getSaveFileName(m_window, tr("Save Model"), start,
                                                tr("LayerLoom projects (*.loom)"));
    if (path.isEmpty()) return false;
    if (!path.endsWith(".loom")) path += ".loom";
    return saveTo(path);
}

bool FileActions::saveTo(const QString& path) {
    try {
        m_document->save(path);
    } catch (const std::exception& e) {
        QMessageBox::warning(m_window, tr("Cannot save the model"),
                             tr("LayerLoom could not write the file; the previous version is "
                                "untouched.\n\n%1").arg(QString::fromStdString(e.what())));
        return false;
    }
    QSettings().setValue("lastDirectory", path);
    rememberRecent(path);
    emit saved();
    emit message(tr("Saved %1").arg(path), 4000);
    return true;
}

bool FileActions::maybeSave() {
    if (m_readyToLeave && !m_readyToLeave()) return false;
    if (!m_document->isModified()) return true;
    const auto answer = QMessageBox::warning(
        m_window, tr("Unsaved changes"),
        tr("%1 has changes that are not saved. Save them?").arg(m_document->displayName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) return save();
    return answer == QMessageBox::Discard;
}

void FileActions::rememberRecent(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value("recentFiles").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > 8) recent.removeLast();
    settings.setValue("recentFiles", recent);
}

void FileActions::fillRecentMenu() {
    m_recentMenu->clear();
    const QStringList recent = QSettings().value("recentFiles").toStringList();
    for (const QString& path : recent) {
        QAction* a = m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] { openPath(path); });
        a->setToolTip(path);
        a->setEnabled(QFileInfo::exists(path));
    }
    if (recent.isEmpty()) m_recentMenu->addAction(tr("No recent models"))->setEnabled(false);
}

bool FileActions::offerRecovery() {
    const auto found = Autosaver::pending();
    if (found.isEmpty()) return false;
    const Autosaver::Recovery& r = found.front();
    QMessageBox ask(QMessageBox::Question, tr("Restore unsaved work?"),
                    tr("LayerLoom did not close normally. Unsaved changes to %1 from %2 were kept.%3\n\n"
                       "Restore them? (Discard deletes the kept copy.)")
                        .arg(r.name, QLocale().toString(r.savedAt, QLocale::ShortFormat), r.training.isEmpty() ? QString() : "\n" + r.training),
                    QMessageBox::Yes | QMessageBox::Discard, m_window);
    ask.button(QMessageBox::Yes)->setText(tr("&Restore"));
    ask.setDefaultButton(QMessageBox::Yes);
    if (ask.exec() != QMessageBox::Yes) {
        for (const auto& each : found) Autosaver::discard(each);
        return false;
    }
    QString error;
    if (!m_autosaver->adopt(r, &error)) {
        QMessageBox::warning(m_window, tr("Cannot restore"), error);
        return false;
    }
    emit replaced(tr("Restored unsaved work"));
    return true;
}

bool FileActions::openMostRecent() {
    for (const QString& path : QSettings().value("recentFiles").toStringList()) {
        if (QFileInfo(path).isFile()) return openPath(path);
    }
    return false;
}

}  // namespace loom::ui
