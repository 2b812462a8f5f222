#include "training/saved_preview.h"

namespace loom::ui {

SavedPreview::SavedPreview(QObject* parent) : QObject(parent) {
    connect(&m_task, &BackgroundTask::failed, this, &SavedPreview::failed);
}

SavedPreview::~SavedPreview() = default;

void SavedPreview::request(SessionSetup setup, int epoch) {
    setup.threads = 1;  // a look at the data, not worth more than one core
    m_task.start([this, setup = std::move(setup), epoch](TaskContext& task) mutable {
        TrainingSession session(std::move(setup));
        // A superseded request, or the window closing, stops a long read at once.
        session.prepare([&task](double) { return !task.stopRequested(); });
        task.post([this, samples = session.previewSet(), preview = session.preview(epoch)] {
            emit ready(samples, preview);
        });
    });
}

void SavedPreview::cancel() { m_task.cancel(); }

}  // namespace loom::ui
