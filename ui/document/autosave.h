#pragma once

#include <QDateTime>
#include <QLockFile>
#include <QObject>
#include <QString>
#include <QTimer>

namespace loom::ui {

class Document;

/// Keeps a recovery copy of a document with unsaved changes, written atomically every
/// interval, so that a crash loses at most that much work; removed when the document is saved,
/// discarded or closed normally. Each running LayerLoom holds a lock on its copy, so that
/// another instance never offers a live session's copy as "left behind".
class Autosaver : public QObject {
    Q_OBJECT

public:
    /// A recovery copy left behind by a session that did not end normally.
    struct Recovery {
        QString recoveryFile;
        QString originalPath;  ///< empty for a built-in example or an unsaved model
        QString name;
        QDateTime savedAt;
    };

    Autosaver(Document* document, QObject* parent = nullptr, int intervalMs = 60'000);

    /// Where recovery copies live: the app's data folder.
    static QString directory();
    static QList<Recovery> pending();
    /// Loads a recovery copy into `document` as unsaved changes to its original file.
    static bool restore(const Recovery& recovery, Document* document, QString* error);
    static void discard(const Recovery& recovery);

    /// Writes the recovery copy now if there are unsaved changes, else removes it.
    void saveNow();
    /// Removes this document's recovery copy (after a save, or a deliberate discard).
    void clear();
    const QString& file() const { return m_file; }

private:
    Document* m_document;
    QTimer m_timer;
    QString m_file;
    QLockFile m_lock;  ///< held while this instance runs; a crash leaves it stale
};

}  // namespace loom::ui
