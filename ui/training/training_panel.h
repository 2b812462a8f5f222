#pragma once

#include <QTimer>
#include <QWidget>

#include "train/trainer.h"

class QCheckBox;
class QLineEdit;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace loom::ui {

class DataPanel;
class OutputLossTable;
class Document;
class TrainingController;

/// Training settings (loss, metrics, optimizer and its parameters, learning rate and schedule,
/// epochs, batch size, seed, early stopping and what it watches), the Start / Pause / Stop buttons, progress, and what the
/// model's weights are. The settings live in the project's `training` section.
class TrainingPanel : public QWidget {
    Q_OBJECT

public:
    TrainingPanel(Document* document, TrainingController* controller, DataPanel* dataPanel,
                  QWidget* parent = nullptr);

    QPushButton* startButton() const { return m_start; }
    QPushButton* pauseButton() const { return m_pause; }
    QPushButton* stopButton() const { return m_stop; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* weightsLabel() const { return m_weights; }
    /// Says why training cannot start, when it cannot; hidden otherwise.
    QLabel* blockedLabel() const { return m_blocked; }
    QSpinBox* epochsBox() const { return m_epochs; }
    QDoubleSpinBox* learningRateBox() const { return m_lr; }
    QComboBox* optimizerBox() const { return m_optimizer; }

    /// Why Start is disabled; empty when it is enabled.
    QString blocker() const;
    /// The part of blocker() that is the model's or the run's, not the data's; empty when only
    /// the data (being read, or not fitting) stands in the way.
    QString modelBlocker() const;

signals:
    void startRequested();
    void pauseRequested();
    void stopRequested();

private:
    Document* m_document;
    TrainingController* m_controller;
    DataPanel* m_data;
    QComboBox* m_loss;
    QComboBox* m_optimizer;
    QDoubleSpinBox* m_lr;
    QDoubleSpinBox* m_momentum;
    QDoubleSpinBox* m_beta1;
    QDoubleSpinBox* m_beta2;
    QDoubleSpinBox* m_weightDecay;
    QCheckBox* m_amsgrad;
    QCheckBox* m_fromLogits;
    QLineEdit* m_classWeight;
    QDoubleSpinBox* m_clipNorm;
    QComboBox* m_schedule;
    QDoubleSpinBox* m_factor;
    QSpinBox* m_every;
    QSpinBox* m_epochs;
    QSpinBox* m_batch;
    QSpinBox* m_seed;
    QCheckBox* m_shuffle;
    QCheckBox* m_early;
    QSpinBox* m_patience;
    QCheckBox* m_restoreBest;
    QToolButton* m_metrics;  ///< a menu of checkable metrics
    QComboBox* m_monitor;    ///< what early stopping and the plateau watch
    QComboBox* m_monitorMode;
    QWidget* m_watchRow;
    QPushButton* m_start;
    QPushButton* m_pause;
    QPushButton* m_stop;
    QProgressBar* m_progress;
    QLabel* m_progressText;
    QLabel* m_blocked;  ///< why Start is off
    QLabel* m_weights;
    QWidget* m_settings;
    OutputLossTable* m_outputLosses;  ///< a model with several outputs: each one's loss
    bool m_loading = false;
    QTimer m_weightsTimer;

    void loadFromDocument();
    void storeToDocument();
    /// The names of the model's outputs, in the order training takes them, when it has
    /// several (each then has a row of its own); empty for one.
    std::vector<std::string> modelOutputs() const;
    /// Borders the class weights in red, with the reason as their tooltip, while the text is
    /// not class weights; otherwise the usual tooltip.
    void markClassWeights();
    /// The chosen metrics, in Keras's order (allMetrics()).
    std::vector<Metric> chosenMetrics() const;
    /// The metrics button's text and the watch list after the loss or the metrics changed;
    /// keeps the watched quantity when it is still offered, else watches the loss, unless
    /// `keepMissing` (a document being shown as it is) lists it as not computed.
    void refreshMetricChoices(const std::string& watched, bool keepMissing = false);
    void showOptimizerFields();
    void refreshButtons();
    void refreshWeights();
};

}  // namespace loom::ui
