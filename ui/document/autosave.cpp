#include "document/autosave.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QUuid>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "document/document.h"
#include "io/atomic_file.h"
#include "io/json_input.h"

namespace loom::ui {

namespace {

/// The sidecar beside a recovery copy: what it belongs to.
QString metaFile(const QString& recoveryFile) { return recoveryFile + ".json"; }
QString lockFile(const QString& recoveryFile) { return recoveryFile + ".lock"; }

}  // namespace

Autosaver::Autosaver(Document* document, QObject* parent, int intervalMs)
    : QObject(parent),
      m_document(document),
      m_file(QDir(directory()).filePath(QUuid::createUuid().toString(QUuid::WithoutBraces) + ".loom")),
      m_lock(lockFile(m_file)) {
    m_writer.setMaxThreadCount(1);
    m_lock.setStaleLockTime(0);  // stale only when its process is gone
    m_lock.tryLock(0);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &Autosaver::saveNow);
    m_timer.start();
    // Not on the undo stack's clean state: a stack being destroyed turns clean too, and a crash
    // must leave the copy behind.
    connect(m_document, &Document::saved, this, &Autosaver::clear);
}

QString Autosaver::directory() {
    const QString dir =
        QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath("recovery");
    QDir().mkpath(dir);
    return dir;
}

Autosaver::~Autosaver() { stopSnapshots(); }

bool Autosaver::writeCopy(const Project& project) {
    return writeFiles(project, {{"original", m_document->filePath().toStdString()},
                                {"name", m_document->displayName().toStdString()},
                                {"saved", QDateTime::currentDateTime().toString(Qt::ISODate).toStdString()}});
}

bool Autosaver::writeFiles(const Project& project, const nlohmann::json& meta) const {
    try {
        saveProject(project, m_file.toStdString());
        writeFileAtomically(metaFile(m_file).toStdString(), meta.dump(2));
        return true;
    } catch (const std::exception&) {
        // A full disk must not interrupt editing or training; the next interval or epoch tries again.
        return false;
    }
}

void Autosaver::saveNow() {
    if (m_holdSnapshot) return;  // a training run's epochs are the newer work
    if (!m_document->isModified()) {
        clear();
        return;
    }
    writeCopy(m_document->project());
}

void Autosaver::saveSnapshot(Project project) {
    m_holdSnapshot = true;
    // The document's path and name are read here, on the window's thread; the time too: the
    // C library's time zone state is not for two threads at once.
    Snapshot snapshot{std::move(project), m_document->filePath().toStdString(), m_document->displayName().toStdString(),
                      QDateTime::currentDateTime().toString(Qt::ISODate).toStdString(), {}};
    // The run in progress, for the question after a crash.
    const nlohmann::json& runs = snapshot.project.runs;
    if (runs.is_array() && !runs.empty() && runs.back().is_object()) {
        const nlohmann::json& run = runs.back();
        const nlohmann::json number = run.value("number", nlohmann::json());
        const nlohmann::json outcome = run.value("outcome", nlohmann::json());
        if (number.is_number_integer() && outcome.is_string()) {
            snapshot.training = "Training run " + std::to_string(number.get<std::int64_t>()) + ": " + outcome.get<std::string>();
        }
    }
    bool start = false;
    {
        std::lock_guard lock(m_snapshotMutex);
        m_nextSnapshot = std::move(snapshot);  // replaces one still waiting
        start = !m_writing;
        m_writing = true;
    }
    m_snapshotWake.notify_one();
    // The job holds nothing but `this`: everything it shares goes through m_snapshotMutex,
    // where ThreadSanitizer sees the hand-over (it cannot see inside Qt's thread pool).
    if (start) m_writer.start([this] { writeSnapshots(); });
}

void Autosaver::setMinimumSnapshotPause(std::chrono::milliseconds pause) {
    std::lock_guard lock(m_snapshotMutex);
    m_minimumPause = pause;
}

int Autosaver::snapshotWrites() const {
    std::lock_guard lock(m_snapshotMutex);
    return m_snapshotWrites;
}

void Autosaver::writeSnapshots() {
    using Clock = std::chrono::steady_clock;
    std::unique_lock lock(m_snapshotMutex);
    while (true) {
        m_snapshotWake.wait(lock, [this] { return m_stopWriting || m_nextSnapshot; });
        m_snapshotWake.wait_until(lock, m_nextWriteAt, [this] { return m_stopWriting; });
        if (m_stopWriting) return;
        std::optional<Snapshot> next;
        next.swap(m_nextSnapshot);
        lock.unlock();
        const auto start = Clock::now();
        writeFiles(next->project, {{"original", next->original}, {"name", next->name}, {"saved", next->saved},
                                   {"training", next->training}});
        next.reset();  // its weights go before the pause, not after
        // By the clock, waits on the disk included: never more than a twentieth of a core.
        const auto pause = std::chrono::duration_cast<Clock::duration>((Clock::now() - start) * (1.0 / kSnapshotShare - 1.0));
        lock.lock();
        ++m_snapshotWrites;
        m_nextWriteAt = Clock::now() + std::min<Clock::duration>(std::max<Clock::duration>(pause, m_minimumPause), kLongestPause);
    }
}

void Autosaver::stopSnapshots() {
    {
        std::lock_guard lock(m_snapshotMutex);
        m_stopWriting = true;
    }
    m_snapshotWake.notify_one();
    m_writer.waitForDone();
    // A snapshot not yet written goes: the run's end, or the document's own copy, follows.
    std::lock_guard lock(m_snapshotMutex);
    m_stopWriting = false;
    m_writing = false;
    m_nextSnapshot.reset();
    m_nextWriteAt = {};
}

void Autosaver::releaseSnapshot() {
    stopSnapshots();
    m_holdSnapshot = false;
    saveNow();
}

void Autosaver::clear() {
    stopSnapshots();
    m_holdSnapshot = false;
    QFile::remove(m_file);
    QFile::remove(metaFile(m_file));
}

QList<Autosaver::Recovery> Autosaver::pending() {
    QList<Recovery> out;
    const QDir dir(directory());
    for (const QFileInfo& f : dir.entryInfoList({"*.loom"}, QDir::Files, QDir::Time)) {
        // A copy whose lock a running LayerLoom holds is that session's, not left behind.
        QLockFile probe(lockFile(f.absoluteFilePath()));
        probe.setStaleLockTime(0);
        if (!probe.tryLock(0)) continue;
        probe.unlock();
        Recovery r{f.absoluteFilePath(), {}, f.completeBaseName(), f.lastModified()};
        QFile meta(metaFile(r.recoveryFile));
        if (meta.open(QIODevice::ReadOnly)) {
            try {
                const auto j = loom::parseJsonInput(meta.readAll().toStdString());
                r.originalPath = QString::fromStdString(j.value("original", std::string()));
                r.name = QString::fromStdString(j.value("name", std::string()));
                r.training = QString::fromStdString(j.value("training", std::string()));
            } catch (const std::exception&) {
                // The copy itself is what matters; keep it with a plain name.
            }
        }
        out.append(r);
    }
    return out;
}

bool Autosaver::restore(const Recovery& r, Document* document, QString* error) {
    try {
        Project project = loadProject(r.recoveryFile.toStdString());
        document->restoreUnsaved(std::move(project), r.originalPath);
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
    return true;
}

bool Autosaver::adopt(const Recovery& r, QString* error) {
    if (!restore(r, m_document, error)) return false;
    // The restored work is this session's copy before the one left behind goes: a second
    // crash right after restoring loses nothing. Should the copy not be written (a full
    // disk), the one left behind stays.
    stopSnapshots();
    if (writeCopy(m_document->project())) discard(r);
    return true;
}

void Autosaver::discard(const Recovery& r) {
    QFile::remove(r.recoveryFile);
    QFile::remove(metaFile(r.recoveryFile));
}

}  // namespace loom::ui
