#include "training/reconstruction_view.h"
#include "training/attention_map.h"
#include "training/chart_util.h"
#include "train/error_order.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSlider>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <numeric>

namespace loom::ui {

ReconstructionView::ReconstructionView(QWidget* parent)
    : QWidget(parent),
      m_chart(new QChart),
      m_view(new QChartView(m_chart, this)),
      m_slider(new QSlider(Qt::Horizontal, this)),
      m_caption(new QLabel(this)),
      m_feature(new QComboBox(this)),
      m_ranking(new QTableWidget(0, 3, this)),
      m_confusion(new QTableWidget(this)),
      m_attentionBox(new QWidget(this)),
      m_attentionCaption(new QLabel(m_attentionBox)),
      m_attentionLayer(new QComboBox(m_attentionBox)),
      m_attentionHead(new QComboBox(m_attentionBox)),
      m_attention(new AttentionMap(m_attentionBox)) {
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(kMinimumPlotHeight);  // a squeezed dock keeps readable axes
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_slider->setToolTip(tr("Browse the samples (arrow keys, Page Up/Down)"));
    m_slider->setEnabled(false);
    m_feature->setToolTip(tr("Which feature to plot"));
    m_ranking->setHorizontalHeaderLabels({tr("rank"), tr("sample"), tr("error")});
    m_ranking->verticalHeader()->hide();
    // Fixed widths: measuring hundreds of rows on every update would hold up the window.
    m_ranking->horizontalHeader()->setStretchLastSection(true);
    m_ranking->setColumnWidth(0, 50);
    m_ranking->setColumnWidth(1, 70);
    m_ranking->setMaximumWidth(280);
    m_ranking->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_ranking->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_ranking->setSelectionMode(QAbstractItemView::SingleSelection);
    m_ranking->setToolTip(tr("Samples by error, worst first: for an autoencoder, the windows it "
                             "reconstructs worst are the likely anomalies. Click one to show it."));

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_caption, 1);
    bar->addWidget(m_feature);
    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addLayout(bar);
    leftLayout->addWidget(m_view, 1);
    leftLayout->addWidget(m_confusion, 1);
    m_confusion->hide();
    m_confusion->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_confusion->setToolTip(tr("Rows: the true class; columns: the predicted class (preview samples)"));
    leftLayout->addWidget(m_slider);
    m_attentionLayer->setToolTip(tr("The MultiHeadAttention layer whose attention scores show"));
    m_attentionHead->setToolTip(tr("One head's scores, or the mean of the heads'"));
    m_attentionCaption->setObjectName("attentionCaption");
    auto* attentionBar = new QHBoxLayout;
    attentionBar->setContentsMargins(0, 0, 0, 0);
    attentionBar->addWidget(m_attentionCaption);
    attentionBar->addWidget(m_attentionLayer);
    attentionBar->addWidget(m_attentionHead);
    attentionBar->addStretch(1);
    auto* attentionLayout = new QVBoxLayout(m_attentionBox);
    attentionLayout->setContentsMargins(0, 0, 0, 0);
    attentionLayout->addLayout(attentionBar);
    attentionLayout->addWidget(m_attention, 1);
    m_attentionBox->hide();
    m_attentionBox->setMinimumWidth(360);  // the caption, the head's choice and a readable map
    auto* split = new QSplitter(this);
    split->addWidget(left);
    split->addWidget(m_attentionBox);
    split->addWidget(m_ranking);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 0);  // the square map needs no more than its own width
    split->setStretchFactor(2, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(split);
    clear();

    // The slider moves by the user only (the view sets it with its signals blocked).
    connect(m_slider, &QSlider::valueChanged, this, [this] {
        m_followWorst = false;
        redraw();
    });
    connect(m_feature, &QComboBox::currentIndexChanged, this, &ReconstructionView::redraw);
    connect(m_attentionLayer, &QComboBox::currentIndexChanged, this, &ReconstructionView::drawAttention);
    connect(m_attentionHead, &QComboBox::currentIndexChanged, this, &ReconstructionView::drawAttention);
    // A click on the row already shown is a choice too: later epochs keep it.
    connect(m_ranking, &QTableWidget::cellPressed, this, [this] { m_followWorst = false; });
    // Every way of choosing a row shows its sample: a click of either button, the arrow keys.
    connect(m_ranking, &QTableWidget::itemSelectionChanged, this, [this] {
        const QList<QTableWidgetItem*> chosen = m_ranking->selectedItems();
        if (chosen.isEmpty()) return;
        if (QTableWidgetItem* item = m_ranking->item(chosen.front()->row(), 1)) showSample(item->data(Qt::UserRole).toInt());
    });
}

int ReconstructionView::sample() const { return m_slider->value(); }

void ReconstructionView::setSamples(const PreviewSet& samples) {
    m_samples = samples;
    m_preview = Preview{};
    m_followWorst = true;
    const QSignalBlocker quiet(m_slider);
    m_slider->setRange(0, std::max(0, static_cast<int>(samples.indexes.size()) - 1));
    m_slider->setValue(0);
    m_slider->setEnabled(samples.indexes.size() > 1);
    const QSignalBlocker quietFeature(m_feature);
    m_feature->clear();
    const std::int64_t features = samples.yDims.empty() ? 0 : samples.yDims.back();
    for (std::int64_t f = 0; f < features; ++f) {
        m_feature->addItem(f < static_cast<std::int64_t>(samples.features.size())
                               ? QString::fromStdString(samples.features[static_cast<std::size_t>(f)])
                               : tr("feature %1").arg(f + 1));
    }
    m_feature->setVisible(features > 1);
    {
        const QSignalBlocker quietRanking(m_ranking);
        m_ranking->setRowCount(0);
    }
    const bool classifier = !samples.targetsInDataUnits;
    m_confusion->setVisible(classifier);
    m_view->setVisible(!classifier);
    m_slider->setVisible(!classifier);
    m_confusion->clear();
    redraw();
}

void ReconstructionView::setPreview(const Preview& preview) {
    m_preview = preview;
    fillRanking();
    // The outputs open on the worst-reconstructed sample (the likely anomaly), and follow it
    // from epoch to epoch until the user picks one, which later epochs keep.
    if (m_followWorst && m_ranking->rowCount() > 0) {
        const QSignalBlocker quiet(m_slider);
        m_slider->setValue(m_ranking->item(0, 1)->data(Qt::UserRole).toInt());
    }
    if (m_samples.targetsInDataUnits) {
        redraw();
    } else {
        fillConfusion();
        drawAttention();
    }
}

void ReconstructionView::drawAttention() {
    const std::vector<AttentionScores>& all = m_preview.attention;
    m_attentionBox->setVisible(!all.empty());
    if (all.empty()) return;
    {
        // The layers and heads of these scores; the choices stay where they still exist.
        const QSignalBlocker quietLayer(m_attentionLayer);
        const QSignalBlocker quietHead(m_attentionHead);
        const QString layer = m_attentionLayer->currentText();
        QStringList names;
        for (const AttentionScores& a : all) names << QString::fromStdString(a.layer);
        QStringList had;
        for (int i = 0; i < m_attentionLayer->count(); ++i) had << m_attentionLayer->itemText(i);
        if (had != names) {
            m_attentionLayer->clear();
            m_attentionLayer->addItems(names);
            m_attentionLayer->setCurrentIndex(std::max(0, static_cast<int>(names.indexOf(layer))));
        }
        // One layer is named in the caption; several are chosen between.
        m_attentionLayer->setVisible(names.size() > 1);
        const int k = m_slider->value();
        const bool shown = k >= 0 && k < static_cast<int>(m_samples.indexes.size());
        const QString sample = shown ? QString::number(m_samples.indexes[static_cast<std::size_t>(k)] + 1) : QString();
        // Short, so that the head's choice keeps its width beside it; the tooltip says it whole.
        if (names.size() > 1) {
            m_attentionCaption->setText(shown ? tr("Sample %1, scores of").arg(sample) : tr("Scores of"));
        } else {
            m_attentionCaption->setText(shown ? tr("%1, sample %2:").arg(names.front(), sample) : tr("%1:").arg(names.front()));
        }
        m_attentionCaption->setToolTip(shown ? tr("The attention scores of %1 for preview sample %2")
                                                   .arg(names.size() > 1 ? m_attentionLayer->currentText() : names.front(), sample)
                                             : tr("The attention scores of %1").arg(names.front()));
        const AttentionScores& a = all[static_cast<std::size_t>(std::max(0, m_attentionLayer->currentIndex()))];
        const int heads = a.dims.size() == 3 ? static_cast<int>(a.dims[0]) : 0;
        if (m_attentionHead->count() != heads + 1) {
            const int head = m_attentionHead->currentIndex();
            m_attentionHead->clear();
            m_attentionHead->addItem(heads == 1 ? tr("its one head") : tr("mean of %1 heads").arg(heads));
            for (int h = 1; h <= heads; ++h) m_attentionHead->addItem(tr("head %1").arg(h));
            m_attentionHead->setCurrentIndex(head >= 0 && head <= heads ? head : 0);
        }
    }
    const AttentionScores& a = all[static_cast<std::size_t>(std::max(0, m_attentionLayer->currentIndex()))];
    if (a.dims.size() != 3) return;
    const std::int64_t heads = a.dims[0], rows = a.dims[1], cols = a.dims[2], perHead = rows * cols;
    const auto sample = static_cast<std::int64_t>(m_slider->value());
    const auto at = std::find(a.samples.begin(), a.samples.end(), sample);
    if (at == a.samples.end() || a.values.size() < a.samples.size() * static_cast<std::size_t>(heads * perHead)) {
        m_attention->setNote(tr("The attention scores of this sample are not kept: all would take too much memory, "
                                "so they are kept for the %1 samples with the largest errors, at the top of the "
                                "ranking.").arg(a.samples.size()));
        return;
    }
    const float* scores = a.values.data() + (at - a.samples.begin()) * heads * perHead;
    const int head = m_attentionHead->currentIndex();  // 0: the mean
    std::vector<float> shown(static_cast<std::size_t>(perHead), 0.0f);
    for (std::int64_t h = 0; h < heads; ++h) {
        if (head > 0 && h != head - 1) continue;
        for (std::int64_t i = 0; i < perHead; ++i) shown[static_cast<std::size_t>(i)] += scores[h * perHead + i];
    }
    if (head <= 0 && heads > 1) {
        for (float& v : shown) v /= static_cast<float>(heads);
    }
    m_attention->setScores(std::move(shown), rows, cols);
}

void ReconstructionView::fillConfusion() {
    // Class labels, one per sample (sparse) or one-hot rows; the prediction is the most
    // probable class.
    const std::size_t count = m_samples.indexes.size();
    if (count == 0 || m_preview.outputs.empty() || m_preview.outputs.size() % count != 0) return;
    const auto classes = static_cast<std::int64_t>(m_preview.outputs.size() / count);
    const bool sparse = m_samples.targets.size() == count;
    const int n = static_cast<int>(std::max<std::int64_t>(classes, 2));
    std::vector<int> cells(static_cast<std::size_t>(n * n), 0);
    int right = 0;
    for (std::size_t k = 0; k < count; ++k) {
        const float* out = m_preview.outputs.data() + k * static_cast<std::size_t>(classes);
        int predicted = 0, truth = 0;
        if (classes == 1) {
            predicted = out[0] >= 0.5f ? 1 : 0;  // a sigmoid output
            truth = m_samples.targets[k] >= 0.5f ? 1 : 0;
        } else {
            predicted = static_cast<int>(std::max_element(out, out + classes) - out);
            if (sparse) {
                truth = static_cast<int>(m_samples.targets[k]);
            } else {
                const float* t = m_samples.targets.data() + k * static_cast<std::size_t>(classes);
                truth = static_cast<int>(std::max_element(t, t + classes) - t);
            }
        }
        if (truth < 0 || truth >= n) continue;
        ++cells[static_cast<std::size_t>(truth * n + predicted)];
        right += truth == predicted;
    }
    m_confusion->setRowCount(n);
    m_confusion->setColumnCount(n);
    QStringList labels;
    for (int c = 0; c < n; ++c) labels << QString::number(c);
    m_confusion->setHorizontalHeaderLabels(labels);
    m_confusion->setVerticalHeaderLabels(labels);
    const int most = std::max(1, *std::max_element(cells.begin(), cells.end()));
    for (int r = 0; r < n; ++r) {
        for (int c = 0; c < n; ++c) {
            const int v = cells[static_cast<std::size_t>(r * n + c)];
            auto* item = new QTableWidgetItem(QString::number(v));
            item->setTextAlignment(Qt::AlignCenter);
            const int shade = 255 - 155 * v / most;
            item->setBackground(r == c ? QColor(shade, 255, shade) : QColor(255, shade, shade));
            m_confusion->setItem(r, c, item);
        }
    }
    m_caption->setText(tr("Confusion matrix after epoch %1: %2 of %3 preview samples right (%4%)")
                           .arg(m_preview.epoch)
                           .arg(right)
                           .arg(count)
                           .arg(qRound(100.0 * right / static_cast<double>(count))));
}

void ReconstructionView::showSample(int index) { m_slider->setValue(index); }

void ReconstructionView::setNote(const QString& text) {
    setSamples(PreviewSet{});
    m_caption->setText(text);
}

void ReconstructionView::clear() { setNote(tr("Train the model to see what it makes of the data.")); }

void ReconstructionView::fillRanking() {
    const std::vector<double>& errors = m_preview.errors;
    std::vector<int> order(errors.size());
    std::iota(order.begin(), order.end(), 0);
    // The worst first, a diverged run's NaN errors before any number.
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return worseError(errors[static_cast<std::size_t>(a)], errors[static_cast<std::size_t>(b)]); });
    const QSignalBlocker quiet(m_ranking);  // refilling is no choice of the user's
    m_ranking->setUpdatesEnabled(false);
    m_ranking->setRowCount(static_cast<int>(order.size()));
    for (int row = 0; row < static_cast<int>(order.size()); ++row) {
        const int k = order[static_cast<std::size_t>(row)];
        auto* rank = new QTableWidgetItem(QString::number(row + 1));
        auto* sampleItem = new QTableWidgetItem(QString::number(m_samples.indexes[static_cast<std::size_t>(k)] + 1));
        sampleItem->setData(Qt::UserRole, k);
        auto* error = new QTableWidgetItem(QString::number(errors[static_cast<std::size_t>(k)], 'g', 4));
        m_ranking->setItem(row, 0, rank);
        m_ranking->setItem(row, 1, sampleItem);
        m_ranking->setItem(row, 2, error);
    }
    m_ranking->setUpdatesEnabled(true);
}

void ReconstructionView::markShownRow() {
    const QSignalBlocker quiet(m_ranking);
    for (int row = 0; row < m_ranking->rowCount(); ++row) {
        if (m_ranking->item(row, 1)->data(Qt::UserRole).toInt() == m_slider->value()) {
            m_ranking->selectRow(row);
            m_ranking->scrollToItem(m_ranking->item(row, 0));
            return;
        }
    }
    m_ranking->clearSelection();
}

void ReconstructionView::redraw() {
    markShownRow();
    drawAttention();
    clearChart(m_chart);
    const auto count = static_cast<int>(m_samples.indexes.size());
    if (count == 0 || m_samples.yDims.empty() || !m_samples.targetsInDataUnits) {
        if (count > 0 && !m_samples.targetsInDataUnits && m_preview.outputs.empty()) {
            m_caption->setText(tr("A classifier: the confusion matrix appears after the first epoch; "
                                  "the Loss chart shows its accuracy."));
        }
        return;
    }
    const int k = std::clamp(m_slider->value(), 0, count - 1);
    const std::int64_t features = m_samples.yDims.back();
    const std::int64_t steps = m_samples.yDims.size() == 2 ? m_samples.yDims[0] : 1;
    const std::int64_t size = steps * features;
    const std::int64_t f = std::clamp<std::int64_t>(m_feature->currentIndex(), 0, features - 1);
    const bool reconstruction = m_samples.xDims == m_samples.yDims;

    auto* x = new QValueAxis;
    x->setTitleText(reconstruction ? tr("time step in the window") : tr("step ahead"));
    x->setLabelFormat("%d");
    auto* y = new QValueAxis;
    y->setLabelFormat("%g");
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    double lo = INFINITY, hi = -INFINITY;
    auto line = [&](const QString& name, const std::vector<float>& values, const QColor& color, Qt::PenStyle style) {
        if (values.size() < static_cast<std::size_t>((k + 1) * size)) return;
        auto* s = new QLineSeries;
        s->setName(name);
        QList<QPointF> points;
        for (std::int64_t t = 0; t < steps; ++t) {
            const double v = values[static_cast<std::size_t>(k * size + t * features + f)];
            points.append(QPointF(static_cast<double>(t), v));
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        s->replace(points);
        QPen pen(color);
        pen.setWidthF(2.0);
        pen.setStyle(style);
        s->setPen(pen);
        s->setPointsVisible(steps <= 40);
        m_chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    };
    line(reconstruction ? tr("input") : tr("truth"), m_samples.targets, QColor(31, 119, 180), Qt::SolidLine);
    line(reconstruction ? tr("reconstruction") : tr("prediction"), m_preview.outputs, QColor(255, 127, 14), Qt::DashLine);
    // One step (a vector output) sits in the middle of its axis.
    if (steps == 1) {
        x->setRange(-0.5, 0.5);
    } else {
        x->setRange(0, static_cast<double>(steps - 1));
    }
    // Whole steps, a round number apart, from 0 to the window's last step: every step of a
    // short window, never fractions that the labels would round to repeated numbers.
    x->setTickType(QValueAxis::TicksDynamic);
    x->setTickAnchor(0);
    x->setTickInterval(steps <= 12 ? 1 : steps <= 40 ? 5 : steps <= 120 ? 10 : steps <= 600 ? 50 : 100);
    if (lo <= hi) fitValueAxis(y, lo, hi);  // round ticks just around the data: no -100 under counts
    QString caption = tr("%1 window %2 of %3")
                          .arg(m_samples.fromValidation ? tr("Validation") : tr("Training"))
                          .arg(m_samples.indexes[static_cast<std::size_t>(k)] + 1)
                          .arg(m_samples.setSize);
    if (count < m_samples.setSize) caption += tr(" (%1 of them shown)").arg(count);
    if (m_preview.errors.size() == static_cast<std::size_t>(count)) {
        caption += tr(" · error %1 · after epoch %2")
                       .arg(QString::number(m_preview.errors[static_cast<std::size_t>(k)], 'g', 4))
                       .arg(m_preview.epoch);
    }
    m_caption->setText(caption);
}

}  // namespace loom::ui
