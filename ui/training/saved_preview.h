#pragma once

#include <QObject>
#include <QTimer>
#include <memory>
#include <vector>

#include "train/session.h"

namespace loom::ui {

/// What a model opened with trained weights makes of its data, before any training in this
/// session: the latest run's data is prepared again (same source, split and normalisation)
/// and the saved weights predict its preview samples, on a worker thread.
///
/// A newer request supersedes older ones: their results are dropped. The worker only sets a
/// flag; the window's thread collects the result, so no Qt object crosses the threads.
class SavedPreview : public QObject {
    Q_OBJECT

public:
    explicit SavedPreview(QObject* parent = nullptr);
    ~SavedPreview() override;

    /// Prepares `setup`'s data and predicts with `setup.weights`; ready() or failed() follows
    /// unless cancel() or another request() comes first. `epoch` labels the outputs.
    void request(SessionSetup setup, int epoch);
    /// Drops the result of the request going, if any.
    void cancel();

signals:
    void ready(const loom::PreviewSet& samples, const loom::Preview& preview);
    void failed(const QString& why);

private:
    struct Job;
    std::vector<std::shared_ptr<Job>> m_jobs;  ///< the last is current; older ones finish unheard
    QTimer m_poll;

    void collect();
};

}  // namespace loom::ui
