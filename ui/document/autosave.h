#pragma once

#include <QDateTime>
#include <QLockFile>
#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QTimer>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "graph/project_file.h"

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
        /// The training run the copy was taken during, as its record says ("Training run 2:
        /// Interrupted after epoch 13 of 20; ..."); empty for a copy of edits.
        QString training;
    };

    Autosaver(Document* document, QObject* parent = nullptr, int intervalMs = 60'000);
    ~Autosaver() override;

    /// Where recovery copies live: the app's data folder.
    static QString directory();
    static QList<Recovery> pending();
    /// Loads a recovery copy into `document` as unsaved changes to its original file; the
    /// copy stays where it is.
    static bool restore(const Recovery& recovery, Document* document, QString* error);
    /// Restores a recovery copy into this autosaver's document, writes it at once as this
    /// session's copy and only then removes the one left behind.
    bool adopt(const Recovery& recovery, QString* error);
    static void discard(const Recovery& recovery);

    /// Writes the recovery copy now if there are unsaved changes, else removes it.
    void saveNow();
    /// Writes `project` as the recovery copy, on a worker thread: a training run's last
    /// finished epoch, unsaved work even when the document has no unsaved edits. Until
    /// releaseSnapshot(), the copy stays when the document has none. A newer snapshot replaces
    /// one still waiting to be written. The writes keep to a small share of a core
    /// (kSnapshotShare): the run's threads need every core, and a write that takes one from
    /// them slows each of their steps. A large model's epochs are then written every few.
    void saveSnapshot(Project project);
    /// After a snapshot write that took d, the next waits (1 / kSnapshotShare - 1) d, at least
    /// the minimum pause and at most kLongestPause (a disk that stalls a write for minutes
    /// does not hold the copy back as long again).
    static constexpr double kSnapshotShare = 0.05;
    static constexpr std::chrono::seconds kLongestPause{60};
    /// The shortest pause between snapshot writes; none by default (tests lengthen it, to see
    /// snapshots give way to newer ones).
    void setMinimumSnapshotPause(std::chrono::milliseconds pause);
    /// How many snapshots have been written (for tests).
    int snapshotWrites() const;
    /// The run ended and its result is in the document: back to the document's own copy.
    void releaseSnapshot();
    /// Removes this document's recovery copy (after a save, or a deliberate discard).
    void clear();
    const QString& file() const { return m_file; }

private:
    Document* m_document;
    QTimer m_timer;
    QThreadPool m_writer;  ///< one thread: snapshots are written in turn
    mutable std::mutex m_snapshotMutex;
    /// A recovery copy waiting for the writer, with what its side file says.
    struct Snapshot {
        Project project;
        std::string original, name, saved, training;
    };
    std::optional<Snapshot> m_nextSnapshot;
    bool m_holdSnapshot = false;
    /// The snapshot writer: one job on m_writer while a run goes, waiting on m_snapshotWake
    /// for a snapshot and for its pause after the last write to end, until m_stopWriting.
    std::condition_variable m_snapshotWake;
    std::chrono::steady_clock::time_point m_nextWriteAt;
    std::chrono::milliseconds m_minimumPause{0};
    int m_snapshotWrites = 0;
    bool m_writing = false, m_stopWriting = false;
    void writeSnapshots();
    /// Ends the snapshot writer, dropping a snapshot it has not begun, and waits for it.
    void stopSnapshots();

    /// Writes `project` and its side file as this session's copy; false when it could not.
    bool writeCopy(const Project& project);
    /// Writes `project` and the side file `meta` as this session's copy; false when it could not.
    bool writeFiles(const Project& project, const nlohmann::json& meta) const;
    QString m_file;
    QLockFile m_lock;  ///< held while this instance runs; a crash leaves it stale
};

}  // namespace loom::ui
