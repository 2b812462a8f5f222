#pragma once

#include <QList>
#include <QWidget>

#include "train/run_history.h"

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace loom::ui {

class Document;

/// The runs list: every training run of the project with its settings, length, best loss and
/// ending. Ticked runs are laid over the loss chart; selecting two compares them (what changed
/// in the architecture and the settings, and their results); a run's graph can be restored
/// into the editor as one undo step.
class RunsPanel : public QWidget {
    Q_OBJECT

public:
    explicit RunsPanel(Document* document, QWidget* parent = nullptr);

    QTableWidget* table() const { return m_table; }
    QPlainTextEdit* details() const { return m_details; }
    QPushButton* restoreButton() const { return m_restore; }
    QPushButton* importButton() const { return m_import; }
    const QList<TrainingRun>& runs() const { return m_runs; }
    /// Ticks or unticks a run's overlay box (as a click on it does).
    void setOverlaid(int row, bool on);

    /// Adds the run folder `dir` (as `layerloom-cli train` or a PyTorch training job writes it)
    /// to the runs list as the project's next run, with its curves and settings; its weights
    /// become the model's when they fit every layer. Returns what it did; throws
    /// std::exception saying what is wrong with the folder.
    QString importRun(const QString& dir);
    /// Asks for a run folder, then imports it; says what happened through hint().
    void importRunDialog();

signals:
    /// The runs whose curves to lay over the loss chart.
    void overlaysChanged(const QList<loom::TrainingRun>& runs);
    /// One run was selected: show its curves.
    void runSelected(const loom::TrainingRun& run);
    void hint(const QString& text);

private:
    Document* m_document;
    QTableWidget* m_table;
    QPlainTextEdit* m_details;
    QPushButton* m_restore;
    QPushButton* m_delete;
    QPushButton* m_import;
    QList<TrainingRun> m_runs;
    QString m_loadError;

    void reload();
    void selectionChanged();
    void emitOverlays();
    QList<int> selectedRows() const;
};

}  // namespace loom::ui
