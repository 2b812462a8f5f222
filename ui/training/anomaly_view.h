#pragma once

#include <QWidget>
#include <memory>
#include <vector>

#include "analysis/labels.h"
#include "service/detection.h"

class QChart;
class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace loom::ui {

class ThresholdChartView;

/// What a trained autoencoder finds unusual in a series: the whole series with the flagged
/// intervals shaded, the score of every step under it with the threshold as a line the user
/// drags (the threshold rule's own value marked), and the table of intervals, which selects
/// and zooms. Labels... reads known anomaly windows and shows how the current threshold
/// agrees with them (precision, recall, F1), as it is dragged. Exports the flagged intervals
/// and every step as CSV, and the charts as PNG.
///
/// The view shows a Detection computed elsewhere; moving the threshold or changing the step
/// rule recomputes only the intervals and the scores, in place.
class AnomalyView : public QWidget {
    Q_OBJECT

public:
    explicit AnomalyView(QWidget* parent = nullptr);
    ~AnomalyView() override;

    /// Shows `detection` of the series `source` (its name, for titles and file names).
    void setDetection(std::shared_ptr<const Detection> detection, const QString& source);
    /// No detection, and `text` where it would be: why, or what is being computed.
    void setNote(const QString& text);
    bool hasDetection() const { return m_detection != nullptr; }
    /// What is going on (scoring, and how far), under what is shown.
    void setStatus(const QString& text);

    double threshold() const { return m_threshold; }
    void setThreshold(double value);
    /// Back to the rule's value.
    void resetThreshold();
    StepRule stepRule() const { return m_rule; }
    void setStepRule(StepRule rule);
    /// The intervals flagged at the current threshold and rule.
    const std::vector<AnomalyInterval>& intervals() const { return m_intervals; }

    /// Reads known anomaly windows; false with `error` set when the file does not fit.
    bool loadLabels(const QString& path, QString* error);
    const std::vector<LabelWindow>& labels() const { return m_labels; }
    /// Zooms both charts to interval `row` of the table (and a margin around it); -1: all.
    void zoomToInterval(int row);

    bool exportIntervalsCsv(const QString& path, QString* error) const;
    bool exportStepsCsv(const QString& path, QString* error) const;
    bool exportPng(const QString& path, QString* error) const;

    QChart* seriesChart() const { return m_seriesChart; }
    QChart* scoreChart() const { return m_scoreChart; }
    QChartView* scoreView() const;
    QTableWidget* intervalTable() const { return m_table; }
    QDoubleSpinBox* thresholdBox() const { return m_thresholdBox; }
    QComboBox* ruleBox() const { return m_ruleBox; }
    /// Precision, recall and F1 against the labels; hidden without labels.
    QLabel* agreementLabel() const { return m_agreement; }
    QLabel* noteLabel() const { return m_note; }
    /// "machine_incidents.csv: 3 intervals flagged (38 of 720 steps)".
    QLabel* titleLabel() const { return m_title; }

signals:
    /// The user chose the series to score: a CSV file, a `sample:` series, or empty for the
    /// training series.
    void seriesChosen(const QString& source);
    void thresholdChanged(double value);

private:
    std::shared_ptr<const Detection> m_detection;
    QString m_source;
    StepScores m_scores;  ///< under m_rule
    StepRule m_rule = StepRule::All;
    double m_threshold = 0.0;
    std::vector<AnomalyInterval> m_intervals;
    std::vector<LabelWindow> m_labels;
    std::int64_t m_labelsOutside = 0;  ///< known windows of the file outside this series, left out
    double m_x0 = 0.0, m_dx = 1.0;  ///< step t is drawn at x0 + dx t
    double m_scoreTop = 0.0;        ///< the highest score (or the rule's value) under the rule

    QLabel* m_title;
    QLabel* m_note;
    QLabel* m_agreement;
    QLabel* m_detail;
    QComboBox* m_ruleBox;
    QDoubleSpinBox* m_thresholdBox;
    QPushButton* m_reset;
    QPushButton* m_another;
    QPushButton* m_labelsButton;
    QPushButton* m_export;
    QChart* m_seriesChart;
    QChart* m_scoreChart;
    QChartView* m_seriesView;
    ThresholdChartView* m_scoreView;
    QTableWidget* m_table;
    QWidget* m_content;
    QWidget* m_picture = nullptr;  ///< the plots and the side column: what Export PNG draws

    void rebuildCharts();
    /// After the threshold or the rule moved: the intervals, shading, table and agreement.
    void refreshFlags();
    void drawShading();
    void drawThresholdLines();
    void fillTable();
    void showAgreement();
    void showDetail(int row);
    double xOf(std::int64_t step) const { return m_x0 + m_dx * static_cast<double>(step); }
};

}  // namespace loom::ui
