#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

#include "data/data_source.h"
#include "tasks/background_task.h"

namespace loom::ui {

class AnomalyView;
class Document;

/// Keeps the Anomalies view up to date with the document: when the model has trained weights
/// and reconstructs its input, the series is scored with them on a worker thread (the run's
/// training series, or another one the user chooses), after every run, import or opened file.
/// A newer change supersedes the scoring going.
class AnomalyDetector : public QObject {
    Q_OBJECT

public:
    AnomalyDetector(Document* document, AnomalyView* view, QObject* parent = nullptr);

    /// Scores `file` (a CSV with the training's columns, or a `sample:` series) from now on;
    /// empty: the training series.
    void scoreSeries(const QString& file);
    const QString& scoredFile() const { return m_file; }
    /// Whether scoring is going.
    bool busy() const { return m_task.running(); }
    /// Scores again now (the view's content follows when it is done).
    void refresh();

signals:
    /// Scoring ended: shown, or the view says why not.
    void done();

private:
    Document* m_document;
    AnomalyView* m_view;
    BackgroundTask m_task;
    QTimer m_later;  ///< joins the signals of one change (weights, then runs) into one scoring
    QString m_file;
    QString m_shownName;          ///< the scored series' file name, for the progress
    bool m_scoredWithRun = false; ///< the last scoring knew the run of the weights
};

}  // namespace loom::ui
