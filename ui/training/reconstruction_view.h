#pragma once

#include <QWidget>

#include "train/session.h"

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QSlider;
class QTableWidget;

namespace loom::ui {

class AttentionMap;

/// What the model makes of the data: for one preview sample at a time, its target against
/// the model's output in the data's own units (an autoencoder's input against its
/// reconstruction, a forecast against the truth), updated after every epoch; a slider browses
/// the samples; a table ranks them by error, worst first, which is how reconstruction models
/// find anomalies. For a classifier it shows the confusion matrix of the preview samples. Where
/// the model's MultiHeadAttention layers return their attention scores, a heat map beside the
/// chart shows the sample's scores: of a layer, of one head or the heads' mean.
class ReconstructionView : public QWidget {
    Q_OBJECT

public:
    explicit ReconstructionView(QWidget* parent = nullptr);

    /// A new run's samples; clears the outputs.
    void setSamples(const PreviewSet& samples);
    void setPreview(const Preview& preview);
    /// Shows preview sample `index` (0-based, into PreviewSet::indexes).
    void showSample(int index);
    /// No samples, and `text` where they would be: why there is nothing to show.
    void setNote(const QString& text);
    /// No samples, and the invitation to train.
    void clear();

    int sample() const;
    int epoch() const { return m_preview.epoch; }
    QChart* chart() const { return m_chart; }
    QSlider* slider() const { return m_slider; }
    QLabel* captionLabel() const { return m_caption; }
    QTableWidget* ranking() const { return m_ranking; }
    /// Rows: true class, columns: predicted class (classifiers only).
    QTableWidget* confusion() const { return m_confusion; }
    AttentionMap* attention() const { return m_attention; }
    /// The MultiHeadAttention whose scores show, and the head (first: the heads' mean).
    QComboBox* attentionLayer() const { return m_attentionLayer; }
    QComboBox* attentionHead() const { return m_attentionHead; }

private:
    QChart* m_chart;
    QChartView* m_view;
    QSlider* m_slider;
    QLabel* m_caption;
    QComboBox* m_feature;
    QTableWidget* m_ranking;
    QTableWidget* m_confusion;
    QWidget* m_attentionBox;
    QLabel* m_attentionCaption;
    QComboBox* m_attentionLayer;
    QComboBox* m_attentionHead;
    AttentionMap* m_attention;
    PreviewSet m_samples;
    Preview m_preview;
    /// Until the user picks a sample (a ranking row, the slider), each epoch's preview shows
    /// the worst-reconstructed one, so that the end of a run shows its worst.
    bool m_followWorst = true;

    void redraw();
    /// Selects the ranking's row of the sample on show.
    void markShownRow();
    void fillRanking();
    void fillConfusion();
    /// The attention heat map of the sample on show, hidden when the preview has no scores.
    void drawAttention();
};

}  // namespace loom::ui
