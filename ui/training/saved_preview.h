#pragma once

#include <QObject>

#include "tasks/background_task.h"
#include "train/session.h"

namespace loom::ui {

/// What a model opened with trained weights makes of its data, before any training in this
/// session: the latest run's data is prepared again (same source, split and normalisation)
/// and the saved weights predict its preview samples, on a worker thread.
///
/// A newer request supersedes older ones: their reading stops and their results are dropped.
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
    BackgroundTask m_task;
};

}  // namespace loom::ui
