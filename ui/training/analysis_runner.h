#pragma once

#include <QObject>
#include <QString>
#include <QTimer>
#include <optional>

#include "tasks/background_task.h"

namespace loom::ui {

class AnomalyView;
class Document;
class ForecastView;

/// Keeps the Anomalies and Forecast views up to date with the document: when the model has
/// trained weights, the series (the run's training series, or one the user chooses) is scored
/// on a worker thread: by an autoencoder for anomalies, by a forecaster for its forecast and
/// backtest. After every run, import or opened file; a newer change supersedes the work going.
class AnalysisRunner : public QObject {
    Q_OBJECT

public:
    AnalysisRunner(Document* document, AnomalyView* anomalies, ForecastView* forecast, QObject* parent = nullptr);

    /// Applies the model to `source` (a CSV with the training's columns, or a `sample:` series)
    /// from now on; empty: the training series.
    void chooseSeries(const QString& source);
    const QString& series() const { return m_source; }
    /// Whether work is going.
    bool busy() const { return m_task.running(); }
    /// Computes again now (the views follow when it is done).
    void refresh();

signals:
    /// The work ended: shown, or the views say why not.
    void done();

private:
    Document* m_document;
    AnomalyView* m_anomalies;
    ForecastView* m_forecast;
    BackgroundTask m_task;
    QTimer m_later;  ///< joins the signals of one change (weights, then runs) into one computation
    QString m_source;
    std::optional<int> m_horizon;  ///< the forecast's, when the user chose one
    QString m_shownName;           ///< the series' file name, for the progress
    bool m_withRun = false;        ///< the last computation knew the run of the weights
    bool m_forecasting = false;    ///< the work going is a forecast (else anomaly scores)
    bool m_stale = false;          ///< the views say the weights no longer fit the model

    /// Whether the project's weights were trained for layers that have changed since.
    bool weightsStale() const;

    /// Both views say `text` (a model that is neither kind, weights missing, ...).
    void noteBoth(const QString& text);
    /// Computes an answer off the window's thread (`compute` is told a progress callback) and
    /// shows it with `show` on the window's thread.
    template <class Answer, class Compute, class Show>
    void startAnswer(Compute compute, Show show);
};

}  // namespace loom::ui
